import { listAuditLogs, toAuditResponse } from "@/lib/audit/audit-log";
import { methodNotAllowed, withOrganization } from "@/lib/http/handler";
import { readQuery } from "@/lib/http/request";
import { json } from "@/lib/http/respond";
import { auditLogQuerySchema } from "@/lib/audit/audit-schemas";

/** The caller's audit trail, newest first; ?api_key_id= and ?action= narrow it. */
export const GET = withOrganization("audit.read", async (request, { organizationId }) => {
  const query = await readQuery(request, auditLogQuerySchema);
  const { items, total } = await listAuditLogs(organizationId, query);
  return json({
    data: items.map((row) => toAuditResponse(row)),
    pagination: { page: query.page, per_page: query.per_page, total },
  });
});

const notAllowed = methodNotAllowed("GET");
export { notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
