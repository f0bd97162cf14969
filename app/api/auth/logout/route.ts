import { revokeRefreshFamily } from "@/lib/auth/refresh-tokens";
import { apiHandler, methodNotAllowed } from "@/lib/http/handler";
import { apiAuditContext, readJson } from "@/lib/http/request";
import { json } from "@/lib/http/respond";
import { refreshSchema } from "@/lib/auth/auth-schemas";

// Ends a REST login: the refresh token's whole family is revoked, and with it every access
// token issued to that login. Holding the refresh token is the proof; the answer is the same
// whether or not it was known, so the endpoint tells nothing about tokens.
export const POST = apiHandler(async (request) => {
  const { refresh_token } = await readJson(request, refreshSchema);
  await revokeRefreshFamily(refresh_token, apiAuditContext(request).ip);
  return json({ success: true, message: "Signed out" });
});

const notAllowed = methodNotAllowed("POST");
export { notAllowed as GET, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
