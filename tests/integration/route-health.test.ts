import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { routeHealth } from "@/lib/usage/route-health";

/** The Routes page's upstream health: the newest outcome and the median wait of the last day's gateway calls. */
describe("route health", () => {
  it("per slug: the newest call's status or failure, the median latency, and the count; older and non-gateway rows left out", async () => {
    const now = Date.now();
    const row = (
      path: string,
      ago: number,
      latencyMs: number | null,
      upstreamStatus: number | null,
      upstreamError: string | null = null,
    ) => ({
      path,
      method: "GET",
      statusCode: upstreamStatus ?? 502,
      ip: "203.0.113.1",
      userAgent: "test",
      createdAt: new Date(now - ago),
      latencyMs,
      upstreamStatus,
      upstreamError,
    });
    await db().usageLog.createMany({
      data: [
        row("/gw/health-a/x", 5_000, 10, 200),
        row("/gw/health-a", 4_000, 30, 200),
        row("/gw/health-a/y?z=1", 3_000, 20, 503),
        row("/gw/health-b/x", 2_000, 2_000, null, "timeout"),
        row("/gw/health-c/x", 2 * 86_400_000, 5, 200),
        row("/api/api-routes-data?id=123", 1_000, null, null),
      ],
    });
    const health = await routeHealth(now);
    expect(health.get("health-a")).toEqual({ calls: 3, last: 503, p50Ms: 20 });
    expect(health.get("health-b")).toEqual({ calls: 1, last: "timeout", p50Ms: 2_000 });
    expect(health.has("health-c")).toBe(false);
  });
});
