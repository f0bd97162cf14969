import { resetPasswordSchema } from "@/lib/auth/auth-schemas";
import { resetPassword } from "@/lib/auth/password-reset";
import { apiHandler, methodNotAllowed } from "@/lib/http/handler";
import { apiAuditContext, readJson } from "@/lib/http/request";
import { json } from "@/lib/http/respond";

/**
 * Sets a new password with a reset link's token (one hour, single use; 400 when unknown, used or
 * expired, alike). Every session and REST login of the account ends; two-factor sign-in stays on.
 */
export const POST = apiHandler(async (request) => {
  const { token, new_password } = await readJson(request, resetPasswordSchema);
  await resetPassword(token, new_password, apiAuditContext(request));
  return json({ success: true, message: "Password changed; sign in with the new one" });
});

const notAllowed = methodNotAllowed("POST");
export { notAllowed as GET, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
