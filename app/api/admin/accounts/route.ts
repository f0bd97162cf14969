import { listAdminAccounts } from "@/lib/admin/admin-accounts";
import { adminAccountsQuerySchema } from "@/lib/admin/admin-schemas";
import { methodNotAllowed, withOperator } from "@/lib/http/handler";
import { readQuery } from "@/lib/http/request";
import { json } from "@/lib/http/respond";

/** Operators: every account, newest first; q matches its email or username. */
export const GET = withOperator(async (request) => {
  const query = await readQuery(request, adminAccountsQuerySchema);
  const { items, total } = await listAdminAccounts(query);
  return json({ data: items, pagination: { page: query.page, per_page: query.per_page, total } });
});

const notAllowed = methodNotAllowed("GET");
export { notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
