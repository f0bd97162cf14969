import { batchWriter } from "../db/batch-write";
import { db } from "../db/client";
import { outboxStatements } from "../events/webhook-events";
import { DomainError } from "../errors/domain-error";
import { DAY_MS } from "../format/time";
import { log } from "../log/logger";
import { generateWebhookSecret } from "./signing";
import { checkWebhookTarget } from "./ssrf";
import type { CreateWebhookInput, UpdateWebhookInput } from "./webhook-schemas";

/**
 * An organization's webhook endpoints: every function takes the organization and puts it in the
 * `where`. The signing secret is returned once, by createWebhook (and rotateWebhookSecret for the
 * new one); reads never select it.
 */

const endpointFields = {
  id: true,
  url: true,
  description: true,
  events: true,
  status: true,
  disabledReason: true,
  createdAt: true,
} as const;

interface EndpointRow {
  id: number;
  url: string;
  description: string | null;
  events: string;
  status: string;
  disabledReason: string | null;
  createdAt: Date;
}

/** The public shape of an endpoint (no secret). */
function toWebhookResponse(row: EndpointRow) {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: JSON.parse(row.events) as string[],
    status: row.status as "enabled" | "disabled",
    disabled_reason: row.disabledReason,
    created_at: row.createdAt.toISOString(),
  };
}
export type WebhookResponse = ReturnType<typeof toWebhookResponse>;

/** Refuses a URL the server must not call (lib/webhooks/ssrf.ts), as the 400 the caller can act on. */
async function assertCallable(url: string): Promise<void> {
  const target = await checkWebhookTarget(url);
  if (target.ok) return;
  if (target.detail) log().info({ detail: target.detail }, "[webhooks] refused an endpoint URL");
  throw new DomainError("webhook_target_refused", `url is refused: ${target.reason}`);
}

export async function createWebhook(
  ownerId: number,
  input: CreateWebhookInput,
): Promise<{ endpoint: WebhookResponse; secret: string }> {
  await assertCallable(input.url);
  const secret = generateWebhookSecret();
  const row = await db().webhookEndpoint.create({
    data: {
      ownerId,
      url: input.url,
      description: input.description || null,
      events: JSON.stringify(input.events),
      secret,
    },
    select: endpointFields,
  });
  return { endpoint: toWebhookResponse(row), secret };
}

export async function listWebhooks(ownerId: number): Promise<WebhookResponse[]> {
  const rows = await db().webhookEndpoint.findMany({
    where: { ownerId },
    select: endpointFields,
    orderBy: { id: "asc" },
  });
  return rows.map(toWebhookResponse);
}

export async function getWebhook(ownerId: number, id: number): Promise<WebhookResponse | null> {
  const row = await db().webhookEndpoint.findFirst({ where: { id, ownerId }, select: endpointFields });
  return row && toWebhookResponse(row);
}

/** Null: not the organization's. Re-enabling clears the reason it was disabled for. */
export async function updateWebhook(
  ownerId: number,
  id: number,
  input: UpdateWebhookInput,
): Promise<WebhookResponse | null> {
  if (input.url !== undefined) await assertCallable(input.url);
  const { count } = await db().webhookEndpoint.updateMany({
    where: { id, ownerId },
    data: {
      ...(input.url !== undefined && { url: input.url }),
      ...(input.events !== undefined && { events: JSON.stringify(input.events) }),
      ...(input.description !== undefined && { description: input.description || null }),
      ...(input.status !== undefined && {
        status: input.status,
        disabledReason: input.status === "disabled" ? "disabled by a member" : null,
      }),
    },
  });
  return count ? getWebhook(ownerId, id) : null;
}

/** Its pending deliveries go with it. */
export async function deleteWebhook(ownerId: number, id: number): Promise<boolean> {
  const { count } = await db().webhookEndpoint.deleteMany({ where: { id, ownerId } });
  return count > 0;
}

/** Rotation overlap: the old secret keeps signing (beside the new one) this long. */
const PREVIOUS_SECRET_MS = DAY_MS;

