import { signOutAccount } from "@/lib/admin/admin-accounts";
import { notFound } from "@/lib/http/errors";
import { methodNotAllowed, withOperator } from "@/lib/http/handler";
import { auditContext, parseInput } from "@/lib/http/request";
import { json } from "@/lib/http/respond";
import { idSchema } from "@/lib/validation/fields";
import { z } from "zod";

const params = z.object({ id: idSchema });

/** Operators: every portal session and REST login of the account ends at its next request. */
export const POST = withOperator<{ id: string }>(async (request, auth) => {
  const { id } = await parseInput(params, auth.params);
  if (!(await signOutAccount(id, auditContext("operator", request.headers, auth.userId)))) {
    throw notFound("Account not found");
  }
  return json({ success: true, message: "Every session of the account has ended" });
});

const notAllowed = methodNotAllowed("POST");
export { notAllowed as GET, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
