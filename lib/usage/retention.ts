import { backgroundDb, dialect, Prisma } from "../db/client";
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

// Each rollup table with the column that says when its newest call was, and how long a row
// spans: a row is purged once all of it is older than the cutoff.
const ROLLUPS = [
  { table: "usage_hourly", column: "hour", spanMs: 3_600_000 },
  { table: "usage_auth_failures", column: "minute", spanMs: 60_000 },
  { table: "usage_key_ips", column: "last_seen_at", spanMs: 0 },
] as const;

/** One DELETE of at most RETENTION_BATCH rows of a rollup whose time column is before `before` for a plan's accounts. */
async function deleteRollupBatch(rollup: (typeof ROLLUPS)[number], plan: string, before: Date): Promise<number> {
  // The tables' keys are composite; SQLite's rowid and PostgreSQL's ctid name one row each.
  const rowId = Prisma.raw(dialect() === "sqlite" ? "rowid" : "ctid");
  const table = Prisma.raw(rollup.table);
  const select = Prisma.sql`SELECT r.${rowId} FROM ${table} r JOIN users u ON u.id = r.owner_id
    WHERE u.plan = ${plan} AND r.${Prisma.raw(rollup.column)} < ${before} LIMIT ${RETENTION_BATCH}`;
  return dialect() === "sqlite"
    ? backgroundDb().$executeRaw`DELETE FROM ${table} WHERE rowid IN (${select})`
    : backgroundDb().$executeRaw`DELETE FROM ${table} WHERE ctid = ANY(ARRAY(${select}))`;
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
      .then(() => purgeExpiredRollups())
      .then(() => purgeExpiredRefreshTokens())
      .catch((error) => console.error("[retention] purge failed:", error));
  void run();
  holder.__retentionTimer = setInterval(() => void run(), RETENTION_INTERVAL_MS);
  holder.__retentionTimer.unref?.();
}
