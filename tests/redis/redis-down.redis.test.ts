import net from "node:net";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from "vitest";
import { RedisRateLimitStore } from "@/lib/limits/redis-rate-limit-store";
import { createRedisClient } from "@/lib/redis/client";
import { HOUR, T0 } from "../shared/rate-limit-store-suite";
import { REDIS_URL, countedUnder, deleteKeys, uniquePrefix, whenReady } from "./support";

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
let warn: MockInstance<typeof console.warn>;
let info: MockInstance<typeof console.info>;

beforeAll(async () => {
  await proxy.listen();
  const proxied = new URL(REDIS_URL);
  proxied.hostname = "127.0.0.1";
  proxied.port = String(proxy.port);
  direct = createRedisClient(REDIS_URL);
  client = createRedisClient(proxied.toString());
  await Promise.all([whenReady(direct), whenReady(client)]);
  store = new RedisRateLimitStore(client, prefix);
  warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  info = vi.spyOn(console, "info").mockImplementation(() => {});
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
  it("counts calls in Redis while it is reachable", async () => {
    const decisions = [];
    for (let i = 0; i < 4; i += 1) decisions.push((await timedConsume("a", 3)).decision.allowed);
    expect(decisions).toEqual([true, true, true, false]);
    expect(await countedUnder(direct, prefix)).toBe(3);
    expect(warn).not.toHaveBeenCalled();
  });

  it("fails open at once when Redis is gone, warning once for many calls", async () => {
    await proxy.stop();
    for (let i = 0; i < 50; i += 1) {
      const { decision, elapsedMs } = await timedConsume("a", 3);
      // Key "a" is over its limit in Redis: only failing open admits it.
      expect(decision).toEqual({ allowed: true, limit: 3, remaining: 2, resetAt: T0 + HOUR, retryAfterMs: 0 });
      expect(elapsedMs).toBeLessThan(1_000);
    }
    expect(await store.peek("a", HOUR, T0 + 1_000)).toBe(0);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(/rate limiting is failing open because Redis is unavailable/i);
    // Nothing was counted meanwhile.
    expect(await countedUnder(direct, prefix)).toBe(3);
  });

  it("uses Redis again by itself once it is back", async () => {
    await proxy.listen();
    // Key "a" is over its limit again as soon as the client has reconnected.
    await eventually(async () => !(await timedConsume("a", 3)).decision.allowed, 5_000);
    const decisions = [];
    for (let i = 0; i < 3; i += 1) decisions.push((await timedConsume("b", 2)).decision.allowed);
    expect(decisions).toEqual([true, true, false]);
    expect(await countedUnder(direct, prefix)).toBe(5);
    expect(await store.peek("a", HOUR, T0 + 1_000)).toBe(3);
    // Still the one warning of this outage, and one note that it is over.
    expect(warn).toHaveBeenCalledTimes(1);
    expect(info).toHaveBeenCalledTimes(1);
    expect(info.mock.calls[0][0]).toMatch(/Redis is reachable again/);
  });

  it("a hung Redis (connection open, no replies) is cut short by the command timeout", async () => {
    proxy.hang();
    try {
      for (let i = 0; i < 3; i += 1) {
        const { decision, elapsedMs } = await timedConsume("a", 3);
        expect(decision.allowed).toBe(true);
        expect(elapsedMs).toBeLessThan(1_000);
      }
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      proxy.resume();
    }
    await eventually(async () => !(await timedConsume("a", 3)).decision.allowed, 5_000);
  });
});
