import type { Redis } from "ioredis";
import { slidingWindow, type RateLimitDecision, type RateLimitStore } from "./rate-limiter";

/**
 * The check-and-count of `slidingWindow()` done inside Redis, so several app instances can share
 * one budget without two of them taking the last slot. It runs the same IEEE double arithmetic
 * as the TypeScript: Redis's Lua numbers are doubles, every input arrives as the decimal string
 * JavaScript prints for it (the shortest one that reads back as the same double), and each
 * operation happens in the same order, so both sides agree on every edge.
 *
 * KEYS: the counter of the window containing `now`, the previous window's counter.
 * ARGV: now, windowMs, windowStart, limit, the counter's time to live in ms.
 * Returns: { 1 if admitted else 0, current count before this call, previous count }.
 */
const CONSUME_SCRIPT = `
local now = tonumber(ARGV[1])
local windowMs = tonumber(ARGV[2])
local windowStart = tonumber(ARGV[3])
local limit = tonumber(ARGV[4])
local current = tonumber(redis.call("GET", KEYS[1]) or "0")
local previous = tonumber(redis.call("GET", KEYS[2]) or "0")
local previousWeight = (windowMs - (now - windowStart)) / windowMs
if previousWeight < 0 then previousWeight = 0 end
local estimate = previous * previousWeight + current
if estimate + 1 <= limit then
  redis.call("INCR", KEYS[1])
  redis.call("PEXPIRE", KEYS[1], ARGV[5])
  return { 1, current, previous }
end
return { 0, current, previous }
`;

const CONSUME_COMMAND = "keyportalRateLimitConsume";

type ConsumeCommand = (
  currentKey: string,
  previousKey: string,
  now: string,
  windowMs: string,
  windowStart: string,
  limit: string,
  ttlMs: string,
) => Promise<[number, number, number]>;

const WARNING_INTERVAL_MS = 60_000;

/**
 * Fails open: when Redis errors or times out, calls are admitted uncounted rather than the API
 * going down with it. Pass a client from `createRedisClient` (lib/redis/client.ts): its command
 * timeout and disabled offline queue are what bound how long a call can wait.
 */
export class RedisRateLimitStore implements RateLimitStore {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly runConsume: ConsumeCommand;
  private lastWarningAt = -Infinity;
  private failingOpen = false;

  /**
   * `fallback`: for counters that guard authentication (the sign-in throttle, the failed-auth
   * budget per IP), count in this process while Redis is away instead of admitting everything:
   * per instance rather than shared, but never unlimited.
   */
  constructor(
    redis: Redis,
    prefix = "keyportal:rl:",
    private readonly fallback?: RateLimitStore,
  ) {
    this.redis = redis;
    this.prefix = prefix;
    // defineCommand sends EVALSHA and falls back to EVAL when Redis lost its script cache.
    redis.defineCommand(CONSUME_COMMAND, { numberOfKeys: 2, lua: CONSUME_SCRIPT });
    this.runConsume = (redis as unknown as Record<string, ConsumeCommand>)[CONSUME_COMMAND].bind(redis);
  }

  async consume(key: string, limit: number, windowMs: number, now: number): Promise<RateLimitDecision> {
    const windowStart = Math.floor(now / windowMs) * windowMs;
    try {
      // The counter must outlive its own window and the next, where it is the previous one.
      const ttlMs = String(Math.ceil(2 * windowMs));
      const [, current, previous] = await this.runConsume(
        this.counterKey(key, windowStart),
        this.counterKey(key, windowStart - windowMs),
        String(now),
        String(windowMs),
        String(windowStart),
        String(limit),
        ttlMs,
      );
      this.noteRecovery();
      // The script admitted or rejected by this same arithmetic; slidingWindow also derives
      // remaining, reset and Retry-After, so one function shapes the answer for every store.
      return { ...slidingWindow({ windowStart, current, previous }, limit, windowMs, now), limit };
    } catch (error) {
      this.warnFailingOpen(error);
      if (this.fallback) return this.fallback.consume(key, limit, windowMs, now);
      return {
        allowed: true,
        limit,
        remaining: Math.max(0, limit - 1),
        resetAt: windowStart + windowMs,
        retryAfterMs: 0,
      };
    }
  }

  async peek(key: string, windowMs: number, now: number): Promise<number> {
    const windowStart = Math.floor(now / windowMs) * windowMs;
    try {
      const [current, previous] = await this.redis.mget(
        this.counterKey(key, windowStart),
        this.counterKey(key, windowStart - windowMs),
      );
      this.noteRecovery();
      // The same estimate as MemoryRateLimitStore.peek.
      const previousWeight = Math.max(0, (windowMs - (now - windowStart)) / windowMs);
      return Math.ceil(Number(previous ?? 0) * previousWeight + Number(current ?? 0));
    } catch (error) {
      this.warnFailingOpen(error);
      if (this.fallback) return this.fallback.peek(key, windowMs, now);
      return 0;
    }
  }

  /** The braces make both windows' counters one hash slot, as a script's keys must be on a Redis Cluster. */
  private counterKey(key: string, windowStart: number): string {
    return `${this.prefix}{${key}}:${windowStart}`;
  }

  private warnFailingOpen(error: unknown) {
    this.failingOpen = true;
    // Wall-clock time, not the caller's `now`: this bounds log volume during an outage.
    const wallClock = Date.now();
    if (wallClock - this.lastWarningAt < WARNING_INTERVAL_MS) return;
    this.lastWarningAt = wallClock;
    const reason = error instanceof Error ? error.message : String(error);
    console.warn(
      this.fallback
        ? `Sign-in and failed-auth throttles count in this process only because Redis is unavailable (${reason}).`
        : `Rate limiting is failing open because Redis is unavailable (${reason}): calls are admitted without being counted.`,
    );
  }

  private noteRecovery() {
    if (!this.failingOpen) return;
    this.failingOpen = false;
    console.info("Redis is reachable again: rate limiting counts calls again.");
  }
}
