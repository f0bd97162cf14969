import { apiHandler, methodNotAllowed } from "@/lib/http/handler";
import { json } from "@/lib/http/respond";
import { openApiDocument } from "@/lib/openapi/document";

// Public and the same for everyone until the next deploy: unlike account data (json's no-store
// default), caches may keep it for a few minutes.
export const GET = apiHandler(async () => json(openApiDocument(), 200, { "Cache-Control": "public, max-age=300" }));

const notAllowed = methodNotAllowed("GET");
export { notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
