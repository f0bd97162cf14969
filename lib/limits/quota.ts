import { sharedRedis } from "../redis/shared";
import { MemoryRateLimitStore, type RateLimitDecision, type RateLimitStore } from "./rate-limiter";
import { RedisRateLimitStore } from "./redis-rate-limit-store";
import { ANONYMOUS_HOURLY_LIMIT } from "./plans";

const HOUR_MS = 3_600_000;

// One store per process (kept on globalThis so Next's module reloading in dev keeps counts).
const holder = globalThis as unknown as { __rateLimitStore?: RateLimitStore };

/**
 * Every counter (hourly quotas, the failed-auth budget per IP, the sign-in throttle) lives here:
 * in Redis when REDIS_URL is set, so all instances share them and a restart keeps them; in this
 * process otherwise (one instance on SQLite).
 */
export function rateLimitStore(): RateLimitStore {
  if (!holder.__rateLimitStore) {
    const redis = sharedRedis();
    holder.__rateLimitStore = redis ? new RedisRateLimitStore(redis) : new MemoryRateLimitStore();
  }
  return holder.__rateLimitStore;
}

/** Tests switch REDIS_URL between files' cases: the next call picks the store again. */
export function resetRateLimitStoreForTests(): void {
  holder.__rateLimitStore = undefined;
}

/** Per account, so all its keys share one budget: more keys do not buy more quota. */
export function consumeAccountQuota(ownerId: number, limit: number, now: number): Promise<RateLimitDecision> {
  return rateLimitStore().consume(`account:${ownerId}`, limit, HOUR_MS, now);
}

/** Requests counted against the account in the sliding hour, without counting one more. */
export function accountRequestsThisHour(ownerId: number, now = Date.now()): Promise<number> {
  return rateLimitStore().peek(`account:${ownerId}`, HOUR_MS, now);
}

export function consumeAnonymousQuota(ip: string, now: number): Promise<RateLimitDecision> {
  return rateLimitStore().consume(`anonymous:${ip}`, ANONYMOUS_HOURLY_LIMIT, HOUR_MS, now);
}

/** GitHub-style X-RateLimit-* and the IETF draft's RateLimit-Policy / RateLimit. */
export function rateLimitHeaders(decision: RateLimitDecision, now: number): Record<string, string> {
  const resetSeconds = Math.max(0, Math.ceil((decision.resetAt - now) / 1000));
  const headers: Record<string, string> = {
    "X-RateLimit-Limit": String(decision.limit),
    "X-RateLimit-Remaining": String(decision.remaining),
    "X-RateLimit-Reset": String(Math.ceil(decision.resetAt / 1000)),
    "RateLimit-Policy": `"hourly";q=${decision.limit};w=${HOUR_MS / 1000}`,
    RateLimit: `"hourly";r=${decision.remaining};t=${resetSeconds}`,
  };
  if (!decision.allowed) headers["Retry-After"] = String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000)));
  return headers;
}
