import { batchWriter, writeWithin } from "../db/batch-write";
import { backgroundDb, db, Prisma } from "../db/client";
import { outboxStatements, type DomainEvent } from "../events/webhook-events";
import { readRows } from "../db/read-rows";
import { epochMs } from "../format/dates";
import { log } from "../log/logger";
import { PLAN_LIMITS, PLANS_WITH_RETENTION } from "../limits/plans";
import type { AuditLogQuery } from "./audit-schemas";
import type { AuditAction, AuditContext } from "./audit-actions";
import { DAY_MS } from "../format/time";

/**
 * The account's audit trail: who changed which key (or signed in or out), when, from where and
 * what changed. Details are built by the callers from explicit fields (names, statuses, route
 * ids, counts), never from a key record, so no digest or secret can reach this table.
 */

export interface AuditEntry {
  keyId?: number | null;
  keyName?: string | null;
  details?: Record<string, unknown>;
  /** The webhook event this change emits: written with the audit row, in its transaction. */
  event?: DomainEvent;
}

/** A request waits this long at most for its audit row and event (the batch writer's thread). */
const EVENT_WRITE_TIMEOUT_MS = 5_000;

/**
 * Written after the change it records. A failure here is logged, not thrown: the change has
 * happened, and failing the request would lose what only its answer carries (a new key's secret,
 * shown once) to save an audit row.
 */
export async function recordAudit(
  ownerId: number,
  action: AuditAction,
  context: AuditContext,
  entry: AuditEntry = {},
): Promise<void> {
  const details = entry.details ? JSON.stringify(entry.details) : null;
  try {
    if (entry.event) {
      const at = new Date();
      await writeWithin(
        batchWriter().write([
          Prisma.sql`INSERT INTO audit_logs (owner_id, action, actor, actor_user_id, api_key_id, api_key_name, ip, details, created_at)
          VALUES (${ownerId}, ${action}, ${context.actor}, ${context.userId ?? null}, ${entry.keyId ?? null},
            ${entry.keyName ?? null}, ${context.ip}, ${details}, ${at})`,
          ...outboxStatements(ownerId, entry.event, at),
        ]),
        EVENT_WRITE_TIMEOUT_MS,
        `${action} audit row and event`,
      );
      return;
    }
    await db().auditLog.create({
      data: {
        ownerId,
        action,
        actor: context.actor,
        actorUserId: context.userId ?? null,
        ip: context.ip,
        apiKeyId: entry.keyId ?? null,
        apiKeyName: entry.keyName ?? null,
        details,
      },
    });
  } catch (error) {
    log().error({ err: error }, `[audit] could not record ${action} for account ${ownerId}`);
  }
}

const auditFields = {
  id: true,
  action: true,
  actor: true,
  actorUserId: true,
  apiKeyId: true,
  apiKeyName: true,
  ip: true,
  details: true,
  createdAt: true,
} as const;
type AuditRecord = Prisma.AuditLogGetPayload<{ select: typeof auditFields }>;

export function toAuditResponse(row: AuditRecord) {
  let details: Record<string, unknown> = {};
  try {
    details = row.details ? (JSON.parse(row.details) as Record<string, unknown>) : {};
  } catch {
    // written by recordAudit only; an unreadable row still lists, without details
  }
  return {
    id: row.id,
    action: row.action as AuditAction,
    actor: row.actor,
    /** The member who acted, when an account did. */
    actor_user_id: row.actorUserId,
    api_key_id: row.apiKeyId,
    api_key_name: row.apiKeyName,
    ip: row.ip,
    details,
    created_at: row.createdAt.toISOString(),
  };
}
export type AuditLogResponse = ReturnType<typeof toAuditResponse>;

/** A page of the owner's audit trail, newest first, optionally for one key and/or one action. */
export async function listAuditLogs(
  ownerId: number,
  query: AuditLogQuery,
): Promise<{ items: AuditRecord[]; total: number }> {
  const where: Prisma.AuditLogWhereInput = {
    ownerId,
    ...(query.api_key_id ? { apiKeyId: query.api_key_id } : {}),
    ...(query.action ? { action: query.action } : {}),
  };
  const [items, total] = await Promise.all([
    db().auditLog.findMany({
      where,
      select: auditFields,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      skip: (query.page - 1) * query.per_page,
      take: query.per_page,
    }),
    db().auditLog.count({ where }),
  ]);
  return { items, total };
}

/**
 * Leak reports against the owner's keys since `from`: the usage page shows each as an alert. In
 * SQL through readRows, with the summary's other reads (lib/usage/summary-queries.ts): on SQLite
 * on a reader thread, not the request thread.
 */
export async function leakReportsSince(ownerId: number, from: Date) {
  type Id = number | bigint | null;
  const rows = await readRows<
    Array<{ api_key_id: Id; api_key_name: string | null; ip: string | null; created_at: string | Date }>
  >(Prisma.sql`
    SELECT api_key_id, api_key_name, ip, created_at FROM audit_logs
    WHERE owner_id = ${ownerId} AND action = 'key.leak_report' AND created_at >= ${from}
    ORDER BY created_at DESC LIMIT 50`);
  return rows.map((r) => ({
    apiKeyId: r.api_key_id === null ? null : Number(r.api_key_id),
    apiKeyName: r.api_key_name,
    ip: r.ip,
    createdAt: new Date(epochMs(r.created_at)),
  }));
}

/** Audit rows are kept as long as the plan keeps usage rows (Free 30 days, Professional 90, Enterprise for good). */
export async function purgeExpiredAuditLogs(now = new Date()): Promise<number> {
  let deleted = 0;
  for (const plan of PLANS_WITH_RETENTION) {
    const cutoff = new Date(now.getTime() - PLAN_LIMITS[plan].retentionDays! * DAY_MS);
    const { count } = await backgroundDb().auditLog.deleteMany({
      where: { createdAt: { lt: cutoff }, owner: { plan } },
    });
    deleted += count;
  }
  return deleted;
}

/**
 * The leak reports recorded against these keys of the owner, newest first: a key's page lists
 * them as its history, and the status switch names the latest before reactivating a reported key.
 * Kept as long as the audit log keeps them, whatever the key's status since.
 */
export async function leakReportsForKeys(ownerId: number, keyIds: number[]) {
  if (keyIds.length === 0) return [];
  const rows = await db().auditLog.findMany({
    where: { ownerId, action: "key.leak_report", apiKeyId: { in: keyIds } },
    select: { id: true, apiKeyId: true, ip: true, createdAt: true },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    // Only a live key's report is recorded, so each needs a reactivation before the next: few rows.
    take: 50 * keyIds.length,
  });
  return rows.map((row) => ({ id: row.id, keyId: row.apiKeyId as number, ip: row.ip, createdAt: row.createdAt }));
}
