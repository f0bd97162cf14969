import { z } from "zod";
import { WEBHOOK_EVENT_TYPES } from "../events/webhook-events";
import type { DeliveryResponse, WebhookResponse } from "../webhooks/webhook-endpoints";
import {
  createWebhookSchema,
  deliveriesQuerySchema,
  deliveryParamsSchema,
  updateWebhookSchema,
  webhookIdParamsSchema,
} from "../webhooks/webhook-schemas";
import { documents, isoTime, paginationSchema, rowId, successMessageSchema } from "./common-schemas";
import { BEARER, error, invalid, json, jsonBody, tooLarge, unauthenticated, unexpected } from "./operation-parts";
import { operation, type DocumentedOperation } from "./parameter-notes";

/**
 * The "Webhooks" tag: an organization's endpoints, signed with Standard Webhooks (webhook-id,
 * webhook-timestamp, webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">).
 */

const eventType = z.enum(WEBHOOK_EVENT_TYPES);

const webhookSchema = documents<WebhookResponse>()(
  z
    .object({
      id: rowId,
      url: z.string().meta({ format: "uri" }),
      description: z.string().nullable(),
      events: z.array(z.string()).meta({ description: `Event types: ${WEBHOOK_EVENT_TYPES.join(", ")}.` }),
      status: z.enum(["enabled", "disabled"]),
      disabled_reason: z
        .string()
        .nullable()
        .meta({ description: "Why it is disabled: by a member, or after 24 hours of failed deliveries." }),
      created_at: isoTime,
    })
    .meta({ id: "WebhookEndpoint" }),
);

const secretSchema = z
  .string()
  .meta({ description: "whsec_ + base64: the signing secret, shown this once.", pattern: "^whsec_[A-Za-z0-9+/]+=*$" });

const createdWebhookSchema = webhookSchema.extend({ secret: secretSchema }).meta({ id: "CreatedWebhookEndpoint" });

const deliverySchema = documents<DeliveryResponse>()(
  z
    .object({
      id: rowId,
      event_id: z.string().meta({ description: "The webhook-id header: the same on every attempt and redelivery." }),
      event_type: z.string(),
      status: z.enum(["pending", "delivered", "failed"]),
      attempts: z.int().min(0),
      response_status: z.int().nullable().meta({ description: "The last attempt's HTTP status; null: no answer." }),
      duration_ms: z.int().nullable(),
      error: z.string().nullable(),
      created_at: isoTime,
      delivered_at: isoTime.nullable(),
      next_attempt_at: isoTime.nullable().meta({ description: "When a pending delivery is tried next." }),
    })
    .meta({ id: "WebhookDelivery" }),
);

/** What each delivery POSTs to the endpoint (also listed under webhooks in this document). */
export const webhookEventSchema = z
  .object({
    type: eventType,
    timestamp: isoTime,
    data: z.record(z.string(), z.unknown()).meta({
      description:
        "key.* events: { key } with the key's public fields as GET /api/api-keys/{id} answers them (never its secret or digest), plus previous_status, previous_key_id as the event has them.",
    }),
  })
  // Inline, not a component: the generator does not collect components from webhooks.
  .meta({ description: "The body of every delivery." });

const WEBHOOK: WebhookResponse = {
  id: 3,
  url: "https://hooks.example.com/keyportal",
  description: "Incident channel",
  events: ["key.leak_reported", "key.deleted"],
  status: "enabled",
  disabled_reason: null,
  created_at: "2025-01-15T10:30:00.000Z",
};
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const DELIVERY: DeliveryResponse = {
  id: 41,
  event_id: "msg_2b5Yq8x0mXc7GZr1yQ4LkA",
  event_type: "key.leak_reported",
  status: "delivered",
  attempts: 1,
  response_status: 200,
  duration_ms: 84,
  error: null,
  created_at: "2025-01-15T11:00:00.000Z",
  delivered_at: "2025-01-15T11:00:00.084Z",
  next_attempt_at: null,
};

const notFound = error("No such endpoint in the organization.", undefined, "Webhook endpoint not found");
const refused = error(
  "Invalid input, or a url the server must not call (a private, loopback or link-local address).",
  undefined,
  "url is refused: 127.0.0.1 is a loopback address",
);

