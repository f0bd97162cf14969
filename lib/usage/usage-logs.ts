import { db, Prisma } from "../db/client";
import { flushUsage } from "./usage-recorder";
import type { UsageLogQuery } from "../validation/schemas";

const HOUR_MS = 3_600_000;
const hourStart = (t: number) => Math.floor(t / HOUR_MS) * HOUR_MS;

function logWhere(ownerId: number, query: UsageLogQuery): Prisma.UsageLogWhereInput {
  return {
    ownerId,
    ...(query.api_key_id ? { apiKeyId: query.api_key_id } : {}),
    ...(query.status === "success" ? { statusCode: { gte: 200, lt: 300 } } : {}),
    ...(query.status === "failed" ? { OR: [{ statusCode: { lt: 200 } }, { statusCode: { gte: 300 } }] } : {}),
    ...(query.from || query.to
      ? { createdAt: { ...(query.from ? { gte: query.from } : {}), ...(query.to ? { lte: query.to } : {}) } }
      : {}),
  };
}

/** The calls the hourly rollups count in whole hours [from, to), by the list's key and status filters. */
async function rollupCount(ownerId: number, query: UsageLogQuery, from: number, to: number): Promise<number> {
  const hour = { gte: new Date(from), ...(Number.isFinite(to) ? { lt: new Date(to) } : {}) };
  const _sum = { ok: true, authFailed: true, limited: true, other: true } as const;
  const { _sum: sum } = query.api_key_id
    ? await db().usageHourly.aggregate({ where: { ownerId, apiKeyId: query.api_key_id, hour }, _sum })
    : await db().usageHourlyTotal.aggregate({ where: { ownerId, hour }, _sum });
  const ok = sum.ok ?? 0;
  const failed = (sum.authFailed ?? 0) + (sum.limited ?? 0) + (sum.other ?? 0);
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
async function countLogs(ownerId: number, query: UsageLogQuery, where: Prisma.UsageLogWhereInput): Promise<number> {
  const oldest = await db().usageLog.findFirst({
    where: { ownerId },
    orderBy: { createdAt: "asc" },
    select: { createdAt: true },
  });
  if (!oldest) return 0;
  const from = query.from ? Math.ceil(query.from.getTime() / HOUR_MS) * HOUR_MS : -Infinity;
  const wholeFrom = Math.max(hourStart(oldest.createdAt.getTime()) + HOUR_MS, from);
  // `to` is inclusive: a row at exactly `to` belongs to the tail counted row by row.
  const wholeTo = query.to ? hourStart(query.to.getTime() + 1) : Infinity;
  if (wholeTo <= wholeFrom) return db().usageLog.count({ where });
  const [head, whole, tail] = await Promise.all([
    db().usageLog.count({ where: { AND: [where, { createdAt: { lt: new Date(wholeFrom) } }] } }),
    rollupCount(ownerId, query, wholeFrom, wholeTo),
    Number.isFinite(wholeTo)
      ? db().usageLog.count({ where: { AND: [where, { createdAt: { gte: new Date(wholeTo) } }] } })
      : 0,
  ]);
  return head + whole + tail;
}

export async function listUsageLogs(ownerId: number, query: UsageLogQuery) {
  await flushUsage();
  const where = logWhere(ownerId, query);
  const [items, total] = await Promise.all([
    db().usageLog.findMany({
      where,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      skip: (query.page - 1) * query.per_page,
      take: query.per_page,
    }),
    countLogs(ownerId, query, where),
  ]);
  return {
    items: items.map((log) => ({
      id: log.id,
      api_key_id: log.apiKeyId,
      api_key_name: log.apiKeyName,
      method: log.method,
      path: log.path,
      status_code: log.statusCode,
      ip: log.ip,
      user_agent: log.userAgent,
      created_at: log.createdAt.toISOString(),
    })),
    total,
  };
}
