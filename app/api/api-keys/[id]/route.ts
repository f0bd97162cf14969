import { notFound } from "@/lib/http/errors";
import { methodNotAllowed, withOrganization } from "@/lib/http/handler";
import { apiAuditContext, parseInput, readJson } from "@/lib/http/request";
import { json } from "@/lib/http/respond";
import { deleteKey, updateKey } from "@/lib/keys/key-commands";
import { getKey } from "@/lib/keys/key-queries";
import { toKeyResponse } from "@/lib/keys/key-response";
import { keyIdParamsSchema, updateKeySchema } from "@/lib/keys/key-schemas";

export const GET = withOrganization<{ id: string }>("keys.read", async (_request, { organizationId, params }) => {
  const { id } = await parseInput(keyIdParamsSchema, params);
  const key = await getKey(organizationId, id);
  if (!key) throw notFound("API key not found");
  return json(toKeyResponse(key));
});

/**
 * Renames a key and/or changes its environment, routes, read-only flag or IP allow-list: 200 with
 * the key, 404 if it is not the caller's, 409 if another of their keys has the name.
 */
export const PATCH = withOrganization<{ id: string }>(
  "keys.write",
  async (request, { userId, organizationId, params }) => {
    const { id } = await parseInput(keyIdParamsSchema, params);
    const changes = await readJson(request, updateKeySchema);
    const key = await updateKey(organizationId, id, changes, apiAuditContext(request, userId));
    if (!key) throw notFound("API key not found");
    return json(toKeyResponse(key));
  },
);

export const DELETE = withOrganization<{ id: string }>(
  "keys.delete",
  async (request, { userId, organizationId, params }) => {
    const { id } = await parseInput(keyIdParamsSchema, params);
    if (!(await deleteKey(organizationId, id, apiAuditContext(request, userId)))) throw notFound("API key not found");
    return json({ success: true, message: "API key deleted; it stops working immediately" });
  },
);

const notAllowed = methodNotAllowed("GET", "PATCH", "DELETE");
export { notAllowed as POST, notAllowed as PUT };
