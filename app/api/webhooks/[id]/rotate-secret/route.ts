import { notFound } from "@/lib/http/errors";
import { methodNotAllowed, withOrganization } from "@/lib/http/handler";
import { parseInput } from "@/lib/http/request";
import { json } from "@/lib/http/respond";
import { rotateWebhookSecret } from "@/lib/webhooks/webhook-endpoints";
import { webhookIdParamsSchema } from "@/lib/webhooks/webhook-schemas";

/** The new secret, shown this once; the old one keeps signing beside it for 24 hours. */
export const POST = withOrganization<{ id: string }>(
  "webhooks.manage",
  async (_request, { organizationId, params }) => {
    const { id } = await parseInput(webhookIdParamsSchema, params);
    const secret = await rotateWebhookSecret(organizationId, id);
    if (!secret) throw notFound("Webhook endpoint not found");
    return json({ id, secret });
  },
);

const notAllowed = methodNotAllowed("POST");
export { notAllowed as GET, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
