import { denialFor, rateLimitHeaders } from "./denial.js";
import { headerText, routeOf, toVerifier } from "./guard.js";
/**
 * Express/Connect middleware: checks the caller's X-API-Key and X-Username with the portal, sets
 * the X-RateLimit-* headers, and either answers the refusal (401, 403, 429, 503 in the portal's
 * envelope) or sets `req.apiKey` and calls `next()`.
 */
export function expressMiddleware(verifierOrOptions, guard = {}) {
  const verifier = toVerifier(verifierOrOptions);
  const refuse = (res, denial) => {
    res.statusCode = denial.status;
    for (const [name, value] of Object.entries(denial.headers)) res.setHeader(name, value);
    res.end(JSON.stringify(denial.body));
  };
  return (req, res, next) => {
    const apiKey = headerText(req.headers["x-api-key"]);
    const username = headerText(req.headers["x-username"]);
    if (!apiKey || !username) return refuse(res, denialFor(null));
    const ip = guard.ip ? guard.ip(req) : req.socket?.remoteAddress;
    verifier
      .verifyKey({ apiKey, username, route: routeOf(guard, req), method: req.method, ip })
      .then((result) => {
        if (!result.valid) return refuse(res, denialFor(result));
        for (const [name, value] of Object.entries(rateLimitHeaders(result.ratelimit))) res.setHeader(name, value);
        req.apiKey = result.key;
        next();
      })
      .catch(next);
  };
}
