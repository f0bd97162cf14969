import { onInvalidation, publishInvalidation } from "../cache/invalidation";
import { db, Prisma } from "../db/client";
import { planAllows } from "../limits/plans";

/** The sample data every fresh install serves; ids 123 and 125 are open to every plan, 123 as in the reference. */
const SAMPLE_ROUTES = [
  {
    id: 123,
    slug: "sample",
    name: "Sample route",
    description: "Open to every plan: the route the reference's examples call.",
    minPlan: "free",
    payload: { name: "Sample route", description: "Hello from the data API", items: [1, 2, 3] },
  },
  {
    id: 124,
    slug: "professional",
    name: "Professional route",
    description: "Needs the Professional plan or above.",
    minPlan: "professional",
    payload: { name: "Professional route", description: "Data for Professional and Enterprise plans" },
  },
  {
    id: 125,
    slug: "status",
    name: "Status route",
    description: "Open to every plan: a second route, so limiting a key to some routes means something on Free.",
    minPlan: "free",
    payload: { name: "Status route", description: "Service status from the data API", healthy: true },
  },
] as const;

export async function seedSampleRoutes(): Promise<number> {
  let created = 0;
  for (const route of SAMPLE_ROUTES) {
    const existing = await db().apiRoute.findUnique({ where: { id: route.id }, select: { id: true } });
    if (existing) continue;
    try {
      await db().apiRoute.create({ data: { ...route, payload: JSON.stringify(route.payload), builtIn: true } });
      created += 1;
    } catch (error) {
      // Another instance starting at the same moment seeded it first.
      if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")) throw error;
    }
  }
  if (created) await publishInvalidation({ kind: "routes" });
  return created;
}

export interface ApiRouteData {
  id: number;
  minPlan: string;
  data: Record<string, unknown>;
}

/**
 * Routes are looked up on every data-API call and change rarely: kept in memory for 10 s, and
 * dropped at once on every instance when a route is written.
 */
const ROUTE_CACHE_MS = 10_000;
// On globalThis: Next's handlers and the production server's fast path share one cache.
const CACHE = Symbol.for("keyportal.routeCache");
const registry = globalThis as unknown as { [CACHE]?: Map<number, { route: ApiRouteData | null; until: number }> };
const cache = (registry[CACHE] ??= new Map());
onInvalidation((message) => {
  if (message.kind === "routes") cache.clear();
});

/** A cached route at once (no promise on the data API's hot path), else its read. */
export function findApiRoute(id: number, now = Date.now()): ApiRouteData | null | Promise<ApiRouteData | null> {
  const hit = cache.get(id);
  if (hit && hit.until > now) return hit.route;
  return readApiRoute(id, now);
}

async function readApiRoute(id: number, now: number): Promise<ApiRouteData | null> {
  const row = await db().apiRoute.findUnique({ where: { id } });
  const route = row && {
    id: row.id,
    minPlan: row.minPlan,
    data: row.payload === null ? {} : (JSON.parse(row.payload) as Record<string, unknown>),
  };
  // Unknown ids are remembered too, but only a bounded number of them.
  if (cache.size >= 10_000) cache.clear();
  cache.set(id, { route, until: now + ROUTE_CACHE_MS });
  return route;
}

/** The routes a key can be limited to in the portal: those the account's plan may read, by id. */
export async function routesForPlan(plan: string): Promise<Array<{ id: number; name: string }>> {
  const rows = await db().apiRoute.findMany({
    select: { id: true, name: true, minPlan: true },
    orderBy: { id: "asc" },
  });
  return rows.filter((row) => planAllows(plan, row.minPlan)).map(({ id, name }) => ({ id, name }));
}
