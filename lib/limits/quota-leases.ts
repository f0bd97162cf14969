import { slidingWindow, type RateLimitDecision, type RateLimitStore } from "./rate-limiter";
import type { RedisRateLimitStore } from "./redis-rate-limit-store";

/** Slots held this long after their last grant, unspent, go back to Redis. */
const LEASE_TTL_MS = 2_000;
/** A lease taken ahead of calls holds about this long of the key's recent rate. */
const LEASE_TARGET_MS = 250;
/** Below this rate (calls a second) nothing is taken ahead of calls: each grant is what is waiting. */
const MIN_PREFETCH_RATE = 20;
const MAX_PREFETCH = 10_000;
/**
 * Once Redis had no room for a key, its calls are refused here for this long without asking it
 * again, unless the window's own arithmetic admits one sooner. Another instance giving slots
 * back meanwhile is seen this late: the cost is refusing too long, never admitting too many.
 */
const REFUSAL_RECHECK_MS = 1_000;
const SWEEP_MS = 1_000;
/** Keys with a lease at once: past this, calls are counted one by one in Redis, as without leases. */
const MAX_LEASES = 100_000;

interface Waiter {
  now: number;
  resolve(decision: RateLimitDecision | Promise<RateLimitDecision>): void;
}

/** One key's slots in one window, under one limit. */
class Lease {
  /** The window's count in Redis after the last grant: every instance's calls and held slots. */
  counted = 0;
  previous = 0;
  /** Slots granted here and not yet spent. */
  left = 0;
  /** A grant is asked for when `left` falls to this (half of what was last taken ahead of calls). */
  lowWater = 0;
  /** Wall-clock times (ms): of the last grant, of the last request (with the calls spent since, its rate), of Redis's last refusal. */
  grantedAt: number;
  requestedAt: number;
  spent = 0;
  refusedAt = -Infinity;
  inFlight = false;
  /** The grant under way: settled once its answer was used and, if dropped meanwhile, its slots given back. */
  granting: Promise<void> = Promise.resolve();
  /** Calls waiting for a grant, in arrival order. */
  waiters: Waiter[] = [];

  constructor(
    readonly key: string,
    readonly limit: number,
    readonly windowMs: number,
    readonly windowStart: number,
    wall: number,
  ) {
    this.grantedAt = wall;
    this.requestedAt = wall;
  }
}

/**
 * Quota leases: the hourly limit without a Redis round trip per call. An instance takes a block
 * of a key's window from Redis in one script (RedisRateLimitStore.lease: as many slots as calls
 * are waiting, plus, at a steady rate, about LEASE_TARGET_MS of that rate), and spends it here.
 * Every slot is admitted in Redis by the sliding window's own test, so the slots of all instances
 * together never exceed what the window allows, and a call spending one gets the decision a
 * call-by-call count would give it (the same `slidingWindow` over the counts as of its grant).
 *
 * What an instance holds it gives back: after LEASE_TTL_MS without a grant, when the window ends,
 * when the key's limit changes (a plan or limit change reaches the next call with the new limit;
 * `revoke` drops a key's lease at once, from the invalidation channel) and on shutdown (`close`).
 * A lease is only ever spent in its own window: a slot counted in the previous window would weigh
 * less than the call it admits. While Redis is away the instance spends what it holds, then
 * falls back to RedisRateLimitStore's share of what was left.
 *
 * Without prefetch, near a limit, a grant is exactly the calls waiting for it, so two instances
 * sharing a budget of 60 admit 60 of 200 concurrent calls, not 59 with a slot held idle.
 */
export class QuotaLeases implements RateLimitStore {
  private readonly leases = new Map<string, Lease>();
  /** Slots being given back, per key: a grant for the key waits for them, so Redis counts them gone first. */
  private readonly returning = new Map<string, Promise<void>>();
  /** Leases dropped while a grant of theirs was under way: the key's next grant waits for them to give back. */
  private readonly retiring = new Map<string, Lease>();
  private sweeper: NodeJS.Timeout | undefined;
  private sweptAt = -Infinity;

  constructor(private readonly shared: RedisRateLimitStore) {}

