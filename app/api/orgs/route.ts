import { methodNotAllowed, withBearer } from "@/lib/http/handler";
import { apiAuditContext, readJson } from "@/lib/http/request";
import { json } from "@/lib/http/respond";
import { createOrganizationSchema } from "@/lib/orgs/org-schemas";
import { createOrganization, listOrganizations } from "@/lib/orgs/organizations";

/** The caller's organizations, the personal one first, each with the caller's role in it. */
export const GET = withBearer(async (_request, { userId }) => json({ data: await listOrganizations(userId) }));

/** 201 {id, name, role: "owner"}: a new organization the caller owns (at most one Free one besides the personal). */
export const POST = withBearer(async (request, { userId }) => {
  const { name } = await readJson(request, createOrganizationSchema);
  const { id, name: created, role } = await createOrganization(userId, name, apiAuditContext(request, userId));
  return json({ id, name: created, role }, 201);
});

const notAllowed = methodNotAllowed("GET", "POST");
export { notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
