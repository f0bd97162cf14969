import { Prisma } from "../db/client";
import { readRows } from "../db/read-rows";
import { epochMs } from "../format/dates";
import { flushUsage } from "./usage-recorder";
import type { UsageLogQuery } from "./usage-schemas";
import { HOUR_MS } from "../format/time";

/**
 * The usage list, in SQL through readRows: on SQLite its reads run on the reader threads
 * (lib/db/read-rows.ts), not on the request thread. Through Prisma each of its four queries
 * holds the request thread (the wasm query compiler's planning and the result's decoding), a
 * real share of the usage page's time there.
 */

const hourStart = (t: number) => Math.floor(t / HOUR_MS) * HOUR_MS;
/** The start of the last hour of year 9999, the last a PostgreSQL timestamp given by the driver holds. */
const LAST_HOUR = Date.UTC(9999, 11, 31, 23);
type Count = bigint | number | null;

function logWhere(ownerId: number, query: UsageLogQuery): Prisma.Sql {
  const conditions = [Prisma.sql`owner_id = ${ownerId}`];
  if (query.api_key_id) conditions.push(Prisma.sql`api_key_id = ${query.api_key_id}`);
  if (query.status === "success") conditions.push(Prisma.sql`status_code >= 200 AND status_code < 300`);
  if (query.status === "failed") conditions.push(Prisma.sql`(status_code < 200 OR status_code >= 300)`);
  if (query.from) conditions.push(Prisma.sql`created_at >= ${query.from}`);
  if (query.to) conditions.push(Prisma.sql`created_at <= ${query.to}`);
  return Prisma.join(conditions, " AND ");
}

async function countRows(where: Prisma.Sql): Promise<number> {
  const [row] = await readRows<Array<{ n: Count }>>(Prisma.sql`SELECT COUNT(*) AS n FROM usage_logs WHERE ${where}`);
  return Number(row.n);
}

/** The calls the hourly rollups count in whole hours [from, to), by the list's key and status filters. */
async function rollupCount(ownerId: number, query: UsageLogQuery, from: number, to: number): Promise<number> {
  const source = query.api_key_id
    ? Prisma.sql`usage_hourly WHERE owner_id = ${ownerId} AND api_key_id = ${query.api_key_id}`
    : Prisma.sql`usage_hourly_totals WHERE owner_id = ${ownerId}`;
  const until = Number.isFinite(to) ? Prisma.sql` AND hour < ${new Date(to)}` : Prisma.empty;
  const [sum] = await readRows<Array<{ ok: Count; failed: Count }>>(Prisma.sql`
    SELECT SUM(ok) AS ok, SUM(auth_failed + limited + other) AS failed
    FROM ${source} AND hour >= ${new Date(from)}${until}`);
  const ok = Number(sum.ok ?? 0);
  const failed = Number(sum.failed ?? 0);
  return query.status === "success" ? ok : query.status === "failed" ? failed : ok + failed;
}

/**
 * The list's total without counting a million index entries: the whole hours in the range come
 * from the hourly rollups, which the usage recorder writes in the same transaction as the rows
 * they count (lib/usage/rollups.ts), and only the partial hours at either end are counted row by
 * row. The hour of the account's oldest row is always counted row by row: retention deletes rows
 * below a cutoff and only later the rollup hours wholly below it, so that hour's rollup may still
 * count rows that are gone, while every later hour's rollup counts exactly the rows that remain.
 */
async function countLogs(ownerId: number, query: UsageLogQuery, where: Prisma.Sql): Promise<number> {
  const oldestRead = readRows<Array<{ oldest: string | Date | null }>>(
    Prisma.sql`SELECT MIN(created_at) AS oldest FROM usage_logs WHERE owner_id = ${ownerId}`,
  );
  // Rounded out to whole hours, but never past the last hour a database holds (year 9999): the
  // query dates stop at its end (lib/validation/fields.ts), and no row can be later.
  const from = query.from ? Math.min(Math.ceil(query.from.getTime() / HOUR_MS) * HOUR_MS, LAST_HOUR) : -Infinity;
  // `to` is inclusive: a row at exactly `to` belongs to the tail counted row by row.
  const wholeTo = query.to && query.to.getTime() < LAST_HOUR ? hourStart(query.to.getTime() + 1) : Infinity;
  const count = (wholeFrom: number): Promise<number> =>
    wholeTo <= wholeFrom
      ? countRows(where)
      : Promise.all([
          countRows(Prisma.sql`${where} AND created_at < ${new Date(wholeFrom)}`),
          rollupCount(ownerId, query, wholeFrom, wholeTo),
          Number.isFinite(wholeTo) ? countRows(Prisma.sql`${where} AND created_at >= ${new Date(wholeTo)}`) : 0,
        ]).then(([head, whole, tail]) => head + whole + tail);
  // Counted as if the account's rows began before `from`'s hour (a range within its history, the
  // usual case), sent together with the oldest row's read: sent after it, these reads waited
  // behind the usage summary's scans on the reader threads, and the usage page's log with them.
  const guess = Number.isFinite(from) ? count(from) : null;
  void guess?.catch(() => undefined); // awaited below, or not needed
  const [{ oldest }] = await oldestRead;
  if (oldest === null) return 0;
  const wholeFrom = Math.max(hourStart(epochMs(oldest)) + HOUR_MS, from);
  return guess && wholeFrom === from ? guess : count(wholeFrom);
}

interface LogRow {
  id: number | bigint;
  api_key_id: number | bigint | null;
  api_key_name: string | null;
  method: string;
  path: string;
  status_code: number | bigint;
  ip: string;
  user_agent: string;
  created_at: string | Date;
}

export async function listUsageLogs(ownerId: number, query: UsageLogQuery) {
  await flushUsage();
  const where = logWhere(ownerId, query);
  const [items, total] = await Promise.all([
    readRows<LogRow[]>(Prisma.sql`
      SELECT id, api_key_id, api_key_name, method, path, status_code, ip, user_agent, created_at
      FROM usage_logs WHERE ${where}
      ORDER BY created_at DESC, id DESC LIMIT ${query.per_page} OFFSET ${(query.page - 1) * query.per_page}`),
    countLogs(ownerId, query, where),
  ]);
  return {
    items: items.map((log) => ({
      id: Number(log.id),
      api_key_id: log.api_key_id === null ? null : Number(log.api_key_id),
      api_key_name: log.api_key_name,
      method: log.method,
      path: log.path,
      status_code: Number(log.status_code),
      ip: log.ip,
      user_agent: log.user_agent,
      created_at: new Date(epochMs(log.created_at)).toISOString(),
    })),
    total,
  };
}
