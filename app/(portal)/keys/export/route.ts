import { sessionUserId } from "@/lib/auth/next-auth";
import { unauthenticated } from "@/lib/http/errors";
import { apiHandler } from "@/lib/http/handler";
import { keysCsvResponse } from "@/lib/keys/export-csv";

// The portal's Export CSV: the same file as GET /api/api-keys/export, authenticated by session
// (proxy.ts already sends signed-out visitors to /login).
export const GET = apiHandler(async () => {
  const userId = await sessionUserId();
  if (!userId) throw unauthenticated();
  return keysCsvResponse(userId);
});
