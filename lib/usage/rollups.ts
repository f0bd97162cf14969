import { Prisma } from "../db/client";
import { daysApartAtLeast, greatest, least } from "../db/sql-dialect";
import { jsonRows, sqlTime, type JsonColumn } from "../db/json-rows";
import { HOUR_MS, MINUTE_MS } from "../format/time";

/**
 * The rollups of usage_logs that the usage summary reads (usage_hourly, usage_hourly_totals,
 * usage_auth_failures, usage_key_ips, usage_owner_ips): a batch of calls is first summed here, in
 * memory, to one row per (account, key, hour), per (account, hour), per (account, key, minute) of
 * 401s, per (account, key, IP) and per (account, IP) and hour, then upserted in
 * the transaction that inserts the batch's usage rows, so a rollup never counts a row that was
 * not written, nor misses one that was. Calls tied to no account are in no rollup.
 */

/** What a rollup needs of one call (a UsageEntry's fields, cleaned). */
export interface RollupCall {
  ownerId: number | null;
  apiKeyId: number | null;
  apiKeyName: string | null;
  statusCode: number;
  ip: string;
  at: Date;
}

interface Named {
  ownerId: number;
  apiKeyId: number;
  /** The name at the latest call. */
  apiKeyName: string | null;
  first: number;
  last: number;
}

/** Calls in one UTC hour, by outcome: a row of usage_hourly_totals as the summary reads it. */
export interface HourTotal {
  hour: number;
  ok: number;
  authFailed: number;
  limited: number;
  other: number;
}

/** One key's hour (usage_hourly). */
type HourRollup = Named & HourTotal;

/** One account's hour (usage_hourly_totals). */
type AccountHourTotal = HourTotal & { ownerId: number };

interface AuthFailureRollup extends Named {
  minute: number;
  count: number;
}

interface KeyIpRollup extends Named {
  ip: string;
}

interface OwnerIpRollup {
  ownerId: number;
  ip: string;
  /** The start of the UTC hour of the latest call. */
  hour: number;
}

/** The outcome column a status code counts in. */
export function outcome(statusCode: number): "ok" | "authFailed" | "limited" | "other" {
  if (statusCode >= 200 && statusCode < 300) return "ok";
  if (statusCode === 401 || statusCode === 403) return "authFailed";
  if (statusCode === 429) return "limited";
  return "other";
}

/** Moves a rollup row's first and last call (and the name at the last) to take in a call at `at`. */
function touch(row: Named, at: number, name: string | null): void {
  if (at >= row.last) {
    row.last = at;
    row.apiKeyName = name;
  }
  if (at < row.first) row.first = at;
}

/**
 * The latest hour this process has written (committed) to usage_owner_ips, per account and IP:
 * a pair already written for its hour is left out of the next batches (rollUp).
 */
const ownerIpHoursWritten = new Map<number, Map<string, number>>();

/**
 * Sums a batch into rollup rows, each list in primary-key order: two instances upserting the
 * same rows then lock them in the same order, which keeps PostgreSQL from a deadlock.
 */
