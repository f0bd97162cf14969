import type { Verifier, VerifierOptions } from "./types.js";
/** What the middleware and the route wrapper read from a request besides its headers. */
export interface GuardOptions<Req> {
  /** The route id each call is for: a fixed id, or read from the request. Omitted: not checked. */
  route?: string | number | ((request: Req) => string | number | undefined);
  /** The caller's address, checked against the key's IP allow-list. */
  ip?: (request: Req) => string | undefined;
}
export declare const toVerifier: (verifier: Verifier | VerifierOptions) => Verifier;
export declare function routeOf<Req>(guard: GuardOptions<Req>, request: Req): string | number | undefined;
/** A header's value as the data API reads it: trimmed, empty = missing. */
export declare function headerText(value: string | string[] | null | undefined): string | undefined;
