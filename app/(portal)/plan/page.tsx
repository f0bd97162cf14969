import type { Metadata } from "next";
import { WorkingHoursForm } from "@/components/plan/working-hours-form";
import { requireAccount } from "@/lib/auth/portal-session";
import { countKeys } from "@/lib/keys/keys";
import {
  hourlyLimitFor,
  maxKeysFor,
  PLAN_LIMITS,
  planLabel,
  retentionDaysFor,
  ENTERPRISE_DEFAULT_HOURLY_LIMIT,
} from "@/lib/limits/plans";
import { accountRequestsThisHour } from "@/lib/limits/quota";

export const metadata: Metadata = { title: "Plan" };

const n = (value: number) => value.toLocaleString("en-US");

export default async function PlanPage() {
  const account = await requireAccount();
  const [keysUsed, requests] = await Promise.all([countKeys(account.id), accountRequestsThisHour(account.id)]);
  const maxKeys = maxKeysFor(account.plan);
  const hourly = hourlyLimitFor(account.plan, account.rateLimitPerHour);
  const retention = retentionDaysFor(account.plan);
  const facts = [
    [
      "Plan",
      `${planLabel(account.plan)}${account.subscription === "active" ? "" : " (subscription inactive: API calls get 403)"}`,
    ],
    ["API keys", maxKeys === null ? `${n(keysUsed)} (no limit)` : `${n(keysUsed)} of ${n(maxKeys)}`],
    ["Requests this hour", `${n(requests)} of ${n(hourly)} (all keys together, sliding hour)`],
    ["Usage log retention", retention === null ? "Unlimited" : `${retention} days`],
  ];

  return (
    <section aria-labelledby="plan-heading">
      <h1 id="plan-heading" className="text-2xl font-semibold">
        Plan
      </h1>
      <dl className="mt-6 grid gap-4 sm:grid-cols-2">
        {facts.map(([term, value]) => (
          <div key={term} className="rounded-lg border border-slate-200 p-4 dark:border-slate-800">
            <dt className="text-sm text-slate-600 dark:text-slate-400">{term}</dt>
            <dd className="mt-1 text-lg font-semibold">{value}</dd>
          </div>
        ))}
      </dl>

      <h2 className="mt-10 text-lg font-semibold">Plans</h2>
      <div className="relative mt-2 overflow-x-auto">
        <table className="w-full min-w-[28rem] text-left text-sm">
          <caption className="sr-only">API key limits per plan</caption>
          <thead className="border-b border-slate-200 dark:border-slate-800">
            <tr>
              <th scope="col" className="py-2 pr-3">
                Plan
              </th>
              <th scope="col" className="pr-3">
                Max API keys
              </th>
              <th scope="col" className="pr-3">
                Rate limit
              </th>
              <th scope="col">Usage log retention</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(PLAN_LIMITS).map(([plan, limits]) => (
              <tr
                key={plan}
                className="border-b border-slate-100 dark:border-slate-900"
                aria-current={plan === account.plan ? "true" : undefined}
              >
                <th scope="row" className="py-2 pr-3 font-medium">
                  {limits.label}
                  {plan === account.plan ? " (yours)" : ""}
                </th>
                <td className="pr-3">{limits.maxKeys === null ? "Unlimited" : limits.maxKeys}</td>
                <td className="pr-3">
                  {limits.requestsPerHour === null
                    ? `Custom (default ${n(ENTERPRISE_DEFAULT_HOURLY_LIMIT)})/hour`
                    : `${n(limits.requestsPerHour)}/hour`}
                </td>
                <td>{limits.retentionDays === null ? "Unlimited" : `${limits.retentionDays} days`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
        Plans are changed by an administrator:{" "}
        <code className="font-mono">npm run admin -- set-plan &lt;email&gt; &lt;plan&gt;</code>.
      </p>

      <h2 className="mt-10 text-lg font-semibold">Working hours</h2>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
        Calls outside these hours raise an off-hours alert on the Usage page.
      </p>
      <WorkingHoursForm timeZone={account.timeZone} start={account.workStartHour} end={account.workEndHour} />
    </section>
  );
}
