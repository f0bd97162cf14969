import { getOrganizationSettings } from "@/lib/orgs/organizations";
import { notFound } from "@/lib/http/errors";
import { methodNotAllowed, withOrganization } from "@/lib/http/handler";
import { readQuery } from "@/lib/http/request";
import { json } from "@/lib/http/respond";
import { usageSummaryForAccount } from "@/lib/usage/summary";
import { summaryQuerySchema } from "@/lib/usage/usage-schemas";

export const GET = withOrganization("usage.read", async (request, { organizationId }) => {
  const { range } = await readQuery(request, summaryQuerySchema);
  const organization = await getOrganizationSettings(organizationId);
  if (!organization) throw notFound("Organization not found");
  return json(await usageSummaryForAccount(organization, range));
});

const notAllowed = methodNotAllowed("GET");
export { notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
