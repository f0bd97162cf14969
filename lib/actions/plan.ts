"use server";

import "server-only";
import { revalidatePath } from "next/cache";
import { updateWorkingHours } from "@/lib/orgs/organizations";
import { notFound } from "@/lib/http/errors";
import { organizationAction, portalAuditContext } from "@/lib/http/portal-action";
import { workingHoursSchema } from "@/lib/auth/auth-schemas";

// Thin adapter: the same schema and lib call as PUT /api/account/working-hours.
export async function saveWorkingHoursAction(input: unknown) {
  return organizationAction("org.settings", workingHoursSchema, input, async ({ organizationId }, data) => {
    if (!(await updateWorkingHours(organizationId, data, await portalAuditContext()))) {
      throw notFound("Organization not found");
    }
    revalidatePath("/plan");
    return data;
  });
}
