import { db } from "../db/client";

/** The sample data every fresh install serves; id 123 is open to every plan, as in the reference. */
export const SAMPLE_ROUTES = [
  {
    id: 123,
    name: "Sample route",
    description: "Open to every plan: the route the reference's examples call.",
    minPlan: "free",
    payload: { name: "Sample route", description: "Hello from the data API", items: [1, 2, 3] },
  },
  {
    id: 124,
    name: "Professional route",
    description: "Needs the Professional plan or above.",
    minPlan: "professional",
    payload: { name: "Professional route", description: "Data for Professional and Enterprise plans" },
  },
] as const;

export async function seedSampleRoutes(): Promise<number> {
  let created = 0;
  for (const route of SAMPLE_ROUTES) {
    const existing = await db().apiRoute.findUnique({ where: { id: route.id }, select: { id: true } });
    if (existing) continue;
    await db().apiRoute.create({ data: { ...route, payload: JSON.stringify(route.payload) } });
    created += 1;
  }
  return created;
}

export async function findApiRoute(id: number) {
  const route = await db().apiRoute.findUnique({ where: { id } });
  if (!route) return null;
  return { id: route.id, minPlan: route.minPlan, data: JSON.parse(route.payload) as Record<string, unknown> };
}
