import { db, dialect, Prisma } from "../db/client";
import { flushUsage } from "./usage-recorder";

/**
 * The monitoring summary behind GET /api/api-usage-logs/summary and the usage page: calls per
 * hour, failed authentication, distinct IPs, top keys, and the reference's "monitor for" list
 * turned into alerts. Aggregation happens in SQL (per hour and key), so a busy account's
 * summary reads hundreds of rows, not millions.
 */

const SUMMARY_RANGES = { "24h": 24, "7d": 24 * 7 } as const;
export type SummaryRange = keyof typeof SUMMARY_RANGES;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const NEW_IP_LOOKBACK_MS = 7 * DAY_MS;
const SPIKE_FACTOR = 3;
export const SPIKE_MIN_CALLS = 20;
export const FAILED_AUTH_BURST = { count: 10, windowMs: 10 * 60_000 };

type AlertType = "new_ip" | "off_hours" | "spike" | "failed_auth_burst";

export interface Alert {
  type: AlertType;
  api_key_id: number | null;
  api_key_name: string | null;
  /**
   * When it happened, ISO 8601: the first failed or new-IP call, the off-hours call found at
   * either end of its hour, or the start of a spike's hour.
   */
  at: string;
  message: string;
}

export interface HourBucket {
  hour: string;
  ok: number;
  failed: number;
}

export interface WorkingHours {
  timeZone: string;
  startHour: number;
  endHour: number;
}

interface HourKeyRow {
  hour: string;
  keyId: number | null;
  keyName: string | null;
  ok: number;
  total: number;
  /** First and last call in the hour: the off-hours rule checks both ends (see below). */
  first: number;
  last: number;
}

const hourStart = (t: number) => Math.floor(t / HOUR_MS) * HOUR_MS;
const iso = (t: number) => new Date(t).toISOString();
const hourLabel = (t: number) => `${iso(t).slice(0, 13).replace("T", " ")}:00 UTC`;

/**
 * created_at cut to its UTC hour or minute as ISO text ("2026-11-29T21", "2026-11-29T21:05").
 * SQLite keeps DateTime as ISO text, so a prefix is the cut; PostgreSQL keeps a UTC timestamp.
 */
function timeBucket(unit: "hour" | "minute"): Prisma.Sql {
  if (dialect() === "sqlite") return Prisma.raw(`substr(created_at, 1, ${unit === "hour" ? 13 : 16})`);
  return Prisma.raw(`to_char(created_at, '${unit === "hour" ? 'YYYY-MM-DD"T"HH24' : 'YYYY-MM-DD"T"HH24:MI'}')`);
}

async function hourlyByKey(ownerId: number, from: Date, to: Date): Promise<HourKeyRow[]> {
  const rows = await db().$queryRaw<
    Array<{
      hour: string;
      key_id: bigint | number | null;
      key_name: string | null;
      ok: bigint | number;
      total: bigint | number;
      first: string | Date;
      last: string | Date;
    }>
  >`
    SELECT ${timeBucket("hour")} AS hour, api_key_id AS key_id, MAX(api_key_name) AS key_name,
           SUM(CASE WHEN status_code >= 200 AND status_code < 300 THEN 1 ELSE 0 END) AS ok, COUNT(*) AS total,
           MIN(created_at) AS first, MAX(created_at) AS last
    FROM usage_logs
    WHERE owner_id = ${ownerId} AND created_at >= ${from} AND created_at < ${to}
    GROUP BY hour, api_key_id`;
  return rows.map((r) => ({
    hour: `${r.hour}:00:00.000Z`,
    keyId: r.key_id === null ? null : Number(r.key_id),
    keyName: r.key_name,
    ok: Number(r.ok),
    total: Number(r.total),
    first: new Date(r.first).getTime(),
    last: new Date(r.last).getTime(),
  }));
}

/** 401s per minute and key: a flood of failures costs the summary a few rows per minute, not one per call. */
async function failuresPerMinute(ownerId: number, from: Date, to: Date): Promise<FailureGroup[]> {
  const rows = await db().$queryRaw<
    Array<{
      minute: string;
      key_id: bigint | number | null;
      key_name: string | null;
      n: bigint | number;
      first: string | Date;
    }>
  >`
    SELECT ${timeBucket("minute")} AS minute, api_key_id AS key_id, MAX(api_key_name) AS key_name, COUNT(*) AS n, MIN(created_at) AS first
    FROM usage_logs
    WHERE owner_id = ${ownerId} AND status_code = 401 AND created_at >= ${from} AND created_at < ${to}
    GROUP BY minute, api_key_id`;
  return rows.map((r) => ({
    at: new Date(r.first).getTime(),
    keyId: r.key_id === null ? null : Number(r.key_id),
    keyName: r.key_name,
    count: Number(r.n),
  }));
}

