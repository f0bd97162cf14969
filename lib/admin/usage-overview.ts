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

interface OrganizationSums {
  owner_id: number;
  calls: number;
  auth_failed: number;
}

/** What the summary reads of hours that no longer change: calls per hour, and each ranking's head. */
interface Settled {
  hourly: HourCalls[];
  byCalls: OrganizationSums[];
  byAuthFailed: OrganizationSums[];
}

/**
 * How far back the rollups change in the normal course: the usage writer flushes within
 * milliseconds, so an hour that ended an hour ago is final (retention only removes hours a month
 * old). Hours before the cut are read once per instance and hour (settledPart), and checked at
 * every call against their sums then (a batch written late, after a database outage, or an
 * organization deleted, changes them: they are read again); the last two are read at every call.
 */
const LIVE_HOURS = 2;

/**
 * Each ranking's head kept of the settled hours: twice the ten shown, so an organization deleted
 * since (its rollups gone with it) still leaves ten exact candidates.
 */
const HEAD = 2 * TOP;

const source = () => indexedBy("usage_hourly_totals", "usage_hourly_totals_covering_idx");

async function hourlyCalls(from: Date, to: Date): Promise<HourCalls[]> {
  const rows = await readRows<
    Array<{ hour: string | Date; ok: Count; auth_failed: Count; limited: Count; other: Count }>
  >(Prisma.sql`
    SELECT hour, SUM(ok) AS ok, SUM(auth_failed) AS auth_failed, SUM(limited) AS limited, SUM(other) AS other
    FROM ${source()} WHERE hour >= ${from} AND hour < ${to} GROUP BY hour ORDER BY hour`);
  return rows.map((row) => ({
    hour: new Date(epochMs(row.hour)).toISOString(),
    ok: Number(row.ok),
    auth_failed: Number(row.auth_failed),
    limited: Number(row.limited),
    other: Number(row.other),
  }));
}

const organizationSums = (row: { owner_id: Count; calls: Count; auth_failed: Count }): OrganizationSums => ({
  owner_id: Number(row.owner_id),
  calls: Number(row.calls),
  auth_failed: Number(row.auth_failed),
});

const byCalls = (a: OrganizationSums, b: OrganizationSums) => b.calls - a.calls || a.owner_id - b.owner_id;
const byAuthFailed = (a: OrganizationSums, b: OrganizationSums) =>
  b.auth_failed - a.auth_failed || a.owner_id - b.owner_id;

/** The settled hours [from, cut): per hour, and both rankings' heads from one pass of sums per organization. */
async function readSettled(from: Date, cut: Date): Promise<Settled> {
  const within = Prisma.sql`hour >= ${from} AND hour < ${cut}`;
  const [hourly, heads] = await Promise.all([
    hourlyCalls(from, cut),
    readRows<Array<{ ranking: string; owner_id: Count; calls: Count; auth_failed: Count }>>(Prisma.sql`
      WITH sums AS (
        SELECT owner_id, SUM(ok + auth_failed + limited + other) AS calls, SUM(auth_failed) AS auth_failed
        FROM ${source()} WHERE ${within} GROUP BY owner_id)
      SELECT * FROM (SELECT 'calls' AS ranking, owner_id, calls, auth_failed FROM sums
        ORDER BY calls DESC, owner_id LIMIT ${HEAD}) AS by_calls
      UNION ALL
      SELECT * FROM (SELECT 'auth_failed' AS ranking, owner_id, calls, auth_failed FROM sums WHERE auth_failed > 0
        ORDER BY auth_failed DESC, owner_id LIMIT ${HEAD}) AS by_failures`),
  ]);
  // UNION ALL keeps no order of its parts by itself: each ranking is sorted here.
  const head = (ranking: string, order: typeof byCalls) =>
    heads
      .filter((row) => row.ranking === ranking)
      .map(organizationSums)
      .sort(order);
  return { hourly, byCalls: head("calls", byCalls), byAuthFailed: head("auth_failed", byAuthFailed) };
}

/**
 * The settled part, read once per instance for each cut (an hour) and range: summing a week of
 * every organization's hours is most of the summary's cost, and those hours no longer change.
 * In this process only: each instance reads its own, and checks it against the stored sums at
 * every call (adminUsageSummary), so there is nothing to keep in step across instances.
 */
const settledReads = new Map<string, Promise<Settled>>();
/** Per range, the next hour's read, started a moment after the hour begins (see settledPart). */
const nextHourReads = new Map<UsageRange, NodeJS.Timeout>();
const NEXT_HOUR_DELAY_MS = 2_000;

function settledPart(
  range: UsageRange,
  from: Date,
  cut: Date,
  { reread = false, ahead = false } = {},
): Promise<Settled> {
  const key = `${range}|${cut.toISOString()}`;
  let read = settledReads.get(key);
  if (!read || reread) {
    for (const old of settledReads.keys()) if (old.startsWith(`${range}|`)) settledReads.delete(old);
    const started = readSettled(from, cut);
    // A failed read is not kept (unless another has replaced it): the next call tries again.
    started.catch(() => settledReads.get(key) === started && settledReads.delete(key));
    settledReads.set(key, started);
    read = started;
  }
  // Read the next hour's ahead, in the background, so that the operator's first look of an hour
  // does not wait for it; only after an hour in which the summary was asked for here.
  if (!ahead && !nextHourReads.has(range)) {
    const next = cut.getTime() + HOUR_MS;
    const timer = setTimeout(
      () => {
        nextHourReads.delete(range);
        const nextFrom = new Date(from.getTime() + HOUR_MS);
        void settledPart(range, nextFrom, new Date(next), { ahead: true }).catch(() => undefined);
      },
      next + LIVE_HOURS * HOUR_MS - HOUR_MS - Date.now() + NEXT_HOUR_DELAY_MS,
    );
    timer.unref?.();
    nextHourReads.set(range, timer);
  }
  return read;
}

