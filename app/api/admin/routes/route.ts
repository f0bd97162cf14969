import { createRoute, listRoutes, toRouteResponse } from "@/lib/data-routes/route-commands";
import { createRouteSchema } from "@/lib/data-routes/route-schemas";
import { methodNotAllowed, withOperator } from "@/lib/http/handler";
import { apiAuditContext, readJson } from "@/lib/http/request";
import { json } from "@/lib/http/respond";

export const GET = withOperator(async () => {
  const routes = await listRoutes();
  return json({ data: routes.map(toRouteResponse) });
});

/** 201 with the route; 409 when its slug is taken. */
export const POST = withOperator(async (request, { userId }) => {
  const input = await readJson(request, createRouteSchema);
  return json(toRouteResponse(await createRoute(userId, input, apiAuditContext(request, userId))), 201);
});

const notAllowed = methodNotAllowed("GET", "POST");
export { notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
