import { authenticateServiceToken } from "@/lib/auth/service-tokens";
import { verifyCall } from "@/lib/data-api/verify-call";
import { unauthenticated } from "@/lib/http/errors";
import { apiHandler, methodNotAllowed } from "@/lib/http/handler";
import { readJson } from "@/lib/http/request";
import { json } from "@/lib/http/respond";
import { verifyKeySchema } from "@/lib/keys/key-schemas";

/**
 * For services that keep their own edge: 200 with {valid, code, key, ratelimit} for every
 * well-formed call (the service decides what to answer its caller); 401 for a bad service token,
 * 400 for a malformed body.
 */
export const POST = apiHandler(async (request) => {
  const token = await authenticateServiceToken(request.headers.get("authorization"));
  if (!token) throw unauthenticated();
  const input = await readJson(request, verifyKeySchema);
  return json(await verifyCall(input, token.id, request.headers.get("user-agent") ?? ""));
});

const notAllowed = methodNotAllowed("POST");
export { notAllowed as GET, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
