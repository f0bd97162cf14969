import { onInvalidation, publishInvalidation } from "../cache/invalidation";
import { db } from "../db/client";
import { isUniqueViolation } from "../db/errors";
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
      if (!isUniqueViolation(error)) throw error;
    }
  }
  if (created) await publishInvalidation({ kind: "routes" });
  return created;
}

export interface ApiRouteData {
  id: number;
  slug: string;
  minPlan: string;
  /** A payload route's JSON object ({} for an upstream route). */
  data: Record<string, unknown>;
  /** An upstream route's http(s) base URL; null for a payload route. */
  upstreamUrl: string | null;
  /** The methods the gateway passes on, upper case. */
  methods: readonly string[];
  /** How long the gateway waits for the upstream's response headers. */
  timeoutMs: number;
}

/**
 * Routes are looked up on every data-API and gateway call and change rarely: kept in memory for
 * 10 s, by id and by slug, and dropped at once on every instance when a route is written.
 */
const ROUTE_CACHE_MS = 10_000;
/** Unknown ids and slugs are remembered too, but only a bounded number of them. */
const MAX_CACHED = 10_000;
interface Cached {
  route: ApiRouteData | null;
  until: number;
}
// On globalThis: Next's handlers and the production server's fast path share one cache.
const CACHE = Symbol.for("keyportal.routeCache");
const SLUG_CACHE = Symbol.for("keyportal.routeSlugCache");
const registry = globalThis as unknown as { [CACHE]?: Map<number, Cached>; [SLUG_CACHE]?: Map<string, Cached> };
const cache = (registry[CACHE] ??= new Map());
const bySlug = (registry[SLUG_CACHE] ??= new Map());
onInvalidation((message) => {
  if (message.kind !== "routes") return;
  cache.clear();
  bySlug.clear();
});

/** A cached route at once (no promise on the data API's hot path), else its read. */
export function findApiRoute(id: number, now = Date.now()): ApiRouteData | null | Promise<ApiRouteData | null> {
  const hit = cache.get(id);
  if (hit && hit.until > now) return hit.route;
  return readApiRoute({ id }, now);
}

/** The gateway's lookup: the route with this slug, cached like findApiRoute. */
export function findApiRouteBySlug(slug: string, now = Date.now()): ApiRouteData | null | Promise<ApiRouteData | null> {
  const hit = bySlug.get(slug);
  if (hit && hit.until > now) return hit.route;
  return readApiRoute({ slug }, now);
}

type RouteRow = NonNullable<Awaited<ReturnType<ReturnType<typeof db>["apiRoute"]["findUnique"]>>>;

function toRouteData(row: RouteRow): ApiRouteData {
  return {
    id: row.id,
    slug: row.slug,
    minPlan: row.minPlan,
    data: row.payload === null ? {} : (JSON.parse(row.payload) as Record<string, unknown>),
    upstreamUrl: row.upstreamUrl,
    methods: row.methods
      .split(",")
      .map((method) => method.trim().toUpperCase())
      .filter(Boolean),
    timeoutMs: row.timeoutMs,
  };
}

async function readApiRoute(where: { id: number } | { slug: string }, now: number): Promise<ApiRouteData | null> {
  const row = await db().apiRoute.findUnique({ where });
  const route = row && toRouteData(row);
  const entry = { route, until: now + ROUTE_CACHE_MS };
  if (cache.size >= MAX_CACHED) cache.clear();
  if (bySlug.size >= MAX_CACHED) bySlug.clear();
  // A route found is cached under both names; an unknown one under the name asked for.
  const id = route?.id ?? ("id" in where ? where.id : null);
  const slug = route?.slug ?? ("slug" in where ? where.slug : null);
  if (id !== null) cache.set(id, entry);
  if (slug !== null) bySlug.set(slug, entry);
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

/** The upstream routes the gateway serves that the account's plan may call, for the Docs page. */
export async function gatewayRoutesForPlan(
  plan: string,
): Promise<Array<{ slug: string; name: string; methods: string[] }>> {
  const rows = await db().apiRoute.findMany({
    where: { upstreamUrl: { not: null } },
    select: { slug: true, name: true, minPlan: true, methods: true },
    orderBy: { id: "asc" },
  });
  return rows
    .filter((row) => planAllows(plan, row.minPlan))
    .map(({ slug, name, methods }) => ({ slug, name, methods: methods.split(",") }));
}
