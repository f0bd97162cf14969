import { methodNotAllowed, withOrganizationInPath } from "@/lib/http/handler";
import { apiAuditContext, readJson } from "@/lib/http/request";
import { json } from "@/lib/http/respond";
import { createInvitation, listInvitations } from "@/lib/orgs/invitations";
import { createInvitationSchema } from "@/lib/orgs/org-schemas";

type Params = { id: string };

/** The organization's invitations and their status; never their tokens. */
export const GET = withOrganizationInPath<Params>("members.manage", async (_request, { organizationId }) =>
  json({ data: await listInvitations(organizationId) }),
);

/** 201 {id, token, url, role, expires_at}: the token is shown this once, single use, valid seven days. */
export const POST = withOrganizationInPath<Params>("members.manage", async (request, actor) => {
  const input = await readJson(request, createInvitationSchema);
  return json(await createInvitation(actor, input, apiAuditContext(request, actor.userId)), 201);
});

const notAllowed = methodNotAllowed("GET", "POST");
export { notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
