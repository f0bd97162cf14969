import {
  failedAuthBursts,
  newIpAlerts,
  offHours,
  offHoursAlerts,
  spikeAlerts,
  leakReportAlerts,
  type Alert,
  type WorkingHours,
} from "./alerts";
import {
  callsInHours,
  distinctIps,
  failuresPerMinute,
  hourlyTotals,
  keyRowsInHours,
  newIps,
  topKeys,
} from "./summary-queries";
import type { HourTotal } from "./rollups";
import { flushUsage } from "./usage-recorder";
import { leakReportsSince } from "../audit/audit-log";
import { DAY_MS, HOUR_MS } from "../format/time";

/**
 * The monitoring summary behind GET /api/api-usage-logs/summary and the usage page: calls per
 * hour by outcome, failed authentication, distinct IPs, top keys, and alerts (lib/usage/alerts.ts)
 * over the rollups that lib/usage/summary-queries.ts reads.
 */

const SUMMARY_RANGES = { "24h": 24, "7d": 24 * 7 } as const;
export type SummaryRange = keyof typeof SUMMARY_RANGES;

/** The alerts a summary lists, newest first: a busy account's week can hold thousands. */
const MAX_ALERTS = 100;

export interface HourBucket {
  hour: string;
  ok: number;
  /** auth_failed + limited + other. */
  failed: number;
  /** 401 and 403. */
  auth_failed: number;
  /** 429. */
  limited: number;
  other: number;
}

const hourStart = (t: number) => Math.floor(t / HOUR_MS) * HOUR_MS;
const iso = (t: number) => new Date(t).toISOString();

/** One bucket per hour from `fromHour` to `toHour`, zero where no row says otherwise. */
function hourBuckets(totals: HourTotal[], fromHour: number, toHour: number): HourBucket[] {
  const buckets = new Map<number, HourBucket>();
  for (let t = fromHour; t <= toHour; t += HOUR_MS)
    buckets.set(t, { hour: iso(t), ok: 0, failed: 0, auth_failed: 0, limited: 0, other: 0 });
  for (const row of totals) {
    const bucket = buckets.get(row.hour);
    if (!bucket) continue; // the spike rule's look-back only
    Object.assign(bucket, {
      ok: row.ok,
      failed: row.authFailed + row.limited + row.other,
      auth_failed: row.authFailed,
      limited: row.limited,
      other: row.other,
    });
  }
  return [...buckets.values()];
}

/**
 * Calls by outcome for a chart over the last `hours` hours, all keys or one: per hour up to a
 * week, per UTC day beyond (720 bars would be a pixel each). Read from the hourly rollups.
 */
export async function usageChart(
  ownerId: number,
  { hours, keyId }: { hours: number; keyId?: number },
  now = new Date(),
): Promise<{ buckets: HourBucket[]; bucketMs: number }> {
  await flushUsage();
  const toHour = hourStart(now.getTime());
  const fromHour = toHour - (hours - 1) * HOUR_MS;
  const totals = await hourlyTotals(ownerId, new Date(fromHour), new Date(now.getTime() + 1), keyId);
  const hourly = hourBuckets(totals, fromHour, toHour);
  if (hours <= SUMMARY_RANGES["7d"]) return { buckets: hourly, bucketMs: HOUR_MS };
  const days = new Map<number, HourBucket>();
  for (const bucket of hourly) {
    const day = Math.floor(Date.parse(bucket.hour) / DAY_MS) * DAY_MS;
    const sum = days.get(day) ?? { hour: iso(day), ok: 0, failed: 0, auth_failed: 0, limited: 0, other: 0 };
    for (const field of ["ok", "failed", "auth_failed", "limited", "other"] as const) sum[field] += bucket[field];
    days.set(day, sum);
  }
  return { buckets: [...days.values()], bucketMs: DAY_MS };
}

/**
 * The chart of what a summary already read (all keys over the summary's own range, the usage
 * page's default): its calls per hour, the buckets usageChart would read from the same rollups.
 * One read of the hourly totals instead of two: a second would be the usage page's slowest step.
 */
export function chartOfSummary(summary: { calls_per_hour: HourBucket[] }): { buckets: HourBucket[]; bucketMs: number } {
  return { buckets: summary.calls_per_hour, bucketMs: HOUR_MS };
}

async function usageSummary(ownerId: number, range: SummaryRange, hours: WorkingHours, now = new Date()) {
  await flushUsage();
  const toHour = hourStart(now.getTime());
  const fromHour = toHour - (SUMMARY_RANGES[range] - 1) * HOUR_MS;
  const from = new Date(fromHour);
  const to = new Date(now.getTime() + 1);
  const off = offHours(fromHour, toHour, hours);

  const [totals, top, inWholeHours, inCutHours, ips, failures, appeared, leaks] = await Promise.all([
    // 24 extra hours feed the spike rule's trailing mean for the first hours of the range.
    hourlyTotals(ownerId, new Date(fromHour - 24 * HOUR_MS), to),
    topKeys(ownerId, from, to, 5),
    callsInHours(ownerId, off.whole, MAX_ALERTS),
    keyRowsInHours(ownerId, off.cut),
    distinctIps(ownerId, from),
    failuresPerMinute(ownerId, from, to),
    newIps(ownerId, from, to, MAX_ALERTS),
    leakReportsSince(ownerId, from),
  ]);

  const totalsByHour = new Map<number, number>();
  for (const row of totals) totalsByHour.set(row.hour, row.ok + row.authFailed + row.limited + row.other);
  const callsPerHour = hourBuckets(totals, fromHour, toHour);
  const ok = callsPerHour.reduce((sum, b) => sum + b.ok, 0);
  const failed = callsPerHour.reduce((sum, b) => sum + b.failed, 0);
  const alerts: Alert[] = [
    ...newIpAlerts(appeared),
    ...offHoursAlerts(inWholeHours, inCutHours, hours),
    ...spikeAlerts(totalsByHour, fromHour, toHour),
    ...failedAuthBursts(failures),
    ...leakReportAlerts(leaks),
  ]
    .sort((a, b) => b.at.localeCompare(a.at))
    .slice(0, MAX_ALERTS);

  return {
    range,
    from: from.toISOString(),
    to: now.toISOString(),
    calls_per_hour: callsPerHour,
    totals: { calls: ok + failed, ok, failed },
    failed_auth_attempts: failures.reduce((sum, f) => sum + (f.count ?? 1), 0),
    distinct_ips: ips,
    top_keys: top.map((key) => ({ api_key_id: key.keyId, api_key_name: key.keyName, calls: key.calls })),
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
