import { ApiError } from "@/lib/http/errors";
import { apiHandler, methodNotAllowed } from "@/lib/http/handler";
import { renderMetrics } from "@/lib/metrics/metrics";
import { scrapeAccess } from "@/lib/metrics/scrape-access";

// Read at each scrape, never prerendered.
export const dynamic = "force-dynamic";

/** Prometheus' scrape: the text format, behind METRICS_TOKEN (lib/metrics/scrape-access.ts). */
export const GET = apiHandler(async (request) => {
  const access = scrapeAccess(request.headers.get("authorization"));
  if (access === "disabled") throw new ApiError(404, "Not found");
  if (access === "refused") {
    throw new ApiError(401, "Send Authorization: Bearer <METRICS_TOKEN>", {
      "WWW-Authenticate": 'Bearer realm="metrics"',
    });
  }
  const { contentType, body } = await renderMetrics();
  return new Response(body, { headers: { "Content-Type": contentType, "Cache-Control": "no-store" } });
});

const notAllowed = methodNotAllowed("GET");
export { notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
