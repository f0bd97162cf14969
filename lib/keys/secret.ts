import crypto from "node:crypto";
import zlib from "node:zlib";
import { KEY_PREFIX } from "../format/key-prefix";

/**
 * Key format (GitHub's token design): a type prefix, 32 random base62 characters, and a
 * 6-character base62 CRC32 of everything before it. The checksum lets us reject a mistyped or
 * made-up key before any database read, and lets secret scanners verify a candidate offline.
 */
export { KEY_PREFIX };
const KEY_BODY_LENGTH = 32;
const KEY_CHECKSUM_LENGTH = 6;
export const KEY_LENGTH = KEY_PREFIX.length + KEY_BODY_LENGTH + KEY_CHECKSUM_LENGTH;

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const KEY_PATTERN = new RegExp(`^${KEY_PREFIX}[0-9A-Za-z]{${KEY_BODY_LENGTH + KEY_CHECKSUM_LENGTH}}$`);

function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const byte of crypto.randomBytes(length * 2)) {
      // 248 = 4 * 62: rejecting bytes above it keeps every character equally likely.
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

export function encodeBase62(value: number, width: number): string {
  let out = "";
  let n = value;
  do {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  } while (n > 0);
  return out.padStart(width, "0");
}

export function keyChecksum(prefixAndBody: string): string {
  return encodeBase62(zlib.crc32(prefixAndBody) >>> 0, KEY_CHECKSUM_LENGTH);
}

export function generateKeySecret(): string {
  const head = KEY_PREFIX + randomBase62(KEY_BODY_LENGTH);
  return head + keyChecksum(head);
}

/** Shape and checksum only: true says nothing about whether the key exists. */
export function hasValidKeyFormat(candidate: string): boolean {
  if (candidate.length !== KEY_LENGTH || !KEY_PATTERN.test(candidate)) return false;
  const head = candidate.slice(0, -KEY_CHECKSUM_LENGTH);
  return keyChecksum(head) === candidate.slice(-KEY_CHECKSUM_LENGTH);
}

/**
 * HMAC-SHA256 with a pepper kept outside the database. A 190-bit random key needs no slow
 * hash (OWASP): this costs microseconds per request where bcrypt would cost tens of milliseconds.
 */
export function digestSecret(secret: string, pepper: string): string {
  return crypto.createHmac("sha256", pepper).update(secret).digest("hex");
}

/** Shown in lists: the public prefix plus the first and last 4 characters after it. */
export function keyHint(secret: string): string {
  const body = secret.slice(KEY_PREFIX.length);
  return `${KEY_PREFIX}${body.slice(0, 4)}…${body.slice(-4)}`;
}

/**
 * Compares in time that depends only on the lengths: it runs for every data-API call (the
 * X-Username check), where hashing both sides first cost two SHA-256 objects per call. The
 * length of a username is not a secret.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && crypto.timingSafeEqual(left, right);
}

/** The digests of recently presented secrets, by the secret's SHA-256 (see presentedDigest). */
const recentDigests = new Map<string, string>();
let recentPepper = "";
const RECENT_DIGESTS = 10_000;

/**
 * digestSecret for a secret presented on a hot path (an API key at each data call, a service
 * token at each verify call): a client repeats its secret, so the digests of the last
 * RECENT_DIGESTS distinct ones are kept, found again by a one-shot SHA-256 of the secret, which
 * costs a fraction of an HMAC (docs/design-measurements.md). What the map holds is no secret: a
 * SHA-256 of a secret this random cannot be reversed, and the digests are the database's own.
 */
export function presentedDigest(secret: string, pepper: string): string {
  if (pepper !== recentPepper) {
    recentDigests.clear();
    recentPepper = pepper;
  }
  const fingerprint = crypto.hash("sha256", secret, "base64");
  let digest = recentDigests.get(fingerprint);
  if (digest === undefined) {
    digest = digestSecret(secret, pepper);
    if (recentDigests.size >= RECENT_DIGESTS) recentDigests.clear();
    recentDigests.set(fingerprint, digest);
  }
  return digest;
}
