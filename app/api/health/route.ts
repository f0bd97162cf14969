import { apiHandler, methodNotAllowed } from "@/lib/http/handler";
import { json } from "@/lib/http/respond";
import { checkHealth } from "@/lib/health/health";

// For load balancers: no authentication, no secrets, 503 naming the part that is down. A
// degraded instance (usage rows waiting for the database) still serves: 200.
export const GET = apiHandler(async () => {
  const health = await checkHealth();
  return json(health, health.status === "unavailable" ? 503 : 200);
});

const notAllowed = methodNotAllowed("GET");
export { notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
