import { describe, expect, it } from "vitest";
import { MemoryRateLimitStore, advance, slidingWindow } from "@/lib/limits/rate-limiter";

/**
 * The sliding-window counter behind the data API's hourly limit: the current fixed window plus
 * the previous one weighted by how much of it the sliding window still covers.
 */

const HOUR = 3_600_000;
/** A window start well away from 0, so "the previous window" and "two windows ago" exist. */
const T0 = 1_000 * HOUR;

/** Calls `consume` `count` times at `now` (sequentially) and returns how many were admitted. */
async function admitted(
  store: MemoryRateLimitStore,
  key: string,
  limit: number,
  windowMs: number,
  now: number,
  count: number,
) {
  let allowed = 0;
  for (let i = 0; i < count; i += 1) {
    if ((await store.consume(key, limit, windowMs, now)).allowed) allowed += 1;
  }
  return allowed;
}

describe("MemoryRateLimitStore in a fresh window", () => {
  it("admits exactly `limit` calls, then rejects", async () => {
    const store = new MemoryRateLimitStore();
    const decisions = [];
    for (let i = 0; i < 65; i += 1) decisions.push(await store.consume("k", 60, HOUR, T0 + 1_000));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(60);
    expect(decisions.slice(0, 60).every((d) => d.allowed)).toBe(true);
    expect(decisions.slice(60).every((d) => !d.allowed)).toBe(true);
  });

  it("admits exactly `limit` of many concurrent calls", async () => {
    const store = new MemoryRateLimitStore();
    const decisions = await Promise.all(Array.from({ length: 200 }, () => store.consume("k", 60, HOUR, T0 + 5)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(60);
  });

  it("counts remaining down by one per admitted call, reaching 0 on the last one", async () => {
    const store = new MemoryRateLimitStore();
    const remaining = [];
    for (let i = 0; i < 5; i += 1) remaining.push((await store.consume("k", 5, HOUR, T0)).remaining);
    expect(remaining).toEqual([4, 3, 2, 1, 0]);
    const rejected = await store.consume("k", 5, HOUR, T0);
    expect(rejected).toMatchObject({ allowed: false, remaining: 0, limit: 5 });
  });

  it("reports the limit it was asked to apply", async () => {
    const store = new MemoryRateLimitStore();
    expect((await store.consume("k", 123, HOUR, T0)).limit).toBe(123);
  });
});

describe("a rejected call consumes nothing", () => {
  it("after many rejections, the next window admits exactly what the admitted calls leave room for", async () => {
    const store = new MemoryRateLimitStore();
    expect(await admitted(store, "k", 10, HOUR, T0, 10)).toBe(10);
    // 100 rejected calls later in the same window.
    expect(await admitted(store, "k", 10, HOUR, T0 + HOUR / 2, 100)).toBe(0);
    // Half-way into the next window the previous one weighs 10 * 0.5 = 5: room for exactly 5.
    // Had the rejections counted, the previous window would hold 110 and nothing would be admitted.
    expect(await admitted(store, "k", 10, HOUR, T0 + HOUR + HOUR / 2, 20)).toBe(5);
  });

  it("rejections inside the current window leave its count unchanged", async () => {
    const store = new MemoryRateLimitStore();
    expect(await admitted(store, "k", 3, 1_000, T0, 3)).toBe(3);
    for (let i = 0; i < 50; i += 1) expect((await store.consume("k", 3, 1_000, T0 + 10)).allowed).toBe(false);
    // Half-way into the next window the previous 3 weigh 1.5: 1.5 + 1 <= 3 admits one call, a
    // second would need 3.5. Had the 50 rejections counted, nothing would be admitted.
    expect(await admitted(store, "k", 3, 1_000, T0 + 1_500, 10)).toBe(1);
  });
});

describe("window edges", () => {
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

  it("the store rejects at windowStart + windowMs - 1 and still at the next window's start (previous fully weighted)", async () => {
    const store = new MemoryRateLimitStore();
    expect(await admitted(store, "k", 3, W, T0, 3)).toBe(3);
    expect((await store.consume("k", 3, W, T0 + W - 1)).allowed).toBe(false);
    // At the very start of the next window the previous one still counts in full: 3 + 1 > 3.
    expect((await store.consume("k", 3, W, T0 + W)).allowed).toBe(false);
  });

  it("a full previous window admits nothing at 0%, and the whole limit once it is two windows old", async () => {
    const store = new MemoryRateLimitStore();
    expect(await admitted(store, "k", 4, W, T0, 4)).toBe(4);
    expect(await admitted(store, "k", 4, W, T0 + W, 10)).toBe(0);
    expect(await admitted(store, "k", 4, W, T0 + 2 * W, 10)).toBe(4);
  });

  it("a call at windowStart + windowMs - 1 of a fresh window counts in that window (the next window sees it as previous)", async () => {
    const store = new MemoryRateLimitStore();
    expect(await admitted(store, "k", 2, W, T0 + W - 1, 2)).toBe(2);
    // Next window at 0%: previous 2 fully weighted, nothing admitted.
    expect((await store.consume("k", 2, W, T0 + W)).allowed).toBe(false);
  });
});

describe("previous-window weighting", () => {
  it("limit 60, previous window 60 calls, 25% into the next: estimate 45, exactly 15 more admitted", async () => {
    const store = new MemoryRateLimitStore();
    expect(await admitted(store, "k", 60, HOUR, T0, 60)).toBe(60);
    expect(await admitted(store, "k", 60, HOUR, T0 + HOUR + HOUR / 4, 100)).toBe(15);
  });

  it("limit 60, previous window 60 calls, 50% into the next: exactly 30 more admitted", async () => {
    const store = new MemoryRateLimitStore();
    expect(await admitted(store, "k", 60, HOUR, T0, 60)).toBe(60);
    expect(await admitted(store, "k", 60, HOUR, T0 + HOUR + HOUR / 2, 100)).toBe(30);
  });

  it("limit 60, previous window 60 calls, 75% into the next: exactly 45 more admitted", async () => {
    const store = new MemoryRateLimitStore();
    expect(await admitted(store, "k", 60, HOUR, T0, 60)).toBe(60);
    expect(await admitted(store, "k", 60, HOUR, T0 + HOUR + (3 * HOUR) / 4, 100)).toBe(45);
  });

  it("slidingWindow: the estimate is previous * (1 - elapsed fraction) + current", () => {
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

  it("a window two or more windows old is forgotten (previous counts as 0)", async () => {
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

    const store = new MemoryRateLimitStore();
    expect(await admitted(store, "k", 60, HOUR, T0, 60)).toBe(60);
    expect(await admitted(store, "k", 60, HOUR, T0 + 2 * HOUR + HOUR / 4, 100)).toBe(60);
  });
});

/** The arithmetic is in floating point (59/60 of an hour and so on): allow a millisecond of rounding. */
function expectMs(actual: number, expected: number) {
  expect(Math.abs(actual - expected), `${actual} ms vs ${expected} ms`).toBeLessThanOrEqual(1);
}

describe("reset time and Retry-After", () => {
  it("when allowed, resetAt is the end of the current fixed window and retryAfterMs is 0", async () => {
    const store = new MemoryRateLimitStore();
    const first = await store.consume("k", 60, HOUR, T0 + 1_234);
    expect(first).toMatchObject({ allowed: true, resetAt: T0 + HOUR, retryAfterMs: 0 });
    const later = await store.consume("k", 60, HOUR, T0 + HOUR - 1);
    expect(later).toMatchObject({ allowed: true, resetAt: T0 + HOUR });
    const next = await store.consume("k", 60, HOUR, T0 + HOUR);
    expect(next).toMatchObject({ allowed: true, resetAt: T0 + 2 * HOUR });
  });

  /** A rejection's retryAfterMs is exact: a call then is admitted, a call a second earlier is not. */
  async function expectRetryAfterIsExact(store: MemoryRateLimitStore, limit: number, now: number) {
    const rejected = await store.consume("k", limit, HOUR, now);
    expect(rejected.allowed).toBe(false);
    expect(rejected.remaining).toBe(0);
    expect(rejected.retryAfterMs).toBeGreaterThan(0);
    expect(Number.isInteger(rejected.retryAfterMs)).toBe(true);
    expect(rejected.resetAt).toBe(now + rejected.retryAfterMs);
    // Rejected calls consume nothing, so probing the earlier moment first does not disturb the later one.
    expect((await store.consume("k", limit, HOUR, now + rejected.retryAfterMs - 1_000)).allowed).toBe(false);
    expect((await store.consume("k", limit, HOUR, now + rejected.retryAfterMs)).allowed).toBe(true);
    return rejected;
  }

  it("previous-window dominated: 60 last window, none now, at 0% -> retry when the previous share drops to 59", async () => {
    const store = new MemoryRateLimitStore();
    expect(await admitted(store, "k", 60, HOUR, T0, 60)).toBe(60);
    const rejected = await expectRetryAfterIsExact(store, 60, T0 + HOUR);
    // 60 * (1 - t) <= 59  =>  t >= 1/60 of an hour = 60 s.
    expectMs(rejected.retryAfterMs, 60_000);
  });

  it("previous-window dominated with some current calls: 60 last window, 15 now at 25%", async () => {
    const store = new MemoryRateLimitStore();
    expect(await admitted(store, "k", 60, HOUR, T0, 60)).toBe(60);
    expect(await admitted(store, "k", 60, HOUR, T0 + HOUR + HOUR / 4, 100)).toBe(15);
    const rejected = await expectRetryAfterIsExact(store, 60, T0 + HOUR + HOUR / 4);
    // Room 60 - 15 - 1 = 44: 60 * (1 - t) <= 44 at t = 16/60, i.e. 1 minute after 25%.
    expectMs(rejected.retryAfterMs, 60_000);
  });

  it("current-window full: 60 calls in this window, none before -> retry 1/60 into the next window", async () => {
    const store = new MemoryRateLimitStore();
    const now = T0 + HOUR / 3;
    expect(await admitted(store, "k", 60, HOUR, T0 + 10, 60)).toBe(60);
    const rejected = await expectRetryAfterIsExact(store, 60, now);
    // Rest of this window (2/3 h) plus the time for 60 * (1 - t) <= 59 in the next one (1 minute).
    expectMs(rejected.retryAfterMs, (2 * HOUR) / 3 + 60_000);
  });

  it("mixed: a partly weighted previous window plus a current window that filled the rest", async () => {
    const store = new MemoryRateLimitStore();
    expect(await admitted(store, "k", 10, HOUR, T0, 10)).toBe(10);
    // 3/4 into the next window: previous weighs 2.5, so 7 more fit (2.5 + 7 + 1 = 10.5 > 10 -> 7).
    expect(await admitted(store, "k", 10, HOUR, T0 + HOUR + (3 * HOUR) / 4, 20)).toBe(7);
    const rejected = await expectRetryAfterIsExact(store, 10, T0 + HOUR + (3 * HOUR) / 4);
    // Room 10 - 7 - 1 = 2: 10 * (1 - t) <= 2 at t = 0.8, i.e. 0.05 h after 75%.
    expectMs(rejected.retryAfterMs, 0.05 * HOUR);
  });

  it("Retry-After after a rejection from a fresh-window burst of a small limit", async () => {
    const store = new MemoryRateLimitStore();
    expect(await admitted(store, "k", 1, HOUR, T0 + 5_000, 1)).toBe(1);
    // With limit 1, estimate + 1 <= 1 needs an estimate of 0: only once the call is two windows old.
    const rejected = await store.consume("k", 1, HOUR, T0 + 5_000);
    expect(rejected.allowed).toBe(false);
    expect((await store.consume("k", 1, HOUR, T0 + 5_000 + rejected.retryAfterMs - 1_000)).allowed).toBe(false);
    expect((await store.consume("k", 1, HOUR, T0 + 5_000 + rejected.retryAfterMs)).allowed).toBe(true);
  });
});

describe("keys are independent", () => {
  it("filling one key's window leaves another key's budget untouched", async () => {
    const store = new MemoryRateLimitStore();
    expect(await admitted(store, "account:1", 5, HOUR, T0, 10)).toBe(5);
    expect(await admitted(store, "account:2", 5, HOUR, T0, 10)).toBe(5);
    expect(await admitted(store, "anonymous:1.2.3.4", 3, HOUR, T0, 10)).toBe(3);
    expect((await store.consume("account:1", 5, HOUR, T0)).allowed).toBe(false);
  });

  it("reset() forgets every key", async () => {
    const store = new MemoryRateLimitStore();
    expect(await admitted(store, "k", 2, HOUR, T0, 5)).toBe(2);
    store.reset();
    expect(await admitted(store, "k", 2, HOUR, T0, 5)).toBe(2);
  });
});
