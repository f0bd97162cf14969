import { backgroundDb, Prisma } from "../db/client";
import { PLAN_LIMITS, PLANS_WITH_RETENTION } from "../limits/plans";
import { DAY_MS, HOUR_MS, MINUTE_MS } from "../format/time";

/** How long rows tied to no account are kept: as long as the plan that keeps usage the shortest. */
const SHORTEST_RETENTION_DAYS = Math.min(...PLANS_WITH_RETENTION.map((plan) => PLAN_LIMITS[plan].retentionDays!));

// Rows per DELETE: each batch is a short statement (on SQLite, a short hold of its one write
// lock), so usage writes and key changes are not kept waiting behind a large purge.
export const RETENTION_BATCH = 500;

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
  deleted += await deleteInBatches({
    ownerId: null,
    createdAt: { lt: new Date(now.getTime() - SHORTEST_RETENTION_DAYS * DAY_MS) },
  });
  return deleted;
}

// Each rollup table with its primary key, the column that says when its newest call was, and
// how long a row spans: a row is purged once all of it is older than the cutoff.
const ROLLUPS = [
  { table: "usage_hourly", key: "owner_id, hour, api_key_id", column: "hour", spanMs: HOUR_MS },
  { table: "usage_hourly_totals", key: "owner_id, hour", column: "hour", spanMs: HOUR_MS },
  { table: "usage_auth_failures", key: "owner_id, minute, api_key_id", column: "minute", spanMs: MINUTE_MS },
  { table: "usage_key_ips", key: "owner_id, api_key_id, ip", column: "last_seen_at", spanMs: 0 },
  { table: "usage_owner_ips", key: "owner_id, ip", column: "last_seen_hour", spanMs: HOUR_MS },
] as const;

/** One DELETE of at most RETENTION_BATCH rows of a rollup whose time column is before `before` for a plan's accounts. */
async function deleteRollupBatch(rollup: (typeof ROLLUPS)[number], plan: string, before: Date): Promise<number> {
  // By primary key (a row value): the SQLite tables are WITHOUT ROWID, so there is no rowid to name a row by.
  const table = Prisma.raw(rollup.table);
  const key = Prisma.raw(rollup.key);
  const selected = Prisma.raw(rollup.key.replace(/(\w+)/g, "r.$1"));
  return backgroundDb().$executeRaw`
    DELETE FROM ${table} WHERE (${key}) IN (
      SELECT ${selected} FROM ${table} r JOIN organizations o ON o.id = r.owner_id
      WHERE o.plan = ${plan} AND r.${Prisma.raw(rollup.column)} < ${before} LIMIT ${RETENTION_BATCH})`;
}

/** Deletes rollup rows (lib/usage/rollups.ts) once their calls are older than the plan keeps usage. */
export async function purgeExpiredRollups(now = new Date()): Promise<number> {
  let deleted = 0;
  for (const plan of PLANS_WITH_RETENTION) {
    const cutoff = now.getTime() - PLAN_LIMITS[plan].retentionDays! * DAY_MS;
    for (const rollup of ROLLUPS) {
      for (;;) {
        const count = await deleteRollupBatch(rollup, plan, new Date(cutoff - rollup.spanMs));
        deleted += count;
        if (count < RETENTION_BATCH) break;
        await breathe();
      }
    }
  }
  return deleted;
}

/** Refused calls' counts belong to no account: kept as long as the shortest plan keeps usage rows. */
export async function purgeExpiredRefusedCalls(now = new Date()): Promise<number> {
  const { count } = await backgroundDb().refusedCall.deleteMany({
    where: { hour: { lt: new Date(now.getTime() - SHORTEST_RETENTION_DAYS * DAY_MS - HOUR_MS) } },
  });
  return count;
}
