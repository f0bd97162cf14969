import { authenticateServiceToken } from "../auth/service-tokens";
import { unauthenticated } from "../http/errors";
import { apiHandler } from "../http/handler";
import { parseJsonText, readBodyText } from "../http/request";
import { json } from "../http/respond";
import { verifyKeySchema } from "../keys/key-schemas";
import { andThen, type Maybe } from "../runtime/maybe";
import { verifyCall, type VerifyAnswer } from "./verify-call";

export const VERIFY_PATH = "/api/v1/keys/verify";

/**
 * POST /api/v1/keys/verify, for services that keep their own edge: {valid, code, key, ratelimit}
 * for every well-formed call (the service decides what to answer its caller). Throws the 401 for
 * a bad service token and the 400 for a bad body (the caller has read it, refusing one over 64 KB
 * with a 413). One function for the App Router route (verifyHandler) and the production server's
 * fast path (lib/data-api/fast-path.ts), which differ only in how they read the body. At once
 * when everything it needs is in memory, else a promise.
 */
export function answerVerify(
  authorization: string | null,
  userAgent: string | null,
  body: string,
): Maybe<VerifyAnswer> {
  return andThen(authenticateServiceToken(authorization), (token) => {
    if (!token) throw unauthenticated();
    return verifyCall(parseJsonText(body, verifyKeySchema), token.id, userAgent ?? "");
  });
}

export const verifyHandler = apiHandler(async (request) => {
  const body = await readBodyText(request);
  return json(await answerVerify(request.headers.get("authorization"), request.headers.get("user-agent"), body));
});