  consume(key: string, limit: number, windowMs: number, now: number): RateLimitDecision | Promise<RateLimitDecision> {
    const wall = Date.now();
    const windowStart = Math.floor(now / windowMs) * windowMs;
    let lease = this.leases.get(key);
    if (
      lease &&
      (lease.limit !== limit ||
        lease.windowMs !== windowMs ||
        lease.windowStart !== windowStart ||
        (!lease.inFlight && wall - lease.grantedAt >= LEASE_TTL_MS))
    ) {
      this.drop(lease);
      lease = undefined;
    }
    if (lease && lease.left > 0) return this.spend(lease, now, wall);
    // Redis away and nothing held: its fallback share (it also writes the outage back once Redis returns).
    if (this.shared.unavailable) return this.shared.consume(key, limit, windowMs, now);
    if (!lease) {
      // Sweeping a full map is a walk over all of it: at most once a SWEEP_MS (the timer's pace).
      if (this.leases.size >= MAX_LEASES && wall - this.sweptAt >= SWEEP_MS) this.sweep(wall);
      if (this.leases.size >= MAX_LEASES) return this.shared.consume(key, limit, windowMs, now);
      lease = new Lease(key, limit, windowMs, windowStart, wall);
      this.leases.set(key, lease);
      this.sweeper ??= setInterval(() => this.sweep(Date.now()), SWEEP_MS).unref();
    }
    if (wall - lease.refusedAt < REFUSAL_RECHECK_MS) {
      const refusal = slidingWindow(this.counter(lease, 0), limit, windowMs, now);
      if (!refusal.allowed) return { ...refusal, limit };
    }
    const waiting = lease;
    return new Promise((resolve) => {
      waiting.waiters.push({ now, resolve });
      this.request(waiting, now, wall);
    });
  }

  async peek(key: string, windowMs: number, now: number): Promise<number> {
    const counted = await this.shared.peek(key, windowMs, now);
    const lease = this.leases.get(key);
    const held =
      lease && lease.windowMs === windowMs && lease.windowStart === Math.floor(now / windowMs) * windowMs
        ? lease.left
        : 0;
    // Slots held here are not calls; other instances' held slots still count until they are given back.
    return Math.max(0, counted - held);
  }

  release(key: string, windowMs: number, now: number): void | Promise<void> {
    const lease = this.leases.get(key);
    if (lease && lease.windowMs === windowMs && lease.windowStart === Math.floor(now / windowMs) * windowMs) {
      lease.left += 1;
      return;
    }
    return this.shared.release(key, windowMs, now);
  }

  /** Gives back what is held for `key` now (its owner's plan, subscription or limit changed). */
  revoke(key: string): void {
    const lease = this.leases.get(key);
    if (lease) this.drop(lease);
  }

