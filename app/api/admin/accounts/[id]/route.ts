import { changeAccountRole, getAdminAccount } from "@/lib/admin/admin-accounts";
import { adminAccountChangesSchema } from "@/lib/admin/admin-schemas";
import { notFound } from "@/lib/http/errors";
import { methodNotAllowed, withOperator } from "@/lib/http/handler";
import { auditContext, parseInput, readJson } from "@/lib/http/request";
import { json } from "@/lib/http/respond";
import { idSchema } from "@/lib/validation/fields";
import { z } from "zod";

const params = z.object({ id: idSchema });

export const GET = withOperator<{ id: string }>(async (_request, auth) => {
  const { id } = await parseInput(params, auth.params);
  const account = await getAdminAccount(id);
  if (!account) throw notFound("Account not found");
  return json(account);
});

/** Operators: promote or demote an account (409 for the last operator), read at its next request. */
export const PATCH = withOperator<{ id: string }>(async (request, auth) => {
  const { id } = await parseInput(params, auth.params);
  const { role } = await readJson(request, adminAccountChangesSchema);
  const account = await changeAccountRole(id, role, auditContext("operator", request.headers, auth.userId));
  if (!account) throw notFound("Account not found");
  return json(account);
});

const notAllowed = methodNotAllowed("GET", "PATCH");
export { notAllowed as POST, notAllowed as PUT, notAllowed as DELETE };
