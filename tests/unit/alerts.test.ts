import { describe, expect, it } from "vitest";
import {
  failedAuthBursts,
  isWorkingHour,
  localHour,
  offHours,
  offHoursAlerts,
  spikeAlerts,
  FAILED_AUTH_BURST,
  SPIKE_MIN_CALLS,
} from "@/lib/usage/alerts";

const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 0, 15, 0, 0, 0);

describe("off-hours rule", () => {
  it("reads the local hour in the account's time zone", () => {
    expect(localHour(Date.UTC(2025, 0, 15, 7, 30), "UTC")).toBe(7);
    expect(localHour(Date.UTC(2025, 0, 15, 7, 30), "Europe/Paris")).toBe(8); // UTC+1 in January
    expect(localHour(Date.UTC(2025, 6, 15, 7, 30), "Europe/Paris")).toBe(9); // UTC+2 in July
    expect(localHour(Date.UTC(2025, 0, 15, 7, 30), "Not/AZone")).toBe(7); // unknown: UTC
  });

  it("treats [start, end) as working hours, including ranges past midnight", () => {
    const day = { timeZone: "UTC", startHour: 8, endHour: 20 };
    expect(isWorkingHour(Date.UTC(2025, 0, 15, 7, 59), day)).toBe(false);
    expect(isWorkingHour(Date.UTC(2025, 0, 15, 8, 0), day)).toBe(true);
    expect(isWorkingHour(Date.UTC(2025, 0, 15, 19, 59), day)).toBe(true);
    expect(isWorkingHour(Date.UTC(2025, 0, 15, 20, 0), day)).toBe(false);
    const night = { timeZone: "UTC", startHour: 22, endHour: 6 };
    expect(isWorkingHour(Date.UTC(2025, 0, 15, 23, 0), night)).toBe(true);
    expect(isWorkingHour(Date.UTC(2025, 0, 15, 5, 0), night)).toBe(true);
    expect(isWorkingHour(Date.UTC(2025, 0, 15, 12, 0), night)).toBe(false);
    const paris = { timeZone: "Europe/Paris", startHour: 8, endHour: 20 };
    expect(isWorkingHour(Date.UTC(2025, 0, 15, 7, 0), paris)).toBe(true); // 08:00 in Paris
  });
});

describe("off-hours alerts", () => {
  const day = (h: number) => T0 + h * HOUR;

  it("splits a day's UTC hours into wholly off-hours and cut by a boundary", () => {
    const utc = offHours(day(0), day(23), { timeZone: "UTC", startHour: 8, endHour: 20 });
    expect(utc.whole).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 20, 21, 22, 23].map(day));
    expect(utc.cut).toEqual([]);
    // Kolkata is UTC+5:30: 09:00 there is 03:30 UTC, 17:00 is 11:30 UTC.
    const kolkata = offHours(day(0), day(23), { timeZone: "Asia/Kolkata", startHour: 9, endHour: 17 });
    expect(kolkata.cut).toEqual([day(3), day(11)]);
    expect(kolkata.whole).toEqual([0, 1, 2, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23].map(day));
    // Kathmandu is UTC+5:45: the boundaries fall at a quarter past.
    expect(offHours(day(0), day(23), { timeZone: "Asia/Kathmandu", startHour: 9, endHour: 17 }).cut).toEqual([
      day(3),
      day(11),
    ]);
  });

  it("raises one alert per key, from whole hours and from the off end of cut hours", () => {
    const kolkata = { timeZone: "Asia/Kolkata", startHour: 9, endHour: 17 };
    const alerts = offHoursAlerts(
      [{ keyId: 7, keyName: "prod", calls: 40, first: day(1) + 5 * 60_000 }],
      [
        // 11:00–11:59 UTC is 16:30–17:29 in Kolkata: the last call, at 11:50, is after 17:00 there.
        { hour: day(11), keyId: 7, keyName: "prod", total: 3, first: day(11) + 60_000, last: day(11) + 50 * 60_000 },
        // Both calls in the working half (before 11:30 UTC): no alert.
        { hour: day(11), keyId: 8, keyName: "ci", total: 2, first: day(11) + 60_000, last: day(11) + 20 * 60_000 },
        // 03:00–03:59 UTC is 08:30–09:29 there: the first call, at 03:10, is before 09:00.
        { hour: day(3), keyId: 9, keyName: "cron", total: 1, first: day(3) + 10 * 60_000, last: day(3) + 10 * 60_000 },
      ],
      kolkata,
    );
    expect(alerts.map((a) => [a.api_key_id, a.at])).toEqual([
      [7, new Date(day(1) + 5 * 60_000).toISOString()],
      [9, new Date(day(3) + 10 * 60_000).toISOString()],
    ]);
    expect(alerts[0].message).toBe(
      'Key "prod" made 43 calls outside working hours (09:00–17:00 Asia/Kolkata), the first at 2025-01-15 01:05 UTC.',
    );
    expect(alerts[1].message).toMatch(/made 1 call outside/);
  });
});

