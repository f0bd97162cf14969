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
