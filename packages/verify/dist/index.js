export { createVerifier, verifyKey } from "./verifier.js";
export { expressMiddleware } from "./express.js";
export { withApiKey } from "./next.js";
