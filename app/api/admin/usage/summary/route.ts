import { adminUsageQuerySchema } from "@/lib/admin/admin-schemas";
import { adminUsageSummary } from "@/lib/admin/usage-overview";
import { methodNotAllowed, withOperator } from "@/lib/http/handler";
import { readQuery } from "@/lib/http/request";
import { json } from "@/lib/http/respond";

/** Operators: calls, errors, top organizations, refused clients and security events across everyone. */
export const GET = withOperator(async (request) => {
  const { range } = await readQuery(request, adminUsageQuerySchema);
  return json(await adminUsageSummary(range));
});

const notAllowed = methodNotAllowed("GET");
export { notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