function rollUp(calls: RollupCall[]) {
  const hours = new Map<string, HourRollup>();
  const totals = new Map<string, AccountHourTotal>();
  const failures = new Map<string, AuthFailureRollup>();
  const ips = new Map<string, KeyIpRollup>();
  const ownerIps = new Map<string, OwnerIpRollup>();
  // The rows the previous call went to: most calls of a batch share its account, key, hour and
  // IP, and then need no key text and no map lookup (building both per call would be most of
  // what a batch allocates on the request thread).
  let hourRow: HourRollup | undefined;
  let totalRow: AccountHourTotal | undefined;
  let ipRow: KeyIpRollup | undefined;
  for (const call of calls) {
    if (call.ownerId === null) continue;
    const ownerId = call.ownerId;
    const apiKeyId = call.apiKeyId ?? 0;
    const at = call.at.getTime();
    const name = call.apiKeyName;
    const hour = Math.floor(at / HOUR_MS) * HOUR_MS;
    const column = outcome(call.statusCode);
    if (!hourRow || hourRow.hour !== hour || hourRow.apiKeyId !== apiKeyId || hourRow.ownerId !== ownerId) {
      const key = `${ownerId}|${apiKeyId}|${hour}`;
      hourRow = hours.get(key);
      if (!hourRow) {
        hourRow = {
          ownerId,
          apiKeyId,
          apiKeyName: name,
          first: at,
          last: at,
          hour,
          ok: 0,
          authFailed: 0,
          limited: 0,
          other: 0,
        };
        hours.set(key, hourRow);
      }
    }
    touch(hourRow, at, name);
    hourRow[column]++;
    if (!totalRow || totalRow.hour !== hour || totalRow.ownerId !== ownerId) {
      const key = `${ownerId}|${hour}`;
      totalRow = totals.get(key);
      if (!totalRow) {
        totalRow = { ownerId, hour, ok: 0, authFailed: 0, limited: 0, other: 0 };
        totals.set(key, totalRow);
      }
    }
    totalRow[column]++;
    if (call.statusCode === 401) {
      const minute = Math.floor(at / MINUTE_MS) * MINUTE_MS;
      const key = `${ownerId}|${apiKeyId}|${minute}`;
      let failure = failures.get(key);
      if (!failure) {
        failure = { ownerId, apiKeyId, apiKeyName: name, first: at, last: at, minute, count: 0 };
        failures.set(key, failure);
      }
      touch(failure, at, name);
      failure.count++;
    }
    if (!ipRow || ipRow.ip !== call.ip || ipRow.apiKeyId !== apiKeyId || ipRow.ownerId !== ownerId) {
      const key = `${ownerId}|${apiKeyId}|${call.ip}`;
      ipRow = ips.get(key);
      if (!ipRow) {
        ipRow = { ownerId, apiKeyId, apiKeyName: name, first: at, last: at, ip: call.ip };
        ips.set(key, ipRow);
      }
    }
    touch(ipRow, at, name);
  }
  // Per (account, IP), from the (account, key, IP) pairs: a batch has a few of those, and hundreds
  // of calls. A pair whose hour this process has written already needs nothing (rollupStatements).
  for (const pair of ips.values()) {
    const hour = Math.floor(pair.last / HOUR_MS) * HOUR_MS;
    if ((ownerIpHoursWritten.get(pair.ownerId)?.get(pair.ip) ?? -Infinity) >= hour) continue;
    const key = `${pair.ownerId}|${pair.ip}`;
    const ownerIp = ownerIps.get(key);
    if (!ownerIp) ownerIps.set(key, { ownerId: pair.ownerId, ip: pair.ip, hour });
    else if (hour > ownerIp.hour) ownerIp.hour = hour;
  }
  const byKey =
    <T extends Named>(extra: (row: T) => number | string) =>
    (a: T, b: T) =>
      a.ownerId - b.ownerId || a.apiKeyId - b.apiKeyId || (extra(a) < extra(b) ? -1 : extra(a) > extra(b) ? 1 : 0);
  return {
    hours: [...hours.values()].sort(byKey((r) => r.hour)),
    totals: [...totals.values()].sort((a, b) => a.ownerId - b.ownerId || a.hour - b.hour),
    failures: [...failures.values()].sort(byKey((r) => r.minute)),
    ips: [...ips.values()].sort(byKey((r) => r.ip)),
    ownerIps: [...ownerIps.values()].sort((a, b) => a.ownerId - b.ownerId || (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0)),
  };
}

/** Seven days or more between a pair's last call and this batch's first: the IP "appears" again. */
const returnsAfterAWeek = () => daysApartAtLeast("excluded.first_seen_at", "usage_key_ips.last_seen_at", 7);

const int = (name: string): JsonColumn => [name, "int"];
const text = (name: string): JsonColumn => [name, "text"];
const time = (name: string): JsonColumn => [name, "timestamp"];

/**
 * The upserts for a batch's rollups, to run in the batch's transaction, and what to call once it
 * has committed. Each one's rows go in as one JSON parameter (lib/db/json-rows.ts), so its text is
 * the same for every batch and SQLite prepares it once. `WHERE true`: SQLite would read ON
 * CONFLICT as part of the SELECT's join.
 */
