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
/** The data API's X-RateLimit-* headers, from the verify answer's `ratelimit`. */
export declare function rateLimitHeaders(ratelimit: RateLimit | null): Record<string, string>;
/** The answer to a call whose result is not valid, or whose credentials are missing (null). */
export declare function denialFor(result: VerifyResult | null, now?: number): Denial;
