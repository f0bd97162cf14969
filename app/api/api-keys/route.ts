import { methodNotAllowed, withOrganization } from "@/lib/http/handler";
import { readQuery } from "@/lib/http/request";
import { json } from "@/lib/http/respond";
import { listKeys } from "@/lib/keys/key-queries";
import { toKeyResponse } from "@/lib/keys/key-response";
import { listKeysQuerySchema } from "@/lib/keys/key-schemas";

export const GET = withOrganization("keys.read", async (request, { organizationId }) => {
  const query = await readQuery(request, listKeysQuerySchema);
  const { items, total } = await listKeys(organizationId, query);
  return json({
    data: items.map((key) => toKeyResponse(key)),
    pagination: { page: query.page, per_page: query.per_page, total },
  });
});

const notAllowed = methodNotAllowed("GET");
export { notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
