import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RateLimitStore } from "@/lib/limits/rate-limiter";

/**
 * Every behaviour of a RateLimitStore, run against each implementation so the in-memory store
 * and the Redis one agree on edges, weighting, concurrency, Retry-After and peek.
 */

export const HOUR = 3_600_000;
/** A window start well away from 0, so "the previous window" and "two windows ago" exist. */
export const T0 = 1_000 * HOUR;

/** Calls `consume` `count` times at `now` (sequentially) and returns how many were admitted. */
export async function admitted(
  store: RateLimitStore,
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

/** The arithmetic is in floating point (59/60 of an hour and so on): allow a millisecond of rounding. */
function expectMs(actual: number, expected: number) {
  expect(Math.abs(actual - expected), `${actual} ms vs ${expected} ms`).toBeLessThanOrEqual(1);
}

export function rateLimitStoreSuite(
  name: string,
  makeStore: () => Promise<{ store: RateLimitStore; cleanup(): Promise<void> }>,
) {
  describe(name, () => {
    let store: RateLimitStore;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, cleanup } = await makeStore());
    });

    afterEach(async () => {
      await cleanup();
    });

    describe("in a fresh window", () => {
      it("admits exactly `limit` calls, then rejects", async () => {
        const decisions = [];
        for (let i = 0; i < 65; i += 1) decisions.push(await store.consume("k", 60, HOUR, T0 + 1_000));
        expect(decisions.filter((d) => d.allowed)).toHaveLength(60);
        expect(decisions.slice(0, 60).every((d) => d.allowed)).toBe(true);
        expect(decisions.slice(60).every((d) => !d.allowed)).toBe(true);
      });

      it("admits exactly `limit` of many concurrent calls", async () => {
        const decisions = await Promise.all(
          Array.from({ length: 200 }, async () => store.consume("k", 60, HOUR, T0 + 5)),
        );
        expect(decisions.filter((d) => d.allowed)).toHaveLength(60);
        // The rejected ones consumed nothing: the window holds exactly the 60 admitted.
        expect(await store.peek("k", HOUR, T0 + 5)).toBe(60);
      });

      it("counts remaining down by one per admitted call, reaching 0 on the last one", async () => {
        const remaining = [];
        for (let i = 0; i < 5; i += 1) remaining.push((await store.consume("k", 5, HOUR, T0)).remaining);
        expect(remaining).toEqual([4, 3, 2, 1, 0]);
        const rejected = await store.consume("k", 5, HOUR, T0);
        expect(rejected).toMatchObject({ allowed: false, remaining: 0, limit: 5 });
      });

      it("reports the limit it was asked to apply", async () => {
        expect((await store.consume("k", 123, HOUR, T0)).limit).toBe(123);
      });
    });

    describe("a rejected call consumes nothing", () => {
      it("after many rejections, the next window admits exactly what the admitted calls leave room for", async () => {
        expect(await admitted(store, "k", 10, HOUR, T0, 10)).toBe(10);
        // 100 rejected calls later in the same window.
        expect(await admitted(store, "k", 10, HOUR, T0 + HOUR / 2, 100)).toBe(0);
        // Half-way into the next window the previous one weighs 10 * 0.5 = 5: room for exactly 5.
        // Had the rejections counted, the previous window would hold 110 and nothing would be admitted.
        expect(await admitted(store, "k", 10, HOUR, T0 + HOUR + HOUR / 2, 20)).toBe(5);
      });

      it("rejections inside the current window leave its count unchanged", async () => {
        expect(await admitted(store, "k", 3, 1_000, T0, 3)).toBe(3);
        for (let i = 0; i < 50; i += 1) expect((await store.consume("k", 3, 1_000, T0 + 10)).allowed).toBe(false);
        // Half-way into the next window the previous 3 weigh 1.5: 1.5 + 1 <= 3 admits one call, a
        // second would need 3.5. Had the 50 rejections counted, nothing would be admitted.
        expect(await admitted(store, "k", 3, 1_000, T0 + 1_500, 10)).toBe(1);
      });
    });

    describe("window edges", () => {
      const W = 1_000;

      it("rejects at windowStart + windowMs - 1 and still at the next window's start (previous fully weighted)", async () => {
        expect(await admitted(store, "k", 3, W, T0, 3)).toBe(3);
        expect((await store.consume("k", 3, W, T0 + W - 1)).allowed).toBe(false);
        // At the very start of the next window the previous one still counts in full: 3 + 1 > 3.
        expect((await store.consume("k", 3, W, T0 + W)).allowed).toBe(false);
      });

      it("a full previous window admits nothing at 0%, and the whole limit once it is two windows old", async () => {
        expect(await admitted(store, "k", 4, W, T0, 4)).toBe(4);
        expect(await admitted(store, "k", 4, W, T0 + W, 10)).toBe(0);
        expect(await admitted(store, "k", 4, W, T0 + 2 * W, 10)).toBe(4);
      });

      it("a call at windowStart + windowMs - 1 of a fresh window counts in that window (the next window sees it as previous)", async () => {
        expect(await admitted(store, "k", 2, W, T0 + W - 1, 2)).toBe(2);
        // Next window at 0%: previous 2 fully weighted, nothing admitted.
        expect((await store.consume("k", 2, W, T0 + W)).allowed).toBe(false);
      });
    });

    describe("previous-window weighting", () => {
      it("limit 60, previous window 60 calls, 25% into the next: estimate 45, exactly 15 more admitted", async () => {
        expect(await admitted(store, "k", 60, HOUR, T0, 60)).toBe(60);
        expect(await admitted(store, "k", 60, HOUR, T0 + HOUR + HOUR / 4, 100)).toBe(15);
      });

      it("limit 60, previous window 60 calls, 50% into the next: exactly 30 more admitted", async () => {
        expect(await admitted(store, "k", 60, HOUR, T0, 60)).toBe(60);
        expect(await admitted(store, "k", 60, HOUR, T0 + HOUR + HOUR / 2, 100)).toBe(30);
      });

      it("limit 60, previous window 60 calls, 75% into the next: exactly 45 more admitted", async () => {
        expect(await admitted(store, "k", 60, HOUR, T0, 60)).toBe(60);
        expect(await admitted(store, "k", 60, HOUR, T0 + HOUR + (3 * HOUR) / 4, 100)).toBe(45);
      });

      it("a window two or more windows old is forgotten: the whole limit is admitted again", async () => {
        expect(await admitted(store, "k", 60, HOUR, T0, 60)).toBe(60);
        expect(await admitted(store, "k", 60, HOUR, T0 + 2 * HOUR + HOUR / 4, 100)).toBe(60);
      });
    });

    describe("reset time and Retry-After", () => {
      it("when allowed, resetAt is the end of the current fixed window and retryAfterMs is 0", async () => {
        const first = await store.consume("k", 60, HOUR, T0 + 1_234);
        expect(first).toMatchObject({ allowed: true, resetAt: T0 + HOUR, retryAfterMs: 0 });
        const later = await store.consume("k", 60, HOUR, T0 + HOUR - 1);
        expect(later).toMatchObject({ allowed: true, resetAt: T0 + HOUR });
        const next = await store.consume("k", 60, HOUR, T0 + HOUR);
        expect(next).toMatchObject({ allowed: true, resetAt: T0 + 2 * HOUR });
      });

      /** A rejection's retryAfterMs is exact: a call then is admitted, a call a second earlier is not. */
      async function expectRetryAfterIsExact(limit: number, now: number) {
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
        expect(await admitted(store, "k", 60, HOUR, T0, 60)).toBe(60);
        const rejected = await expectRetryAfterIsExact(60, T0 + HOUR);
        // 60 * (1 - t) <= 59  =>  t >= 1/60 of an hour = 60 s.
        expectMs(rejected.retryAfterMs, 60_000);
      });

      it("previous-window dominated with some current calls: 60 last window, 15 now at 25%", async () => {
        expect(await admitted(store, "k", 60, HOUR, T0, 60)).toBe(60);
        expect(await admitted(store, "k", 60, HOUR, T0 + HOUR + HOUR / 4, 100)).toBe(15);
        const rejected = await expectRetryAfterIsExact(60, T0 + HOUR + HOUR / 4);
        // Room 60 - 15 - 1 = 44: 60 * (1 - t) <= 44 at t = 16/60, i.e. 1 minute after 25%.
        expectMs(rejected.retryAfterMs, 60_000);
      });

      it("current-window full: 60 calls in this window, none before -> retry 1/60 into the next window", async () => {
        const now = T0 + HOUR / 3;
        expect(await admitted(store, "k", 60, HOUR, T0 + 10, 60)).toBe(60);
        const rejected = await expectRetryAfterIsExact(60, now);
        // Rest of this window (2/3 h) plus the time for 60 * (1 - t) <= 59 in the next one (1 minute).
        expectMs(rejected.retryAfterMs, (2 * HOUR) / 3 + 60_000);
      });

      it("mixed: a partly weighted previous window plus a current window that filled the rest", async () => {
        expect(await admitted(store, "k", 10, HOUR, T0, 10)).toBe(10);
        // 3/4 into the next window: previous weighs 2.5, so 7 more fit (2.5 + 7 + 1 = 10.5 > 10 -> 7).
        expect(await admitted(store, "k", 10, HOUR, T0 + HOUR + (3 * HOUR) / 4, 20)).toBe(7);
        const rejected = await expectRetryAfterIsExact(10, T0 + HOUR + (3 * HOUR) / 4);
        // Room 10 - 7 - 1 = 2: 10 * (1 - t) <= 2 at t = 0.8, i.e. 0.05 h after 75%.
        expectMs(rejected.retryAfterMs, 0.05 * HOUR);
      });

      it("Retry-After after a rejection from a fresh-window burst of a small limit", async () => {
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
        expect(await admitted(store, "account:1", 5, HOUR, T0, 10)).toBe(5);
        expect(await admitted(store, "account:2", 5, HOUR, T0, 10)).toBe(5);
        expect(await admitted(store, "anonymous:1.2.3.4", 3, HOUR, T0, 10)).toBe(3);
        expect((await store.consume("account:1", 5, HOUR, T0)).allowed).toBe(false);
      });
    });

    describe("peek", () => {
      it("is 0 for a key that was never consumed", async () => {
        expect(await store.peek("never", HOUR, T0)).toBe(0);
      });

      it("counts admitted calls, not rejected ones", async () => {
        expect(await admitted(store, "k", 3, HOUR, T0, 5)).toBe(3);
        expect(await store.peek("k", HOUR, T0 + 10)).toBe(3);
      });

      it("counts nothing itself", async () => {
        for (let i = 0; i < 10; i += 1) expect(await store.peek("k", HOUR, T0)).toBe(0);
        expect(await admitted(store, "k", 3, HOUR, T0, 5)).toBe(3);
        for (let i = 0; i < 10; i += 1) expect(await store.peek("k", HOUR, T0)).toBe(3);
        expect(await admitted(store, "k", 3, HOUR, T0, 5)).toBe(0);
      });

      it("weights the previous window like consume and rounds the estimate up", async () => {
        expect(await admitted(store, "k", 100, HOUR, T0, 10)).toBe(10);
        // Next window at 0%: the previous 10 count in full.
        expect(await store.peek("k", HOUR, T0 + HOUR)).toBe(10);
        // At 25%: 10 * 0.75 = 7.5, shown as 8; with 2 current calls 9.5, shown as 10.
        expect(await store.peek("k", HOUR, T0 + HOUR + HOUR / 4)).toBe(8);
        expect(await admitted(store, "k", 100, HOUR, T0 + HOUR + HOUR / 4, 2)).toBe(2);
        expect(await store.peek("k", HOUR, T0 + HOUR + HOUR / 4)).toBe(10);
        // One window on, those 2 are the previous window and the 10 are forgotten.
        expect(await store.peek("k", HOUR, T0 + 2 * HOUR)).toBe(2);
        expect(await store.peek("k", HOUR, T0 + 3 * HOUR)).toBe(0);
      });
    });
  });
}
