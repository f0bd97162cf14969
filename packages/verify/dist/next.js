import { denialFor, rateLimitHeaders } from "./denial.js";
import { headerText, routeOf, toVerifier } from "./guard.js";
/** The headers added to an answer; a copy when its headers are immutable (a redirect, a fetched response). */
function withHeaders(response, headers) {
  const entries = Object.entries(headers);
  try {
    for (const [name, value] of entries) response.headers.set(name, value);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    for (const [name, value] of entries) copy.headers.set(name, value);
    return copy;
  }
}
/**
 * Wraps a Next.js route handler (any Web `Request` → `Response` handler): the same checks and
 * answers as `expressMiddleware`; a valid call reaches `handler(request, { ...context, key })`
 * and its response gets the X-RateLimit-* headers.
 */
export function withApiKey(handler, options) {
  const verifier = toVerifier("verifier" in options ? options.verifier : options);
  const refuse = (denial) =>
    new Response(JSON.stringify(denial.body), { status: denial.status, headers: denial.headers });
  return async (request, context) => {
    const apiKey = headerText(request.headers.get("x-api-key"));
    const username = headerText(request.headers.get("x-username"));
    if (!apiKey || !username) return refuse(denialFor(null));
    const route = routeOf(options, request);
    const result = await verifier.verifyKey({
      apiKey,
      username,
      route,
      method: request.method,
      ip: options.ip?.(request),
    });
    if (!result.valid) return refuse(denialFor(result));
    const response = await handler(request, { ...context, key: result.key });
    return withHeaders(response, rateLimitHeaders(result.ratelimit));
  };
}
