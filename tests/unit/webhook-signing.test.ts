import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { generateWebhookSecret, signatureHeaders } from "@/lib/webhooks/signing";

/**
 * Webhook signatures checked by the Standard Webhooks reference library (npm standardwebhooks),
 * as a receiver would check them: a receiver needs nothing of ours to verify a delivery.
 */

const body = JSON.stringify({ type: "key.created", timestamp: "2026-12-08T10:00:00.000Z", data: { key: { id: 1 } } });
const messageId = "msg_2b3c4d5e6f7a8b9c";
const HOUR = 3_600_000;

const verifies = (secret: string, payload: string, headers: Record<string, string>) => {
  try {
    new Webhook(secret).verify(payload, headers);
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError);
    return false;
  }
};

describe("webhook secrets", () => {
  it("are whsec_ and the base64 of 24 random bytes, never repeated", () => {
    const secrets = Array.from({ length: 200 }, generateWebhookSecret);
    for (const secret of secrets) {
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
      expect(Buffer.from(secret.slice("whsec_".length), "base64")).toHaveLength(24);
    }
    expect(new Set(secrets).size).toBe(secrets.length);
  });
});

describe("webhook signatures", () => {
  it("carry the message id, the attempt's unix seconds and one v1 signature the reference library accepts", () => {
    const secret = generateWebhookSecret();
    const at = new Date();
    const headers = signatureHeaders(messageId, body, { secret, previousSecret: null, previousSecretUntil: null }, at);
    expect(headers["webhook-id"]).toBe(messageId);
    expect(headers["webhook-timestamp"]).toBe(String(Math.floor(at.getTime() / 1000)));
    expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(verifies(secret, body, { ...headers })).toBe(true);
    // The reference library's own signature of the same content is the same.
    expect(headers["webhook-signature"]).toBe(new Webhook(secret).sign(messageId, at, body));
  });

  it("are refused for a tampered body, another id, another secret or another timestamp", () => {
    const secret = generateWebhookSecret();
    const headers = {
      ...signatureHeaders(messageId, body, { secret, previousSecret: null, previousSecretUntil: null }),
    };
    expect(verifies(secret, body.replace('"id":1', '"id":2'), headers)).toBe(false);
    expect(verifies(secret, `${body} `, headers)).toBe(false);
    expect(verifies(secret, body, { ...headers, "webhook-id": "msg_other" })).toBe(false);
    expect(verifies(generateWebhookSecret(), body, headers)).toBe(false);
    const earlier = String(Number(headers["webhook-timestamp"]) - 1);
    expect(verifies(secret, body, { ...headers, "webhook-timestamp": earlier })).toBe(false);
  });

  it("during a rotation: two signatures, and a receiver holding either secret accepts the delivery", () => {
    const [secret, previousSecret] = [generateWebhookSecret(), generateWebhookSecret()];
    const at = new Date();
    const headers = {
      ...signatureHeaders(
        messageId,
        body,
        { secret, previousSecret, previousSecretUntil: new Date(at.getTime() + HOUR) },
        at,
      ),
    };
    expect(headers["webhook-signature"].split(" ")).toHaveLength(2);
    expect(verifies(secret, body, headers)).toBe(true);
    expect(verifies(previousSecret, body, headers)).toBe(true);
    expect(verifies(generateWebhookSecret(), body, headers)).toBe(false);
    expect(verifies(previousSecret, `${body}x`, headers)).toBe(false);
  });

  it("once the previous secret's time is over, only the current secret signs", () => {
    const [secret, previousSecret] = [generateWebhookSecret(), generateWebhookSecret()];
    const at = new Date();
    const headers = {
      ...signatureHeaders(
        messageId,
        body,
        { secret, previousSecret, previousSecretUntil: new Date(at.getTime() - 1) },
        at,
      ),
    };
    expect(headers["webhook-signature"].split(" ")).toHaveLength(1);
    expect(verifies(secret, body, headers)).toBe(true);
    expect(verifies(previousSecret, body, headers)).toBe(false);
  });
});
