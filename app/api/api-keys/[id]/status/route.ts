import { notFound } from "@/lib/http/errors";
import { methodNotAllowed, withOrganization } from "@/lib/http/handler";
import { apiAuditContext, parseInput, readJson } from "@/lib/http/request";
import { json } from "@/lib/http/respond";
import { setKeyStatus } from "@/lib/keys/key-commands";
import { toKeyResponse } from "@/lib/keys/key-response";
import { keyIdParamsSchema, keyStatusSchema } from "@/lib/keys/key-schemas";

export const PUT = withOrganization<{ id: string }>(
  "keys.write",
  async (request, { userId, organizationId, params }) => {
    const { id } = await parseInput(keyIdParamsSchema, params);
    const { status } = await readJson(request, keyStatusSchema);
    const key = await setKeyStatus(organizationId, id, status, apiAuditContext(request, userId));
    if (!key) throw notFound("API key not found");
    return json(toKeyResponse(key));
  },
);

const notAllowed = methodNotAllowed("PUT");
export { notAllowed as GET, notAllowed as POST, notAllowed as PATCH, notAllowed as DELETE };
