import { request } from "undici";
import { signatureHeaders, type SigningSecrets } from "./signing";
import { log } from "../log/logger";
import { NOT_PUBLIC, webhookDispatcher, WebhookTargetRefused } from "./ssrf";
import type { AttemptResult } from "./delivery-queue";

/**
 * One delivery attempt: a signed POST of the event's stored body to the endpoint. Redirects are
 * not followed (undici's request follows none): a 3xx is a failure, since following one would let
 * a receiver send the server to an address the endpoint's URL was never checked for.
 */

/** The whole attempt, connection, headers and body together: a receiver that trickles its answer is cut off. */
const ATTEMPT_TIMEOUT_MS = 10_000;
/** What of a receiver's answer is read (and dropped) so its connection can be kept alive. */
const MAX_RESPONSE_BYTES = 64 * 1024;

interface DeliveryTarget extends SigningSecrets {
  url: string;
}

interface DeliveryMessage {
  /** The event's message_id: the webhook-id header, by which receivers deduplicate. */
  messageId: string;
  /** The event's stored JSON, sent byte for byte (the signature covers exactly these bytes). */
  payload: string;
}

interface AttemptOutcome extends AttemptResult {
  delivered: boolean;
}

/** Why an attempt failed, in the words the delivery log shows. */
function describeFailure(error: unknown, timeoutMs: number | null): string {
  if (timeoutMs !== null) return `no complete answer within ${timeoutMs / 1000} s`;
  // Members read this; what the host resolved to goes to the server's log only (lib/webhooks/ssrf.ts).
  if (error instanceof WebhookTargetRefused) {
    log().info({ detail: error.message }, "[webhooks] refused a delivery's target at connect time");
    return NOT_PUBLIC;
  }
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === "ECONNREFUSED") return "connection refused";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "the host could not be resolved";
  return typeof code === "string" ? `${code}: ${message}` : message;
}

function describeStatus(status: number): string {
  if (status >= 300 && status < 400) return `HTTP ${status}: redirects are not followed`;
  return `HTTP ${status}`;
}

/** Sends `message` to `target` once, signed at `at`; never throws: a failure is an outcome. */
export async function attemptDelivery(
  target: DeliveryTarget,
  message: DeliveryMessage,
  { at = new Date(), timeoutMs = ATTEMPT_TIMEOUT_MS }: { at?: Date; timeoutMs?: number } = {},
): Promise<AttemptOutcome> {
  const signal = AbortSignal.timeout(timeoutMs);
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const response = await request(target.url, {
      method: "POST",
      dispatcher: webhookDispatcher(),
      signal,
      headers: {
        "content-type": "application/json",
        "user-agent": "keyportal-webhooks",
        ...signatureHeaders(message.messageId, message.payload, target, at),
      },
      body: message.payload,
    });
    // The status decides the outcome; the body is read only to free the connection, and a body
    // cut off by the timeout does not undo an answer the receiver already gave.
    await response.body.dump({ limit: MAX_RESPONSE_BYTES, signal }).catch(() => {});
    const status = response.statusCode;
    const delivered = status >= 200 && status < 300;
    return { delivered, statusCode: status, durationMs: elapsed(), error: delivered ? null : describeStatus(status) };
  } catch (error) {
    return {
      delivered: false,
      statusCode: null,
      durationMs: elapsed(),
      error: describeFailure(error, signal.aborted ? timeoutMs : null),
    };
  }
}
