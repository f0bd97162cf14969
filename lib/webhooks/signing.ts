import crypto from "node:crypto";

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): receivers verify deliveries
 * with any of its libraries. The signed content is "{webhook-id}.{webhook-timestamp}.{body}", so
 * a receiver can reject a replayed or altered delivery; the key is the secret's base64 part.
 */

const SECRET_PREFIX = "whsec_";

/** A new endpoint secret: whsec_ + base64 of 24 random bytes (shown to its owner once). */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + crypto.randomBytes(24).toString("base64");
}

/** The secrets an endpoint signs with: after a rotation the previous one signs too, until its end. */
export interface SigningSecrets {
  secret: string;
  previousSecret: string | null;
  previousSecretUntil: Date | null;
}

/** The three headers that let a receiver verify one delivery attempt. */
interface SignatureHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

/** One `v1,<base64 HMAC-SHA256>` signature of the content under `secret`. */
function sign(secret: string, content: string): string {
  // As the Standard Webhooks libraries read a secret: the prefix is optional, the rest is base64.
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, "base64");
  return `v1,${crypto.createHmac("sha256", key).update(content).digest("base64")}`;
}

/**
 * The headers of an attempt at `at` to send `body` (the exact bytes sent) as message `messageId`.
 * During a rotation both secrets sign, space-separated: a receiver that still has the old secret
 * and one that has the new one both accept the delivery.
 */
export function signatureHeaders(
  messageId: string,
  body: string,
  secrets: SigningSecrets,
  at: Date = new Date(),
): SignatureHeaders {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const content = `${messageId}.${timestamp}.${body}`;
  const signatures = [sign(secrets.secret, content)];
  if (secrets.previousSecret && secrets.previousSecretUntil && secrets.previousSecretUntil.getTime() > at.getTime()) {
    signatures.push(sign(secrets.previousSecret, content));
  }
  return { "webhook-id": messageId, "webhook-timestamp": timestamp, "webhook-signature": signatures.join(" ") };
}
