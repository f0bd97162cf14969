import { methodNotAllowed, withOperator } from "@/lib/http/handler";
import { readQuery } from "@/lib/http/request";
import { json } from "@/lib/http/respond";
import { listAdminOrganizations } from "@/lib/orgs/admin-organizations";
import { adminOrganizationsQuerySchema } from "@/lib/orgs/org-schemas";

/** Operators: every organization, newest first; q matches its name or any member's email or username. */
export const GET = withOperator(async (request) => {
  const query = await readQuery(request, adminOrganizationsQuerySchema);
  const { items, total } = await listAdminOrganizations(query);
  return json({ data: items, pagination: { page: query.page, per_page: query.per_page, total } });
});

const notAllowed = methodNotAllowed("GET");
export { notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
