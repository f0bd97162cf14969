import crypto from "node:crypto";
import { sharedRedis } from "../redis/shared";
import { PersistentRateLimitStore } from "./persistent-store";
import { getConfig } from "../config/env";
import { retryAfterSeconds, type RateLimitDecision, type RateLimitStore } from "./rate-limiter";
import { RedisRateLimitStore } from "./redis-rate-limit-store";
import { budgetIp } from "./ip-budget";
import { ANONYMOUS_HOURLY_LIMIT } from "./plans";
import { HOUR_MS } from "../format/time";
import { onInvalidation } from "../cache/invalidation";
import { onShutdown } from "../runtime/shutdown";
import { QuotaLeases } from "./quota-leases";

/**
 * A throttle key's part that names a person or a client (an email, an address), hashed: the keys
 * may be stored in a shared Redis or the database, which have no business holding either.
 */
export const throttleKeyPart = (text: string) => crypto.createHash("sha256").update(text).digest("base64url");

/**
 * Each account's limiter key, made once: built per call, the text would be a new string to hash
 * for every data call's lookup. Bounded like the limiter's own maps.
 */
const accountKeys = new Map<number, string>();
function accountKey(ownerId: number): string {
  let key = accountKeys.get(ownerId);
  if (key === undefined) {
    if (accountKeys.size >= 100_000) accountKeys.clear();
    key = `account:${ownerId}`;
    accountKeys.set(ownerId, key);
  }
  return key;
}

/**
 * The rate-limit headers' texts that change once an hour (the reset) or with the limit, kept from
 * the previous answer: under load nearly every call repeats them.
 */
const headerTexts = { limit: NaN, limitText: "", policy: "", resetAt: NaN, resetText: "" };

// One store of each kind per process (kept on globalThis so Next's module reloading in dev, and
// the production server's separately bundled fast path, keep one set of counts).
const holder = globalThis as unknown as {
  __rateLimitStore?: RateLimitStore;
  __throttleStore?: RateLimitStore;
  __anonymousStore?: RateLimitStore;
};

/**
 * The hourly quotas per account live here: in Redis when REDIS_URL is set, so all instances
 * share them and a restart keeps them, spent through quota leases (lib/limits/quota-leases.ts:
 * blocks of the budget taken from Redis now and then instead of a round trip per call); in this
 * process otherwise (one instance), with the counters written behind to the database so a
 * restart keeps them too. Redis down: each instance spends what it holds, then counts in memory,
 * allowing what an account had left divided by REDIS_FALLBACK_INSTANCES, and adds what it
 * counted back to Redis once it returns.
 */
function rateLimitStore(): RateLimitStore {
  if (!holder.__rateLimitStore) {
    const redis = sharedRedis();
    holder.__rateLimitStore = redis
      ? leased(new RedisRateLimitStore(redis, "keyportal:rl:", getConfig().redisFallbackInstances, "Rate limiting"))
      : new PersistentRateLimitStore();
  }
  return holder.__rateLimitStore;
}

/**
 * Leases over a Redis store: an owner's plan, subscription or limit change (the invalidation
 * channel's "owner") gives back what this instance holds of its quota at once, and shutdown
 * gives back everything held.
 */
function leased(store: RedisRateLimitStore): QuotaLeases {
  const leases = new QuotaLeases(store);
  onInvalidation((message) => {
    if (message.kind === "owner") leases.revoke(accountKey(message.ownerId));
  });
  onShutdown(() => leases.close());
  return leases;
}

/**
 * The counters that guard authentication (sign-in throttle, failed-auth budget per IP): shared
 * in Redis like the quotas, with the same fallback while Redis is down, so password guessing is
 * never unlimited.
 */
