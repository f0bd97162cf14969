import { deleteRoute, getRoute, toRouteResponse, updateRoute } from "@/lib/data-routes/route-commands";
import { routeIdParamsSchema, updateRouteSchema } from "@/lib/data-routes/route-schemas";
import { notFound } from "@/lib/http/errors";
import { methodNotAllowed, withOperator } from "@/lib/http/handler";
import { apiAuditContext, parseInput, readJson } from "@/lib/http/request";
import { json } from "@/lib/http/respond";

export const GET = withOperator<{ id: string }>(async (_request, { params }) => {
  const { id } = await parseInput(routeIdParamsSchema, params);
  const route = await getRoute(id);
  if (!route) throw notFound("Route not found");
  return json(toRouteResponse(route));
});

/** 200 with the route; 404 unknown, 409 a sample route or a slug taken, 400 if it would lose (or gain a second) target. */
export const PATCH = withOperator<{ id: string }>(async (request, { userId, params }) => {
  const { id } = await parseInput(routeIdParamsSchema, params);
  const changes = await readJson(request, updateRouteSchema);
  const route = await updateRoute(userId, id, changes, apiAuditContext(request, userId));
  if (!route) throw notFound("Route not found");
  return json(toRouteResponse(route));
});

export const DELETE = withOperator<{ id: string }>(async (request, { userId, params }) => {
  const { id } = await parseInput(routeIdParamsSchema, params);
  if (!(await deleteRoute(userId, id, apiAuditContext(request, userId)))) throw notFound("Route not found");
  return json({ success: true, message: "Route deleted; calls to it fail from the next call on" });
});

const notAllowed = methodNotAllowed("GET", "PATCH", "DELETE");
export { notAllowed as POST, notAllowed as PUT };
