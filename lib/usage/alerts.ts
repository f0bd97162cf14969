import type { FailureGroup, HourKeyRow, keyIpPairs } from "./summary-queries";

/**
 * The reference's "monitor for" list as rules over the summary's aggregates: calls from a new
 * IP, calls outside working hours, spikes, and bursts of failed authentication. Pure functions
 * of what the queries return, so each rule is tested on its own (tests/unit/alerts.test.ts).
 */

const HOUR_MS = 3_600_000;
export const NEW_IP_LOOKBACK_MS = 7 * 24 * HOUR_MS;
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

export interface WorkingHours {
  timeZone: string;
  startHour: number;
  endHour: number;
}

const iso = (t: number) => new Date(t).toISOString();
const hourLabel = (t: number) => `${iso(t).slice(0, 13).replace("T", " ")}:00 UTC`;

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

/**
 * A row of one key's calls in one UTC hour made outside working hours, if any was. In zones
 * offset by 30 or 45 minutes a working-hours boundary falls inside a UTC hour, and the off-hours
 * part of that hour is at one end of it: checking the first and last call tells whether any
 * call in the hour was outside working hours.
 */
export function offHoursAlert(row: HourKeyRow, hours: WorkingHours): Alert | null {
  const offAt = [row.first, row.last].find((at) => !isWorkingHour(at, hours));
  if (offAt === undefined) return null;
  return {
    type: "off_hours",
    api_key_id: row.keyId,
    api_key_name: row.keyName,
    at: iso(offAt),
    message: `Key "${row.keyName}" made ${row.total} calls in the hour from ${hourLabel(Date.parse(row.hour))}, outside working hours (${String(hours.startHour).padStart(2, "0")}:00–${String(hours.endHour).padStart(2, "0")}:00 ${hours.timeZone}).`,
  };
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

/** A key used from an IP it had not used in the previous 7 days, once the key has history. */
export function newIpAlerts([inRange, before]: Awaited<ReturnType<typeof keyIpPairs>>): Alert[] {
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
