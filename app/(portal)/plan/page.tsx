import type { Metadata } from "next";
import { WorkingHoursForm } from "@/components/plan/working-hours-form";
import { stackedCell } from "@/components/ui/styles";
import { DataTable } from "@/components/ui/table";
import { formatDateTime } from "@/lib/format/dates";
import { requireOrganization } from "@/lib/auth/current-organization";
import { can } from "@/lib/orgs/permissions";
import { countKeys } from "@/lib/keys/key-limit";
import {
  hourlyLimitFor,
  maxKeysFor,
  PLAN_LIMITS,
  planLabel,
  retentionDaysFor,
  ENTERPRISE_DEFAULT_HOURLY_LIMIT,
} from "@/lib/limits/plans";
import { accountRequestsThisHour } from "@/lib/limits/quota";
import { HOUR_MS } from "@/lib/format/time";

export const metadata: Metadata = { title: "Plan" };

const n = (value: number) => value.toLocaleString("en-US");

/** UTC first, then every zone the runtime knows (and the account's own, should it be missing). */
function timeZones(current: string): string[] {
  const zones = ["UTC", ...Intl.supportedValuesOf("timeZone").filter((zone) => zone !== "UTC")];
  return zones.includes(current) ? zones : [current, ...zones];
}

/** A bar for a count against its limit, with the figures as text beside it. */
function Meter({ label, value, max }: { label: string; value: number; max: number }) {
  const share = Math.min(1, value / Math.max(1, max));
  const tone = share >= 1 ? "bg-red-600" : share >= 0.8 ? "bg-amber-500" : "bg-emerald-600";
  return (
    <div
      role="meter"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={max}
      aria-valuenow={Math.min(value, max)}
      aria-valuetext={`${n(value)} of ${n(max)}`}
      className="mt-2 h-2 w-full overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800"
    >
      <div className={`h-full ${tone}`} style={{ width: `${share * 100}%` }} />
    </div>
  );
}

export default async function PlanPage() {
  const { organization: org } = await requireOrganization();
  const [keysUsed, requests] = await Promise.all([countKeys(org.id), accountRequestsThisHour(org.id)]);
  const maxKeys = maxKeysFor(org.plan);
  const hourly = hourlyLimitFor(org.plan, org.rateLimitPerHour);
  const retention = retentionDaysFor(org.plan);
  // The counters' window, as X-RateLimit-Reset reports it: a call stops counting an hour after it
  // was made, and the current window's count is dropped whole at the next hour boundary.
  const now = new Date();
  const resetAt = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS + HOUR_MS);
  const facts: Array<{ term: string; value: string; meter?: { value: number; max: number }; note?: string }> = [
    {
      term: "Plan",
      value: `${planLabel(org.plan)}${org.subscription === "active" ? "" : " (subscription inactive: API calls get 403)"}`,
    },
    {
      term: "API keys",
      value: maxKeys === null ? `${n(keysUsed)} (no limit)` : `${n(keysUsed)} of ${n(maxKeys)}`,
      ...(maxKeys === null ? {} : { meter: { value: keysUsed, max: maxKeys } }),
    },
    {
      term: "Requests this hour",
      value: `${n(requests)} of ${n(hourly)}`,
      meter: { value: requests, max: hourly },
      note: `All keys together, over a sliding hour. The window turns at ${formatDateTime(resetAt, org.timeZone)}.`,
    },
    { term: "Usage log retention", value: retention === null ? "Unlimited" : `${retention} days` },
  ];

  return (
    <section aria-labelledby="plan-heading">
      <h1 id="plan-heading" className="text-2xl font-semibold">
        Plan
      </h1>
      <dl className="mt-6 grid gap-4 sm:grid-cols-2">
        {facts.map(({ term, value, meter, note }) => (
          <div key={term} className="rounded-lg border border-slate-200 p-4 dark:border-slate-800">
            <dt className="text-sm text-slate-600 dark:text-slate-400">{term}</dt>
            <dd className="mt-1 text-lg font-semibold">{value}</dd>
            {meter && (
              <dd>
                <Meter label={term} value={meter.value} max={meter.max} />
              </dd>
            )}
            {note && <dd className="mt-2 text-xs text-slate-600 dark:text-slate-400">{note}</dd>}
          </div>
        ))}
      </dl>

      <h2 className="mt-10 text-lg font-semibold">Plans</h2>
      <DataTable
        caption="API key limits per plan"
        columns={["Plan", "Max API keys", "Rate limit", "Usage log retention"]}
        // Under 640 px each plan stacks as a card (stackedCell), so the page never scrolls sideways.
        className="max-sm:block sm:min-w-[28rem]"
        frameClassName="sm:overflow-x-auto"
        headClassName="max-sm:sr-only"
      >
        <tbody className="max-sm:block">
          {Object.entries(PLAN_LIMITS).map(([plan, limits]) => (
            <tr
              key={plan}
              className="border-b border-slate-100 max-sm:block max-sm:py-3 dark:border-slate-900"
              aria-current={plan === org.plan ? "true" : undefined}
            >
              <th scope="row" className="py-2 pr-3 font-medium max-sm:block max-sm:text-base">
                {limits.label}
                {plan === org.plan ? " (yours)" : ""}
              </th>
              <td data-label="Max API keys" className={`pr-3 ${stackedCell}`}>
                {limits.maxKeys === null ? "Unlimited" : limits.maxKeys}
              </td>
              <td data-label="Rate limit" className={`pr-3 ${stackedCell}`}>
                {limits.requestsPerHour === null
                  ? `Custom (default ${n(ENTERPRISE_DEFAULT_HOURLY_LIMIT)})/hour`
                  : `${n(limits.requestsPerHour)}/hour`}
              </td>
              <td data-label="Usage log retention" className={stackedCell}>
                {limits.retentionDays === null ? "Unlimited" : `${limits.retentionDays} days`}
              </td>
            </tr>
          ))}
        </tbody>
      </DataTable>
      <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
        To change your plan, ask the administrator of this portal.
      </p>

      <h2 className="mt-10 text-lg font-semibold">Working hours</h2>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
        Calls outside these hours raise an off-hours alert on the Usage page.
      </p>
      {/* Owners and admins change them (lib/orgs/permissions.ts: org.settings); others read them. */}
      {can(org.role, "org.settings") ? (
        <WorkingHoursForm
          timeZone={org.timeZone}
          timeZones={timeZones(org.timeZone)}
          start={org.workStartHour}
          end={org.workEndHour}
        />
      ) : (
        <p className="mt-3 text-sm">
          {String(org.workStartHour).padStart(2, "0")}:00–{String(org.workEndHour).padStart(2, "0")}:00 {org.timeZone}.
          Owners and admins of the organization can change them.
        </p>
      )}
    </section>
  );
}
