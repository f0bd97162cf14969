"use server";

import "server-only";
import { revalidatePath } from "next/cache";
import { updateWorkingHours } from "@/lib/orgs/organizations";
import { notFound } from "@/lib/http/errors";
import { accountAction, portalAuditContext } from "@/lib/http/portal-action";
import { workingHoursSchema } from "@/lib/auth/auth-schemas";

// Thin adapter: the same schema and lib call as PUT /api/account/working-hours.
export async function saveWorkingHoursAction(input: unknown) {
  return accountAction(workingHoursSchema, input, async (userId, data) => {
    if (!(await updateWorkingHours(userId, data, await portalAuditContext()))) throw notFound("Account not found");
    revalidatePath("/plan");
    return data;
  });
}
