import { notFound } from "@/lib/http/errors";
import { methodNotAllowed, withOrganization } from "@/lib/http/handler";
import { apiAuditContext, parseInput, readJson } from "@/lib/http/request";
import { json } from "@/lib/http/respond";
import { rotateKey } from "@/lib/keys/key-commands";
import { keyIdParamsSchema, rotateKeySchema } from "@/lib/keys/key-schemas";
import { generatedKeyBody } from "@/lib/keys/key-response";

/**
 * Replaces a key: 201 with the new key (its secret shown this once), the old one working until
 * the end of the grace period; 404 if it is not the caller's, 409 if it was rotated already.
 */
export const POST = withOrganization<{ id: string }>(
  "keys.write",
  async (request, { userId, organizationId, params }) => {
    const { id } = await parseInput(keyIdParamsSchema, params);
    const { grace_period_seconds } = await readJson(request, rotateKeySchema);
    const rotated = await rotateKey(organizationId, id, grace_period_seconds, apiAuditContext(request, userId));
    if (!rotated) throw notFound("API key not found");
    return json(generatedKeyBody(rotated.key, rotated.secret), 201);
  },
);

const notAllowed = methodNotAllowed("POST");
export { notAllowed as GET, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
