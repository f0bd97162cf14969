import { apiHandler, methodNotAllowed } from "@/lib/http/handler";
import { json } from "@/lib/http/respond";

// Liveness: the process answers. No dependency is checked: a database or Redis outage is no
// reason to restart the process (readiness, /api/health/ready, says whether it can serve).
export const GET = apiHandler(async () => json({ status: "ok" }));

const notAllowed = methodNotAllowed("GET");
export { notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
