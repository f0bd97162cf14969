import { getConfig } from "@/lib/config/env";
import { ApiError } from "@/lib/http/errors";
import { apiHandler } from "@/lib/http/handler";
import { json } from "@/lib/http/respond";

// A bare route handler returning constant JSON: what Next itself costs per request, for
// npm run bench to print beside the data API. Not found unless BENCH_ROUTES is on.
const body = { success: true, data: { id: 123, name: "Sample route" } };

export const GET = apiHandler(async () => {
  if (!getConfig().benchRoutes) throw new ApiError(404, "Not found");
  return json(body);
});
