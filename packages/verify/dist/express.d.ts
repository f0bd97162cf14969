import { type GuardOptions } from "./guard.js";
import type { VerifiedKey, Verifier, VerifierOptions } from "./types.js";
/** What the middleware reads of a Node/Express request (Express's `Request` fits). */
export interface NodeRequestLike {
  method?: string;
  headers: Record<string, string | string[] | undefined>;
  socket?: {
    remoteAddress?: string;
  };
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
export declare function expressMiddleware<Req extends NodeRequestLike = NodeRequestLike>(
  verifierOrOptions: Verifier | VerifierOptions,
  guard?: GuardOptions<Req>,
): (req: Req, res: NodeResponseLike, next: (error?: unknown) => void) => void;
