import { methodNotAllowed, withOrganizationInPath } from "@/lib/http/handler";
import { apiAuditContext } from "@/lib/http/request";
import { json } from "@/lib/http/respond";
import { leaveOrganization } from "@/lib/orgs/members";

/** The caller leaves the organization (any role; not the last owner; not the personal one). */
export const POST = withOrganizationInPath<{ id: string }>("members.read", async (request, actor) => {
  await leaveOrganization(actor, apiAuditContext(request, actor.userId));
  return json({ success: true, message: "You left the organization" });
});

const notAllowed = methodNotAllowed("POST");
export { notAllowed as GET, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
