import type { IncomingMessage } from "node:http";

/**
 * A Node request's headers read the way the Fetch API's Headers.get reads them (any case; a
 * repeated header joined with ", "), for code written against that one method: the data API,
 * the gateway and client-IP reading take either.
 */
export function requestHeaders(req: IncomingMessage): { get(name: string): string | null } {
  return {
    get(name: string): string | null {
      const value = req.headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(", ") : (value ?? null);
    },
  };
}
