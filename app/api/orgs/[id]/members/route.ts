import { methodNotAllowed, withOrganizationInPath } from "@/lib/http/handler";
import { json } from "@/lib/http/respond";
import { listMembers } from "@/lib/orgs/members";

/** The organization's members with their roles (every member may read them). */
export const GET = withOrganizationInPath<{ id: string }>("members.read", async (_request, { organizationId }) =>
  json({ data: await listMembers(organizationId) }),
);

const notAllowed = methodNotAllowed("GET");
export { notAllowed as PUT, notAllowed as POST, notAllowed as PATCH, notAllowed as DELETE };
