import { methodNotAllowed, withOrganizationInPath } from "@/lib/http/handler";
import { apiAuditContext, parseInput, readJson } from "@/lib/http/request";
import { json } from "@/lib/http/respond";
import { changeMemberRole, removeMember } from "@/lib/orgs/members";
import { memberParamsSchema, memberRoleSchema } from "@/lib/orgs/org-schemas";

type Params = { id: string; user_id: string };

/** Changes a member's role (owner or admin; the owner role only by an owner; never the last owner's). */
export const PATCH = withOrganizationInPath<Params>("members.manage", async (request, actor) => {
  const { user_id } = await parseInput(memberParamsSchema, actor.params);
  const { role } = await readJson(request, memberRoleSchema);
  return json(await changeMemberRole(actor, user_id, role, apiAuditContext(request, actor.userId)));
});

/** Removes a member: refused at their next request on every instance; their keys keep working. */
export const DELETE = withOrganizationInPath<Params>("members.manage", async (request, actor) => {
  const { user_id } = await parseInput(memberParamsSchema, actor.params);
  await removeMember(actor, user_id, apiAuditContext(request, actor.userId));
  return json({ success: true, message: "Member removed; the keys they made keep working" });
});

const notAllowed = methodNotAllowed("PATCH", "DELETE");
export { notAllowed as GET, notAllowed as PUT, notAllowed as POST };
