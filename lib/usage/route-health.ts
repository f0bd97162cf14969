import { db } from "../db/client";
import { DAY_MS } from "../format/time";
import { flushUsage } from "./usage-recorder";

/** How a gateway route's upstream has been answering, from the usage log. */
export interface RouteHealth {
  /** Gateway calls that reached the forwarding step in the window (at most SAMPLE in all). */
  calls: number;
  /** The newest call's upstream status, or its failure (refused, timeout, reset). */
  last: number | string | null;
  /** The median wait for the upstream's response headers, in ms. */
  p50Ms: number | null;
}

/**
 * The newest gateway calls of the last day, at most this many over all routes: the Routes page
 * reads one bounded, index-ordered page of the log, however busy the gateway is.
 */
const SAMPLE = 5_000;

/** The route's slug of a logged gateway path: /gw/{slug} or /gw/{slug}/… */
const slugOf = (path: string) => path.slice(4).split("/")[0];

export async function routeHealth(now = Date.now()): Promise<Map<string, RouteHealth>> {
  await flushUsage();
  const rows = await db().usageLog.findMany({
    where: { createdAt: { gte: new Date(now - DAY_MS) }, path: { startsWith: "/gw/" }, latencyMs: { not: null } },
    select: { path: true, upstreamStatus: true, upstreamError: true, latencyMs: true },
    orderBy: { createdAt: "desc" },
    take: SAMPLE,
  });
  const bySlug = new Map<string, typeof rows>();
  for (const row of rows) {
    const slug = slugOf(row.path);
    const list = bySlug.get(slug);
    if (list) list.push(row);
    else bySlug.set(slug, [row]);
  }
  const health = new Map<string, RouteHealth>();
  for (const [slug, list] of bySlug) {
    const latencies = list.map((row) => row.latencyMs!).sort((a, b) => a - b);
    health.set(slug, {
      calls: list.length,
      last: list[0].upstreamStatus ?? list[0].upstreamError,
      p50Ms: latencies[Math.floor((latencies.length - 1) / 2)],
    });
  }
  return health;
}
