import { methodNotAllowed, withOrganization } from "@/lib/http/handler";
import { apiAuditContext, readQuery } from "@/lib/http/request";
import { keysCsvResponse } from "@/lib/keys/export-csv";
import { exportKeysQuerySchema } from "@/lib/keys/key-schemas";

export const GET = withOrganization("keys.read", async (request, { userId, organizationId }) =>
  keysCsvResponse(organizationId, {
    filter: await readQuery(request, exportKeysQuerySchema),
    audit: apiAuditContext(request, userId),
  }),
);

const notAllowed = methodNotAllowed("GET");
export { notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
