"use server";

import "server-only";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { createRoute, deleteRoute, toRouteResponse, updateRoute } from "@/lib/data-routes/route-commands";
import { createRouteSchema, updateRouteSchema } from "@/lib/data-routes/route-schemas";
import { notFound } from "@/lib/http/errors";
import { operatorAction, portalAuditContext } from "@/lib/http/portal-action";
import { idSchema } from "@/lib/validation/fields";

// Thin adapters: the same schemas and lib calls as /api/admin/routes.
const routeId = z.object({ id: z.coerce.string().pipe(idSchema) });

export async function createRouteAction(input: unknown) {
  return operatorAction(createRouteSchema, input, async (userId, data) => {
    const route = await createRoute(userId, data, await portalAuditContext());
    revalidatePath("/admin/routes");
    return toRouteResponse(route);
  });
}

/** `id` comes from the page's own list; a forged one is as unknown as a deleted route. */
export async function updateRouteAction(id: number, input: unknown) {
  return operatorAction(updateRouteSchema, input, async (userId, changes) => {
    const known = routeId.safeParse({ id });
    const route = known.success ? await updateRoute(userId, known.data.id, changes, await portalAuditContext()) : null;
    if (!route) throw notFound("This route no longer exists.");
    revalidatePath("/admin/routes");
    return toRouteResponse(route);
  });
}

export async function deleteRouteAction(id: number) {
  return operatorAction(routeId, { id }, async (userId, { id: routeIdValue }) => {
    if (!(await deleteRoute(userId, routeIdValue, await portalAuditContext())))
      throw notFound("This route no longer exists.");
    revalidatePath("/admin/routes");
    return { id: routeIdValue };
  });
}
