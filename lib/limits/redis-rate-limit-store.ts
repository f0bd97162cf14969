import type { Redis } from "ioredis";
import {
  advance,
  MemoryRateLimitStore,
  slidingWindow,
  windowEstimate,
  type RateLimitDecision,
  type RateLimitStore,
} from "./rate-limiter";
import { log } from "../log/logger";
import { metrics } from "../metrics/metrics";

/**
 * Both scripts' start: the window's two counters and the previous one's weight at `now`, as
 * `windowEstimate()` computes it. KEYS: the counter of the window containing `now`, the previous
 * window's. ARGV (first four): now, windowMs, windowStart, limit.
 */
const READ_WINDOW = `
local now = tonumber(ARGV[1])
local windowMs = tonumber(ARGV[2])
local windowStart = tonumber(ARGV[3])
local limit = tonumber(ARGV[4])
local current = tonumber(redis.call("GET", KEYS[1]) or "0")
local previous = tonumber(redis.call("GET", KEYS[2]) or "0")
local previousWeight = (windowMs - (now - windowStart)) / windowMs
if previousWeight < 0 then previousWeight = 0 end
`;

/**
 * The check-and-count of `slidingWindow()` done inside Redis, so several app instances can share
 * one budget without two of them taking the last slot. It runs the same IEEE double arithmetic
 * as the TypeScript: Redis's Lua numbers are doubles, every input arrives as the decimal string
 * JavaScript prints for it (the shortest one that reads back as the same double), and each
 * operation happens in the same order, so both sides agree on every edge.
 *
 * KEYS and ARGV: READ_WINDOW's, then the counter's time to live in ms.
 * Returns: { 1 if admitted else 0, current count before this call, previous count }.
 */
const CONSUME_SCRIPT = `${READ_WINDOW}
local estimate = previous * previousWeight + current
if estimate + 1 <= limit then
  redis.call("INCR", KEYS[1])
  redis.call("PEXPIRE", KEYS[1], ARGV[5])
  return { 1, current, previous }
end
return { 0, current, previous }
`;

const CONSUME_COMMAND = "keyportalRateLimitConsume";

/** KEYS: one window's counter. ARGV: how many calls to take back. Never below zero, never creates it. */
const RELEASE_SCRIPT = `
local held = tonumber(redis.call("GET", KEYS[1]) or "0")
local back = math.min(held, tonumber(ARGV[1]))
if back > 0 then redis.call("DECRBY", KEYS[1], back) end
return back
`;
const RELEASE_COMMAND = "keyportalRateLimitRelease";

/**
 * A quota lease (lib/limits/quota-leases.ts): up to `want` slots of the window at once, each one
 * admitted by the same test CONSUME_SCRIPT applies to a single call (the n-th slot as a call with
 * n - 1 counted before it, the same operations in the same order), so a lease never holds a slot
 * a call-by-call count would have refused. A binary search finds the last slot that fits: the
 * test only grows with n. Beyond `demand` (calls waiting for an answer) it grants at most a tenth
 * of the room left, and nothing once fewer than 1,000 calls are left: near the limit a slot held
 * idle here could refuse another instance's call.
 *
 * KEYS and ARGV: READ_WINDOW's, then the counter's time to live in ms, demand, prefetch. Returns: { slots granted, current before, previous }.
 */
const LEASE_SCRIPT = `${READ_WINDOW}
local demand = tonumber(ARGV[6])
local prefetch = tonumber(ARGV[7])
local weighted = previous * previousWeight
local spare = limit - (weighted + current) - demand
local high = demand
if prefetch > 0 and spare >= 1000 then high = demand + math.min(prefetch, math.floor(spare / 10)) end
local low = 0
while low < high do
  local mid = math.floor((low + high + 1) / 2)
  if weighted + (current + mid - 1) + 1 <= limit then low = mid else high = mid - 1 end
end
if low > 0 then
  redis.call("INCRBY", KEYS[1], low)
  redis.call("PEXPIRE", KEYS[1], ARGV[5])
end
return { low, current, previous }
`;
const LEASE_COMMAND = "keyportalRateLimitLease";

