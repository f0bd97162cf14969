import { describe, expect, it } from "vitest";
import {
  ANONYMOUS_HOURLY_LIMIT,
  ENTERPRISE_DEFAULT_HOURLY_LIMIT,
  PLAN_LIMITS,
  PLANS,
  PLANS_WITH_RETENTION,
  hourlyLimitFor,
  isPlan,
  keyLimitMessage,
  maxKeysFor,
  planAllows,
  planLabel,
  retentionDaysFor,
} from "@/lib/limits/plans";

/**
 * The reference's "API Key Limits" table:
 *   Free          2 keys      60/hour     30 days
 *   Professional  10 keys     5,000/hour  90 days
 *   Enterprise    Unlimited   Custom      Unlimited   (custom default 100,000/hour, per issue 4)
 */
const UNKNOWN_PLANS = [
  "",
  "gold",
  "Free",
  "FREE",
  " free",
  "free ",
  "pro",
  "Enterprise",
  "constructor",
  "__proto__",
  "toString",
  "hasOwnProperty",
];

describe("PLAN_LIMITS", () => {
  it("is exactly the reference's table", () => {
    const table = Object.fromEntries(
      Object.entries(PLAN_LIMITS).map(([plan, l]) => [
        plan,
        { label: l.label, maxKeys: l.maxKeys, requestsPerHour: l.requestsPerHour, retentionDays: l.retentionDays },
      ]),
    );
    expect(table).toEqual({
      free: { label: "Free", maxKeys: 2, requestsPerHour: 60, retentionDays: 30 },
      professional: { label: "Professional", maxKeys: 10, requestsPerHour: 5_000, retentionDays: 90 },
      enterprise: { label: "Enterprise", maxKeys: null, requestsPerHour: null, retentionDays: null },
    });
  });

  it("covers every plan an account can have, and nothing else", () => {
    expect(Object.keys(PLAN_LIMITS).sort()).toEqual([...PLANS].sort());
  });

  it("gives Enterprise a custom hourly limit defaulting to 100,000", () => {
    expect(ENTERPRISE_DEFAULT_HOURLY_LIMIT).toBe(100_000);
  });

  it("keeps usage logs of Free and Professional only for a limited time (Enterprise forever)", () => {
    expect([...PLANS_WITH_RETENTION].sort()).toEqual(["free", "professional"]);
    expect(retentionDaysFor("free")).toBe(30);
    expect(retentionDaysFor("professional")).toBe(90);
    expect(retentionDaysFor("enterprise")).toBeNull();
  });

  it("ranks Free < Professional < Enterprise", () => {
    expect(PLAN_LIMITS.free.rank).toBeLessThan(PLAN_LIMITS.professional.rank);
    expect(PLAN_LIMITS.professional.rank).toBeLessThan(PLAN_LIMITS.enterprise.rank);
  });

  it("has a positive budget for unauthenticated callers", () => {
    expect(ANONYMOUS_HOURLY_LIMIT).toBeGreaterThan(0);
  });
});

describe("planAllows", () => {
  it.each([
    ["free", "free", true],
    ["free", "professional", false],
    ["free", "enterprise", false],
    ["professional", "free", true],
    ["professional", "professional", true],
    ["professional", "enterprise", false],
    ["enterprise", "free", true],
    ["enterprise", "professional", true],
    ["enterprise", "enterprise", true],
  ])("an account on %s reading something that needs %s -> %s", (plan, required, allowed) => {
    expect(planAllows(plan, required)).toBe(allowed);
  });

  it.each(UNKNOWN_PLANS)("denies the unknown plan %j, whatever is required", (plan) => {
    for (const required of ["free", "professional", "enterprise"]) expect(planAllows(plan, required)).toBe(false);
  });

  it.each(UNKNOWN_PLANS)("denies a requirement of the unknown plan %j, whatever the account's plan", (required) => {
    for (const plan of ["free", "professional", "enterprise"]) expect(planAllows(plan, required)).toBe(false);
  });
});

describe("hourlyLimitFor", () => {
  it("gives Free 60 and Professional 5,000 per hour", () => {
    expect(hourlyLimitFor("free", null)).toBe(60);
    expect(hourlyLimitFor("professional", null)).toBe(5_000);
  });

  it("ignores a custom limit on Free and Professional (custom limits are Enterprise's)", () => {
    expect(hourlyLimitFor("free", 10_000)).toBe(60);
    expect(hourlyLimitFor("professional", 10_000)).toBe(5_000);
  });

  it("gives Enterprise its custom limit, or 100,000 without one", () => {
    expect(hourlyLimitFor("enterprise", 250)).toBe(250);
    expect(hourlyLimitFor("enterprise", 1_000_000)).toBe(1_000_000);
    expect(hourlyLimitFor("enterprise", null)).toBe(100_000);
  });

  it.each(UNKNOWN_PLANS)("gives the unknown plan %j nothing", (plan) => {
    expect(hourlyLimitFor(plan, null)).toBe(0);
    expect(hourlyLimitFor(plan, 5_000)).toBe(0);
  });
});

describe("maxKeysFor", () => {
  it("allows Free 2 keys, Professional 10 and Enterprise unlimited (null)", () => {
    expect(maxKeysFor("free")).toBe(2);
    expect(maxKeysFor("professional")).toBe(10);
    expect(maxKeysFor("enterprise")).toBeNull();
  });

  it.each(UNKNOWN_PLANS)("allows the unknown plan %j no keys (0, not unlimited)", (plan) => {
    expect(maxKeysFor(plan)).toBe(0);
  });
});

describe("keyLimitMessage", () => {
  it("names the limit and the plan for Free", () => {
    const message = keyLimitMessage("free");
    expect(message).toMatch(/\b2\b/);
    expect(message).toContain("Free");
  });

  it("names the limit and the plan for Professional", () => {
    const message = keyLimitMessage("professional");
    expect(message).toMatch(/\b10\b/);
    expect(message).toContain("Professional");
  });
});

describe("isPlan / planLabel", () => {
  it("knows exactly the three plans", () => {
    expect(["free", "professional", "enterprise"].every(isPlan)).toBe(true);
    for (const plan of UNKNOWN_PLANS) expect(isPlan(plan)).toBe(false);
  });

  it("labels plans as the reference names them", () => {
    expect([planLabel("free"), planLabel("professional"), planLabel("enterprise")]).toEqual([
      "Free",
      "Professional",
      "Enterprise",
    ]);
  });
});
