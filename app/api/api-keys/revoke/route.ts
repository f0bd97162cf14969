import { ApiError } from "@/lib/http/errors";
import { apiHandler, methodNotAllowed } from "@/lib/http/handler";
import { auditContext, readJson } from "@/lib/http/request";
import { json } from "@/lib/http/respond";
import { LEAK_REPORT_MESSAGE, reportLeakedKey } from "@/lib/keys/key-commands";
import { consumeAnonymousQuota } from "@/lib/limits/quota";
import { retryAfterSeconds } from "@/lib/limits/rate-limiter";
import { reportLeakSchema } from "@/lib/keys/key-schemas";

/**
 * Leak response: anyone who finds a key (in a public repository, a paste, a log) posts it here,
 * with no other credential; holding it is the proof. A live key is deactivated at once. The
 * answer is the same 202 whether or not the key existed, so this is no way to test keys; each
 * report spends the reporter's address's budget for failed authentication.
 */
// Every answer takes at least this long: a live key's report does more work (an update, an audit
// row) than a missing key's, and the difference must not tell which it was.
const MIN_ANSWER_MS = 150;

export const POST = apiHandler(async (request) => {
  const started = performance.now();
  const context = auditContext("reporter", request.headers);
  const limit = await consumeAnonymousQuota(context.ip ?? "unknown", Date.now());
  if (!limit.allowed) {
    throw new ApiError(429, "Too many requests from this address; retry later", {
      "Retry-After": retryAfterSeconds(limit),
    });
  }
  const { api_key } = await readJson(request, reportLeakSchema);
  await reportLeakedKey(api_key, context);
  const left = MIN_ANSWER_MS - (performance.now() - started);
  if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  return json({ success: true, message: LEAK_REPORT_MESSAGE }, 202);
});

const notAllowed = methodNotAllowed("POST");
export { notAllowed as GET, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