/** The local hour (0–23) of an instant in a time zone; falls back to UTC for an unknown zone. */
export function localHour(at: number, timeZone: string): number {
  try {
    const hour = new Intl.DateTimeFormat("en-US", { timeZone, hour: "numeric", hourCycle: "h23" }).format(new Date(at));
    return Number(hour) % 24;
  } catch {
    return new Date(at).getUTCHours();
  }
}

export function isWorkingHour(at: number, hours: WorkingHours): boolean {
  const local = localHour(at, hours.timeZone);
  return hours.startHour <= hours.endHour
    ? local >= hours.startHour && local < hours.endHour
    : local >= hours.startHour || local < hours.endHour; // e.g. 22–06 night shifts
}

/** Hours with more than SPIKE_FACTOR × the trailing 24-hour mean and at least SPIKE_MIN_CALLS calls. */
export function spikeAlerts(totalsByHour: Map<number, number>, fromHour: number, toHour: number): Alert[] {
  const alerts: Alert[] = [];
  for (let t = fromHour; t <= toHour; t += HOUR_MS) {
    const calls = totalsByHour.get(t) ?? 0;
    if (calls < SPIKE_MIN_CALLS) continue;
    let trailing = 0;
    for (let p = t - 24 * HOUR_MS; p < t; p += HOUR_MS) trailing += totalsByHour.get(p) ?? 0;
    const mean = trailing / 24;
    if (calls > SPIKE_FACTOR * mean) {
      alerts.push({
        type: "spike",
        api_key_id: null,
        api_key_name: null,
        at: iso(t),
        message: `Spike: ${calls} calls in the hour from ${hourLabel(t)}, over ${SPIKE_FACTOR}× the trailing 24-hour mean of ${mean.toFixed(1)}.`,
      });
    }
  }
  return alerts;
}

export interface FailureGroup {
  at: number;
  keyId: number | null;
  keyName: string | null;
  /** Failures this entry stands for (the summary groups them per minute and key). */
  count?: number;
}

/** Non-overlapping windows holding FAILED_AUTH_BURST.count or more 401s. */
export function failedAuthBursts(failures: FailureGroup[]): Alert[] {
  const sorted = [...failures].sort((a, b) => a.at - b.at);
  const alerts: Alert[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    let count = 0;
    while (j < sorted.length && sorted[j].at - sorted[i].at < FAILED_AUTH_BURST.windowMs)
      count += sorted[j++].count ?? 1;
    if (count >= FAILED_AUTH_BURST.count) {
      const keys = new Set(sorted.slice(i, j).map((f) => f.keyId));
      const single = keys.size === 1 ? sorted[i] : null;
      alerts.push({
        type: "failed_auth_burst",
        api_key_id: single?.keyId ?? null,
        api_key_name: single?.keyName ?? null,
        at: iso(sorted[i].at),
        message: `${count} failed authentication attempts within ${FAILED_AUTH_BURST.windowMs / 60_000} minutes from ${iso(sorted[i].at)}${single?.keyName ? ` with key "${single.keyName}"` : ""}.`,
      });
      i = j;
    } else {
      i++;
    }
  }
  return alerts;
}

async function newIpAlerts(ownerId: number, from: Date, to: Date): Promise<Alert[]> {
  const [inRange, before] = await Promise.all([
    db().usageLog.groupBy({
      by: ["apiKeyId", "ip"],
      where: { ownerId, apiKeyId: { not: null }, createdAt: { gte: from, lt: to } },
      _min: { createdAt: true },
      _max: { apiKeyName: true },
    }),
    db().usageLog.groupBy({
      by: ["apiKeyId", "ip"],
      where: {
        ownerId,
        apiKeyId: { not: null },
        createdAt: { gte: new Date(from.getTime() - NEW_IP_LOOKBACK_MS), lt: from },
      },
      _max: { createdAt: true },
    }),
  ]);
  const lastBefore = new Map(before.map((g) => [`${g.apiKeyId}|${g.ip}`, g._max.createdAt!.getTime()]));
  const alerts: Alert[] = [];
  for (const pair of inRange) {
    const first = pair._min.createdAt!.getTime();
    const seen = lastBefore.get(`${pair.apiKeyId}|${pair.ip}`);
    if (seen !== undefined && seen >= first - NEW_IP_LOOKBACK_MS) continue;
    // A key's very first caller is not "unexpected": require that the key was used from elsewhere before.
    const hadHistory =
      before.some((g) => g.apiKeyId === pair.apiKeyId && g._max.createdAt!.getTime() >= first - NEW_IP_LOOKBACK_MS) ||
      inRange.some((g) => g.apiKeyId === pair.apiKeyId && g.ip !== pair.ip && g._min.createdAt!.getTime() < first);
    if (!hadHistory) continue;
    alerts.push({
      type: "new_ip",
      api_key_id: pair.apiKeyId,
      api_key_name: pair._max.apiKeyName ?? null,
      at: iso(first),
      message: `Key "${pair._max.apiKeyName}" was used from ${pair.ip}, an IP address it had not used in the previous 7 days.`,
    });
  }
  return alerts;
}

