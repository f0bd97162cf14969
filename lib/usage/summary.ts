import {
  failedAuthBursts,
  NEW_IP_LOOKBACK_MS,
  newIpAlerts,
  offHoursAlert,
  spikeAlerts,
  type Alert,
  type WorkingHours,
} from "./alerts";
import { distinctIps, failuresPerMinute, hourlyByKey, keyIpPairs } from "./summary-queries";
import { flushUsage } from "./usage-recorder";

/**
 * The monitoring summary behind GET /api/api-usage-logs/summary and the usage page: calls per
 * hour, failed authentication, distinct IPs, top keys, and alerts (lib/usage/alerts.ts) over
 * the aggregates of lib/usage/summary-queries.ts.
 */

const SUMMARY_RANGES = { "24h": 24, "7d": 24 * 7 } as const;
export type SummaryRange = keyof typeof SUMMARY_RANGES;

const HOUR_MS = 3_600_000;

export interface HourBucket {
  hour: string;
  ok: number;
  failed: number;
}

const hourStart = (t: number) => Math.floor(t / HOUR_MS) * HOUR_MS;
const iso = (t: number) => new Date(t).toISOString();

async function usageSummary(ownerId: number, range: SummaryRange, hours: WorkingHours, now = new Date()) {
  await flushUsage();
  const toHour = hourStart(now.getTime());
  const fromHour = toHour - (SUMMARY_RANGES[range] - 1) * HOUR_MS;
  const from = new Date(fromHour);
  const to = new Date(now.getTime() + 1);

  const [rows, ips, failures, pairs] = await Promise.all([
    // 24 extra hours feed the spike rule's trailing mean for the first hours of the range.
    hourlyByKey(ownerId, new Date(fromHour - 24 * HOUR_MS), to),
    distinctIps(ownerId, from, to),
    failuresPerMinute(ownerId, from, to),
    keyIpPairs(ownerId, from, to, NEW_IP_LOOKBACK_MS),
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
    const offHoursCall = offHoursAlert(row, hours);
    if (offHoursCall) offHours.push(offHoursCall);
  }

  const callsPerHour = [...buckets.values()];
  const ok = callsPerHour.reduce((sum, b) => sum + b.ok, 0);
  const failed = callsPerHour.reduce((sum, b) => sum + b.failed, 0);
  const alerts = [
    ...newIpAlerts(pairs),
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
    distinct_ips: ips,
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
