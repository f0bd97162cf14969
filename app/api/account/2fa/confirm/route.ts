import { confirmTwoFactorSchema } from "@/lib/auth/auth-schemas";
import { confirmEnrolment } from "@/lib/auth/two-factor";
import { methodNotAllowed, withBearer } from "@/lib/http/handler";
import { apiAuditContext, readJson } from "@/lib/http/request";
import { json } from "@/lib/http/respond";

/**
 * Confirms enrolment with a code from the new secret: two-factor sign-in is on, and the answer
 * carries ten recovery codes, shown this once (only their digests are kept).
 */
export const POST = withBearer(async (request, auth) => {
  const { code } = await readJson(request, confirmTwoFactorSchema);
  return json(await confirmEnrolment(auth.userId, code, apiAuditContext(request, auth.userId)));
});

const notAllowed = methodNotAllowed("POST");
export { notAllowed as GET, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
