import { backgroundDb } from "../db/client";
import { DAY_MS } from "../format/time";

/** How long events and their deliveries are kept: the delivery log members can look back on. */
const WEBHOOK_RETENTION_DAYS = 30;

// Events per DELETE: each batch is a short statement (on SQLite, a short hold of its one write
// lock), so key changes writing new events are not kept waiting behind a large purge.
const BATCH = 500;

/** Yields to the event loop between batches, so requests are served while a purge runs. */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Deletes webhook events older than WEBHOOK_RETENTION_DAYS, with their deliveries (the foreign
 * key cascades); deliveries stop being retried a day after their event, long before.
 *
 * Events are read oldest first by id, which follows created_at (both are set at the insert), and
 * the purge stops at the first batch holding an event still kept: there is no index on created_at
 * alone, and a filter on it would read the whole table every hour to find nothing.
 */
export async function purgeExpiredWebhookEvents(now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - WEBHOOK_RETENTION_DAYS * DAY_MS);
  let deleted = 0;
  for (;;) {
    const oldest = await backgroundDb().webhookEvent.findMany({
      select: { id: true, createdAt: true },
      orderBy: { id: "asc" },
      take: BATCH,
    });
    const expired = oldest.filter((event) => event.createdAt < cutoff).map((event) => event.id);
    if (expired.length) {
      deleted += (await backgroundDb().webhookEvent.deleteMany({ where: { id: { in: expired } } })).count;
    }
    if (expired.length < BATCH) return deleted;
    await breathe();
  }
}
