"use server";

import "server-only";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { notFound } from "@/lib/http/errors";
import { organizationAction, sensitiveOrganizationAction } from "@/lib/http/portal-action";
import {
  createWebhook,
  deleteWebhook,
  redeliver,
  rotateWebhookSecret,
  sendTestEvent,
  updateWebhook,
} from "@/lib/webhooks/webhook-endpoints";
import { createWebhookSchema } from "@/lib/webhooks/webhook-schemas";

// Thin adapters over the same lib calls, schemas and role checks as app/api/webhooks, on the
// organization the portal shows. Making an endpoint and rotating its secret hand out a secret:
// sudo mode, as generating a key does.

const id = z.number().int().positive();
const WEBHOOKS = "/webhooks";

export async function createWebhookAction(input: unknown) {
  return sensitiveOrganizationAction("webhooks.manage", createWebhookSchema, input, async (actor, data) => {
    const created = await createWebhook(actor.organizationId, data);
    revalidatePath(WEBHOOKS);
    return created;
  });
}

export async function rotateWebhookSecretAction(input: unknown) {
  return sensitiveOrganizationAction("webhooks.manage", z.object({ id }), input, async (actor, { id }) => {
    const secret = await rotateWebhookSecret(actor.organizationId, id);
    if (!secret) throw notFound("Webhook endpoint not found");
    return { secret };
  });
}

export async function setWebhookStatusAction(input: unknown) {
  const schema = z.object({ id, status: z.enum(["enabled", "disabled"]) });
  return organizationAction("webhooks.manage", schema, input, async (actor, { id, status }) => {
    const endpoint = await updateWebhook(actor.organizationId, id, { status });
    if (!endpoint) throw notFound("Webhook endpoint not found");
    revalidatePath(WEBHOOKS);
    return endpoint;
  });
}

export async function deleteWebhookAction(input: unknown) {
  return organizationAction("webhooks.manage", z.object({ id }), input, async (actor, { id }) => {
    if (!(await deleteWebhook(actor.organizationId, id))) throw notFound("Webhook endpoint not found");
    revalidatePath(WEBHOOKS);
    return { id };
  });
}

export async function sendTestEventAction(input: unknown) {
  return organizationAction("webhooks.manage", z.object({ id }), input, async (actor, { id }) => {
    if (!(await sendTestEvent(actor.organizationId, id))) throw notFound("Webhook endpoint not found");
    revalidatePath(WEBHOOKS);
    return { id };
  });
}

export async function redeliverAction(input: unknown) {
  const schema = z.object({ id, deliveryId: id });
  return organizationAction("webhooks.manage", schema, input, async (actor, { id, deliveryId }) => {
    const delivery = await redeliver(actor.organizationId, id, deliveryId);
    if (!delivery) throw notFound("Delivery not found");
    revalidatePath(WEBHOOKS);
    return delivery;
  });
}
