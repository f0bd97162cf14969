import fc from "fast-check";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QuotaLeases } from "@/lib/limits/quota-leases";
import { MemoryRateLimitStore, type RateLimitDecision } from "@/lib/limits/rate-limiter";
import { RedisRateLimitStore } from "@/lib/limits/redis-rate-limit-store";
import { createRedisClient } from "@/lib/redis/client";
import { HOUR, T0, rateLimitStoreSuite } from "../shared/rate-limit-store-suite";
import { REDIS_URL, countedUnder, deleteKeys, uniquePrefix, whenReady } from "./support";

let redis: Redis;

beforeAll(async () => {
  redis = createRedisClient(REDIS_URL);
  await whenReady(redis);
});

afterAll(async () => {
  await redis.quit();
});

/** Counts the Redis commands run while `work` runs (INFO commandstats, a script's inner commands included). */
async function commandsDuring(work: () => Promise<void>): Promise<number> {
  const total = async () =>
    [...(await redis.info("commandstats")).matchAll(/^cmdstat_[^:]+:calls=(\d+)/gm)].reduce(
      (sum, [, calls]) => sum + Number(calls),
      0,
    );
  const before = await total();
  await work();
  // The INFO of `before` itself is counted once: take it off.
  return (await total()) - before - 1;
}

rateLimitStoreSuite("QuotaLeases", async () => {
  const prefix = uniquePrefix();
  const leases = new QuotaLeases(new RedisRateLimitStore(redis, prefix));
  return {
    store: leases,
    cleanup: async () => {
      await leases.close();
      await deleteKeys(redis, prefix);
    },
  };
});