/** A new secret, returned once; the old one signs too for PREVIOUS_SECRET_MS. Null: not theirs. */
export async function rotateWebhookSecret(ownerId: number, id: number, now = new Date()): Promise<string | null> {
  const row = await db().webhookEndpoint.findFirst({ where: { id, ownerId }, select: { secret: true } });
  if (!row) return null;
  const secret = generateWebhookSecret();
  const { count } = await db().webhookEndpoint.updateMany({
    // Only from the secret read above: of two rotations at once, one wins and the other is told.
    where: { id, ownerId, secret: row.secret },
    data: { secret, previousSecret: row.secret, previousSecretUntil: new Date(now.getTime() + PREVIOUS_SECRET_MS) },
  });
  if (!count) throw new DomainError("webhook_rotated_concurrently", "The secret was rotated meanwhile; try again.");
  return secret;
}

const deliveryFields = {
  id: true,
  status: true,
  attempts: true,
  nextAttemptAt: true,
  lastStatusCode: true,
  lastDurationMs: true,
  lastError: true,
  deliveredAt: true,
  createdAt: true,
  event: { select: { messageId: true, type: true } },
} as const;

interface DeliveryRow {
  id: number;
  status: string;
  attempts: number;
  nextAttemptAt: Date;
  lastStatusCode: number | null;
  lastDurationMs: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
  createdAt: Date;
  event: { messageId: string; type: string };
}

function toDeliveryResponse(row: DeliveryRow) {
  return {
    id: row.id,
    event_id: row.event.messageId,
    event_type: row.event.type,
    status: row.status as "pending" | "delivered" | "failed",
    attempts: row.attempts,
    response_status: row.lastStatusCode,
    duration_ms: row.lastDurationMs,
    error: row.lastError,
    created_at: row.createdAt.toISOString(),
    delivered_at: row.deliveredAt?.toISOString() ?? null,
    next_attempt_at: row.status === "pending" ? row.nextAttemptAt.toISOString() : null,
  };
}
export type DeliveryResponse = ReturnType<typeof toDeliveryResponse>;

/** Whether the endpoint is the organization's. */
async function ownsEndpoint(ownerId: number, endpointId: number): Promise<boolean> {
  return (await db().webhookEndpoint.count({ where: { id: endpointId, ownerId } })) > 0;
}

/** An endpoint's deliveries, newest first; null when the endpoint is not the organization's. */
export async function listDeliveries(
  ownerId: number,
  endpointId: number,
  { page, per_page }: { page: number; per_page: number },
): Promise<{ data: DeliveryResponse[]; total: number } | null> {
  if (!(await ownsEndpoint(ownerId, endpointId))) return null;
  const where = { endpointId, endpoint: { ownerId } };
  const [rows, total] = await Promise.all([
    db().webhookDelivery.findMany({
      where,
      select: deliveryFields,
      orderBy: { id: "desc" },
      skip: (page - 1) * per_page,
      take: per_page,
    }),
    db().webhookDelivery.count({ where }),
  ]);
  return { data: rows.map(toDeliveryResponse), total };
}

/**
 * Sends a delivery again (delivered, failed or still retrying): queued now, with the same
 * webhook-id, so a receiver that deduplicates takes it once, and its 24 hours of retries start
 * again (they count from created_at). Null: not the organization's.
 */
export async function redeliver(
  ownerId: number,
  endpointId: number,
  deliveryId: number,
): Promise<DeliveryResponse | null> {
  const now = new Date();
  const { count } = await db().webhookDelivery.updateMany({
    where: { id: deliveryId, endpointId, endpoint: { ownerId } },
    data: { status: "pending", nextAttemptAt: now, lockedUntil: null, createdAt: now },
  });
  if (!count) return null;
  const row = await db().webhookDelivery.findFirst({
    where: { id: deliveryId, endpointId, endpoint: { ownerId } },
    select: deliveryFields,
  });
  return row && toDeliveryResponse(row);
}

/**
 * Queues a webhook.test event for one endpoint (the portal's Send test event), signed and
 * retried like any other. False: not the organization's endpoint.
 */
export async function sendTestEvent(ownerId: number, endpointId: number): Promise<boolean> {
  if (!(await ownsEndpoint(ownerId, endpointId))) return false;
  const event = { type: "webhook.test" as const, data: { message: "A test event from the key portal." } };
  await batchWriter().write(outboxStatements(ownerId, event, new Date(), endpointId));
  return true;
}
