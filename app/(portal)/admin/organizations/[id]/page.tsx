import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PlanControl, SubscriptionControl } from "@/components/admin/console-controls";
import { ConsoleNav } from "@/components/admin/console-nav";
import { stackedCell } from "@/components/ui/styles";
import { DataTable } from "@/components/ui/table";
import { accountEmails } from "@/lib/admin/admin-accounts";
import { getAdminOrganizationDetail, type OutcomeTotals } from "@/lib/admin/organization-detail";
import { AUDIT_ACTION_LABELS } from "@/lib/audit/audit-actions";
import { requireOperator } from "@/lib/auth/current-account";
import { formatDateTime } from "@/lib/format/dates";
import { planLabel, PLANS } from "@/lib/limits/plans";
import { idSchema } from "@/lib/validation/fields";

export const metadata: Metadata = { title: "Organization" };

const ACTORS: Record<string, string> = {
  portal: "portal",
  api: "API",
  reporter: "a reporter",
  operator: "operator",
  "admin-cli": "operator (CLI)",
  system: "the server",
};

function Outcomes({ title, totals }: { title: string; totals: OutcomeTotals }) {
  const rows: Array<[string, number]> = [
    ["Calls", totals.calls],
    ["Successful", totals.ok],
    ["Auth failed", totals.auth_failed],
    ["Rate limited", totals.limited],
    ["Other", totals.other],
  ];
  return (
    <div className="rounded-lg border border-slate-200 p-4 dark:border-slate-800">
      <h3 className="font-medium">{title}</h3>
      <dl className="mt-2 grid grid-cols-2 gap-x-4 gap-y-1 text-sm">
        {rows.map(([name, value]) => (
          <div key={name} className="contents">
            <dt className="text-slate-600 dark:text-slate-400">{name}</dt>
            <dd className="text-right tabular-nums">{value.toLocaleString("en-US")}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

/**
 * Operators only: one organization, with the operator's levers (suspend or restore, plan and
 * Enterprise limit, each confirmed in a dialog naming it), its members, keys (metadata only),
 * usage and newest audit entries, where the operator sees which operator acted.
 */
export default async function AdminOrganizationPage({ params }: { params: Promise<{ id: string }> }) {
  await requireOperator();
  const parsed = idSchema.safeParse((await params).id);
  const organization = parsed.success ? await getAdminOrganizationDetail(parsed.data) : null;
  if (!organization) notFound();
  const actors = await accountEmails(
    organization.audit.flatMap((entry) => (entry.actor_user_id === null ? [] : [entry.actor_user_id])),
  );
  const suspended = organization.subscription === "inactive";
  return (
    <section aria-labelledby="org-heading">
      <p className="text-sm">
        <Link href="/admin/organizations" className="text-indigo-700 hover:underline dark:text-indigo-300">
          ← Organizations
        </Link>
      </p>
      <h1 id="org-heading" className="mt-2 text-2xl font-semibold break-all">
        {organization.name}
      </h1>
      <ConsoleNav current={null} />
      <p className="mt-3 text-sm text-slate-600 dark:text-slate-400">
        #{organization.id} · {organization.personal ? "personal" : "shared"} · owner{" "}
        {organization.owner_email ?? "none"} · created {formatDateTime(organization.created_at)}
      </p>

      <h2 className="mt-6 text-lg font-semibold">Subscription and plan</h2>
      <div className="mt-3 flex flex-wrap items-center gap-3">
        <p className="text-sm" aria-live="polite">
          Subscription:{" "}
          <strong className={suspended ? "text-red-700 dark:text-red-300" : undefined}>
            {suspended ? "suspended" : "active"}
          </strong>{" "}
          · Plan: <strong>{planLabel(organization.plan)}</strong>
          {organization.rate_limit !== null && ` (${organization.rate_limit.toLocaleString("en-US")} calls/hour)`}
        </p>
        <SubscriptionControl id={organization.id} name={organization.name} subscription={organization.subscription} />
      </div>
      <div className="mt-4">
        <PlanControl
          id={organization.id}
          name={organization.name}
          plan={organization.plan}
          rateLimit={organization.rate_limit}
          plans={PLANS.map((plan) => ({ value: plan, label: planLabel(plan) }))}
        />
      </div>

      <h2 className="mt-8 text-lg font-semibold">Usage</h2>
      <div className="mt-3 grid gap-3 sm:grid-cols-2">
        <Outcomes title="Last 24 hours" totals={organization.usage["24h"]} />
        <Outcomes title="Last 7 days" totals={organization.usage["7d"]} />
      </div>

      <h2 className="mt-8 text-lg font-semibold">Members ({organization.member_count})</h2>
      <DataTable
        caption="Members"
        columns={["Email", "Username", "Role", "Joined"]}
        className="max-sm:block"
        headClassName="max-sm:sr-only"
      >
        <tbody className="max-sm:block">
          {organization.members.map((member) => (
            <tr
              key={member.user_id}
              className="border-b border-slate-100 max-sm:block max-sm:py-2 dark:border-slate-900"
            >
              <td data-label="Email" className={`py-2 pr-3 break-all ${stackedCell}`}>
                <Link
                  href={`/admin/accounts?q=${encodeURIComponent(member.email)}`}
                  className="text-indigo-700 hover:underline dark:text-indigo-300"
                >
                  {member.email}
                </Link>
              </td>
              <td data-label="Username" className={`pr-3 break-all ${stackedCell}`}>
                {member.username}
              </td>
              <td data-label="Role" className={`pr-3 ${stackedCell}`}>
                {member.role}
              </td>
              <td data-label="Joined" className={stackedCell}>
                {formatDateTime(member.joined_at)}
              </td>
            </tr>
          ))}
        </tbody>
      </DataTable>

      <h2 className="mt-8 text-lg font-semibold">
        Keys ({organization.key_count}
        {organization.key_count > organization.keys.length ? `, newest ${organization.keys.length} shown` : ""})
      </h2>
      {organization.keys.length === 0 ? (
        <p className="mt-2 text-sm">No keys.</p>
      ) : (
        <DataTable
          caption="Keys"
          columns={["Name", "User", "Status", "Hint", "Created", "Last used"]}
          className="max-sm:block"
          headClassName="max-sm:sr-only"
        >
          <tbody className="max-sm:block">
            {organization.keys.map((key) => (
              <tr key={key.id} className="border-b border-slate-100 max-sm:block max-sm:py-2 dark:border-slate-900">
                <td data-label="Name" className={`py-2 pr-3 break-all ${stackedCell}`}>
                  {key.api_key_name}
                </td>
                <td data-label="User" className={`pr-3 break-all ${stackedCell}`}>
                  {key.user}
                </td>
                <td data-label="Status" className={`pr-3 ${stackedCell}`}>
                  {key.status}
                  {key.status_reason ? ` (${key.status_reason})` : ""}
                </td>
                <td data-label="Hint" className={`pr-3 font-mono ${stackedCell}`}>
                  {key.key_hint}
                </td>
                <td data-label="Created" className={`pr-3 ${stackedCell}`}>
                  {formatDateTime(key.created_at)}
                </td>
                <td data-label="Last used" className={stackedCell}>
                  {formatDateTime(key.last_used_at)}
                </td>
              </tr>
            ))}
          </tbody>
        </DataTable>
      )}

      <h2 className="mt-8 text-lg font-semibold">Recent audit entries</h2>
      <DataTable
        caption="Recent audit entries"
        columns={["When", "What", "Who", "Change"]}
        className="max-sm:block"
        headClassName="max-sm:sr-only"
      >
        <tbody className="max-sm:block">
          {organization.audit.map((entry) => {
            const who =
              entry.actor_user_id === null
                ? null
                : (actors.get(entry.actor_user_id) ?? `account #${entry.actor_user_id}`);
            const details = entry.details as { before?: unknown; after?: unknown };
            return (
              <tr key={entry.id} className="border-b border-slate-100 max-sm:block max-sm:py-2 dark:border-slate-900">
                <td data-label="When" className={`py-2 pr-3 ${stackedCell}`}>
                  {formatDateTime(entry.created_at)}
                </td>
                <td data-label="What" className={`pr-3 ${stackedCell}`}>
                  {AUDIT_ACTION_LABELS[entry.action] ?? entry.action}
                </td>
                <td data-label="Who" className={`pr-3 break-all ${stackedCell}`}>
                  {ACTORS[entry.actor] ?? entry.actor}
                  {who ? `: ${who}` : ""}
                </td>
                <td data-label="Change" className={`break-all ${stackedCell}`}>
                  {"after" in details
                    ? `${JSON.stringify(details.before ?? null)} → ${JSON.stringify(details.after ?? null)}`
                    : ""}
                </td>
              </tr>
            );
          })}
        </tbody>
      </DataTable>
    </section>
  );
}
