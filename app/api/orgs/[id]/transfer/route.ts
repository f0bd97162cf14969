import { methodNotAllowed, withOrganizationInPath } from "@/lib/http/handler";
import { apiAuditContext, readJson } from "@/lib/http/request";
import { json } from "@/lib/http/respond";
import { transferOrganization } from "@/lib/orgs/members";
import { transferSchema } from "@/lib/orgs/org-schemas";

/** Owner only: the member named becomes an owner and the caller an admin. 200 with the members. */
export const POST = withOrganizationInPath<{ id: string }>("org.transfer", async (request, actor) => {
  const { user_id } = await readJson(request, transferSchema);
  return json({ data: await transferOrganization(actor, user_id, apiAuditContext(request, actor.userId)) });
});

const notAllowed = methodNotAllowed("POST");
export { notAllowed as GET, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
