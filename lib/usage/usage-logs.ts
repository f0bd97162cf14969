import { db, Prisma } from "../db/client";
import { redactKeys } from "../keys/secret";
import type { UsageLogQuery } from "../validation/schemas";

export interface UsageEntry {
  ownerId: number | null;
  apiKeyId: number | null;
  apiKeyName: string | null;
  method: string;
  path: string;
  statusCode: number;
  ip: string;
  userAgent: string;
  at: Date;
}

/** Writes one usage row. Free text is scrubbed of anything key-shaped and bounded in size. */
export async function recordUsage(entry: UsageEntry): Promise<void> {
  await db().usageLog.create({
    data: {
      ownerId: entry.ownerId,
      apiKeyId: entry.apiKeyId,
      apiKeyName: entry.apiKeyName,
      method: entry.method.slice(0, 16),
      path: redactKeys(entry.path).slice(0, 512),
      statusCode: entry.statusCode,
      ip: entry.ip.slice(0, 64),
      userAgent: redactKeys(entry.userAgent).slice(0, 512),
      createdAt: entry.at,
    },
  });
}

function logWhere(ownerId: number, query: UsageLogQuery): Prisma.UsageLogWhereInput {
  return {
    ownerId,
    ...(query.api_key_id ? { apiKeyId: query.api_key_id } : {}),
    ...(query.from || query.to
      ? { createdAt: { ...(query.from ? { gte: query.from } : {}), ...(query.to ? { lte: query.to } : {}) } }
      : {}),
  };
}

export async function listUsageLogs(ownerId: number, query: UsageLogQuery) {
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
