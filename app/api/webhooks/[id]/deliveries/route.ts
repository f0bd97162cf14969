import { notFound } from "@/lib/http/errors";
import { methodNotAllowed, withOrganization } from "@/lib/http/handler";
import { parseInput, readQuery } from "@/lib/http/request";
import { json } from "@/lib/http/respond";
import { listDeliveries } from "@/lib/webhooks/webhook-endpoints";
import { deliveriesQuerySchema, webhookIdParamsSchema } from "@/lib/webhooks/webhook-schemas";

export const GET = withOrganization<{ id: string }>("webhooks.read", async (request, { organizationId, params }) => {
  const { id } = await parseInput(webhookIdParamsSchema, params);
  const query = await readQuery(request, deliveriesQuerySchema);
  const deliveries = await listDeliveries(organizationId, id, query);
  if (!deliveries) throw notFound("Webhook endpoint not found");
  return json({
    data: deliveries.data,
    pagination: { page: query.page, per_page: query.per_page, total: deliveries.total },
  });
});

const notAllowed = methodNotAllowed("GET");
export { notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
