import { backgroundDb, Prisma } from "../db/client";
import { PLAN_LIMITS, PLANS_WITH_RETENTION } from "../limits/plans";

const DAY_MS = 86_400_000;
// Rows per DELETE: each batch is a short statement (on SQLite, a short hold of its one write
// lock), so usage writes and key changes are not kept waiting behind a large purge.
export const RETENTION_BATCH = 500;
const RETENTION_INTERVAL_MS = 3_600_000;

/** Yields to the event loop between batches, so requests are served while a purge runs. */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

async function deleteInBatches(where: Prisma.UsageLogWhereInput): Promise<number> {
  let deleted = 0;
  for (;;) {
    const ids = (await backgroundDb().usageLog.findMany({ where, select: { id: true }, take: RETENTION_BATCH })).map(
      (r) => r.id,
    );
    if (!ids.length) return deleted;
    deleted += (await backgroundDb().usageLog.deleteMany({ where: { id: { in: ids } } })).count;
    if (ids.length < RETENTION_BATCH) return deleted;
    await breathe();
  }
}

/**
 * Deletes usage rows older than their account's plan keeps them (Free 30 days, Professional
 * 90, Enterprise forever). Rows tied to no account follow the shortest retention.
 */
export async function purgeExpiredUsageLogs(now = new Date()): Promise<number> {
  let deleted = 0;
  for (const plan of PLANS_WITH_RETENTION) {
    const cutoff = new Date(now.getTime() - PLAN_LIMITS[plan].retentionDays! * DAY_MS);
    deleted += await deleteInBatches({ createdAt: { lt: cutoff }, owner: { plan } });
  }
  const shortest = Math.min(...PLANS_WITH_RETENTION.map((plan) => PLAN_LIMITS[plan].retentionDays!));
  deleted += await deleteInBatches({ ownerId: null, createdAt: { lt: new Date(now.getTime() - shortest * DAY_MS) } });
  return deleted;
}

/** Refresh tokens are useless once expired; a week's grace keeps reuse detection meaningful. */
async function purgeExpiredRefreshTokens(now = new Date()): Promise<number> {
  const { count } = await backgroundDb().refreshToken.deleteMany({
    where: { expiresAt: { lt: new Date(now.getTime() - 7 * DAY_MS) } },
  });
  return count;
}

/** Runs the purge now and then hourly, in the background of the server process. */
export function startRetentionJob(): void {
  const holder = globalThis as unknown as { __retentionTimer?: NodeJS.Timeout };
  if (holder.__retentionTimer) return;
  const run = () =>
    purgeExpiredUsageLogs()
      .then((count) => count && console.log(`[retention] deleted ${count} expired usage rows`))
      .then(() => purgeExpiredRefreshTokens())
      .catch((error) => console.error("[retention] purge failed:", error));
  void run();
  holder.__retentionTimer = setInterval(() => void run(), RETENTION_INTERVAL_MS);
  holder.__retentionTimer.unref?.();
}