/** What a lease request got: its slots, and the counters as they were before it. */
interface LeaseGrant {
  granted: number;
  current: number;
  previous: number;
}

/** A window script's command: windowArgs' strings (then the script's own), its three numbers back. */
type WindowCommand = (...args: string[]) => Promise<[number, number, number]>;

/**
 * KEYS: one window's counter. ARGV: at least (what this instance last saw there), add (what it
 * counted on its own meanwhile), time to live in ms. A Redis that kept its counts gets the
 * instance's own calls added; one that came back empty gets at least what was there before.
 */
const RESEED_SCRIPT = `
local stored = tonumber(redis.call("GET", KEYS[1]) or "0")
local base = math.max(stored, tonumber(ARGV[1]))
redis.call("SET", KEYS[1], base + tonumber(ARGV[2]), "PX", ARGV[3])
return base + tonumber(ARGV[2])
`;
const RESEED_COMMAND = "keyportalRateLimitReseed";

const WARNING_INTERVAL_MS = 60_000;
/** Keys whose last counts this instance remembers (for the fallback and the re-seed): bounded. */
const MAX_REMEMBERED = 100_000;

/** What this instance last read of a key's counters in Redis. */
interface Seen {
  windowStart: number;
  windowMs: number;
  current: number;
  previous: number;
}

/**
 * While Redis errors or times out, this instance does not admit calls uncounted (that would let a
 * key with a few calls left make as many as it can send): it counts them in memory, allowing each
 * key the budget it had left at its last answer from Redis divided by `fallbackInstances` (every
 * instance does the same, so together they stay within it). When Redis answers again, what was
 * counted meanwhile is added to its counters (at least what this instance saw there before), so a
 * Redis that restarted empty does not hand out a fresh hour. Pass a client from
 * `createRedisClient` (lib/redis/client.ts): its command timeout and disabled offline queue bound
 * how long a call can wait.
 */
export class RedisRateLimitStore implements RateLimitStore {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly runConsume: WindowCommand;
  private readonly runRelease: (key: string, count: string) => Promise<number>;
  private readonly runLease: WindowCommand;
  private readonly runReseed: (key: string, atLeast: string, add: string, ttlMs: string) => Promise<number>;
  private readonly seen = new Map<string, Seen>();
  /** Counts of the calls admitted while Redis was away, per key. */
  private readonly outage = new MemoryRateLimitStore();
  private readonly outageKeys = new Map<string, number>(); // key → its window
  private reseeding: Promise<void> | null = null;
  private lastWarningAt = -Infinity;
  private failing = false;

  constructor(
    redis: Redis,
    prefix = "keyportal:rl:",
    private readonly fallbackInstances = 2,
    private readonly label = "Rate limiting",
  ) {
    this.redis = redis;
    this.prefix = prefix;
    // defineCommand sends EVALSHA and falls back to EVAL when Redis lost its script cache.
    redis.defineCommand(CONSUME_COMMAND, { numberOfKeys: 2, lua: CONSUME_SCRIPT });
    redis.defineCommand(RELEASE_COMMAND, { numberOfKeys: 1, lua: RELEASE_SCRIPT });
    redis.defineCommand(RESEED_COMMAND, { numberOfKeys: 1, lua: RESEED_SCRIPT });
    redis.defineCommand(LEASE_COMMAND, { numberOfKeys: 2, lua: LEASE_SCRIPT });
    const commands = redis as unknown as Record<string, (...args: string[]) => Promise<never>>;
    this.runConsume = commands[CONSUME_COMMAND].bind(redis);
    this.runRelease = commands[RELEASE_COMMAND].bind(redis);
    this.runReseed = commands[RESEED_COMMAND].bind(redis);
    this.runLease = commands[LEASE_COMMAND].bind(redis);
  }