export function rollupStatements(calls: RollupCall[]): { statements: Prisma.Sql[]; committed: () => void } {
  const { hours, totals, failures, ips, ownerIps } = rollUp(calls);
  const statements: Prisma.Sql[] = [];
  if (hours.length) {
    const source = jsonRows(
      [
        int("owner_id"),
        int("api_key_id"),
        time("hour"),
        text("api_key_name"),
        int("ok"),
        int("auth_failed"),
        int("limited"),
        int("other"),
        time("first_at"),
        time("last_at"),
      ],
      hours.map((r) => [
        r.ownerId,
        r.apiKeyId,
        sqlTime(r.hour),
        r.apiKeyName,
        r.ok,
        r.authFailed,
        r.limited,
        r.other,
        sqlTime(r.first),
        sqlTime(r.last),
      ]),
    );
    statements.push(Prisma.sql`
      INSERT INTO usage_hourly (owner_id, api_key_id, hour, api_key_name, ok, auth_failed, limited, other, first_at, last_at)
      SELECT owner_id, api_key_id, hour, api_key_name, ok, auth_failed, limited, other, first_at, last_at FROM ${source} AS s WHERE true
      ON CONFLICT (owner_id, hour, api_key_id) DO UPDATE SET
        api_key_name = CASE WHEN excluded.last_at >= usage_hourly.last_at THEN excluded.api_key_name ELSE usage_hourly.api_key_name END,
        ok = usage_hourly.ok + excluded.ok,
        auth_failed = usage_hourly.auth_failed + excluded.auth_failed,
        limited = usage_hourly.limited + excluded.limited,
        other = usage_hourly.other + excluded.other,
        first_at = ${least("usage_hourly.first_at", "excluded.first_at")},
        last_at = ${greatest("usage_hourly.last_at", "excluded.last_at")}`);
  }
  if (totals.length) {
    const source = jsonRows(
      [int("owner_id"), time("hour"), int("ok"), int("auth_failed"), int("limited"), int("other")],
      totals.map((r) => [r.ownerId, sqlTime(r.hour), r.ok, r.authFailed, r.limited, r.other]),
    );
    statements.push(Prisma.sql`
      INSERT INTO usage_hourly_totals (owner_id, hour, ok, auth_failed, limited, other)
      SELECT owner_id, hour, ok, auth_failed, limited, other FROM ${source} AS s WHERE true
      ON CONFLICT (owner_id, hour) DO UPDATE SET
        ok = usage_hourly_totals.ok + excluded.ok,
        auth_failed = usage_hourly_totals.auth_failed + excluded.auth_failed,
        limited = usage_hourly_totals.limited + excluded.limited,
        other = usage_hourly_totals.other + excluded.other`);
  }
  if (failures.length) {
    const source = jsonRows(
      [int("owner_id"), int("api_key_id"), time("minute"), text("api_key_name"), int("count"), time("first_at")],
      failures.map((r) => [r.ownerId, r.apiKeyId, sqlTime(r.minute), r.apiKeyName, r.count, sqlTime(r.first)]),
    );
    statements.push(Prisma.sql`
      INSERT INTO usage_auth_failures (owner_id, api_key_id, minute, api_key_name, count, first_at)
      SELECT owner_id, api_key_id, minute, api_key_name, count, first_at FROM ${source} AS s WHERE true
      ON CONFLICT (owner_id, minute, api_key_id) DO UPDATE SET
        api_key_name = excluded.api_key_name,
        count = usage_auth_failures.count + excluded.count,
        first_at = ${least("usage_auth_failures.first_at", "excluded.first_at")}`);
  }
  if (ips.length) {
    const source = jsonRows(
      [
        int("owner_id"),
        int("api_key_id"),
        text("ip"),
        text("api_key_name"),
        time("first_seen_at"),
        time("last_seen_at"),
      ],
      ips.map((r) => [r.ownerId, r.apiKeyId, r.ip, r.apiKeyName, sqlTime(r.first), sqlTime(r.last)]),
    );
    statements.push(Prisma.sql`
      INSERT INTO usage_key_ips (owner_id, api_key_id, ip, api_key_name, first_seen_at, last_seen_at, appeared_at)
      SELECT owner_id, api_key_id, ip, api_key_name, first_seen_at, last_seen_at, first_seen_at FROM ${source} AS s WHERE true
      ON CONFLICT (owner_id, api_key_id, ip) DO UPDATE SET
        api_key_name = CASE WHEN excluded.last_seen_at >= usage_key_ips.last_seen_at THEN excluded.api_key_name ELSE usage_key_ips.api_key_name END,
        appeared_at = CASE WHEN ${returnsAfterAWeek()} THEN excluded.first_seen_at ELSE usage_key_ips.appeared_at END,
        first_seen_at = ${least("usage_key_ips.first_seen_at", "excluded.first_seen_at")},
        last_seen_at = ${greatest("usage_key_ips.last_seen_at", "excluded.last_seen_at")}`);
  }
  // Only the (account, IP) pairs whose hour this process has not written yet (rollUp leaves out
  // the others): a busy IP's row changes once an hour, and upserting it with every batch costs the
  // data API a noticeable share of its throughput. Another instance's writes only ever move the
  // hour forward, so one written here stays at least as late.
  if (ownerIps.length) {
    const source = jsonRows(
      [int("owner_id"), text("ip"), time("last_seen_hour")],
      ownerIps.map((r) => [r.ownerId, r.ip, sqlTime(r.hour)]),
    );
    statements.push(Prisma.sql`
      INSERT INTO usage_owner_ips (owner_id, ip, last_seen_hour)
      SELECT owner_id, ip, last_seen_hour FROM ${source} AS s WHERE true
      ON CONFLICT (owner_id, ip) DO UPDATE SET
        last_seen_hour = ${greatest("usage_owner_ips.last_seen_hour", "excluded.last_seen_hour")}`);
  }
  const committed = () => {
    if (ownerIpHoursWritten.size > 10_000) ownerIpHoursWritten.clear();
    for (const r of ownerIps) {
      let hours = ownerIpHoursWritten.get(r.ownerId);
      if (!hours) ownerIpHoursWritten.set(r.ownerId, (hours = new Map()));
      if (hours.size > 100_000) hours.clear();
      if ((hours.get(r.ip) ?? -Infinity) < r.hour) hours.set(r.ip, r.hour);
    }
  };
  return { statements, committed };
}
