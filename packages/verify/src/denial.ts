import type { RateLimit, VerifyResult } from "./types.js";

/** The portal's one error envelope. */
export interface ErrorBody {
  success: false;
  message: string;
}

export interface Denial {
  status: number;
  headers: Record<string, string>;
  body: ErrorBody;
}

// The data API's own messages, so a caller sees the same answer behind your service as from the
// portal. One 401 for every authentication failure: the caller learns no reason.
const UNAUTHENTICATED_MESSAGE = "Invalid or missing authentication";
const FORBIDDEN_MESSAGE = "Insufficient permissions";
const IP_REFUSED_MESSAGE = "This API key may not be used from this IP address";
const UNAVAILABLE_MESSAGE = "API key verification is unavailable; retry shortly";

/** The data API's X-RateLimit-* headers, from the verify answer's `ratelimit`. */
export function rateLimitHeaders(ratelimit: RateLimit | null): Record<string, string> {
  if (!ratelimit) return {};
  return {
    "X-RateLimit-Limit": String(ratelimit.limit),
    "X-RateLimit-Remaining": String(ratelimit.remaining),
    "X-RateLimit-Reset": String(ratelimit.reset),
  };
}

const planLabel = (plan: string) => plan.charAt(0).toUpperCase() + plan.slice(1);

function rateLimitedMessage(result: VerifyResult): string {
  if (!result.key || !result.ratelimit) return "Rate limit exceeded";
  return `Rate limit exceeded: the ${planLabel(result.key.plan)} plan allows ${result.ratelimit.limit} requests per hour across all keys`;
}

/** Whole seconds until one more call is admitted (at least 1), as the data API's Retry-After. */
function retryAfter(ratelimit: RateLimit | null, now: number): string {
  if (!ratelimit) return "60";
  return String(Math.max(1, ratelimit.reset - Math.floor(now / 1000)));
}

/** The answer to a call whose result is not valid, or whose credentials are missing (null). */
export function denialFor(result: VerifyResult | null, now = Date.now()): Denial {
  const headers: Record<string, string> = {
    "Content-Type": "application/json; charset=utf-8",
    "Cache-Control": "no-store",
    ...rateLimitHeaders(result?.ratelimit ?? null),
  };
  const deny = (status: number, message: string): Denial => ({ status, headers, body: { success: false, message } });
  switch (result?.code) {
    case "FORBIDDEN":
    case "READ_ONLY":
      return deny(403, FORBIDDEN_MESSAGE);
    case "IP_REFUSED":
      return deny(403, IP_REFUSED_MESSAGE);
    case "RATE_LIMITED":
      headers["Retry-After"] = retryAfter(result.ratelimit, now);
      return deny(429, rateLimitedMessage(result));
    case "VERIFY_UNAVAILABLE":
      headers["Retry-After"] = "2";
      return deny(503, UNAVAILABLE_MESSAGE);
    default:
      // NOT_FOUND, DISABLED, EXPIRED, USERNAME_MISMATCH, a missing header, and any code this
      // version does not know.
      return deny(401, UNAUTHENTICATED_MESSAGE);
  }
}
