import { authenticateServiceToken } from "../auth/service-tokens";
import { unauthenticated } from "../http/errors";
import { apiHandler } from "../http/handler";
import { readJson } from "../http/request";
import { json } from "../http/respond";
import { verifyKeySchema } from "../keys/key-schemas";
import { verifyCall } from "./verify-call";

export const VERIFY_PATH = "/api/v1/keys/verify";

/**
 * POST /api/v1/keys/verify, for services that keep their own edge: 200 with {valid, code, key,
 * ratelimit} for every well-formed call (the service decides what to answer its caller); 401 for
 * a bad service token, 400 for a malformed body. One handler for the App Router route and the
 * production server's fast path (lib/data-api/fast-path.ts), so both answer alike.
 */
export const verifyHandler = apiHandler(async (request) => {
  const token = await authenticateServiceToken(request.headers.get("authorization"));
  if (!token) throw unauthenticated();
  const input = await readJson(request, verifyKeySchema);
  return json(await verifyCall(input, token.id, request.headers.get("user-agent") ?? ""));
});
