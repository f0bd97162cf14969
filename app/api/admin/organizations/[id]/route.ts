import { notFound } from "@/lib/http/errors";
import { methodNotAllowed, withOperator } from "@/lib/http/handler";
import { auditContext, parseInput, readJson } from "@/lib/http/request";
import { json } from "@/lib/http/respond";
import { getAdminOrganizationDetail } from "@/lib/admin/organization-detail";
import { changeAdminOrganization } from "@/lib/orgs/admin-organizations";
import { adminOrganizationChangesSchema } from "@/lib/orgs/org-schemas";
import { idSchema } from "@/lib/validation/fields";
import { z } from "zod";

const params = z.object({ id: idSchema });

/** Operators: the organization with its members, keys' metadata, usage and newest audit entries. */
export const GET = withOperator<{ id: string }>(async (_request, auth) => {
  const { id } = await parseInput(params, auth.params);
  const organization = await getAdminOrganizationDetail(id);
  if (!organization) throw notFound("Organization not found");
  return json(organization);
});

/**
 * Operators: the organization's plan, subscription or Enterprise limit, effective at the data
 * API's next call on every instance, audited on the organization as the operator's.
 */
export const PATCH = withOperator<{ id: string }>(async (request, auth) => {
  const { id } = await parseInput(params, auth.params);
  const changes = await readJson(request, adminOrganizationChangesSchema);
  const organization = await changeAdminOrganization(
    id,
    changes,
    auditContext("operator", request.headers, auth.userId),
  );
  if (!organization) throw notFound("Organization not found");
  return json(organization);
});

const notAllowed = methodNotAllowed("GET", "PATCH");
export { notAllowed as POST, notAllowed as PUT, notAllowed as DELETE };