describe("spike rule", () => {
  const hours = (values: Array<[number, number]>) => new Map(values.map(([h, calls]) => [T0 + h * HOUR, calls]));

  it("flags an hour over 3× the trailing 24-hour mean with at least 20 calls", () => {
    // 24 hours of 5 calls (mean 5), then 16 (not > 15) and 21 (> 15, >= 20).
    const totals = hours([...Array.from({ length: 24 }, (_, h) => [h, 5] as [number, number]), [24, 16], [25, 21]]);
    const alerts = spikeAlerts(totals, T0 + 24 * HOUR, T0 + 25 * HOUR);
    expect(alerts.map((a) => a.at)).toEqual([new Date(T0 + 25 * HOUR).toISOString()]);
    expect(alerts[0]).toMatchObject({ type: "spike", api_key_id: null });
    expect(alerts[0].message).toMatch(/21 calls/);
  });

  it("needs at least 20 calls even after a nearly quiet day", () => {
    const totals = hours([
      [0, 1],
      [24, SPIKE_MIN_CALLS - 1],
      [25, SPIKE_MIN_CALLS],
    ]);
    const alerts = spikeAlerts(totals, T0 + 24 * HOUR, T0 + 25 * HOUR);
    expect(alerts.map((a) => a.at)).toEqual([new Date(T0 + 25 * HOUR).toISOString()]);
  });

  it("needs a baseline: no spike after 24 hours without a call (a new account's first hour)", () => {
    const totals = hours([[24, 500]]);
    expect(spikeAlerts(totals, T0, T0 + 24 * HOUR)).toEqual([]);
    // One call in the day before is a baseline.
    totals.set(T0 + 1 * HOUR, 1);
    expect(spikeAlerts(totals, T0, T0 + 24 * HOUR).map((a) => a.at)).toEqual([new Date(T0 + 24 * HOUR).toISOString()]);
  });

  it("does not flag steady traffic", () => {
    const totals = hours(Array.from({ length: 48 }, (_, h) => [h, 100] as [number, number]));
    expect(spikeAlerts(totals, T0 + 24 * HOUR, T0 + 47 * HOUR)).toEqual([]);
  });
});

describe("failed-authentication bursts", () => {
  const failure = (minute: number, keyId: number | null = 7) => ({
    at: T0 + minute * 60_000,
    keyId,
    keyName: keyId ? "prod" : null,
  });

  it("flags 10 failures within 10 minutes, once per burst", () => {
    const burst = Array.from({ length: 12 }, (_, i) => failure(i * 0.5)); // 12 in 6 minutes
    const alerts = failedAuthBursts(burst);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      type: "failed_auth_burst",
      api_key_id: 7,
      api_key_name: "prod",
      at: new Date(T0).toISOString(),
    });
    expect(alerts[0].message).toMatch(/^12 failed authentication attempts within 10 minutes/);
  });

  it("ignores failures spread wider than the window", () => {
    const spread = Array.from({ length: FAILED_AUTH_BURST.count }, (_, i) => failure(i * 2)); // 10 over 18 minutes
    expect(failedAuthBursts(spread)).toEqual([]);
    expect(failedAuthBursts(spread.slice(0, 9))).toEqual([]);
  });

  it("names no key when a burst mixes keys", () => {
    const mixed = Array.from({ length: 10 }, (_, i) => failure(i * 0.1, i % 2 ? 7 : 8));
    expect(failedAuthBursts(mixed)[0]).toMatchObject({ api_key_id: null, api_key_name: null });
  });

  it("reports two separate bursts", () => {
    const first = Array.from({ length: 10 }, (_, i) => failure(i * 0.1));
    const second = Array.from({ length: 10 }, (_, i) => failure(60 + i * 0.1));
    expect(failedAuthBursts([...second, ...first]).map((a) => a.at)).toEqual([
      new Date(T0).toISOString(),
      new Date(T0 + 60 * 60_000).toISOString(),
    ]);
  });
});

describe("off-hours in a half-hour time zone", () => {
  it("judges calls by their own time, not by the start of their UTC hour", () => {
    // Asia/Kolkata is UTC+5:30: 02:45Z is 08:15 local (working), 02:15Z is 07:45 local (not).
    const kolkata = { timeZone: "Asia/Kolkata", startHour: 8, endHour: 20 };
    expect(isWorkingHour(Date.UTC(2025, 0, 15, 2, 45), kolkata)).toBe(true);
    expect(isWorkingHour(Date.UTC(2025, 0, 15, 2, 15), kolkata)).toBe(false);
  });
});

describe("failed-authentication bursts from per-minute groups", () => {
  it("adds up grouped counts", () => {
    const groups = [
      { at: T0, keyId: 7, keyName: "prod", count: 6 },
      { at: T0 + 60_000, keyId: 7, keyName: "prod", count: 4 },
    ];
    expect(failedAuthBursts(groups)).toHaveLength(1);
    expect(failedAuthBursts(groups)[0].message).toMatch(/^10 failed/);
    expect(failedAuthBursts([{ ...groups[0], count: 9 }])).toEqual([]);
  });
});
