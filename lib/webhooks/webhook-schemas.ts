import { z } from "zod";
import { WEBHOOK_EVENT_TYPES } from "../events/webhook-events";
import { body, idSchema, pageQuery } from "../validation/fields";

const url = z
  .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
  .max(2048, "must be at most 2048 characters")
  .refine((value) => !/^[a-z]+:\/\/[^/]*@/i.test(value), "must not contain credentials");

const events = z
  .array(z.enum(WEBHOOK_EVENT_TYPES, { error: `must be among ${WEBHOOK_EVENT_TYPES.join(", ")}` }), {
    error: "must be an array of event types",
  })
  .min(1, "must name at least one event type")
  .max(WEBHOOK_EVENT_TYPES.length)
  .transform((types) => [...new Set(types)]);

const description = z.string().trim().max(200, "must be at most 200 characters");

/** POST /api/webhooks. */
export const createWebhookSchema = body({ url, events, description: description.optional() });
export type CreateWebhookInput = z.infer<typeof createWebhookSchema>;

/** PATCH /api/webhooks/{id}: any of the fields; `status` enabled re-enables one that was disabled. */
export const updateWebhookSchema = body({
  url: url.optional(),
  events: events.optional(),
  description: description.nullable().optional(),
  status: z.enum(["enabled", "disabled"], { error: "must be enabled or disabled" }).optional(),
}).refine(
  (v) => Object.values(v).some((value) => value !== undefined),
  "Request body must change at least one of url, events, description, status",
);
export type UpdateWebhookInput = z.infer<typeof updateWebhookSchema>;

export const webhookIdParamsSchema = z.object({ id: idSchema });
export const deliveryParamsSchema = z.object({ id: idSchema, delivery_id: idSchema });
export const deliveriesQuerySchema = z.object(pageQuery);
