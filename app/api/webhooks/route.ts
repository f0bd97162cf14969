import { methodNotAllowed, withOrganization } from "@/lib/http/handler";
import { readJson } from "@/lib/http/request";
import { json } from "@/lib/http/respond";
import { createWebhook, listWebhooks } from "@/lib/webhooks/webhook-endpoints";
import { createWebhookSchema } from "@/lib/webhooks/webhook-schemas";

export const GET = withOrganization("webhooks.read", async (_request, { organizationId }) =>
  json({ data: await listWebhooks(organizationId) }),
);

/** 201 with the signing secret, shown this once. */
export const POST = withOrganization("webhooks.manage", async (request, { organizationId }) => {
  const input = await readJson(request, createWebhookSchema);
  const { endpoint, secret } = await createWebhook(organizationId, input);
  return json({ ...endpoint, secret }, 201);
});

const notAllowed = methodNotAllowed("GET", "POST");
export { notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
