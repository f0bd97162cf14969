import { db, Prisma } from "../db/client";
import { flushUsage } from "./usage-recorder";
import type { UsageLogQuery } from "../validation/schemas";

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
    db().usageLog.count({ where }),
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

export interface HourBucket {
  /** Start of the hour, ISO 8601 UTC. */
  hour: string;
  ok: number;
  failed: number;
}

/**
 * Calls per hour, successful (2xx) vs failed, for the last `hours` hours including the
 * current one; empty hours are present with zeros so a chart needs no gap logic.
 */
export async function hourlyUsage(ownerId: number, hours: number, now = new Date()): Promise<HourBucket[]> {
  const end = new Date(now);
  end.setUTCMinutes(0, 0, 0);
  const start = new Date(end.getTime() - (hours - 1) * 3_600_000);
  await flushUsage();
  const groups = await db().usageLog.groupBy({
    by: ["createdAt", "statusCode"],
    where: { ownerId, createdAt: { gte: start } },
    _count: { _all: true },
  });
  const buckets = new Map<number, HourBucket>();
  for (let i = 0; i < hours; i++) {
    const t = start.getTime() + i * 3_600_000;
    buckets.set(t, { hour: new Date(t).toISOString(), ok: 0, failed: 0 });
  }
  for (const group of groups) {
    const t = Math.floor(group.createdAt.getTime() / 3_600_000) * 3_600_000;
    const bucket = buckets.get(t);
    if (!bucket) continue;
    if (group.statusCode >= 200 && group.statusCode < 300) bucket.ok += group._count._all;
    else bucket.failed += group._count._all;
  }
  return [...buckets.values()];
}
