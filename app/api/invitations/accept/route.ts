import { methodNotAllowed, withBearer } from "@/lib/http/handler";
import { apiAuditContext, readJson } from "@/lib/http/request";
import { json } from "@/lib/http/respond";
import { acceptInvitation } from "@/lib/orgs/invitations";
import { acceptInvitationSchema } from "@/lib/orgs/org-schemas";

/** The invitee (their Bearer) joins with the invitation's role: 200 {organization_id, name, role}. */
export const POST = withBearer(async (request, { userId }) => {
  const { token } = await readJson(request, acceptInvitationSchema);
  return json(await acceptInvitation(userId, token, apiAuditContext(request, userId)));
});

const notAllowed = methodNotAllowed("POST");
export { notAllowed as GET, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
