import { notFound } from "@/lib/http/errors";
import { methodNotAllowed, withOrganizationInPath } from "@/lib/http/handler";
import { apiAuditContext, parseInput } from "@/lib/http/request";
import { json } from "@/lib/http/respond";
import { revokeInvitation } from "@/lib/orgs/invitations";
import { invitationParamsSchema } from "@/lib/orgs/org-schemas";

/** Revokes a pending invitation: its link stops working. 200 with the invitation, now "revoked". */
export const DELETE = withOrganizationInPath<{ id: string; invitation_id: string }>(
  "members.manage",
  async (request, actor) => {
    const { invitation_id } = await parseInput(invitationParamsSchema, actor.params);
    const invitation = await revokeInvitation(actor, invitation_id, apiAuditContext(request, actor.userId));
    if (!invitation) throw notFound("Invitation not found");
    return json(invitation);
  },
);

const notAllowed = methodNotAllowed("DELETE");
export { notAllowed as GET, notAllowed as PUT, notAllowed as POST, notAllowed as PATCH };
