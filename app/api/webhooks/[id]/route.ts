import { notFound } from "@/lib/http/errors";
import { methodNotAllowed, withOrganization } from "@/lib/http/handler";
import { parseInput, readJson } from "@/lib/http/request";
import { json } from "@/lib/http/respond";
import { deleteWebhook, getWebhook, updateWebhook } from "@/lib/webhooks/webhook-endpoints";
import { updateWebhookSchema, webhookIdParamsSchema } from "@/lib/webhooks/webhook-schemas";

const NOT_FOUND = "Webhook endpoint not found";

export const GET = withOrganization<{ id: string }>("webhooks.read", async (_request, { organizationId, params }) => {
  const { id } = await parseInput(webhookIdParamsSchema, params);
  const endpoint = await getWebhook(organizationId, id);
  if (!endpoint) throw notFound(NOT_FOUND);
  return json(endpoint);
});

export const PATCH = withOrganization<{ id: string }>(
  "webhooks.manage",
  async (request, { organizationId, params }) => {
    const { id } = await parseInput(webhookIdParamsSchema, params);
    const changes = await readJson(request, updateWebhookSchema);
    const endpoint = await updateWebhook(organizationId, id, changes);
    if (!endpoint) throw notFound(NOT_FOUND);
    return json(endpoint);
  },
);

export const DELETE = withOrganization<{ id: string }>(
  "webhooks.manage",
  async (_request, { organizationId, params }) => {
    const { id } = await parseInput(webhookIdParamsSchema, params);
    if (!(await deleteWebhook(organizationId, id))) throw notFound(NOT_FOUND);
    return json({ success: true, message: "Webhook endpoint deleted; its pending deliveries are dropped" });
  },
);

const notAllowed = methodNotAllowed("GET", "PATCH", "DELETE");
export { notAllowed as POST, notAllowed as PUT };
