import type { Verifier, VerifierOptions, VerifyInput, VerifyResult } from "./types.js";
/**
 * A client for the portal's verify endpoint. Connections are kept alive between calls: Node's
 * global fetch (undici) pools them per origin by default.
 */
export declare function createVerifier(options: VerifierOptions): Verifier;
/** One check without keeping a verifier (no cache between calls). */
export declare function verifyKey(options: VerifierOptions & VerifyInput): Promise<VerifyResult>;
