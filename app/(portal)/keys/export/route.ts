import { chosenOrganization } from "@/lib/auth/current-organization";
import { sessionUserId } from "@/lib/auth/next-auth";
import { forbidden, unauthenticated } from "@/lib/http/errors";
import { apiHandler } from "@/lib/http/handler";
import { auditContext, readQuery } from "@/lib/http/request";
import { keysCsvResponse } from "@/lib/keys/export-csv";
import { exportKeysQuerySchema } from "@/lib/keys/key-schemas";
import { resolveOrganization } from "@/lib/orgs/organizations";
import { can } from "@/lib/orgs/permissions";

// The portal's Export CSV: the same file as GET /api/api-keys/export, authenticated by session
// (proxy.ts already sends signed-out visitors to /login), of the organization the portal shows.
// With the list's current search and status filter, and a byte order mark for Excel.
export const GET = apiHandler(async (request) => {
  const userId = await sessionUserId();
  if (!userId) throw unauthenticated();
  const { id, role } = await resolveOrganization(userId, await chosenOrganization());
  if (!can(role, "keys.read")) throw forbidden();
  return keysCsvResponse(id, {
    filter: await readQuery(request, exportKeysQuerySchema),
    bom: true,
    audit: auditContext("portal", request.headers, userId),
  });
});
