import { changePasswordSchema } from "@/lib/auth/auth-schemas";
import { changePassword } from "@/lib/auth/password-change";
import { methodNotAllowed, withBearer } from "@/lib/http/handler";
import { apiAuditContext, readJson } from "@/lib/http/request";
import { json } from "@/lib/http/respond";

/**
 * Changes the password: the current one is required (403 when wrong, counted against the sign-in
 * limits). Every portal session and every other REST login ends; this token and its refresh
 * token go on.
 */
export const PUT = withBearer(async (request, auth) => {
  const input = await readJson(request, changePasswordSchema);
  await changePassword(auth.userId, input, auth.familyId, apiAuditContext(request, auth.userId));
  return json({ success: true, message: "Password changed; every other session has ended" });
});

const notAllowed = methodNotAllowed("PUT");
export { notAllowed as GET, notAllowed as POST, notAllowed as PATCH, notAllowed as DELETE };
