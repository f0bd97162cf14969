import { denialFor, rateLimitHeaders, type Denial } from "./denial.js";
import { headerText, routeOf, toVerifier, type GuardOptions } from "./guard.js";
import type { VerifiedKey, Verifier, VerifierOptions } from "./types.js";

/** What the middleware reads of a Node/Express request (Express's `Request` fits). */
export interface NodeRequestLike {
  method?: string;
  headers: Record<string, string | string[] | undefined>;
  socket?: { remoteAddress?: string };
}

/** What the middleware writes to a Node/Express response (Express's `Response` fits). */
export interface NodeResponseLike {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body?: string): unknown;
}

/** The request once the middleware has let it through: `req.apiKey` is the key that called. */
export interface ApiKeyRequest {
  /** Null only for a call `failOpen` let through while the verify endpoint was down. */
  apiKey: VerifiedKey | null;
}

/**
 * Express/Connect middleware: checks the caller's X-API-Key and X-Username with the portal, sets
 * the X-RateLimit-* headers, and either answers the refusal (401, 403, 429, 503 in the portal's
 * envelope) or sets `req.apiKey` and calls `next()`.
 */
export function expressMiddleware<Req extends NodeRequestLike = NodeRequestLike>(
  verifierOrOptions: Verifier | VerifierOptions,
  guard: GuardOptions<Req> = {},
): (req: Req, res: NodeResponseLike, next: (error?: unknown) => void) => void {
  const verifier = toVerifier(verifierOrOptions);
  const refuse = (res: NodeResponseLike, denial: Denial) => {
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
        (req as Req & ApiKeyRequest).apiKey = result.key;
        next();
      })
      .catch(next);
  };
}