async function usageSummary(ownerId: number, range: SummaryRange, hours: WorkingHours, now = new Date()) {
  await flushUsage();
  const toHour = hourStart(now.getTime());
  const fromHour = toHour - (SUMMARY_RANGES[range] - 1) * HOUR_MS;
  const from = new Date(fromHour);
  const to = new Date(now.getTime() + 1);

  const [rows, ipGroups, failures, newIp] = await Promise.all([
    // 24 extra hours feed the spike rule's trailing mean for the first hours of the range.
    hourlyByKey(ownerId, new Date(fromHour - 24 * HOUR_MS), to),
    db().usageLog.groupBy({ by: ["ip"], where: { ownerId, createdAt: { gte: from, lt: to } } }),
    failuresPerMinute(ownerId, from, to),
    newIpAlerts(ownerId, from, to),
  ]);

  const totalsByHour = new Map<number, number>();
  const buckets = new Map<number, HourBucket>();
  for (let t = fromHour; t <= toHour; t += HOUR_MS) buckets.set(t, { hour: iso(t), ok: 0, failed: 0 });
  const perKey = new Map<number, { name: string | null; calls: number }>();
  const offHours: Alert[] = [];
  for (const row of rows) {
    const t = Date.parse(row.hour);
    totalsByHour.set(t, (totalsByHour.get(t) ?? 0) + row.total);
    const bucket = buckets.get(t);
    if (!bucket) continue; // the spike rule's look-back only
    bucket.ok += row.ok;
    bucket.failed += row.total - row.ok;
    if (row.keyId === null) continue;
    const key = perKey.get(row.keyId) ?? { name: row.keyName, calls: 0 };
    key.calls += row.total;
    perKey.set(row.keyId, key);
    // In zones offset by 30 or 45 minutes a working-hours boundary falls inside a UTC hour, and
    // the off-hours part of that hour is at one end of it: checking the first and last call
    // tells whether any call in the hour was outside working hours.
    const offAt = [row.first, row.last].find((at) => !isWorkingHour(at, hours));
    if (offAt !== undefined) {
      offHours.push({
        type: "off_hours",
        api_key_id: row.keyId,
        api_key_name: row.keyName,
        at: iso(offAt),
        message: `Key "${row.keyName}" made ${row.total} calls in the hour from ${hourLabel(t)}, outside working hours (${String(hours.startHour).padStart(2, "0")}:00–${String(hours.endHour).padStart(2, "0")}:00 ${hours.timeZone}).`,
      });
    }
  }

  const callsPerHour = [...buckets.values()];
  const ok = callsPerHour.reduce((sum, b) => sum + b.ok, 0);
  const failed = callsPerHour.reduce((sum, b) => sum + b.failed, 0);
  const alerts = [
    ...newIp,
    ...offHours,
    ...spikeAlerts(totalsByHour, fromHour, toHour),
    ...failedAuthBursts(failures),
  ].sort((a, b) => b.at.localeCompare(a.at));

  return {
    range,
    from: from.toISOString(),
    to: now.toISOString(),
    calls_per_hour: callsPerHour,
    totals: { calls: ok + failed, ok, failed },
    failed_auth_attempts: failures.reduce((sum, f) => sum + (f.count ?? 1), 0),
    distinct_ips: ipGroups.length,
    top_keys: [...perKey]
      .map(([id, key]) => ({ api_key_id: id, api_key_name: key.name, calls: key.calls }))
      .sort((a, b) => b.calls - a.calls || a.api_key_id - b.api_key_id)
      .slice(0, 5),
    working_hours: { time_zone: hours.timeZone, start_hour: hours.startHour, end_hour: hours.endHour },
    alerts,
  };
}

/** The summary with the account's own working hours: what the endpoint and the usage page show. */
export function usageSummaryForAccount(
  account: { id: number; timeZone: string; workStartHour: number; workEndHour: number },
  range: SummaryRange,
  now = new Date(),
) {
  return usageSummary(
    account.id,
    range,
    { timeZone: account.timeZone, startHour: account.workStartHour, endHour: account.workEndHour },
    now,
  );
}
