import { sessionUserId } from "@/lib/auth/next-auth";
import { unauthenticated } from "@/lib/http/errors";
import { apiHandler } from "@/lib/http/handler";
import { auditContext, readQuery } from "@/lib/http/request";
import { keysCsvResponse } from "@/lib/keys/export-csv";
import { exportKeysQuerySchema } from "@/lib/keys/key-schemas";

// The portal's Export CSV: the same file as GET /api/api-keys/export, authenticated by session
// (proxy.ts already sends signed-out visitors to /login).
// With the list's current search and status filter, and a byte order mark for Excel.
export const GET = apiHandler(async (request) => {
  const userId = await sessionUserId();
  if (!userId) throw unauthenticated();
  return keysCsvResponse(userId, {
    filter: await readQuery(request, exportKeysQuerySchema),
    bom: true,
    audit: auditContext("portal", request.headers),
  });
});