/** The settled hours' sums as stored now: unchanged since they were read, the read stands. */
async function settledSums(from: Date, cut: Date): Promise<string> {
  const [row] = await readRows<
    Array<{ ok: Count | null; auth_failed: Count | null; limited: Count | null; other: Count | null }>
  >(
    Prisma.sql`
      SELECT SUM(ok) AS ok, SUM(auth_failed) AS auth_failed, SUM(limited) AS limited, SUM(other) AS other
      FROM ${source()} WHERE hour >= ${from} AND hour < ${cut}`,
  );
  return [row?.ok, row?.auth_failed, row?.limited, row?.other].map((value) => Number(value ?? 0)).join("|");
}

const sumsOf = (hourly: HourCalls[]) =>
  (["ok", "auth_failed", "limited", "other"] as const)
    .map((field) => hourly.reduce((total, row) => total + row[field], 0))
    .join("|");

/**
 * Whole-range sums of every organization that called in the live hours [cut, to), from the
 * per-organization index alone (SQLite's planner takes the primary key for a day's range, and
 * then reads a table row per hour).
 */
async function recentlyActiveSums(from: Date, cut: Date, to: Date): Promise<OrganizationSums[]> {
  const rows = await readRows<Array<{ owner_id: Count; calls: Count; auth_failed: Count }>>(Prisma.sql`
    SELECT owner_id, SUM(ok + auth_failed + limited + other) AS calls, SUM(auth_failed) AS auth_failed
    FROM ${indexedBy("usage_hourly_totals", "usage_hourly_totals_owner_covering_idx")}
    WHERE owner_id IN (SELECT owner_id FROM ${source()} WHERE hour >= ${cut} AND hour < ${to})
      AND hour >= ${from} AND hour < ${to}
    GROUP BY owner_id`);
  return rows.map(organizationSums);
}

/**
 * The top ten of the whole range, exactly: an organization that did not call in the live hours
 * has its settled sums, and one outside the settled head has HEAD organizations ahead of it
 * whose sums can only have grown. So the settled heads and the recently active are enough.
 */
function ranking(settledHead: OrganizationSums[], active: OrganizationSums[], order: typeof byCalls) {
  const candidates = new Map(settledHead.map((row) => [row.owner_id, row]));
  for (const row of active) candidates.set(row.owner_id, row);
  return [...candidates.values()].sort(order);
}

export async function adminUsageSummary(range: UsageRange, now = Date.now()): Promise<AdminUsageSummary> {
  // Whole hours: the rollups hold hours, and the current one is partly there.
  const to = new Date(Math.floor(now / HOUR_MS) * HOUR_MS + HOUR_MS);
  const from = new Date(to.getTime() - RANGE_MS[range]);
  const cut = new Date(to.getTime() - LIVE_HOURS * HOUR_MS);
  const [kept, stored, liveHours, active, refused, events] = await Promise.all([
    settledPart(range, from, cut),
    settledSums(from, cut),
    hourlyCalls(cut, to),
    recentlyActiveSums(from, cut, to),
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
  const settled = sumsOf(kept.hourly) === stored ? kept : await settledPart(range, from, cut, { reread: true });
  const callsRanking = ranking(settled.byCalls, active, byCalls);
  const failedRanking = ranking(
    settled.byAuthFailed,
    active.filter((row) => row.auth_failed > 0),
    byAuthFailed,
  );
  const ownerIds = [...callsRanking.slice(0, HEAD), ...failedRanking.slice(0, HEAD)].map((row) => row.owner_id);
  ownerIds.push(...events.map((event) => event.ownerId));
  const names = new Map(
    (
      await db().organization.findMany({
        where: { id: { in: [...new Set(ownerIds)] } },
        select: { id: true, name: true },
      })
    ).map((organization) => [organization.id, organization.name]),
  );
  // An organization deleted since the settled hours were read is no candidate any more.
  const shown = (rows: OrganizationSums[]) => rows.filter((row) => names.has(row.owner_id)).slice(0, TOP);
  const hourly = [...settled.hourly, ...liveHours];
  const sum = (pick: (row: HourCalls) => number) => hourly.reduce((total, row) => total + pick(row), 0);
  const totals = {
    ok: sum((row) => row.ok),
    auth_failed: sum((row) => row.auth_failed),
    limited: sum((row) => row.limited),
    other: sum((row) => row.other),
  };
  const calls = totals.ok + totals.auth_failed + totals.limited + totals.other;
  const organizationCalls = (row: OrganizationSums): OrganizationCalls => ({
    organization_id: row.owner_id,
    name: names.get(row.owner_id) ?? null,
    calls: row.calls,
    auth_failed: row.auth_failed,
  });
  return {
    range,
    from: from.toISOString(),
    to: to.toISOString(),
    // Errors are every call not answered 2xx: refused keys, limits, bad requests and upstream failures.
    totals: { calls, ...totals, error_rate: calls ? (calls - totals.ok) / calls : 0 },
    hourly,
    top_by_calls: shown(callsRanking).map(organizationCalls),
    top_by_auth_failed: shown(failedRanking).map(organizationCalls),
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
