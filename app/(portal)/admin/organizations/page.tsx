import type { Metadata } from "next";
import Link from "next/link";
import { ConsoleNav } from "@/components/admin/console-nav";
import { Pagination } from "@/components/ui/pagination";
import { button, field, label, stackedCell } from "@/components/ui/styles";
import { DataTable } from "@/components/ui/table";
import { requireOperator } from "@/lib/auth/current-account";
import { SUBSCRIPTIONS } from "@/lib/auth/users";
import { firstParam, pageParam } from "@/lib/http/request";
import { planLabel, PLANS } from "@/lib/limits/plans";
import { listAdminOrganizations } from "@/lib/orgs/admin-organizations";
import { adminOrganizationsQuerySchema } from "@/lib/orgs/org-schemas";

export const metadata: Metadata = { title: "Organizations" };

const PER_PAGE = 25;

/**
 * Operators only: every organization, found by its name or any member's email or username, and
 * narrowed by plan and subscription (GET /api/admin/organizations's query, as a GET form).
 */
export default async function AdminOrganizationsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requireOperator();
  const raw = await searchParams;
  const given = {
    q: firstParam(raw.q)?.trim() || undefined,
    plan: firstParam(raw.plan),
    subscription: firstParam(raw.subscription),
  };
  // A bad filter falls back to none: this is a page, not an API.
  const parsed = adminOrganizationsQuerySchema.safeParse({ ...given, page: pageParam(raw.page), per_page: PER_PAGE });
  const query = parsed.success ? parsed.data : { page: 1, per_page: PER_PAGE };
  const { items, total } = await listAdminOrganizations(query);
  return (
    <section aria-labelledby="orgs-heading">
      <h1 id="orgs-heading" className="text-2xl font-semibold">
        Organizations
      </h1>
      <ConsoleNav current="/admin/organizations" />
      <form
        role="search"
        aria-label="Organizations"
        className="mt-4 flex flex-wrap items-end gap-3"
        action="/admin/organizations"
      >
        <div className="min-w-0 grow basis-56">
          <label htmlFor="org-q" className={label}>
            Name, member email or username
          </label>
          <input id="org-q" name="q" type="search" defaultValue={query.q ?? ""} className={`${field} w-full`} />
        </div>
        <div>
          <label htmlFor="org-plan" className={label}>
            Plan
          </label>
          <select id="org-plan" name="plan" defaultValue={query.plan ?? ""} className={field}>
            <option value="">Any</option>
            {PLANS.map((plan) => (
              <option key={plan} value={plan}>
                {planLabel(plan)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="org-subscription" className={label}>
            Subscription
          </label>
          <select id="org-subscription" name="subscription" defaultValue={query.subscription ?? ""} className={field}>
            <option value="">Any</option>
            {SUBSCRIPTIONS.map((subscription) => (
              <option key={subscription} value={subscription}>
                {subscription === "inactive" ? "suspended" : subscription}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className={button.primary}>
          Search
        </button>
      </form>
      <p className="mt-4 text-sm text-slate-600 dark:text-slate-400" aria-live="polite">
        {total.toLocaleString("en-US")} organization{total === 1 ? "" : "s"}
      </p>
      <DataTable
        caption="Organizations"
        columns={["Organization", "Owner", "Plan", "Subscription", "Members", "Keys", "Calls (24 h)"]}
        className="max-sm:block"
        headClassName="max-sm:sr-only"
      >
        <tbody className="max-sm:block">
          {items.map((organization) => (
            <tr
              key={organization.id}
              className="border-b border-slate-100 align-top max-sm:block max-sm:py-2 dark:border-slate-900"
            >
              <td data-label="Organization" className={`py-2 pr-3 ${stackedCell}`}>
                <Link
                  href={`/admin/organizations/${organization.id}`}
                  className="font-medium break-all text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300"
                >
                  {organization.name}
                </Link>
                <span className="ml-2 text-xs text-slate-600 dark:text-slate-400">
                  #{organization.id}
                  {organization.personal ? " · personal" : ""}
                </span>
              </td>
              <td data-label="Owner" className={`pr-3 break-all ${stackedCell}`}>
                {organization.owner_email ?? "—"}
              </td>
              <td data-label="Plan" className={`pr-3 ${stackedCell}`}>
                {planLabel(organization.plan)}
                {organization.rate_limit !== null && ` (${organization.rate_limit.toLocaleString("en-US")}/h)`}
              </td>
              <td data-label="Subscription" className={`pr-3 ${stackedCell}`}>
                {organization.subscription === "inactive" ? (
                  <span className="font-medium text-red-700 dark:text-red-300">suspended</span>
                ) : (
                  organization.subscription
                )}
              </td>
              <td data-label="Members" className={`pr-3 ${stackedCell}`}>
                {organization.member_count}
              </td>
              <td data-label="Keys" className={`pr-3 ${stackedCell}`}>
                {organization.key_count}
              </td>
              <td data-label="Calls (24 h)" className={stackedCell}>
                {organization.calls_24h.toLocaleString("en-US")}
              </td>
            </tr>
          ))}
        </tbody>
      </DataTable>
      {items.length === 0 && <p className="mt-4 text-sm">No organization matches.</p>}
      <Pagination
        page={query.page}
        perPage={PER_PAGE}
        total={total}
        basePath="/admin/organizations"
        params={{ q: query.q, plan: query.plan, subscription: query.subscription }}
      />
    </section>
  );
}
