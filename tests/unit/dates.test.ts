import { describe, expect, it } from "vitest";
import { formatDateTime, formatRelative, lastUse } from "@/lib/format/dates";

describe("the portal's times", () => {
  it("formats an absolute time in the account's zone, from text or a Date alike", () => {
    const iso = "2026-11-27T15:04:09.216+00:00";
    expect(formatDateTime(iso, "UTC")).toBe("2026-11-27 15:04 UTC");
    expect(formatDateTime(new Date(iso), "UTC")).toBe("2026-11-27 15:04 UTC");
    expect(formatDateTime("2026-11-27T15:04:09.216Z", "Asia/Tokyo")).toBe("2026-11-28 00:04 GMT+9");
    expect(formatDateTime(null)).toBe("Never");
    expect(() => formatDateTime("not a time")).toThrow(RangeError);
  });

  it("says how long ago in the largest whole unit, with one formatter for every call", () => {
    const now = new Date("2026-12-04T12:00:00Z");
    expect(formatRelative("2026-12-04T11:59:30Z", now)).toBe("just now");
    expect(formatRelative("2026-12-04T11:57:00Z", now)).toBe("3 minutes ago");
    expect(formatRelative(new Date("2026-12-03T12:00:00Z"), now)).toBe("yesterday");
    expect(formatRelative("2026-12-06T12:00:00Z", now)).toBe("in 2 days");
    expect(formatRelative("2025-11-01T12:00:00Z", now)).toBe("last year");
    expect(lastUse("2026-12-04T09:00:00Z", "UTC", now)).toEqual({
      lastUsed: "3 hours ago (2026-12-04 09:00 UTC)",
      recentlyUsed: true,
    });
  });
});
