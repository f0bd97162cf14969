import { invalidationsReachUs, onInvalidation } from "../cache/invalidation";
import { metrics } from "../metrics/metrics";
import { findKeyByDigest, findRevokedKey, type KeyForVerification } from "./key-lookup";

/**
 * digest → the key record verification needs (with its owner's plan, subscription and limit),
 * so a cache hit costs no database query. Every write that changes what verification decides
 * publishes an invalidation (lib/cache/invalidation.ts) that drops the entry here at once and,
 * with REDIS_URL, on every other instance.
 *
 * The lifetimes are a safety net, not the mechanism: a write made in another process without
 * Redis (the admin CLI) reaches this one through the invalidation log it polls
 * (lib/cache/invalidation-log.ts) within a second, and POSITIVE_TTL_MS bounds what even a lost
 * invalidation can leave stale. Well-formed digests that match no key are remembered briefly too (with the
 * tombstone of a deleted key, if any), so a flood of made-up or deleted keys costs one lookup
 * per digest per NEGATIVE_TTL_MS, not one per call.
 */
const POSITIVE_TTL_MS = 30_000;
const NEGATIVE_TTL_MS = 2_000;
const MAX_ENTRIES = 100_000;

type RevokedKey = Awaited<ReturnType<typeof findRevokedKey>>;

/** What verification learns from a digest: its key, or else the tombstone of a deleted one. */
export interface KeyLookup {
  record: KeyForVerification | null;
  revoked: RevokedKey;
}

interface Entry extends KeyLookup {
  until: number;
}

interface KeyCacheState {
  byDigest: Map<string, Entry>;
  /** Bumped by every invalidation: a lookup that started before one must not store its result. */
  generation: number;
  hits: number;
  misses: number;
}

// One cache per process, shared by Next's handlers and the production server's fast path
// (scripts/server.mjs), which are bundled separately: hence globalThis under a registry symbol.
const STATE = Symbol.for("keyportal.keyCache");
const registry = globalThis as unknown as { [STATE]?: KeyCacheState };
const state = (registry[STATE] ??= { byDigest: new Map(), generation: 0, hits: 0, misses: 0 });
metrics().sources.keyCache = () => state;

function drop(predicate: (entry: Entry, digest: string) => boolean): void {
  state.generation += 1;
  for (const [digest, entry] of state.byDigest) if (predicate(entry, digest)) state.byDigest.delete(digest);
}

onInvalidation((message) => {
  if (message.kind === "key") {
    drop((entry, digest) => digest === message.digest || entry.record?.id === message.keyId);
  } else if (message.kind === "owner") {
    drop((entry) => entry.record?.ownerId === message.ownerId);
  }
});

async function lookup(digest: string): Promise<KeyLookup> {
  const record = await findKeyByDigest(digest);
  // Only refused calls pay for this second lookup; it tells an owner their deleted key is still in use.
  return { record, revoked: record ? null : await findRevokedKey(digest) };
}

/**
 * The verification lookup through the cache; the same answer the database would give. A hit is
 * answered at once, not with a promise (the data API's hot path: lib/data-api/serve-data-request.ts).
 */
export function lookupKey(digest: string, now = Date.now()): KeyLookup | Promise<KeyLookup> {
  // Redis configured but not delivering: another instance's revocation would not reach this
  // cache, so read the database every time until it does again (fail closed, not stale).
  if (!invalidationsReachUs()) {
    state.byDigest.clear();
    return lookup(digest);
  }
  const hit = state.byDigest.get(digest);
  if (hit && hit.until > now) {
    state.hits += 1;
    return hit;
  }
  state.misses += 1;
  return lookupAndKeep(digest, now);
}

async function lookupAndKeep(digest: string, now: number): Promise<KeyLookup> {
  const generation = state.generation;
  const found = await lookup(digest);
  // An invalidation arrived while the row was read: the row may predate the write, so don't keep it.
  if (generation === state.generation) {
    if (state.byDigest.size >= MAX_ENTRIES) state.byDigest.clear();
    state.byDigest.set(digest, { ...found, until: now + (found.record ? POSITIVE_TTL_MS : NEGATIVE_TTL_MS) });
  }
  return found;
}

/** For tests: hit and miss counts since the process started. */
export function keyCacheStats(): { hits: number; misses: number; size: number } {
  return { hits: state.hits, misses: state.misses, size: state.byDigest.size };
}
