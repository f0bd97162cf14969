import { apiHandler, methodNotAllowed } from "@/lib/http/handler";
import { json } from "@/lib/http/respond";
import { checkReadiness } from "@/lib/health/health";

// Readiness for load balancers: 503 when this instance cannot serve (its database is
// unreachable) or is shutting down; Redis down is "degraded", 200, since the documented fallback serves.
export const GET = apiHandler(async () => {
  const readiness = await checkReadiness();
  return json(readiness, readiness.status === "unavailable" || readiness.status === "draining" ? 503 : 200);
});

const notAllowed = methodNotAllowed("GET");
export { notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
