"use server";

import "server-only";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { changeAccountRole, signOutAccount } from "@/lib/admin/admin-accounts";
import { adminAccountChangesSchema } from "@/lib/admin/admin-schemas";
import { confirmPassword } from "@/lib/auth/sign-in";
import { notFound } from "@/lib/http/errors";
import { operatorAction, portalAuditContext } from "@/lib/http/portal-action";
import { changeAdminOrganization } from "@/lib/orgs/admin-organizations";
import { adminOrganizationChangesSchema } from "@/lib/orgs/org-schemas";
import { idSchema } from "@/lib/validation/fields";

// The operator console's writes: the same schemas and lib calls as /api/admin/organizations and
// /api/admin/accounts. A suspension, a role change and ending someone's sessions also take the
// acting operator's password (lib/auth/sign-in.ts: confirmPassword), asked for in their dialog.

const id = z.coerce.string().pipe(idSchema);
const password = z
  .string({ error: "Enter your password to confirm" })
  .min(1, "Enter your password to confirm")
  .max(200);

async function reauthenticate(userId: number, given: string) {
  await confirmPassword(userId, given, (await portalAuditContext()).ip ?? "unknown");
}

const organizationChange = z
  .object({ id, changes: adminOrganizationChangesSchema, password: password.optional() })
  .refine((input) => input.changes.subscription !== "inactive" || input.password !== undefined, {
    error: "Enter your password to confirm",
    path: ["password"],
  });

/** Plan, subscription or Enterprise limit of any organization; suspending one asks for the password. */
export async function changeOrganizationAction(input: unknown) {
  return operatorAction(organizationChange, input, async (userId, data) => {
    if (data.changes.subscription === "inactive") await reauthenticate(userId, data.password!);
    const organization = await changeAdminOrganization(data.id, data.changes, {
      ...(await portalAuditContext()),
      actor: "operator",
    });
    if (!organization) throw notFound("This organization no longer exists.");
    revalidatePath(`/admin/organizations/${data.id}`);
    return organization;
  });
}

const roleChange = adminAccountChangesSchema.extend({ id, password });

export async function changeAccountRoleAction(input: unknown) {
  return operatorAction(roleChange, input, async (userId, data) => {
    await reauthenticate(userId, data.password);
    const account = await changeAccountRole(data.id, data.role, { ...(await portalAuditContext()), actor: "operator" });
    if (!account) throw notFound("This account no longer exists.");
    revalidatePath("/admin/accounts");
    return account;
  });
}

export async function signOutAccountAction(input: unknown) {
  return operatorAction(z.object({ id, password }), input, async (userId, data) => {
    await reauthenticate(userId, data.password);
    if (!(await signOutAccount(data.id, { ...(await portalAuditContext()), actor: "operator" }))) {
      throw notFound("This account no longer exists.");
    }
    return { id: data.id };
  });
}
