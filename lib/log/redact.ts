import { KEY_PREFIX } from "../format/key-prefix";

/** Anything that looks like one of our keys, for scrubbing text before it is stored or logged. */
const KEY_LIKE_PATTERN = new RegExp(`${KEY_PREFIX}[0-9A-Za-z]{4,}`, "g");
/** Service tokens (lib/auth/service-tokens.ts) are credentials too. */
const SERVICE_TOKEN_PATTERN = /\bkps_[A-Za-z0-9_-]{4,}/g;
/** Webhook signing secrets (lib/webhooks/signing.ts): whoever holds one can forge deliveries. */
const WEBHOOK_SECRET_PATTERN = /\bwhsec_[A-Za-z0-9+/=]{4,}/g;
// A key's digest (HMAC-SHA256, hex) identifies it as well as the key does in a log.
const DIGEST_PATTERN = /\b[0-9a-f]{64}\b/gi;

export function redactKeys(text: string): string {
  return text
    .replace(KEY_LIKE_PATTERN, `${KEY_PREFIX}[redacted]`)
    .replace(SERVICE_TOKEN_PATTERN, "kps_[redacted]")
    .replace(WEBHOOK_SECRET_PATTERN, "whsec_[redacted]");
}

const redactSecrets = (text: string) => redactKeys(text).replace(DIGEST_PATTERN, "[digest]");

/**
 * An error as one log line's worth of text with every key and digest taken out: a database
 * error can quote the statement's parameters (an INSERT of a key quotes its digest and hint).
 * The stack stays, for the operator; it carries the message, so it is redacted too.
 */
export function errorForLog(error: unknown): string {
  const e = error as { stack?: unknown; message?: unknown; code?: unknown };
  const text = typeof e?.stack === "string" ? e.stack : typeof e?.message === "string" ? e.message : String(error);
  const code = typeof e?.code === "string" ? ` [${e.code}]` : "";
  return redactSecrets(text) + code;
}

/** The logger's `err` field (lib/log/logger.ts): type, message, code and stack, redacted like errorForLog. */
export function serializeError(error: unknown): Record<string, string> {
  const e = error as { name?: unknown; stack?: unknown; message?: unknown; code?: unknown };
  const fields: Record<string, string> = {
    type: typeof e?.name === "string" ? e.name : typeof error,
    message: redactSecrets(typeof e?.message === "string" ? e.message : String(error)),
  };
  if (typeof e?.code === "string") fields.code = e.code;
  if (typeof e?.stack === "string") fields.stack = redactSecrets(e.stack);
  return fields;
}
