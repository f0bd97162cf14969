/**
 * What a write changed, so that per-instance caches drop it at once: on this instance
 * directly, on every other one through Redis pub/sub (when REDIS_URL is set), else through the
 * invalidation table every server polls (lib/cache/invalidation-log.ts).
 */
export type Invalidation =
  | { kind: "key"; keyId: number; digest?: string }
  /** The owner's plan, subscription or limit changed: every cached key of theirs is stale. */
  | { kind: "owner"; ownerId: number }
  | { kind: "routes" }
  /** A service token was revoked: verify calls with it must fail at once. */
  | { kind: "service-tokens" };
