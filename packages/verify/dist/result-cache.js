/**
 * Valid answers, keyed by a SHA-256 of everything the answer depends on (so no secret is a map
 * key), each kept for the TTL or until the key's own expiry, whichever comes first. Bounded: when
 * full, the oldest entry goes.
 */
export class ResultCache {
  ttlMs;
  maxEntries;
  entries = new Map();
  constructor(ttlMs, maxEntries) {
    this.ttlMs = ttlMs;
    this.maxEntries = maxEntries;
  }
  get(id, now) {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.entries.delete(id);
      return undefined;
    }
    return entry.result;
  }
  set(id, result, now) {
    if (!result.valid || !result.key) return;
    const keyExpiry = result.key.expires_at === null ? Infinity : Date.parse(result.key.expires_at);
    const expiresAt = Math.min(now + this.ttlMs, Number.isNaN(keyExpiry) ? now : keyExpiry);
    if (expiresAt <= now) return;
    this.entries.delete(id);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(id, { result, expiresAt });
  }
}
/** Web Crypto rather than node:crypto, so the package also loads where only Web APIs exist. */
export async function cacheId(input) {
  const text = JSON.stringify([
    input.apiKey,
    input.username,
    input.route === undefined ? null : String(input.route),
    input.method?.toUpperCase() ?? null,
    input.ip ?? null,
  ]);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}
