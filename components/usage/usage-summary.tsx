import type { Account } from "@/lib/auth/users";
import type { usageChart, usageSummaryForAccount } from "@/lib/usage/summary";
import { UsageAlerts } from "./usage-alerts";
import { type ChartStatus, UsageChart } from "./usage-chart";

/** Shown while the summary's reads run: the page around it has rendered already. */
export function UsageSummaryLoading() {
  return (
    <div role="status" aria-live="polite" className="mt-6 animate-pulse">
      <span className="sr-only">Loading the chart, the summary and the alerts…</span>
      <div aria-hidden className="h-64 w-full rounded-lg bg-slate-100 dark:bg-slate-900" />
    </div>
  );
}

/**
 * The chart, the summary's figures and the alerts: everything that waits for the summary's reads.
 * It takes the reads as promises, started by the page, and awaits them inside its Suspense boundary.
 */
export async function UsageSummary({
  summaryRead,
  chartRead,
  account,
  rangeLabel,
  summaryRangeLabel,
  filtered,
  status,
  now,
}: {
  summaryRead: ReturnType<typeof usageSummaryForAccount>;
  chartRead: ReturnType<typeof usageChart>;
  account: Pick<Account, "timeZone" | "workStartHour" | "workEndHour">;
  /** The log's range, which the chart follows. */
  rangeLabel: string;
  /** The summary's own range: a day or a week. */
  summaryRangeLabel: string;
  filtered: boolean;
  status: ChartStatus;
  now: Date;
}) {
  const [summary, chart] = await Promise.all([summaryRead, chartRead]);
  return (
    <>
      <div className="mt-6 rounded-lg border border-slate-200 p-4 dark:border-slate-800">
        <h2 className="font-semibold">
          Calls {chart.bucketMs > 3_600_000 ? "per day" : "per hour"}, {rangeLabel}
          {filtered ? " (filtered as the log below)" : ""}
        </h2>
        <UsageChart
          buckets={chart.buckets}
          bucketMs={chart.bucketMs}
          label={rangeLabel}
          timeZone={account.timeZone}
          status={status}
        />
        <p className="mt-3 text-sm text-slate-600 dark:text-slate-400">Summary of all keys, {summaryRangeLabel}:</p>
        <dl className="mt-4 grid grid-cols-2 gap-3 text-sm sm:grid-cols-4">
          <div>
            <dt className="text-slate-600 dark:text-slate-400">Calls</dt>
            <dd className="text-lg font-semibold">{summary.totals.calls}</dd>
          </div>
          <div>
            <dt className="text-slate-600 dark:text-slate-400">Failed</dt>
            <dd className="text-lg font-semibold">{summary.totals.failed}</dd>
          </div>
          <div>
            <dt className="text-slate-600 dark:text-slate-400">Failed authentication</dt>
            <dd className="text-lg font-semibold">{summary.failed_auth_attempts}</dd>
          </div>
          <div>
            <dt className="text-slate-600 dark:text-slate-400">Distinct IPs</dt>
            <dd className="text-lg font-semibold">{summary.distinct_ips}</dd>
          </div>
        </dl>
      </div>

      <UsageAlerts alerts={summary.alerts} account={account} rangeLabel={summaryRangeLabel} now={now} />
    </>
  );
}
