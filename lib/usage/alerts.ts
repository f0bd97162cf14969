import type { FailureGroup, HourKeyRow, KeyCalls, NewIp } from "./summary-queries";
import { HOUR_MS } from "../format/time";

/**
 * The reference's "monitor for" list as rules over the summary's aggregates: calls from a new
 * IP, calls outside working hours, spikes, and bursts of failed authentication. Pure functions
 * of what the queries return, so each rule is tested on its own (tests/unit/alerts.test.ts).
 */

const SPIKE_FACTOR = 3;
export const SPIKE_MIN_CALLS = 20;
export const FAILED_AUTH_BURST = { count: 10, windowMs: 10 * 60_000 };

type AlertType = "new_ip" | "off_hours" | "spike" | "failed_auth_burst" | "leak_reported";

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
const minuteLabel = (t: number) => `${iso(t).slice(0, 16).replace("T", " ")} UTC`;

/** The local hour (0–23) of an instant in a time zone; falls back to UTC for an unknown zone. */
export function localHour(at: number, timeZone: string): number {
  const format = hourFormat(timeZone);
  // A number, not a Date: a week's summary asks 672 times, and under Next each Date construction
  // goes through its instrumented constructor.
  return format ? Number(format.format(at)) % 24 : new Date(at).getUTCHours();
}

// Building a formatter costs far more than using one, and a 7-day summary asks for 672 local
// hours: one per zone, made once.
const hourFormats = new Map<string, Intl.DateTimeFormat | null>();
function hourFormat(timeZone: string): Intl.DateTimeFormat | null {
  let format = hourFormats.get(timeZone);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat("en-US", { timeZone, hour: "numeric", hourCycle: "h23" });
    } catch {
      format = null; // an unknown zone: UTC
    }
    if (hourFormats.size < 1_000) hourFormats.set(timeZone, format);
  }
  return format;
}

export function isWorkingHour(at: number, hours: WorkingHours): boolean {
  const local = localHour(at, hours.timeZone);
  return hours.startHour <= hours.endHour
    ? local >= hours.startHour && local < hours.endHour
    : local >= hours.startHour || local < hours.endHour; // e.g. 22–06 night shifts
}

/**
 * Hours with more than SPIKE_FACTOR × the trailing 24-hour mean and at least SPIKE_MIN_CALLS
 * calls. A spike is measured against a baseline: after 24 hours with no call at all (a new
 * account's first hour, a service starting up again) there is none, and busy is not unusual.
 */
export function spikeAlerts(totalsByHour: Map<number, number>, fromHour: number, toHour: number): Alert[] {
  const alerts: Alert[] = [];
  for (let t = fromHour; t <= toHour; t += HOUR_MS) {
    const calls = totalsByHour.get(t) ?? 0;
    if (calls < SPIKE_MIN_CALLS) continue;
    let trailing = 0;
    for (let p = t - 24 * HOUR_MS; p < t; p += HOUR_MS) trailing += totalsByHour.get(p) ?? 0;
    const mean = trailing / 24;
    if (trailing > 0 && calls > SPIKE_FACTOR * mean) {
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

const QUARTER_MS = 15 * 60_000;

/**
 * The UTC hours from `fromHour` to `toHour` wholly outside working hours, and those a
 * working-hours boundary cuts in two. Every zone's offset is a multiple of 15 minutes, so a
 * boundary (a local whole hour) falls on a quarter of a UTC hour: checking each quarter's start
 * tells all there is.
 */
export function offHours(fromHour: number, toHour: number, hours: WorkingHours): { whole: number[]; cut: number[] } {
  const whole: number[] = [];
  const cut: number[] = [];
  for (let t = fromHour; t <= toHour; t += HOUR_MS) {
    const working = [0, 1, 2, 3].filter((q) => isWorkingHour(t + q * QUARTER_MS, hours)).length;
    if (working === 0) whole.push(t);
    else if (working < 4) cut.push(t);
  }
  return { whole, cut };
}

const clock = (hour: number) => `${String(hour).padStart(2, "0")}:00`;

/**
 * One alert per key called outside working hours: its calls in hours wholly outside them, and
 * in hours cut by a boundary where the key's first or last call of the hour was outside (the
 * off-hours part of such an hour is at one end of it).
 */
export function offHoursAlerts(inWholeHours: KeyCalls[], inCutHours: HourKeyRow[], hours: WorkingHours): Alert[] {
  const perKey = new Map<number, KeyCalls>();
  const add = (calls: KeyCalls) => {
    const seen = perKey.get(calls.keyId);
    if (!seen) perKey.set(calls.keyId, { ...calls });
    else {
      seen.calls += calls.calls;
      seen.first = Math.min(seen.first, calls.first);
    }
  };
  inWholeHours.forEach(add);
  for (const row of inCutHours) {
    const offAt = [row.first, row.last].find((at) => !isWorkingHour(at, hours));
    if (offAt !== undefined) add({ keyId: row.keyId, keyName: row.keyName, calls: row.total, first: offAt });
  }
  const window = `${clock(hours.startHour)}–${clock(hours.endHour)} ${hours.timeZone}`;
  return [...perKey.values()].map((key) => ({
    type: "off_hours",
    api_key_id: key.keyId,
    api_key_name: key.keyName,
    at: iso(key.first),
    message: `Key "${key.keyName}" made ${key.calls} ${key.calls === 1 ? "call" : "calls"} outside working hours (${window}), the first at ${minuteLabel(key.first)}.`,
  }));
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

/** A key used from an IP it had not used in the previous 7 days, once the key has history (summary-queries' newIps). */
export function newIpAlerts(pairs: NewIp[]): Alert[] {
  return pairs.map((pair) => ({
    type: "new_ip",
    api_key_id: pair.keyId,
    api_key_name: pair.keyName,
    at: iso(pair.at),
    message: `Key "${pair.keyName}" was used from ${pair.ip}, an IP address it had not used in the previous 7 days.`,
  }));
}

interface LeakReport {
  apiKeyId: number | null;
  apiKeyName: string | null;
  ip: string | null;
  createdAt: Date;
}

/** Someone reported one of the account's keys as leaked (POST /api/api-keys/revoke): it was deactivated. */
export function leakReportAlerts(reports: LeakReport[]): Alert[] {
  return reports.map((report) => ({
    type: "leak_reported",
    api_key_id: report.apiKeyId,
    api_key_name: report.apiKeyName,
    at: report.createdAt.toISOString(),
    message:
      `Key "${report.apiKeyName ?? "?"}" was reported as leaked from ${report.ip ?? "an unknown address"} ` +
      "and has been deactivated. Rotate it, then find where it was exposed.",
  }));
}
