import { db, Prisma } from "../db/client";
import { readRows } from "../db/read-rows";
import { indexedBy } from "../db/sql-dialect";
import { epochMs } from "../format/dates";
import { DAY_MS, HOUR_MS } from "../format/time";
import type { UsageRange } from "./admin-schemas";

/**
 * The operator's view across organizations (issue 25, /admin and GET /api/admin/usage/summary):
 * calls per hour for everyone, error rates, the organizations calling most and failing
 * authentication most, refused calls from unknown clients by IP, and the newest security events.
 * Read from the rollups only (one row per organization and hour, one per IP and hour), never
 * from usage_logs: a week of a million calls is as many rows as organizations × hours with calls.
 */

const RANGE_MS: Record<UsageRange, number> = { "24h": DAY_MS, "7d": 7 * DAY_MS };
const TOP = 10;

/**
 * Audit actions an operator looks into across organizations: a key reported leaked, a stolen
 * refresh token replayed, a wrong password.
 */
export const SECURITY_ACTIONS = ["key.leak_report", "auth.refresh_reuse", "auth.sign_in_failed"] as const;

interface HourCalls {
  hour: string;
  ok: number;
  auth_failed: number;
  limited: number;
  other: number;
}

interface OrganizationCalls {
  organization_id: number;
  name: string | null;
  calls: number;
  auth_failed: number;
}

export interface AdminUsageSummary {
  range: UsageRange;
  from: string;
  to: string;
  totals: { calls: number; ok: number; auth_failed: number; limited: number; other: number; error_rate: number };
  hourly: HourCalls[];
  top_by_calls: OrganizationCalls[];
  top_by_auth_failed: OrganizationCalls[];
  refused_by_ip: Array<{ ip: string; count: number }>;
  security_events: Array<{
    id: number;
    organization_id: number;
    organization_name: string | null;
    action: string;
    actor: string;
    api_key_name: string | null;
    ip: string | null;
    created_at: string;
  }>;
}

type Count = number | bigint;

export async function adminUsageSummary(range: UsageRange, now = Date.now()): Promise<AdminUsageSummary> {
  // Whole hours: the rollups hold hours, and the current one is partly there.
  const to = new Date(Math.floor(now / HOUR_MS) * HOUR_MS + HOUR_MS);
  const from = new Date(to.getTime() - RANGE_MS[range]);
  const source = indexedBy("usage_hourly_totals", "usage_hourly_totals_covering_idx");
  const within = Prisma.sql`hour >= ${from} AND hour < ${to}`;
  const [hours, top, refused, events] = await Promise.all([
    readRows<Array<{ hour: string | Date; ok: Count; auth_failed: Count; limited: Count; other: Count }>>(Prisma.sql`
      SELECT hour, SUM(ok) AS ok, SUM(auth_failed) AS auth_failed, SUM(limited) AS limited, SUM(other) AS other
      FROM ${source} WHERE ${within} GROUP BY hour ORDER BY hour`),
    // Both rankings from one pass over the range: the sums per organization are built once.
    readRows<Array<{ ranking: string; owner_id: Count; calls: Count; auth_failed: Count }>>(Prisma.sql`
      WITH sums AS (
        SELECT owner_id, SUM(ok + auth_failed + limited + other) AS calls, SUM(auth_failed) AS auth_failed
        FROM ${source} WHERE ${within} GROUP BY owner_id)
      SELECT * FROM (SELECT 'calls' AS ranking, owner_id, calls, auth_failed FROM sums
        ORDER BY calls DESC, owner_id LIMIT ${TOP}) AS by_calls
      UNION ALL
      SELECT * FROM (SELECT 'auth_failed' AS ranking, owner_id, calls, auth_failed FROM sums WHERE auth_failed > 0
        ORDER BY auth_failed DESC, owner_id LIMIT ${TOP}) AS by_failures`),
    readRows<Array<{ ip: string; count: Count }>>(Prisma.sql`
      SELECT ip, SUM(count) AS count FROM refused_calls WHERE hour >= ${from} AND hour < ${to}
      GROUP BY ip ORDER BY count DESC, ip LIMIT ${TOP}`),
    db().auditLog.findMany({
      where: { action: { in: [...SECURITY_ACTIONS] }, createdAt: { gte: from } },
      select: { id: true, ownerId: true, action: true, actor: true, apiKeyName: true, ip: true, createdAt: true },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: TOP,
    }),
  ]);
  // UNION ALL keeps no order of its parts by itself: each ranking is sorted again here.
  const ranked = (by: "calls" | "auth_failed") =>
    top
      .filter((row) => row.ranking === by)
      .sort((a, b) => Number(b[by]) - Number(a[by]) || Number(a.owner_id) - Number(b.owner_id));
  const topCalls = ranked("calls");
  const topFailed = ranked("auth_failed");
  const ownerIds = top.map((row) => Number(row.owner_id));
  ownerIds.push(...events.map((event) => event.ownerId));
  const names = new Map(
    (
      await db().organization.findMany({
        where: { id: { in: [...new Set(ownerIds)] } },
        select: { id: true, name: true },
      })
    ).map((organization) => [organization.id, organization.name]),
  );
  const hourly = hours.map((row) => ({
    hour: new Date(epochMs(row.hour)).toISOString(),
    ok: Number(row.ok),
    auth_failed: Number(row.auth_failed),
    limited: Number(row.limited),
    other: Number(row.other),
  }));
  const sum = (pick: (row: HourCalls) => number) => hourly.reduce((total, row) => total + pick(row), 0);
  const totals = {
    ok: sum((row) => row.ok),
    auth_failed: sum((row) => row.auth_failed),
    limited: sum((row) => row.limited),
    other: sum((row) => row.other),
  };
  const calls = totals.ok + totals.auth_failed + totals.limited + totals.other;
  const organizationCalls = (row: { owner_id: Count; calls: Count; auth_failed: Count }): OrganizationCalls => ({
    organization_id: Number(row.owner_id),
    name: names.get(Number(row.owner_id)) ?? null,
    calls: Number(row.calls),
    auth_failed: Number(row.auth_failed),
  });
  return {
    range,
    from: from.toISOString(),
    to: to.toISOString(),
    // Errors are every call not answered 2xx: refused keys, limits, bad requests and upstream failures.
    totals: { calls, ...totals, error_rate: calls ? (calls - totals.ok) / calls : 0 },
    hourly,
    top_by_calls: topCalls.map(organizationCalls),
    top_by_auth_failed: topFailed.map(organizationCalls),
    refused_by_ip: refused.map((row) => ({ ip: row.ip, count: Number(row.count) })),
    security_events: events.map((event) => ({
      id: event.id,
      organization_id: event.ownerId,
      organization_name: names.get(event.ownerId) ?? null,
      action: event.action,
      actor: event.actor,
      api_key_name: event.apiKeyName,
      ip: event.ip,
      created_at: event.createdAt.toISOString(),
    })),
  };
}