  /** Whether the last command failed: Redis is taken for away until one succeeds again. */
  get unavailable(): boolean {
    return this.failing;
  }

  /**
   * Up to `demand + prefetch` slots of the window containing `now` (LEASE_SCRIPT), counted in
   * Redis as admitted calls. Throws while Redis is away (the failure is noted, as for consume).
   */
  async lease(key: string, limit: number, windowMs: number, now: number, demand: number, prefetch: number) {
    const windowStart = Math.floor(now / windowMs) * windowMs;
    try {
      await this.whenBack(now);
      const [granted, current, previous] = await this.runLease(
        ...this.windowArgs(key, limit, windowMs, now),
        String(demand),
        String(prefetch),
      );
      this.remember(key, { windowStart, windowMs, current: current + granted, previous });
      return { granted, current, previous } satisfies LeaseGrant;
    } catch (error) {
      this.noteFailure(error);
      throw error;
    }
  }

  /** Slots of the window starting at `windowStart` that were leased and not spent, taken back. */
  async giveBack(key: string, windowStart: number, count: number): Promise<void> {
    try {
      await this.runRelease(this.counterKey(key, windowStart), String(count));
    } catch (error) {
      // Kept counted: the window only refuses sooner, never admits more.
      this.noteFailure(error);
    }
  }

  async consume(key: string, limit: number, windowMs: number, now: number): Promise<RateLimitDecision> {
    const windowStart = Math.floor(now / windowMs) * windowMs;
    try {
      await this.whenBack(now);
      const [admitted, current, previous] = await this.runConsume(...this.windowArgs(key, limit, windowMs, now));
      this.remember(key, { windowStart, windowMs, current: current + admitted, previous });
      // The script admitted or rejected by this same arithmetic; slidingWindow also derives
      // remaining, reset and Retry-After, so one function shapes the answer for every store.
      return { ...slidingWindow({ windowStart, current, previous }, limit, windowMs, now), limit };
    } catch (error) {
      this.noteFailure(error);
      return this.consumeLocally(key, limit, windowMs, now);
    }
  }

  /** Redis is away: this instance's share of what the key had left, counted here. */
  private consumeLocally(key: string, limit: number, windowMs: number, now: number): RateLimitDecision {
    const last = this.seen.get(key);
    const used = last ? windowEstimate(advance(last, windowMs, now), windowMs, now) : 0;
    const share = Math.floor(Math.max(0, limit - used) / this.fallbackInstances);
    this.outageKeys.set(key, windowMs);
    return { ...this.outage.consume(key, share, windowMs, now), limit };
  }

  async release(key: string, windowMs: number, now: number): Promise<void> {
    if (this.outageKeys.has(key) && this.failing) {
      this.outage.release(key, windowMs, now);
      return;
    }
    try {
      await this.runRelease(this.counterKey(key, Math.floor(now / windowMs) * windowMs), "1");
    } catch (error) {
      this.noteFailure(error);
    }
  }

  async peek(key: string, windowMs: number, now: number): Promise<number> {
    const windowStart = Math.floor(now / windowMs) * windowMs;
    try {
      const [current, previous] = await this.redis.mget(
        this.counterKey(key, windowStart),
        this.counterKey(key, windowStart - windowMs),
      );
      const counter = { windowStart, current: Number(current ?? 0), previous: Number(previous ?? 0) };
      return Math.ceil(windowEstimate(counter, windowMs, now));
    } catch (error) {
      this.noteFailure(error);
      const last = this.seen.get(key);
      const local = await this.outage.peek(key, windowMs, now);
      if (!last) return local;
      return Math.ceil(windowEstimate(advance(last, windowMs, now), windowMs, now)) + local;
    }
  }

