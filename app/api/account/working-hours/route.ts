import { updateWorkingHours } from "@/lib/orgs/organizations";
import { notFound } from "@/lib/http/errors";
import { methodNotAllowed, withOrganization } from "@/lib/http/handler";
import { apiAuditContext, readJson } from "@/lib/http/request";
import { json } from "@/lib/http/respond";
import { workingHoursSchema } from "@/lib/auth/auth-schemas";

// Sets the working hours the off-hours alert uses: {time_zone, work_start_hour, work_end_hour}.
export const PUT = withOrganization("org.settings", async (request, { userId, organizationId }) => {
  const input = await readJson(request, workingHoursSchema);
  const account = await updateWorkingHours(organizationId, input, apiAuditContext(request, userId));
  if (!account) throw notFound("Organization not found");
  return json({
    time_zone: account.timeZone,
    work_start_hour: account.workStartHour,
    work_end_hour: account.workEndHour,
  });
});

const notAllowed = methodNotAllowed("PUT");
export { notAllowed as GET, notAllowed as POST, notAllowed as PATCH, notAllowed as DELETE };
