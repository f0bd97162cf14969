import { methodNotAllowed, withOrganization } from "@/lib/http/handler";
import { readQuery } from "@/lib/http/request";
import { json } from "@/lib/http/respond";
import { listUsageLogs } from "@/lib/usage/usage-logs";
import { usageLogQuerySchema } from "@/lib/usage/usage-schemas";

export const GET = withOrganization("usage.read", async (request, { organizationId }) => {
  const query = await readQuery(request, usageLogQuerySchema);
  const { items, total } = await listUsageLogs(organizationId, query);
  return json({ data: items, pagination: { page: query.page, per_page: query.per_page, total } });
});

const notAllowed = methodNotAllowed("GET");
export { notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