  /**
   * Back from an outage: first what was counted here meanwhile goes to Redis (this throws while
   * Redis is still away, and the call is counted here again).
   */
  private async whenBack(now: number): Promise<void> {
    if (this.failing) await (this.reseeding ??= this.reseed(now).finally(() => (this.reseeding = null)));
  }

  /**
   * READ_WINDOW's KEYS and ARGV for the window containing `now`, then the counter's time to live:
   * it must outlive its own window and the next, where it is the previous one.
   */
  private windowArgs(key: string, limit: number, windowMs: number, now: number): string[] {
    const windowStart = Math.floor(now / windowMs) * windowMs;
    return [
      this.counterKey(key, windowStart),
      this.counterKey(key, windowStart - windowMs),
      String(now),
      String(windowMs),
      String(windowStart),
      String(limit),
      String(Math.ceil(2 * windowMs)),
    ];
  }

  /** The braces make both windows' counters one hash slot, as a script's keys must be on a Redis Cluster. */
  private counterKey(key: string, windowStart: number): string {
    return `${this.prefix}{${key}}:${windowStart}`;
  }

  private remember(key: string, seen: Seen): void {
    const known = this.seen.get(key);
    if (known) {
      known.windowStart = seen.windowStart;
      known.windowMs = seen.windowMs;
      known.current = seen.current;
      known.previous = seen.previous;
      return;
    }
    if (this.seen.size >= MAX_REMEMBERED) this.seen.clear();
    this.seen.set(key, seen);
  }

  private noteFailure(error: unknown) {
    this.failing = true;
    metrics().redisErrors.inc({ operation: "rate_limit" });
    // Wall-clock time, not the caller's `now`: this bounds log volume during an outage.
    const wallClock = Date.now();
    if (wallClock - this.lastWarningAt < WARNING_INTERVAL_MS) return;
    this.lastWarningAt = wallClock;
    const reason = error instanceof Error ? error.message : String(error);
    log().warn(
      `${this.label} counts in this process because Redis is unavailable (${reason}): each budget's remaining ` +
        `share is 1/${this.fallbackInstances} per instance (REDIS_FALLBACK_INSTANCES).`,
    );
  }

  /**
   * Each key counted during the outage: its windows in Redis become at least what this instance
   * saw there before, plus what it admitted meanwhile. Throws while Redis is still away (the
   * counts stay here for the next try); bounded by the client's command timeout. `now` is the
   * clock of the call that found Redis back, the one every count here was made with: the write-back
   * expires when those windows do (with the wall clock instead, a caller's clock that differs from
   * it, as the tests' fixed one, would give the written-back counts a 1 ms lifetime).
   */
  private async reseed(now: number): Promise<void> {
    // Everything read before the first await: calls answered meanwhile change what `seen` holds.
    const writes: Array<[string, string, string, string]> = [];
    for (const [key, windowMs] of this.outageKeys) {
      const local = this.outage.counter(key);
      if (!local) continue;
      const last = this.seen.get(key);
      for (const [start, add] of [
        [local.windowStart, local.current],
        [local.windowStart - windowMs, local.previous],
      ]) {
        const before = last ? advance(last, windowMs, start + windowMs) : undefined;
        // `last` rolled to the window after `start`: its previous count is the one of `start`.
        const atLeast = before?.previous ?? 0;
        if (!add && !atLeast) continue;
        const expiresIn = Math.max(1, start + 2 * windowMs - now);
        writes.push([this.counterKey(key, start), String(atLeast), String(add), String(expiresIn)]);
      }
    }
    // Nothing to write back still needs an answer from Redis: without one, a call during the
    // outage would take Redis for recovered (and say so) at every turn.
    if (writes.length) await Promise.all(writes.map((args) => this.runReseed(...args)));
    else await this.redis.ping();
    this.outageKeys.clear();
    this.outage.reset();
    this.failing = false;
    log().info(`Redis is reachable again: ${this.label.toLowerCase()} counts in Redis again.`);
  }
}
