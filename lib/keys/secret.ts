import crypto from "node:crypto";
import zlib from "node:zlib";

/**
 * Key format (GitHub's token design): a type prefix, 32 random base62 characters, and a
 * 6-character base62 CRC32 of everything before it. The checksum lets us reject a mistyped or
 * made-up key before any database read, and lets secret scanners verify a candidate offline.
 */
export const KEY_PREFIX = "sk_live_";
const KEY_BODY_LENGTH = 32;
const KEY_CHECKSUM_LENGTH = 6;
export const KEY_LENGTH = KEY_PREFIX.length + KEY_BODY_LENGTH + KEY_CHECKSUM_LENGTH;

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const KEY_PATTERN = new RegExp(`^${KEY_PREFIX}[0-9A-Za-z]{${KEY_BODY_LENGTH + KEY_CHECKSUM_LENGTH}}$`);
/** Anything that looks like one of our keys, for scrubbing text before it is stored or logged. */
const KEY_LIKE_PATTERN = /sk_live_[0-9A-Za-z]{4,}/g;

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

export function redactKeys(text: string): string {
  return text.replace(KEY_LIKE_PATTERN, `${KEY_PREFIX}[redacted]`);
}

// A key's digest (HMAC-SHA256, hex) identifies it as well as the key does in a log.
const DIGEST_PATTERN = /\b[0-9a-f]{64}\b/gi;

/**
 * An error as one log line's worth of text with every key and digest taken out: a database
 * error can quote the statement's parameters (an INSERT of a key quotes its digest and hint).
 * The stack stays, for the operator; it carries the message, so it is redacted too.
 */
export function errorForLog(error: unknown): string {
  const e = error as { stack?: unknown; message?: unknown; code?: unknown };
  const text = typeof e?.stack === "string" ? e.stack : typeof e?.message === "string" ? e.message : String(error);
  const code = typeof e?.code === "string" ? ` [${e.code}]` : "";
  return redactKeys(text).replace(DIGEST_PATTERN, "[digest]") + code;
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
