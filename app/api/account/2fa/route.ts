import { disableTwoFactorSchema, startTwoFactorSchema } from "@/lib/auth/auth-schemas";
import { startTwoFactor } from "@/lib/auth/sign-in";
import { disableTwoFactor } from "@/lib/auth/two-factor";
import { methodNotAllowed, withBearer } from "@/lib/http/handler";
import { apiAuditContext, readJson } from "@/lib/http/request";
import { json } from "@/lib/http/respond";

/**
 * Starts two-factor enrolment: the current password (403 when wrong), then a new secret and its
 * otpauth:// URL for an authenticator app. Nothing changes until POST /api/account/2fa/confirm.
 */
export const POST = withBearer(async (request, auth) => {
  const { current_password } = await readJson(request, startTwoFactorSchema);
  const context = apiAuditContext(request, auth.userId);
  return json(await startTwoFactor(auth.userId, current_password, context.ip ?? "unknown"));
});

/** Turns two-factor sign-in off with a TOTP code or a recovery code (403 when wrong, 409 when off). */
export const DELETE = withBearer(async (request, auth) => {
  const { code } = await readJson(request, disableTwoFactorSchema);
  await disableTwoFactor(auth.userId, code, apiAuditContext(request, auth.userId));
  return json({ success: true, message: "Two-factor sign-in is off" });
});

const notAllowed = methodNotAllowed("POST", "DELETE");
export { notAllowed as GET, notAllowed as PUT, notAllowed as PATCH };
