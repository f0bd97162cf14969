import type { Metadata } from "next";
import { ConsoleNav } from "@/components/admin/console-nav";
import { DeleteRouteButton } from "@/components/admin/delete-route-button";
import { RouteFormDialog } from "@/components/admin/route-form-dialog";
import { stackedCell } from "@/components/ui/styles";
import { DataTable } from "@/components/ui/table";
import { requireOperator } from "@/lib/auth/current-account";
import { listRoutes, toRouteResponse } from "@/lib/data-routes/route-commands";
import { planLabel } from "@/lib/limits/plans";
import { routeHealth, type RouteHealth } from "@/lib/usage/route-health";

export const metadata: Metadata = { title: "Routes" };

/**
 * Operators only: the routes the keys guard. A payload route answers the data API with its JSON;
 * an upstream route is forwarded to by the gateway. For any other account the page does not
 * exist (404), as the REST API answers 403.
 */
export default async function RoutesPage() {
  await requireOperator();
  const [rows, health] = await Promise.all([listRoutes(), routeHealth()]);
  const routes = rows.map(toRouteResponse);
  return (
    <section aria-labelledby="routes-heading">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 id="routes-heading" className="text-2xl font-semibold">
          Routes
        </h1>
        <RouteFormDialog />
      </div>
      <ConsoleNav current="/admin/routes" />
      <p className="mt-2 max-w-3xl text-sm text-slate-600 dark:text-slate-400">
        What your keys guard. A call to <code>/gw/&lt;slug&gt;/…</code> with a key is checked (status, expiry, routes,
        IP allow-list, plan, hourly limit) and forwarded to the route&apos;s upstream; <code>?id=</code> on the data API
        answers a payload route. Changes apply from the next call, on every server.
      </p>
      <DataTable
        caption="Routes"
        columns={[
          "Id",
          "Slug",
          "Name",
          "Target",
          "Methods",
          "Plan",
          "Timeout",
          "Upstream (24 h)",
          { label: "Actions", srOnly: true },
        ]}
        className="max-sm:block"
        headClassName="max-sm:sr-only"
      >
        <tbody className="max-sm:block">
          {routes.map((route) => (
            <tr
              key={route.id}
              className="border-b border-slate-100 align-top max-sm:block max-sm:py-2 dark:border-slate-900"
            >
              <td data-label="Id" className={`py-2 pr-3 ${stackedCell}`}>
                {route.id}
              </td>
              <td data-label="Slug" className={`pr-3 font-mono ${stackedCell}`}>
                {route.slug}
              </td>
              <td data-label="Name" className={`pr-3 ${stackedCell}`}>
                {route.name}
                {route.built_in && (
                  <span className="ml-2 rounded bg-slate-100 px-1.5 py-0.5 text-xs dark:bg-slate-800">sample</span>
                )}
              </td>
              <td data-label="Target" className={`pr-3 break-all ${stackedCell}`}>
                {route.upstream_url ?? "JSON payload"}
              </td>
              <td data-label="Methods" className={`pr-3 ${stackedCell}`}>
                {route.methods.join(", ")}
              </td>
              <td data-label="Plan" className={`pr-3 ${stackedCell}`}>
                {planLabel(route.min_plan)}
              </td>
              <td data-label="Timeout" className={`pr-3 ${stackedCell}`}>
                {route.timeout_ms.toLocaleString("en-US")} ms
              </td>
              <td data-label="Upstream (24 h)" className={`pr-3 ${stackedCell}`}>
                {route.upstream_url ? describeHealth(health.get(route.slug)) : "—"}
              </td>
              <td className="py-2 max-sm:flex max-sm:justify-end">
                {route.built_in ? (
                  <span className="text-xs text-slate-600 dark:text-slate-400">read-only</span>
                ) : (
                  <div className="flex gap-2">
                    <RouteFormDialog route={route} />
                    <DeleteRouteButton id={route.id} name={route.name} />
                  </div>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </DataTable>
    </section>
  );
}

/** "last 200, p50 12 ms (340 calls)", or that no call went through the gateway today. */
function describeHealth(health: RouteHealth | undefined): string {
  if (!health) return "no calls";
  return `last ${health.last ?? "?"}, p50 ${health.p50Ms} ms (${health.calls.toLocaleString("en-US")} calls)`;
}
