import net from "node:net";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from "vitest";
import { QuotaLeases } from "@/lib/limits/quota-leases";
import { RedisRateLimitStore } from "@/lib/limits/redis-rate-limit-store";
import { createRedisClient } from "@/lib/redis/client";
import { HOUR, T0 } from "../shared/rate-limit-store-suite";
import { REDIS_URL, countedUnder, deleteKeys, uniquePrefix, whenReady } from "./support";
import { log, type Logger } from "@/lib/log/logger";

/**
 * A TCP proxy between the store's client and the real Redis, so a test can take "Redis" away
 * (close the port, cut every connection), make it hang (hold the bytes), and bring it back.
 */
class TcpProxy {
  port = 0;
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private held: { to: net.Socket; data: Buffer }[] | undefined;

  constructor(private readonly target: { host: string; port: number }) {}

  async listen(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target);
      for (const [from, to] of [
        [client, upstream],
        [upstream, client],
      ]) {
        this.sockets.add(from);
        from.on("data", (data) => (this.held ? this.held.push({ to, data }) : to.write(data)));
        from.on("error", () => {});
        from.on("close", () => {
          this.sockets.delete(from);
          to.destroy();
        });
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      // The same port as before, so the client reconnects to the address it knows.
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  /** Redis is gone: the port refuses connections and every open one is cut. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Redis hangs: connections stay open but nothing gets through until `resume`. */
  hang(): void {
    this.held = [];
  }

  resume(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const { to, data } of held) to.write(data);
  }
}

const target = new URL(REDIS_URL);
const proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
const prefix = uniquePrefix();
let direct: Redis;
let client: Redis;
let store: RedisRateLimitStore;
let warn: MockInstance<Logger["warn"]>;
let info: MockInstance<Logger["info"]>;

beforeAll(async () => {
  await proxy.listen();
  const proxied = new URL(REDIS_URL);
  proxied.hostname = "127.0.0.1";
  proxied.port = String(proxy.port);
  direct = createRedisClient(REDIS_URL);
  client = createRedisClient(proxied.toString());
  await Promise.all([whenReady(direct), whenReady(client)]);
  store = new RedisRateLimitStore(client, prefix);
  warn = vi.spyOn(log(), "warn").mockImplementation(() => {});
  info = vi.spyOn(log(), "info").mockImplementation(() => {});
});

afterAll(async () => {
  vi.restoreAllMocks();
  proxy.resume();
  await proxy.stop();
  client.disconnect();
  await deleteKeys(direct, prefix);
  await direct.quit();
});

/** consume, and how long it took in wall-clock ms. */
async function timedConsume(key: string, limit: number) {
  const started = performance.now();
  const decision = await store.consume(key, limit, HOUR, T0 + 1_000);
  return { decision, elapsedMs: performance.now() - started };
}

