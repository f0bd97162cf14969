export { createVerifier, verifyKey } from "./verifier.js";
export { expressMiddleware } from "./express.js";
export type { ApiKeyRequest, NodeRequestLike, NodeResponseLike } from "./express.js";
export { withApiKey } from "./next.js";
export type { ApiKeyContext, WithApiKeyOptions } from "./next.js";
export type { GuardOptions } from "./guard.js";
export type { ErrorBody } from "./denial.js";
export type {
  RateLimit,
  VerifiedKey,
  Verifier,
  VerifierOptions,
  VerifyCode,
  VerifyInput,
  VerifyResult,
} from "./types.js";
