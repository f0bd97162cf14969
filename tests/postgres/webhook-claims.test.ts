import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import { resolveDatabaseUrl } from "@/lib/config/database-url";
import { db } from "@/lib/db/client";
import { claimDueDeliveries } from "@/lib/webhooks/delivery-queue";
import { generateWebhookSecret } from "@/lib/webhooks/signing";
import { createAccount } from "../integration/support";

/**
 * Webhook claims on PostgreSQL, where instances claim side by side: FOR UPDATE SKIP LOCKED in the
 * claiming subquery means two claims never return the same delivery, and a claim passes over rows
 * another transaction holds instead of waiting for them. Runs with TEST_DATABASE=postgresql only
 * (vitest.config.mts); on SQLite one statement runs at a time and the claim is atomic as is.
 */

const DELIVERIES = 200;
let endpointId = 0;

/** `count` pending deliveries due now, each of an event of its own, to the test's endpoint. */
async function queueDeliveries(ownerId: number, count: number, tag: string): Promise<number[]> {
  const now = new Date();
  await db().webhookEvent.createMany({
    data: Array.from({ length: count }, (_, i) => ({
      ownerId,
      messageId: `msg_${tag}_${i}`,
      type: "key.created",
      payload: JSON.stringify({ type: "key.created", timestamp: now.toISOString(), data: { i } }),
      createdAt: now,
    })),
  });
  const events = await db().webhookEvent.findMany({
    where: { messageId: { startsWith: `msg_${tag}_` } },
    select: { id: true },
  });
  await db().webhookDelivery.createMany({
    data: events.map((event) => ({ endpointId, eventId: event.id, nextAttemptAt: now, createdAt: now })),
  });
  const rows = await db().webhookDelivery.findMany({
    where: { eventId: { in: events.map((event) => event.id) } },
    select: { id: true },
    orderBy: { id: "asc" },
  });
  return rows.map((row) => row.id);
}

let ownerId = 0;
beforeAll(async () => {
  ownerId = (await createAccount({ prefix: "pg-claims" })).id;
  const endpoint = await db().webhookEndpoint.create({
    data: {
      ownerId,
      url: "https://hooks.example.com/in",
      events: JSON.stringify(["key.created"]),
      secret: generateWebhookSecret(),
    },
  });
  endpointId = endpoint.id;
});

describe("webhook delivery claims on PostgreSQL", () => {
  it(`claimers running at once never get the same row, over ${DELIVERIES} due deliveries`, async () => {
    const queued = await queueDeliveries(ownerId, DELIVERIES, "race");
    const claimedBy: number[][] = [[], [], [], []];
    let overlapping = 0;
    for (let round = 0; round < DELIVERIES; round++) {
      // Four claims at once, each on a connection of the pool's own.
      const claims = await Promise.all(claimedBy.map(() => claimDueDeliveries(7)));
      claims.forEach((claim, i) => claimedBy[i].push(...claim.ids));
      if (claims.filter((claim) => claim.ids.length).length > 1) overlapping += 1;
      if (claims.every((claim) => !claim.ids.length)) break;
    }
    const all = claimedBy.flat();
    expect(new Set(all).size).toBe(all.length); // no row twice
    expect([...all].sort((a, b) => a - b)).toEqual(queued); // and every row once
    expect(overlapping).toBeGreaterThan(0); // the claims did run side by side
    const rows = await db().webhookDelivery.findMany({ where: { id: { in: queued } }, select: { lockedUntil: true } });
    expect(rows.every((row) => row.lockedUntil && row.lockedUntil.getTime() > Date.now())).toBe(true);
    // Claimed rows stay claimed: nothing is left to claim.
    expect((await claimDueDeliveries(50)).ids).toEqual([]);
  });

  it("a claim skips rows another transaction has locked, without waiting for it", async () => {
    const queued = await queueDeliveries(ownerId, 30, "held");
    const holder = new pg.Client({ connectionString: resolveDatabaseUrl() });
    await holder.connect();
    try {
      await holder.query("BEGIN");
      // Another instance's claim under way: the first 10 due rows locked, not yet updated.
      const held = (
        await holder.query<{ id: number }>(
          "SELECT id FROM webhook_deliveries WHERE id = ANY($1::int[]) ORDER BY id LIMIT 10 FOR UPDATE",
          [queued],
        )
      ).rows.map((row) => row.id);
      expect(held).toHaveLength(10);
      const started = Date.now();
      const claim = await claimDueDeliveries(10);
      expect(Date.now() - started).toBeLessThan(5_000); // skipped, not waited for
      expect(claim.ids).toHaveLength(10);
      expect(claim.ids.some((id) => held.includes(id))).toBe(false);
      await holder.query("ROLLBACK");
      // Released and unclaimed, the held rows are claimed next.
      const next = await claimDueDeliveries(10);
      expect([...next.ids].sort((a, b) => a - b)).toEqual(held);
    } finally {
      await holder.end();
    }
  });
});
