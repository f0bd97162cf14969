import { recordAudit } from "../audit/audit-log";
import { UNSPECIFIED, type AuditContext } from "../audit/audit-actions";
import { publishInvalidation } from "../cache/invalidation";
import { db, Prisma } from "../db/client";
import { isUniqueViolation } from "../db/errors";
import { DomainError } from "../errors/domain-error";
import type { Plan } from "../limits/plans";
import { EXACTLY_ONE, type CreateRouteInput, type RouteMethod, type UpdateRouteInput } from "./route-schemas";

/**
 * Operators' route writes (/api/admin/routes). Every write drops the route cache on every
 * instance (the data API and the gateway read the change at their next call) and is audited in
 * the operator's own log. The reference's sample routes are built in: read-only.
 */

type RouteRow = Prisma.ApiRouteGetPayload<object>;

/** A route as the admin API answers it. */
export function toRouteResponse(row: RouteRow) {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    min_plan: row.minPlan as Plan,
    upstream_url: row.upstreamUrl,
    payload: row.payload === null ? null : (JSON.parse(row.payload) as Record<string, unknown>),
    methods: row.methods.split(",") as RouteMethod[],
    timeout_ms: row.timeoutMs,
    built_in: row.builtIn,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}
export type RouteResponse = ReturnType<typeof toRouteResponse>;

export function listRoutes(): Promise<RouteRow[]> {
  return db().apiRoute.findMany({ orderBy: { id: "asc" } });
}

export function getRoute(id: number): Promise<RouteRow | null> {
  return db().apiRoute.findUnique({ where: { id } });
}

const slugTaken = (slug: string) =>
  new DomainError("route_slug_taken", `A route with the slug "${slug}" already exists; choose another.`);
const builtIn = (id: number) =>
  new DomainError("route_built_in", `Route ${id} is one of the reference's sample routes and cannot be changed.`);

async function routesChanged(
  operatorId: number,
  action: "route.created" | "route.updated" | "route.deleted",
  context: AuditContext,
  details: Record<string, unknown>,
): Promise<void> {
  await publishInvalidation({ kind: "routes" });
  await recordAudit(operatorId, action, context, { details });
}

/**
 * A new route, numbered after the highest id (the number `?id=` names on the data API). Two
 * operators creating at once may pick the same number: the loser tries the next one; a slug
 * already held is a 409.
 */
export async function createRoute(
  operatorId: number,
  input: CreateRouteInput,
  context: AuditContext = UNSPECIFIED,
): Promise<RouteRow> {
  for (let attempt = 0; ; attempt++) {
    const { _max } = await db().apiRoute.aggregate({ _max: { id: true } });
    const id = (_max.id ?? 0) + 1;
    try {
      const row = await db().apiRoute.create({
        data: {
          id,
          slug: input.slug,
          name: input.name,
          description: input.description,
          minPlan: input.min_plan,
          upstreamUrl: input.upstream_url,
          payload: input.payload === null ? null : JSON.stringify(input.payload),
          methods: input.methods.join(","),
          timeoutMs: input.timeout_ms,
        },
      });
      await routesChanged(operatorId, "route.created", context, { after: toRouteResponse(row) });
      return row;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      if (await db().apiRoute.findUnique({ where: { slug: input.slug }, select: { id: true } }))
        throw slugTaken(input.slug);
      if (attempt >= 5) throw error;
    }
  }
}

/** Changes a route; null when there is none with this id. */
export async function updateRoute(
  operatorId: number,
  id: number,
  input: UpdateRouteInput,
  context: AuditContext = UNSPECIFIED,
): Promise<RouteRow | null> {
  const before = await getRoute(id);
  if (!before) return null;
  if (before.builtIn) throw builtIn(id);
  const upstreamUrl = input.upstream_url !== undefined ? input.upstream_url : before.upstreamUrl;
  const payload =
    input.payload !== undefined ? (input.payload === null ? null : JSON.stringify(input.payload)) : before.payload;
  if ((upstreamUrl === null) === (payload === null)) throw new DomainError("invalid_route", EXACTLY_ONE);
  try {
    const { count } = await db().apiRoute.updateMany({
      where: { id, builtIn: false },
      data: {
        ...(input.slug !== undefined ? { slug: input.slug } : {}),
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.min_plan !== undefined ? { minPlan: input.min_plan } : {}),
        ...(input.methods !== undefined ? { methods: input.methods.join(",") } : {}),
        ...(input.timeout_ms !== undefined ? { timeoutMs: input.timeout_ms } : {}),
        upstreamUrl,
        payload,
      },
    });
    if (!count) return null;
  } catch (error) {
    if (isUniqueViolation(error) && input.slug !== undefined) throw slugTaken(input.slug);
    throw error;
  }
  const after = await getRoute(id);
  if (after) {
    await routesChanged(operatorId, "route.updated", context, {
      before: toRouteResponse(before),
      after: toRouteResponse(after),
    });
  }
  return after;
}

/** Deletes a route; false when there is none with this id. Keys limited to it keep the id, which no longer matches. */
export async function deleteRoute(
  operatorId: number,
  id: number,
  context: AuditContext = UNSPECIFIED,
): Promise<boolean> {
  const before = await getRoute(id);
  if (!before) return false;
  if (before.builtIn) throw builtIn(id);
  const { count } = await db().apiRoute.deleteMany({ where: { id, builtIn: false } });
  if (count) await routesChanged(operatorId, "route.deleted", context, { before: toRouteResponse(before) });
  return count > 0;
}
