/**
 * Sliding-window counter (Unkey's and Upstash's approach): the current fixed window plus the
 * previous one weighted by how much of it the sliding window still overlaps. A plain fixed
 * window would let twice the limit through around a boundary.
 *
 * The limit is checked before the call is counted, so a rejected call consumes nothing.
 */

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  /** Calls still allowed now (0 when rejected). */
  remaining: number;
  /** Epoch ms: when allowed, the end of the current fixed window; when rejected, the moment one more call would be admitted. */
  resetAt: number;
  /** When rejected: ms until one more call would be admitted. */
  retryAfterMs: number;
}

/** A refusal's Retry-After value: whole seconds, at least 1. */
export const retryAfterSeconds = (decision: RateLimitDecision) =>
  String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000)));

/** Where counters live: this process (MemoryRateLimitStore) or Redis shared by every instance (RedisRateLimitStore). */
export interface RateLimitStore {
  /**
   * Atomically: estimate the window's count, and count this call only if it is under `limit`.
   * A store that can decide in memory answers at once, not with a promise: on the data API's hot
   * path each promise also runs the async hooks Next's AsyncLocalStorage turns on.
   */
  consume(key: string, limit: number, windowMs: number, now: number): RateLimitDecision | Promise<RateLimitDecision>;
  /** The current estimate for `key`, counting nothing (for showing usage). */
  peek(key: string, windowMs: number, now: number): Promise<number>;
  /**
   * Gives back one call counted by `consume(key, …, now)` with the same `now` (so the same fixed
   * window): a throttle reserves a failure before the work it guards and returns it when the work
   * turned out not to be a failure (the right password).
   */
  release(key: string, windowMs: number, now: number): void | Promise<void>;
}

interface Counter {
  windowStart: number;
  current: number;
  previous: number;
}

/** The sliding window's count at `now`: this window's calls plus the previous one's, weighted by overlap. */
export function windowEstimate(counter: Counter, windowMs: number, now: number): number {
  const previousWeight = Math.max(0, (windowMs - (now - counter.windowStart)) / windowMs);
  return counter.previous * previousWeight + counter.current;
}

/** Pure arithmetic shared by every store, so they agree on edges and weighting. */
export function slidingWindow(counter: Counter, limit: number, windowMs: number, now: number) {
  const estimate = windowEstimate(counter, windowMs, now);
  const allowed = estimate + 1 <= limit;
  const windowEnd = counter.windowStart + windowMs;
  if (allowed) {
    return { allowed, remaining: Math.max(0, Math.floor(limit - estimate - 1)), resetAt: windowEnd, retryAfterMs: 0 };
  }
  const retryAfterMs = Math.max(1, Math.ceil(retryAfter(counter, limit, windowMs, now)));
  return { allowed, remaining: 0, resetAt: now + retryAfterMs, retryAfterMs };
}

/** How long until estimate + 1 <= limit, assuming no other call is admitted meanwhile. */
function retryAfter(counter: Counter, limit: number, windowMs: number, now: number): number {
  const room = limit - counter.current - 1;
  if (room >= 0 && counter.previous > 0) {
    // The previous window's share shrinks linearly: wait until it fits in the room left.
    return counter.windowStart + windowMs * (1 - room / counter.previous) - now;
  }
  // This window alone is at the limit: wait into the next, where its count is the weighted one.
  const intoNext = counter.current > 0 ? windowMs * Math.max(0, 1 - (limit - 1) / counter.current) : 0;
  return counter.windowStart + windowMs - now + intoNext;
}

/** Roll a counter forward to the fixed window that contains `now`. */
export function advance(counter: Counter | undefined, windowMs: number, now: number): Counter {
  const windowStart = Math.floor(now / windowMs) * windowMs;
  if (!counter) return { windowStart, current: 0, previous: 0 };
  if (counter.windowStart === windowStart) return counter;
  const previous = counter.windowStart === windowStart - windowMs ? counter.current : 0;
  return { windowStart, current: 0, previous };
}

export class MemoryRateLimitStore implements RateLimitStore {
  private counters = new Map<string, Counter>();
  private lastSweep = 0;

  consume(key: string, limit: number, windowMs: number, now: number): RateLimitDecision {
    // No await between reading and writing the counter: concurrent calls cannot both take the last slot.
    const counter = advance(this.counters.get(key), windowMs, now);
    const decision = slidingWindow(counter, limit, windowMs, now);
    if (decision.allowed) counter.current += 1;
    this.counters.set(key, counter);
    this.sweep(windowMs, now);
    return { ...decision, limit };
  }

  async peek(key: string, windowMs: number, now: number): Promise<number> {
    const counter = advance(this.counters.get(key), windowMs, now);
    return Math.ceil(windowEstimate(counter, windowMs, now));
  }

  release(key: string, windowMs: number, now: number): void {
    const counter = this.counters.get(key);
    if (counter && counter.windowStart === Math.floor(now / windowMs) * windowMs && counter.current > 0)
      counter.current -= 1;
  }

  /** Forget counters that can no longer affect any decision, so memory stays bounded. */
  private sweep(windowMs: number, now: number) {
    if (now - this.lastSweep < windowMs) return;
    this.lastSweep = now;
    for (const [key, counter] of this.counters) {
      if (counter.windowStart < now - 2 * windowMs) this.counters.delete(key);
    }
  }

  reset(): void {
    this.counters.clear();
  }

  /** The counter as it stands (for writing it behind: lib/limits/persistent-store.ts). */
  counter(key: string): Readonly<Counter> | undefined {
    return this.counters.get(key);
  }

  /** Adds counts read back from storage to what this process counted since it started. */
  restore(key: string, windowMs: number, now: number, stored: { windowStart: number; count: number }[]): void {
    const counter = advance(this.counters.get(key), windowMs, now);
    for (const { windowStart, count } of stored) {
      if (windowStart === counter.windowStart) counter.current += count;
      else if (windowStart === counter.windowStart - windowMs) counter.previous += count;
    }
    this.counters.set(key, counter);
  }
}
