/** The key as the verify endpoint describes it (`key` in its answer). */
export interface VerifiedKey {
  id: number;
  name: string;
  /** `production`, `staging` or `development`. */
  environment: string;
  /** The organization that owns the key (for a personal organization, the account's id). */
  owner_id: number;
  /** The owner's plan: `free`, `professional` or `enterprise`. */
  plan: string;
  /** Route ids the key may call; null = every route the plan allows. */
  routes: number[] | null;
  read_only: boolean;
  /** ISO 8601, or null for a key that never expires. */
  expires_at: string | null;
}
/** The owner's hourly quota after this call, as the data API's X-RateLimit-* headers carry it. */
export interface RateLimit {
  /** X-RateLimit-Limit: calls per hour across all the owner's keys. */
  limit: number;
  /** X-RateLimit-Remaining: calls still allowed now. */
  remaining: number;
  /**
   * X-RateLimit-Reset: epoch seconds. Allowed: the end of the current window; refused: the moment
   * one more call would be admitted.
   */
  reset: number;
}
/** The verify endpoint's codes, and `VERIFY_UNAVAILABLE`, which this package adds. */
export type VerifyCode =
  | "VALID"
  | "NOT_FOUND"
  | "DISABLED"
  | "EXPIRED"
  | "USERNAME_MISMATCH"
  | "FORBIDDEN"
  | "IP_REFUSED"
  | "READ_ONLY"
  | "RATE_LIMITED"
  /** The verify endpoint could not answer: network error, timeout, 5xx, 4xx, or a body off the contract. */
  | "VERIFY_UNAVAILABLE";
export interface VerifyResult {
  valid: boolean;
  code: VerifyCode;
  /** Null for an unknown key, and for a call `failOpen` let through while the endpoint was unavailable. */
  key: VerifiedKey | null;
  ratelimit: RateLimit | null;
  /** With `VERIFY_UNAVAILABLE`: what went wrong, for your logs (never sent to the caller). */
  reason?: string;
}
/** One call to check: the credentials your caller sent and what it is doing. */
export interface VerifyInput {
  /** The caller's X-API-Key header. */
  apiKey: string;
  /** The caller's X-Username header. */
  username: string;
  /** The route id the call is for: checked against the key's `routes`. */
  route?: string | number;
  /** The HTTP method: write methods are refused for a read-only key. */
  method?: string;
  /** The caller's address: checked against the key's IP allow-list. */
  ip?: string;
}
export interface VerifierOptions {
  /** The portal's URL, e.g. `https://keys.example.com` (a path prefix is kept). */
  baseUrl: string;
  /** The service token the portal issued to your service (sent as `Authorization: Bearer …`). */
  serviceToken: string;
  /** Longest wait for the verify endpoint, body included. Default 2000. */
  timeoutMs?: number;
  /**
   * DANGEROUS. When the endpoint is unreachable, times out or answers 5xx, let the call through
   * (`valid: true`, `key: null`) instead of refusing it. Default false.
   */
  failOpen?: boolean;
  /** Keep `valid` answers this long (ms) and answer repeats from memory. Default 0: off. */
  cacheTtlMs?: number;
  /** Most answers the cache keeps. Default 10,000. */
  cacheMaxEntries?: number;
  /** A fetch to use instead of the global one. */
  fetch?: typeof globalThis.fetch;
}
export interface Verifier {
  /** Never throws: an endpoint failure is a `VERIFY_UNAVAILABLE` result. */
  verifyKey(input: VerifyInput): Promise<VerifyResult>;
}