export const webhookOperations: DocumentedOperation[] = [
  operation({
    method: "get",
    path: "/api/webhooks",
    operationId: "listWebhooks",
    tags: ["Webhooks"],
    summary: "List webhook endpoints",
    description: "Every member sees the organization's endpoints; never their secrets.",
    security: BEARER,
    responses: {
      200: json(z.object({ data: z.array(webhookSchema) }), "The endpoints, oldest first.", { data: [WEBHOOK] }),
      401: unauthenticated,
      ...unexpected,
    },
  }),
  operation({
    method: "post",
    path: "/api/webhooks",
    operationId: "createWebhook",
    tags: ["Webhooks"],
    summary: "Add a webhook endpoint",
    description:
      "Owners and admins. The answer carries the signing secret, shown this once. The url must be http(s) and resolve to public addresses only.",
    security: BEARER,
    request: {
      body: jsonBody(createWebhookSchema, "Where to send which events.", {
        url: WEBHOOK.url,
        events: ["key.leak_reported", "key.deleted"],
        description: "Incident channel",
      }),
    },
    responses: {
      201: json(createdWebhookSchema, "Created; keep the secret.", { ...WEBHOOK, secret: SECRET }),
      400: refused,
      401: unauthenticated,
      413: tooLarge,
      ...unexpected,
    },
  }),
  operation({
    method: "get",
    path: "/api/webhooks/{id}",
    operationId: "getWebhook",
    tags: ["Webhooks"],
    summary: "Get a webhook endpoint",
    security: BEARER,
    request: { params: webhookIdParamsSchema },
    responses: {
      200: json(webhookSchema, "The endpoint.", WEBHOOK),
      400: invalid(webhookIdParamsSchema, { id: "x" }),
      401: unauthenticated,
      404: notFound,
      ...unexpected,
    },
  }),
  operation({
    method: "patch",
    path: "/api/webhooks/{id}",
    operationId: "updateWebhook",
    tags: ["Webhooks"],
    summary: "Change a webhook endpoint",
    description:
      "Owners and admins: any of url, events, description and status (enabled re-enables one that was disabled).",
    security: BEARER,
    request: {
      params: webhookIdParamsSchema,
      body: jsonBody(updateWebhookSchema.meta({ minProperties: 1 }), "At least one field.", { status: "enabled" }),
    },
    responses: {
      200: json(webhookSchema, "The endpoint as changed.", WEBHOOK),
      400: invalid(updateWebhookSchema, {}),
      401: unauthenticated,
      404: notFound,
      413: tooLarge,
      ...unexpected,
    },
  }),
  operation({
    method: "delete",
    path: "/api/webhooks/{id}",
    operationId: "deleteWebhook",
    tags: ["Webhooks"],
    summary: "Delete a webhook endpoint",
    description: "Owners and admins; its pending deliveries are dropped.",
    security: BEARER,
    request: { params: webhookIdParamsSchema },
    responses: {
      200: json(successMessageSchema, "Deleted.", {
        success: true,
        message: "Webhook endpoint deleted; its pending deliveries are dropped",
      }),
      400: invalid(webhookIdParamsSchema, { id: "0" }),
      401: unauthenticated,
      404: notFound,
      ...unexpected,
    },
  }),
  operation({
    method: "post",
    path: "/api/webhooks/{id}/rotate-secret",
    operationId: "rotateWebhookSecret",
    tags: ["Webhooks"],
    summary: "Rotate an endpoint's signing secret",
    description:
      "Owners and admins. The new secret is shown this once; for 24 hours every delivery carries a signature with each secret (space-separated), so receivers can switch without missing one.",
    security: BEARER,
    request: { params: webhookIdParamsSchema },
    responses: {
      200: json(z.object({ id: rowId, secret: secretSchema }), "The new secret.", { id: 3, secret: SECRET }),
      400: invalid(webhookIdParamsSchema, { id: "x" }),
      401: unauthenticated,
      404: notFound,
      409: error("Rotated by someone else meanwhile.", undefined, "The secret was rotated meanwhile; try again."),
      ...unexpected,
    },
  }),
  operation({
    method: "get",
    path: "/api/webhooks/{id}/deliveries",
    operationId: "listWebhookDeliveries",
    tags: ["Webhooks"],
    summary: "List an endpoint's deliveries",
    description: "Newest first: status, attempts, the last answer's status and duration.",
    security: BEARER,
    request: { params: webhookIdParamsSchema, query: deliveriesQuerySchema },
    responses: {
      200: json(z.object({ data: z.array(deliverySchema), pagination: paginationSchema }), "A page of deliveries.", {
        data: [DELIVERY],
        pagination: { page: 1, per_page: 20, total: 1 },
      }),
      400: invalid(deliveriesQuerySchema, { per_page: "500" }),
      401: unauthenticated,
      404: notFound,
      ...unexpected,
    },
  }),
  operation({
    method: "post",
    path: "/api/webhooks/{id}/deliveries/{delivery_id}/redeliver",
    operationId: "redeliverWebhook",
    tags: ["Webhooks"],
    summary: "Send a delivery again",
    description:
      "Owners and admins: queued now with the same webhook-id (receivers deduplicate by it); its 24 hours of retries start again.",
    security: BEARER,
    request: { params: deliveryParamsSchema },
    responses: {
      202: json(deliverySchema, "Queued.", {
        ...DELIVERY,
        status: "pending",
        delivered_at: null,
        next_attempt_at: "2025-01-15T12:00:00.000Z",
      }),
      400: invalid(deliveryParamsSchema, { id: "3", delivery_id: "x" }),
      401: unauthenticated,
      404: error("No such delivery of this endpoint.", undefined, "Delivery not found"),
      ...unexpected,
    },
  }),
];
