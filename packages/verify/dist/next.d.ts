import { type GuardOptions } from "./guard.js";
import type { VerifiedKey, Verifier, VerifierOptions } from "./types.js";
export type WithApiKeyOptions = GuardOptions<Request> &
  (
    | VerifierOptions
    | {
        verifier: Verifier;
      }
  );
/** What the wrapped handler receives besides the request: Next's context and the key that called. */
export type ApiKeyContext<Context> = Context & {
  /** Null only for a call `failOpen` let through while the verify endpoint was down. */
  key: VerifiedKey | null;
};
/**
 * Wraps a Next.js route handler (any Web `Request` → `Response` handler): the same checks and
 * answers as `expressMiddleware`; a valid call reaches `handler(request, { ...context, key })`
 * and its response gets the X-RateLimit-* headers.
 */
export declare function withApiKey<Context = unknown>(
  handler: (request: Request, context: ApiKeyContext<Context>) => Response | Promise<Response>,
  options: WithApiKeyOptions,
): (request: Request, context: Omit<Context, "key">) => Promise<Response>;
