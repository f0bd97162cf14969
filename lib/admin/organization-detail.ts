import { toAuditResponse, listAuditLogs, type AuditLogResponse } from "../audit/audit-log";
import { db } from "../db/client";
import { DAY_MS } from "../format/time";
import { keyFields, toKeyResponse, type KeyResponse } from "../keys/key-response";
import { getAdminOrganization, hoursSince, type AdminOrganization } from "../orgs/admin-organizations";
import { listMembers, type MemberView } from "../orgs/members";

/**
 * One organization as the operator's console shows it (GET /api/admin/organizations/{id}): the
 * list's row, its members, its keys' metadata (toKeyResponse: never a secret or digest), its calls
 * over 24 hours and 7 days by outcome, and its newest audit entries.
 */

const KEYS_SHOWN = 100;
const AUDIT_SHOWN = 20;

export interface OutcomeTotals {
  calls: number;
  ok: number;
  auth_failed: number;
  limited: number;
  other: number;
}

export interface AdminOrganizationDetail extends AdminOrganization {
  members: MemberView[];
  /** The newest 100 keys; key_count has how many there are. */
  keys: KeyResponse[];
  usage: { "24h": OutcomeTotals; "7d": OutcomeTotals };
  audit: AuditLogResponse[];
}

async function outcomeTotals(ownerId: number, since: Date): Promise<OutcomeTotals> {
  const { _sum } = await db().usageHourlyTotal.aggregate({
    where: { ownerId, hour: { gte: since } },
    _sum: { ok: true, authFailed: true, limited: true, other: true },
  });
  const [ok, authFailed, limited, other] = [_sum.ok ?? 0, _sum.authFailed ?? 0, _sum.limited ?? 0, _sum.other ?? 0];
  return { calls: ok + authFailed + limited + other, ok, auth_failed: authFailed, limited, other };
}

export async function getAdminOrganizationDetail(
  id: number,
  now = Date.now(),
): Promise<AdminOrganizationDetail | null> {
  const organization = await getAdminOrganization(id, now);
  if (!organization) return null;
  const since = (ms: number) => hoursSince(now, ms);
  const [members, keys, day, week, audit] = await Promise.all([
    listMembers(id),
    db().apiKey.findMany({
      where: { ownerId: id },
      select: keyFields,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: KEYS_SHOWN,
    }),
    outcomeTotals(id, since(DAY_MS)),
    outcomeTotals(id, since(7 * DAY_MS)),
    listAuditLogs(id, { page: 1, per_page: AUDIT_SHOWN }),
  ]);
  return {
    ...organization,
    members,
    keys: keys.map(toKeyResponse),
    usage: { "24h": day, "7d": week },
    audit: audit.items.map(toAuditResponse),
  };
}
