import { describe, expect, it } from "vitest";
import { MemoryRateLimitStore, advance, slidingWindow } from "@/lib/limits/rate-limiter";
import { HOUR, T0, admitted, rateLimitStoreSuite } from "../shared/rate-limit-store-suite";

/**
 * The sliding-window counter behind the data API's hourly limit: the current fixed window plus
 * the previous one weighted by how much of it the sliding window still covers. The store's
 * behaviour is the shared suite (also run against Redis in tests/redis); the pure arithmetic
 * and what only the memory store has are tested here.
 */

rateLimitStoreSuite("MemoryRateLimitStore", async () => ({
  store: new MemoryRateLimitStore(),
  cleanup: async () => {},
}));

describe("advance: window edges", () => {
  const W = 1_000;

  it("a call at windowStart and one at windowStart + windowMs - 1 share a window; windowStart + windowMs starts the next", () => {
    const start = advance(undefined, W, T0);
    expect(start).toEqual({ windowStart: T0, current: 0, previous: 0 });
    const counter = { ...start, current: 3 };
    // Last millisecond of the window: the same counter, unchanged.
    expect(advance(counter, W, T0 + W - 1)).toBe(counter);
    expect(advance(counter, W, T0 + W - 1)).toEqual({ windowStart: T0, current: 3, previous: 0 });
    // First millisecond of the next window: this window's count becomes the previous one.
    expect(advance(counter, W, T0 + W)).toEqual({ windowStart: T0 + W, current: 0, previous: 3 });
  });

  it("a call mid-window belongs to the window that contains it", () => {
    expect(advance(undefined, W, T0 + 437).windowStart).toBe(T0);
  });

  it("a window two or more windows old is forgotten (previous counts as 0)", () => {
    expect(advance({ windowStart: T0, current: 60, previous: 10 }, HOUR, T0 + 2 * HOUR)).toEqual({
      windowStart: T0 + 2 * HOUR,
      current: 0,
      previous: 0,
    });
    expect(advance({ windowStart: T0, current: 60, previous: 10 }, HOUR, T0 + 2 * HOUR + HOUR / 4)).toEqual({
      windowStart: T0 + 2 * HOUR,
      current: 0,
      previous: 0,
    });
    expect(advance({ windowStart: T0, current: 60, previous: 10 }, HOUR, T0 + 7 * HOUR)).toEqual({
      windowStart: T0 + 7 * HOUR,
      current: 0,
      previous: 0,
    });
    // One window later, the current count moves to previous and the older previous is dropped.
    expect(advance({ windowStart: T0, current: 60, previous: 10 }, HOUR, T0 + HOUR)).toEqual({
      windowStart: T0 + HOUR,
      current: 0,
      previous: 60,
    });
  });
});

describe("slidingWindow", () => {
  it("the estimate is previous * (1 - elapsed fraction) + current", () => {
    // previous 60 at 25%: 45 + current 10 = 55 -> remaining after this call 60 - 55 - 1 = 4.
    const decision = slidingWindow({ windowStart: T0, previous: 60, current: 10 }, 60, HOUR, T0 + HOUR / 4);
    expect(decision).toMatchObject({ allowed: true, remaining: 4, resetAt: T0 + HOUR, retryAfterMs: 0 });
    // previous 60 at 25% + current 14 = 59: the last call that fits.
    expect(slidingWindow({ windowStart: T0, previous: 60, current: 14 }, 60, HOUR, T0 + HOUR / 4)).toMatchObject({
      allowed: true,
      remaining: 0,
    });
    // previous 60 at 25% + current 15 = 60: full.
    expect(slidingWindow({ windowStart: T0, previous: 60, current: 15 }, 60, HOUR, T0 + HOUR / 4).allowed).toBe(false);
  });
});

describe("MemoryRateLimitStore.reset", () => {
  it("forgets every key", async () => {
    const store = new MemoryRateLimitStore();
    expect(await admitted(store, "k", 2, HOUR, T0, 5)).toBe(2);
    store.reset();
    expect(await admitted(store, "k", 2, HOUR, T0, 5)).toBe(2);
  });
});
