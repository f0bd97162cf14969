import type { VerifyInput, VerifyResult } from "./types.js";
/**
 * Valid answers, keyed by a SHA-256 of everything the answer depends on (so no secret is a map
 * key), each kept for the TTL or until the key's own expiry, whichever comes first. Bounded: when
 * full, the oldest entry goes.
 */
export declare class ResultCache {
  private readonly ttlMs;
  private readonly maxEntries;
  private readonly entries;
  constructor(ttlMs: number, maxEntries: number);
  get(id: string, now: number): VerifyResult | undefined;
  set(id: string, result: VerifyResult, now: number): void;
}
/** Web Crypto rather than node:crypto, so the package also loads where only Web APIs exist. */
export declare function cacheId(input: VerifyInput): Promise<string>;