  /** Gives back every lease (shutdown); resolves once Redis took them back or failed to. */
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    for (const lease of [...this.leases.values()]) this.drop(lease);
    await Promise.all(this.returning.values());
  }

  /** The window's counts as a call-by-call store would hold them with `unspent` of the slots still to come. */
  private counter(lease: Lease, unspent: number) {
    return { windowStart: lease.windowStart, current: lease.counted - unspent, previous: lease.previous };
  }

  private spend(lease: Lease, now: number, wall: number): RateLimitDecision {
    lease.left -= 1;
    lease.spent += 1;
    // This call as the one after every slot counted before it: the decision a store counting call
    // by call gives (admitted, since the slot was; a clock that went back is the only exception).
    const decision = slidingWindow(this.counter(lease, lease.left + 1), lease.limit, lease.windowMs, now);
    if (!lease.inFlight && lease.left <= lease.lowWater) this.request(lease, now, wall);
    if (decision.allowed) return { ...decision, limit: lease.limit };
    return {
      allowed: true,
      remaining: 0,
      resetAt: lease.windowStart + lease.windowMs,
      retryAfterMs: 0,
      limit: lease.limit,
    };
  }

  /** Asks Redis for the waiting calls' slots, and at a steady rate for some ahead of them. */
  private request(lease: Lease, now: number, wall: number): void {
    if (lease.inFlight) return;
    const rate = (lease.spent * 1_000) / Math.max(1, wall - lease.requestedAt);
    lease.spent = 0;
    lease.requestedAt = wall;
    const demand = lease.waiters.length;
    const prefetch =
      rate >= MIN_PREFETCH_RATE ? Math.min(MAX_PREFETCH, Math.ceil((rate * LEASE_TARGET_MS) / 1_000)) : 0;
    if (!demand && !prefetch) return;
    // At the latest clock of the calls waiting: a grant refused at an earlier one may admit them
    // by now, and asking again at that earlier clock would be refused again, and again.
    let at = now;
    for (const waiter of lease.waiters) if (waiter.now > at) at = waiter.now;
    lease.inFlight = true;
    lease.granting = this.grant(lease, at, demand, prefetch);
  }

  private async grant(lease: Lease, now: number, demand: number, prefetch: number): Promise<void> {
    const { key, limit, windowMs } = lease;
    try {
      // What an earlier lease of this key still holds goes back first, so Redis's counts are calls.
      const retiring = this.retiring.get(key);
      if (retiring && retiring !== lease) await retiring.granting;
      await this.returning.get(key);
      const grant = await this.shared.lease(key, limit, windowMs, now, demand, prefetch);
      const wall = Date.now();
      lease.counted = grant.current + grant.granted;
      lease.previous = grant.previous;
      lease.left += grant.granted;
      lease.grantedAt = wall;
      lease.lowWater = Math.floor(Math.max(0, grant.granted - demand) / 2);
      // Fewer slots than calls waited for them: the window is full (as of this answer).
      const full = grant.granted < demand;
      if (full) lease.refusedAt = wall;
      const waiting = lease.waiters;
      lease.waiters = [];
      for (const waiter of waiting) {
        if (lease.left > 0) {
          waiter.resolve(this.spend(lease, waiter.now, wall));
          continue;
        }
        const refusal = full ? slidingWindow(this.counter(lease, 0), limit, windowMs, waiter.now) : undefined;
        // Not refused by this answer (arrived after it was asked for, or later than it by the window's clock): ask again.
        if (refusal && !refusal.allowed) waiter.resolve({ ...refusal, limit });
        else lease.waiters.push(waiter);
      }
    } catch {
      // Redis away (noted by the store): the waiting calls get its fallback share, one by one.
      const waiting = lease.waiters;
      lease.waiters = [];
      for (const waiter of waiting) waiter.resolve(this.shared.consume(key, limit, windowMs, waiter.now));
    } finally {
      lease.inFlight = false;
      if (this.leases.get(key) !== lease) {
        // Dropped meanwhile (revoked, replaced): calls still waiting start over; its slots go back.
        const waiting = lease.waiters;
        lease.waiters = [];
        this.giveBack(lease);
        if (this.retiring.get(key) === lease) this.retiring.delete(key);
        for (const waiter of waiting) waiter.resolve(this.consume(key, limit, windowMs, waiter.now));
      } else if (lease.waiters.length) this.request(lease, now, Date.now());
    }
  }

  /** Forgets a lease; what it holds goes back (at once, or when its grant under way has answered). */
  private drop(lease: Lease): void {
    if (this.leases.get(lease.key) === lease) this.leases.delete(lease.key);
    if (!lease.inFlight) this.giveBack(lease);
    else this.retiring.set(lease.key, lease);
  }

  private giveBack(lease: Lease): void {
    if (lease.left <= 0) return;
    const count = lease.left;
    lease.left = 0;
    const before = this.returning.get(lease.key);
    const done: Promise<void> = Promise.resolve(before)
      .then(() => this.shared.giveBack(lease.key, lease.windowStart, count))
      .finally(() => {
        if (this.returning.get(lease.key) === done) this.returning.delete(lease.key);
      });
    this.returning.set(lease.key, done);
  }

  /** Gives back leases idle past LEASE_TTL_MS and forgets them: memory stays bounded by the keys in use. */
  private sweep(wall: number): void {
    this.sweptAt = wall;
    for (const lease of this.leases.values()) {
      if (!lease.inFlight && !lease.waiters.length && wall - lease.grantedAt >= LEASE_TTL_MS) this.drop(lease);
    }
  }
}
