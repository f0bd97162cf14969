import { notFound } from "@/lib/http/errors";
import { methodNotAllowed, withOrganization } from "@/lib/http/handler";
import { parseInput } from "@/lib/http/request";
import { json } from "@/lib/http/respond";
import { redeliver } from "@/lib/webhooks/webhook-endpoints";
import { deliveryParamsSchema } from "@/lib/webhooks/webhook-schemas";

/** 202: queued now, with the same webhook-id as before. */
export const POST = withOrganization<{ id: string; delivery_id: string }>(
  "webhooks.manage",
  async (_request, { organizationId, params }) => {
    const { id, delivery_id } = await parseInput(deliveryParamsSchema, params);
    const delivery = await redeliver(organizationId, id, delivery_id);
    if (!delivery) throw notFound("Delivery not found");
    return json(delivery, 202);
  },
);

const notAllowed = methodNotAllowed("POST");
export { notAllowed as GET, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