describe("QuotaLeases", () => {
  it("agrees with a call-by-call count, decision for decision, while calls come in bursts", async () => {
    const prefix = uniquePrefix();
    const memory = new MemoryRateLimitStore();
    const leases = new QuotaLeases(new RedisRateLimitStore(redis, prefix));
    try {
      let now = T0 + 17;
      const decisions: [RateLimitDecision, RateLimitDecision][] = [];
      // Bursts of concurrent calls (what takes slots ahead of them), a window boundary, a new limit.
      for (const [burst, limit, step] of [
        [40, 5_000, 1],
        [300, 5_000, 1_000],
        [25, 5_000, HOUR / 2],
        [400, 5_000, HOUR / 2],
        [60, 60, 1],
        [10, 5_000, 1],
      ]) {
        now += step;
        const expected = Array.from({ length: burst }, () => memory.consume("account:7", limit, HOUR, now));
        const actual = await Promise.all(
          Array.from({ length: burst }, async () => leases.consume("account:7", limit, HOUR, now)),
        );
        actual.forEach((decision, i) => decisions.push([decision, expected[i]]));
      }
      for (const [actual, expected] of decisions) expect(actual).toEqual(expected);
      // Slots held here are not calls: the count shown is the calls admitted.
      expect(await leases.peek("account:7", HOUR, now)).toBe(await memory.peek("account:7", HOUR, now));
      await leases.close();
      expect(await leases.peek("account:7", HOUR, now)).toBe(await memory.peek("account:7", HOUR, now));
    } finally {
      await leases.close();
      await deleteKeys(redis, prefix);
    }
  });

  it("answers a steady rate from what it holds: under 0.05 Redis commands a call", async () => {
    const prefix = uniquePrefix();
    const leases = new QuotaLeases(new RedisRateLimitStore(redis, prefix));
    try {
      // A first stretch sets the rate the leases are sized to.
      const burst = async () => {
        for (let round = 0; round < 50; round += 1) {
          await Promise.all(Array.from({ length: 40 }, async () => leases.consume("account:8", 10_000_000, HOUR, T0)));
        }
      };
      await burst();
      const commands = await commandsDuring(burst);
      expect(commands / 2_000).toBeLessThanOrEqual(0.05);
    } finally {
      await leases.close();
      await deleteKeys(redis, prefix);
    }
  });

  it("a call waiting behind a refused grant, later by the window's clock, is admitted rather than left waiting", async () => {
    const prefix = uniquePrefix();
    const leases = new QuotaLeases(new RedisRateLimitStore(redis, prefix));
    try {
      // A full previous window: 1% into the next (36 s of the hour) its weight leaves room for one.
      await Promise.all(Array.from({ length: 100 }, async () => leases.consume("account:10", 100, HOUR, T0 + 5)));
      const early = T0 + HOUR + 35_999;
      const later = T0 + HOUR + 36_010;
      const timeout = new Promise((resolve) => setTimeout(() => resolve("still waiting"), 5_000));
      const answers = await Promise.race([
        Promise.all([leases.consume("account:10", 100, HOUR, early), leases.consume("account:10", 100, HOUR, later)]),
        timeout,
      ]);
      expect(answers).not.toBe("still waiting");
      const [refused, admitted] = answers as RateLimitDecision[];
      expect(refused.allowed).toBe(false);
      expect(admitted.allowed).toBe(true);
    } finally {
      await leases.close();
      await deleteKeys(redis, prefix);
    }
  });

  it("refuses from memory once the window is full, asking Redis again at most once a second", async () => {
    const prefix = uniquePrefix();
    const leases = new QuotaLeases(new RedisRateLimitStore(redis, prefix));
    try {
      for (let i = 0; i < 3; i += 1)
        expect((await leases.consume("anonymous:1.2.3.4", 3, HOUR, T0)).allowed).toBe(true);
      expect((await leases.consume("anonymous:1.2.3.4", 3, HOUR, T0)).allowed).toBe(false);
      const commands = await commandsDuring(async () => {
        for (let i = 0; i < 200; i += 1)
          expect((await leases.consume("anonymous:1.2.3.4", 3, HOUR, T0)).allowed).toBe(false);
      });
      expect(commands).toBeLessThanOrEqual(10);
    } finally {
      await leases.close();
      await deleteKeys(redis, prefix);
    }
  });

  it("gives back what it holds when revoked, and takes the new limit at the next call", async () => {
    const prefix = uniquePrefix();
    const leases = new QuotaLeases(new RedisRateLimitStore(redis, prefix));
    try {
      // A rate high enough to take slots ahead of calls.
      for (let round = 0; round < 20; round += 1)
        await Promise.all(Array.from({ length: 50 }, async () => leases.consume("account:9", 1_000_000, HOUR, T0)));
      expect(await countedUnder(redis, prefix)).toBeGreaterThan(1_000);
      leases.revoke("account:9");
      await leases.close();
      expect(await countedUnder(redis, prefix)).toBe(1_000);
      // A plan change to a limit already spent: refused at once.
      expect(await leases.consume("account:9", 1_000, HOUR, T0)).toMatchObject({ allowed: false, limit: 1_000 });
    } finally {
      await leases.close();
      await deleteKeys(redis, prefix);
    }
  });

  it("several instances at random rates never admit more than the limit, and together admit it all", async () => {
    const clients = Array.from({ length: 3 }, () => createRedisClient(REDIS_URL));
    await Promise.all(clients.map((client) => whenReady(client)));
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 3_000 }),
          // Per instance: bursts of concurrent calls, each burst's size and pause random.
          fc.array(
            fc.array(fc.record({ size: fc.integer({ min: 1, max: 120 }), pause: fc.integer({ min: 0, max: 3 }) }), {
              maxLength: 12,
            }),
            {
              minLength: 2,
              maxLength: 3,
            },
          ),
          async (limit, plans) => {
            const prefix = uniquePrefix();
            const instances = plans.map((_, i) => new QuotaLeases(new RedisRateLimitStore(clients[i], prefix)));
            try {
              const counts = await Promise.all(
                plans.map(async (bursts, i) => {
                  let admitted = 0;
                  for (const { size, pause } of bursts) {
                    const decisions = await Promise.all(
                      Array.from({ length: size }, async () => instances[i].consume("account:1", limit, HOUR, T0 + 5)),
                    );
                    admitted += decisions.filter((decision) => decision.allowed).length;
                    if (pause) await new Promise((resolve) => setTimeout(resolve, pause));
                  }
                  return admitted;
                }),
              );
              const admitted = counts.reduce((sum, count) => sum + count, 0);
              const sent = plans.flat().reduce((sum, { size }) => sum + size, 0);
              expect(admitted).toBeLessThanOrEqual(limit);
              await Promise.all(instances.map((instance) => instance.close()));
              // Every slot not spent went back: Redis counts exactly the admitted calls.
              expect(await countedUnder(redis, prefix)).toBe(admitted);
              // Under 1,000 left nothing is taken ahead of calls: no slot held idle refused anyone.
              if (limit <= 1_000) expect(admitted).toBe(Math.min(limit, sent));
            } finally {
              await Promise.all(instances.map((instance) => instance.close()));
              await deleteKeys(redis, prefix);
            }
          },
        ),
        { numRuns: 40, seed: 20_261_207 },
      );
    } finally {
      await Promise.all(clients.map((client) => client.quit()));
    }
  });
});
