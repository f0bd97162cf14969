import { methodNotAllowed, withOrganization } from "@/lib/http/handler";
import { apiAuditContext, readJson } from "@/lib/http/request";
import { json } from "@/lib/http/respond";
import { generatedKeyBody } from "@/lib/keys/key-response";
import { createKey } from "@/lib/keys/key-commands";
import { generateKeySchema } from "@/lib/keys/key-schemas";

export const POST = withOrganization("keys.write", async (request, { userId, organizationId }) => {
  const input = await readJson(request, generateKeySchema);
  const { key, secret } = await createKey(organizationId, input, apiAuditContext(request, userId));
  return json(generatedKeyBody(key, secret), 201);
});

const notAllowed = methodNotAllowed("POST");
export { notAllowed as GET, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