/** Polls until `check` holds, or fails after `timeoutMs`. */
async function eventually(check: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`still not true after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// The steps run in order and share one store, as one Redis outage would.
describe("RedisRateLimitStore when Redis goes away and comes back", () => {
  const LIMIT = 12;
  let admitted = 0;
  const consume = async (key: string, limit = LIMIT) => {
    const result = await timedConsume(key, limit);
    if (key === "a" && result.decision.allowed) admitted += 1;
    return result;
  };

  it("counts calls in Redis while it is reachable", async () => {
    const decisions = [];
    for (let i = 0; i < 4; i += 1) decisions.push((await consume("b", 3)).decision.allowed);
    expect(decisions).toEqual([true, true, true, false]);
    for (let i = 0; i < 2; i += 1) expect((await consume("a")).decision.allowed).toBe(true);
    expect(await countedUnder(direct, prefix)).toBe(5);
    expect(warn).not.toHaveBeenCalled();
  });

  it("while Redis is gone, allows each key its remaining budget divided by the instances, warning once", async () => {
    await proxy.stop();
    const decisions = [];
    for (let i = 0; i < 50; i += 1) {
      const { decision, elapsedMs } = await consume("a");
      decisions.push(decision.allowed);
      expect(decision.limit).toBe(LIMIT);
      expect(elapsedMs).toBeLessThan(1_000);
    }
    // 10 left at the outage, two instances (the default): 5 here. Failing open admitted all 50.
    expect(decisions.filter(Boolean)).toHaveLength(5);
    // Key "b" had spent its budget in Redis: nothing more while Redis is away.
    expect((await consume("b", 3)).decision.allowed).toBe(false);
    expect(await store.peek("a", HOUR, T0 + 1_000)).toBe(7);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(/counts in this process because Redis is unavailable/i);
    expect(await countedUnder(direct, prefix)).toBe(5);
    // A store with nothing counted to write back still asks Redis before it calls it recovered.
    const lone = new RedisRateLimitStore(client, uniquePrefix());
    for (let i = 0; i < 5; i += 1) expect((await lone.consume("solo", 1, HOUR, T0 + 1_000)).allowed).toBe(false);
    expect(info).not.toHaveBeenCalled();
  });

  it("once Redis is back, even empty, the outage's calls and the counts before it are not forgotten", async () => {
    // Redis restarted without its data.
    await deleteKeys(direct, prefix);
    await proxy.listen();
    await eventually(async () => {
      await consume("a");
      return info.mock.calls.length > 0;
    }, 5_000);
    for (let i = 0; i < 20; i += 1) await consume("a");
    // 2 before the outage + 5 during it + what Redis admits after: never more than the limit.
    expect(admitted).toBe(LIMIT);
    expect(await store.peek("a", HOUR, T0 + 1_000)).toBe(LIMIT);
    // Still one warning per store for the whole outage (the lone store above had its own).
    expect(warn).toHaveBeenCalledTimes(2);
    expect(info.mock.calls[0][0]).toMatch(/Redis is reachable again/);
  });

  it("a hung Redis (connection open, no replies) is cut short by the command timeout", async () => {
    proxy.hang();
    try {
      for (let i = 0; i < 3; i += 1) {
        const { decision, elapsedMs } = await timedConsume("c", 3);
        // A key this instance never saw: its share of a full budget (3 / 2 = 1).
        expect(decision.allowed).toBe(i === 0);
        expect(elapsedMs).toBeLessThan(1_000);
      }
    } finally {
      proxy.resume();
    }
    await eventually(async () => (await timedConsume("d", 3)).decision.allowed, 5_000);
  });
});

describe("QuotaLeases when Redis goes away and comes back", () => {
  const LIMIT = 5_000;
  const leasePrefix = uniquePrefix();
  let leases: QuotaLeases;
  let admitted = 0;
  let counted = 0;
  const burst = async (size: number) => {
    const decisions = await Promise.all(
      Array.from({ length: size }, async () => leases.consume("account:1", LIMIT, HOUR, T0)),
    );
    const allowed = decisions.filter((decision) => decision.allowed).length;
    admitted += allowed;
    return allowed;
  };

  afterAll(async () => {
    await leases.close();
    await deleteKeys(direct, leasePrefix);
  });

  it("spends what it holds while Redis is gone, then its share of what was left", async () => {
    leases = new QuotaLeases(new RedisRateLimitStore(client, leasePrefix));
    // A steady rate: slots are taken ahead of the calls.
    for (let round = 0; round < 20; round += 1) await burst(20);
    // A prefetch the last burst started may still be on its way to Redis: count once the count
    // holds still, or Redis goes away mid-grant and the figures below race it.
    let previous = -1;
    for (let tries = 0; tries < 40; tries += 1) {
      counted = await countedUnder(direct, leasePrefix);
      if (counted === previous) break;
      previous = counted;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const held = counted - admitted;
    expect(held).toBeGreaterThan(0);
    await proxy.stop();
    try {
      const during = await burst(held);
      expect(during).toBe(held);
      // Then the fallback: half (two instances) of what Redis had left at its last answer.
      let fallback = 0;
      for (let i = 0; i < 10; i += 1) fallback += await burst(500);
      expect(fallback).toBe(Math.floor((LIMIT - counted) / 2));
    } finally {
      await proxy.listen();
    }
  });

  it("once Redis is back, counts the outage's calls there and leases again", async () => {
    await eventually(async () => {
      await burst(1);
      return (await countedUnder(direct, leasePrefix)) > counted;
    }, 5_000);
    for (let round = 0; round < 20; round += 1) await burst(50);
    expect(admitted).toBeLessThanOrEqual(LIMIT);
    await leases.close();
    // Every admitted call is counted; a grant whose answer was lost as Redis came back stays
    // counted too (its outcome unknown here: refusing sooner, never admitting more).
    const inRedis = await countedUnder(direct, leasePrefix);
    expect(inRedis).toBeGreaterThanOrEqual(admitted);
    expect(inRedis - admitted).toBeLessThanOrEqual(50);
  });
});
