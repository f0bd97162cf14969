import { forgotPasswordSchema } from "@/lib/auth/auth-schemas";
import { startResetByMail } from "@/lib/auth/password-reset";
import { apiHandler, methodNotAllowed } from "@/lib/http/handler";
import { apiAuditContext, readJson } from "@/lib/http/request";
import { json } from "@/lib/http/respond";

/**
 * "Forgot password?": with SMTP_URL set, mails a reset link to the account with this email. The
 * answer is the same whether or not the account exists (or mail is set up), so it finds no one.
 */
export const POST = apiHandler(async (request) => {
  const { email } = await readJson(request, forgotPasswordSchema);
  // Answered before the lookup and the mail: a known email must not take longer than an unknown one.
  void startResetByMail(email, apiAuditContext(request).ip ?? "unknown");
  return json({ success: true, message: "If an account has this email, a reset link is on its way" });
});

const notAllowed = methodNotAllowed("POST");
export { notAllowed as GET, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
