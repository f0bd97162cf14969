import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryRateLimitStore } from "@/lib/limits/rate-limiter";
import { RedisRateLimitStore } from "@/lib/limits/redis-rate-limit-store";
import { createRedisClient } from "@/lib/redis/client";
import { HOUR, T0, admitted, rateLimitStoreSuite } from "../shared/rate-limit-store-suite";
import { REDIS_URL, countedUnder, deleteKeys, uniquePrefix, whenReady } from "./support";

let redis: Redis;

beforeAll(async () => {
  redis = createRedisClient(REDIS_URL);
  await whenReady(redis);
});

afterAll(async () => {
  await redis.quit();
});

rateLimitStoreSuite("RedisRateLimitStore", async () => {
  const prefix = uniquePrefix();
  return { store: new RedisRateLimitStore(redis, prefix), cleanup: () => deleteKeys(redis, prefix) };
});

/** Deterministic pseudo-random numbers (mulberry32), so a failure replays the same way. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe("RedisRateLimitStore agrees with MemoryRateLimitStore", () => {
  it("decision for decision over random calls, and counts a call exactly when its decision admits it", async () => {
    const next = random(20_240_611);
    const pick = <T>(items: T[]) => items[Math.floor(next() * items.length)];
    // Windows whose fractions are not round in binary; limits where a weighted previous window
    // lands exactly on the limit (the ties a different rounding would flip).
    const windows = [60_000, 10_007, 6_000, HOUR];
    const limits = [1, 2, 3, 7, 10, 60];
    const keys = ["account:1", "anonymous:::1", "login:o'brien{x}@example.com|10.0.0.1"];
    let compared = 0;

    for (let scenario = 0; scenario < 24; scenario += 1) {
      const windowMs = pick(windows);
      const limit = pick(limits);
      const key = pick(keys);
      const prefix = uniquePrefix();
      const memory = new MemoryRateLimitStore();
      const shared = new RedisRateLimitStore(redis, prefix);
      let now = T0 + Math.floor(next() * windowMs);
      let admittedCalls = 0;
      try {
        for (let step = 0; step < 60; step += 1) {
          // Time only moves forward: that is what both stores are built for.
          const windowStart = Math.floor(now / windowMs) * windowMs;
          now = pick([
            now,
            now,
            now + 1,
            now + Math.floor((next() * windowMs) / 3),
            windowStart + windowMs - 1,
            windowStart + windowMs,
            Math.max(now, windowStart + Math.floor(next() * 60) * (windowMs / 60)),
            windowStart + windowMs + Math.floor(next() * 60) * (windowMs / 60),
          ]);
          const context = `scenario ${scenario} step ${step}: limit ${limit}, window ${windowMs}, now ${now}`;
          if (next() < 0.2) {
            expect(await shared.peek(key, windowMs, now), context).toBe(await memory.peek(key, windowMs, now));
            continue;
          }
          // Now and then a different limit, as after a plan change: the previous window can then
          // hold more than the current limit.
          const callLimit = next() < 0.1 ? pick(limits) : limit;
          const expected = memory.consume(key, callLimit, windowMs, now);
          expect(await shared.consume(key, callLimit, windowMs, now), context).toEqual(expected);
          if (expected.allowed) admittedCalls += 1;
          // Read from Redis itself: the script counted this call exactly when the decision admitted it.
          expect(await countedUnder(redis, prefix), context).toBe(admittedCalls);
          compared += 1;
        }
      } finally {
        await deleteKeys(redis, prefix);
      }
    }
    expect(compared).toBeGreaterThan(1_000);
  });
});

describe("RedisRateLimitStore on floating-point ties", () => {
  // The previous window's weighted share leaves exactly room for one call: (W - e) / W as
  // slidingWindow computes it admits it, while 1 - e / W (equal on paper) rounds a hair above
  // and would not. Lua must do the former, operation for operation.
  const W = 60_000;
  const ties = [
    { elapsed: 20_000, previous: 9, current: 0, limit: 7 },
    { elapsed: 20_000, previous: 60, current: 19, limit: 60 },
    { elapsed: 40_000, previous: 27, current: 0, limit: 10 },
    { elapsed: 55_000, previous: 12, current: 1, limit: 3 },
    { elapsed: 57_000, previous: 40, current: 7, limit: 10 },
  ];

  for (const { previous, current, elapsed, limit } of ties) {
    it(`previous ${previous}, current ${current}, ${elapsed} ms in, limit ${limit}: admits one more call`, async () => {
      const prefix = uniquePrefix();
      const stores = [new MemoryRateLimitStore(), new RedisRateLimitStore(redis, prefix)];
      const now = T0 + W + elapsed;
      try {
        const decisions = [];
        for (const store of stores) {
          // A larger limit earlier (say, before a plan change) so the previous window can hold more.
          expect(await admitted(store, "k", 1_000, W, T0, previous)).toBe(previous);
          expect(await admitted(store, "k", 1_000, W, now, current)).toBe(current);
          decisions.push([await store.consume("k", limit, W, now), await store.consume("k", limit, W, now)]);
        }
        const [memory, shared] = decisions;
        expect(memory.map((d) => d.allowed)).toEqual([true, false]);
        expect(shared).toEqual(memory);
        expect(await countedUnder(redis, prefix)).toBe(previous + current + 1);
      } finally {
        await deleteKeys(redis, prefix);
      }
    });
  }
});

describe("RedisRateLimitStore across instances", () => {
  it("several app instances on their own connections share one budget: exactly `limit` of concurrent calls", async () => {
    const prefix = uniquePrefix();
    const clients = Array.from({ length: 4 }, () => createRedisClient(REDIS_URL));
    try {
      await Promise.all(clients.map((client) => whenReady(client)));
      const stores = clients.map((client) => new RedisRateLimitStore(client, prefix));
      const decisions = await Promise.all(
        Array.from({ length: 200 }, (_, i) => stores[i % stores.length].consume("account:1", 60, HOUR, T0 + 5)),
      );
      expect(decisions.filter((d) => d.allowed)).toHaveLength(60);
      expect(await countedUnder(redis, prefix)).toBe(60);
    } finally {
      await deleteKeys(redis, prefix);
      await Promise.all(clients.map((client) => client.quit()));
    }
  });
});

describe("RedisRateLimitStore counters", () => {
  it("expire after two windows (the window itself and the next, where it is the previous one)", async () => {
    const prefix = uniquePrefix();
    try {
      await new RedisRateLimitStore(redis, prefix).consume("k", 5, 30_000, T0);
      const [key] = await redis.keys(`${prefix}*`);
      expect(key).toBe(`${prefix}{k}:${T0}`);
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(55_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
    } finally {
      await deleteKeys(redis, prefix);
    }
  });

  it("a rejected call creates no counter", async () => {
    const prefix = uniquePrefix();
    try {
      const store = new RedisRateLimitStore(redis, prefix);
      expect((await store.consume("k", 0, HOUR, T0)).allowed).toBe(false);
      expect(await redis.keys(`${prefix}*`)).toEqual([]);
    } finally {
      await deleteKeys(redis, prefix);
    }
  });
});