export function throttleStore(): RateLimitStore {
  if (!holder.__throttleStore) {
    const redis = sharedRedis();
    holder.__throttleStore = redis
      ? new RedisRateLimitStore(
          redis,
          "keyportal:throttle:",
          getConfig().redisFallbackInstances,
          "The sign-in and failed-auth throttles",
        )
      : new PersistentRateLimitStore();
  }
  return holder.__throttleStore;
}

/** Writes the in-process counters to the database now (they are written behind once a second). */
export async function flushRateLimitCounters(): Promise<void> {
  for (const store of [holder.__rateLimitStore, holder.__throttleStore]) {
    if (store instanceof PersistentRateLimitStore) await store.flush();
  }
}

/** Tests switch REDIS_URL between cases, or simulate a restart: the next call picks the stores again. */
export function resetRateLimitStoreForTests(): void {
  for (const store of [holder.__rateLimitStore, holder.__anonymousStore])
    if (store instanceof QuotaLeases) void store.close();
  holder.__rateLimitStore = undefined;
  holder.__throttleStore = undefined;
  holder.__anonymousStore = undefined;
}

/** Per account, so all its keys share one budget: more keys do not buy more quota. */
export function consumeAccountQuota(
  ownerId: number,
  limit: number,
  now: number,
): RateLimitDecision | Promise<RateLimitDecision> {
  return rateLimitStore().consume(accountKey(ownerId), limit, HOUR_MS, now);
}

/** Requests counted against the account in the sliding hour, without counting one more. */
export function accountRequestsThisHour(ownerId: number, now = Date.now()): Promise<number> {
  return rateLimitStore().peek(accountKey(ownerId), HOUR_MS, now);
}

/**
 * The per-IP budget for failed authentication (an IPv6 client counted by its /64). It is on the
 * data API's hot path (every refused call pays it), so with Redis it is spent through leases too;
 * the sign-in throttles, which reserve and give back one guess at a time, count call by call.
 */
export function consumeAnonymousQuota(ip: string, now: number): RateLimitDecision | Promise<RateLimitDecision> {
  if (!holder.__anonymousStore) {
    // A store of its own over the throttles' counters, not throttleStore() itself: that one may
    // have been made by the other server bundle (Next's or the fast path's), whose classes are not
    // this bundle's, so nothing here can tell it is a RedisRateLimitStore.
    const redis = sharedRedis();
    holder.__anonymousStore = redis
      ? leased(
          new RedisRateLimitStore(
            redis,
            "keyportal:throttle:",
            getConfig().redisFallbackInstances,
            "The failed-auth budget",
          ),
        )
      : throttleStore();
  }
  return holder.__anonymousStore.consume(`anonymous:${budgetIp(ip)}`, ANONYMOUS_HOURLY_LIMIT, HOUR_MS, now);
}

/** GitHub-style X-RateLimit-* and the IETF draft's RateLimit-Policy / RateLimit. */
export function rateLimitHeaders(decision: RateLimitDecision, now: number): Record<string, string> {
  const resetSeconds = Math.max(0, Math.ceil((decision.resetAt - now) / 1000));
  if (decision.limit !== headerTexts.limit) {
    headerTexts.limit = decision.limit;
    headerTexts.limitText = String(decision.limit);
    headerTexts.policy = `"hourly";q=${decision.limit};w=${HOUR_MS / 1000}`;
  }
  if (decision.resetAt !== headerTexts.resetAt) {
    headerTexts.resetAt = decision.resetAt;
    headerTexts.resetText = String(Math.ceil(decision.resetAt / 1000));
  }
  const headers: Record<string, string> = {
    "X-RateLimit-Limit": headerTexts.limitText,
    "X-RateLimit-Remaining": String(decision.remaining),
    "X-RateLimit-Reset": headerTexts.resetText,
    "RateLimit-Policy": headerTexts.policy,
    RateLimit: `"hourly";r=${decision.remaining};t=${resetSeconds}`,
  };
  if (!decision.allowed) headers["Retry-After"] = retryAfterSeconds(decision);
  return headers;
}
