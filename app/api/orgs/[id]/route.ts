import { methodNotAllowed, withOrganizationInPath } from "@/lib/http/handler";
import { apiAuditContext, readJson } from "@/lib/http/request";
import { json } from "@/lib/http/respond";
import { deleteOrganization, renameOrganization } from "@/lib/orgs/members";
import { createOrganizationSchema } from "@/lib/orgs/org-schemas";

type Params = { id: string };

/** Renames the organization (owner or admin): 200 {id, name, role}. */
export const PATCH = withOrganizationInPath<Params>("org.rename", async (request, actor) => {
  const { name } = await readJson(request, createOrganizationSchema);
  return json(await renameOrganization(actor, name, apiAuditContext(request, actor.userId)));
});

/** Deletes a shared organization (owner): its keys stop working at once. The personal one: 409. */
export const DELETE = withOrganizationInPath<Params>("org.delete", async (request, actor) => {
  const revoked = await deleteOrganization(actor, apiAuditContext(request, actor.userId));
  return json({ success: true, message: `Organization deleted; its ${revoked} API key(s) stopped working` });
});

const notAllowed = methodNotAllowed("PATCH", "DELETE");
export { notAllowed as GET, notAllowed as PUT, notAllowed as POST };
