import type { Metadata } from "next";
import { Suspense } from "react";
import { type ChartStatus, UsageChart } from "@/components/usage/usage-chart";
import { Pagination } from "@/components/ui/pagination";
import { DataTable } from "@/components/ui/table";
import { button, field } from "@/components/ui/styles";
import { requireAccount } from "@/lib/auth/current-account";
import type { Account } from "@/lib/auth/users";
import { RelativeTime } from "@/components/ui/time";
import { formatDateTime } from "@/lib/format/dates";
import { firstParam, pageParam } from "@/lib/http/request";
import { keyChoices } from "@/lib/keys/keys";
import { chartOfSummary, type SummaryRange, usageChart, usageSummaryForAccount } from "@/lib/usage/summary";
import { listUsageLogs } from "@/lib/usage/usage-logs";
import { usageLogQuerySchema } from "@/lib/usage/usage-schemas";

export const metadata: Metadata = { title: "Usage" };

const RANGES = { "24h": 24, "7d": 24 * 7, "30d": 24 * 30, all: null } as const;
type Range = keyof typeof RANGES;
const PER_PAGE = 25;
const CHART_ALL_HOURS = 30 * 24;
const RANGE_LABELS = {
  "24h": "last 24 hours",
  "7d": "last 7 days",
  "30d": "last 30 days",
  all: "last 30 days",
} as const;
const ISO_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g;
/** Keys listed in the filter: an account with more gets the newest and a note (100,000 options took the page 2.7 s). */
const KEY_CHOICES = 200;
const ALERT_LABELS = {
  new_ip: "New IP",
  off_hours: "Off-hours",
  spike: "Spike",
  failed_auth_burst: "Failed auth",
  leak_reported: "Leak reported",
} as const;

export default async function UsagePage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const account = await requireAccount();
  const raw = await searchParams;
  const requested = firstParam(raw.range);
  const range: Range = requested && Object.hasOwn(RANGES, requested) ? (requested as Range) : "7d";
  // One range for the chart, the summary and the log: the summary covers a day or a week.
  const summaryRange: SummaryRange = range === "24h" ? "24h" : "7d";
  const hours = RANGES[range];
  const now = new Date();
  const parsed = usageLogQuerySchema.safeParse({
    page: pageParam(raw.page),
    per_page: PER_PAGE,
    api_key_id: firstParam(raw.key),
    status: firstParam(raw.status),
    ...(hours ? { from: new Date(now.getTime() - hours * 3_600_000).toISOString() } : {}),
  });
  const query = parsed.success ? parsed.data : { page: 1, per_page: PER_PAGE };
  const keyId = "api_key_id" in query ? query.api_key_id : undefined;
  const status = "status" in query ? query.status : undefined;
  // The log and the key filter first: their reads are small, and sent after the summary's they
  // would wait behind its scans on the reader threads while this thread had nothing to render.
  const listed = Promise.all([listUsageLogs(account.id, query), keyChoices(account.id, KEY_CHOICES, keyId)]);
  // Started now, awaited inside the Suspense boundary below: the log and the key filter render
  // (and stream) while the summary's reads run on the reader threads. Awaited together, the page
  // waited for the summary before rendering anything: on the 1,000,000-row account that was
  // 45-60 ms of reads, then 30-40 ms of rendering, one after the other. The same function
  // GET /api/api-usage-logs/summary serves.
  const summaryRead = usageSummaryForAccount(account, summaryRange, now);
  // The chart follows the log's filters: its range (all retained: the last 30 days), key and status.
  // All keys over the summary's own range: the summary has read those hours already.
  const chartRead =
    keyId === undefined && range === summaryRange
      ? summaryRead.then(chartOfSummary)
      : usageChart(account.id, { hours: hours ?? CHART_ALL_HOURS, keyId }, now);
  // Handled where they are awaited (UsageSummary); this keeps a failure of one from going
  // unhandled while the page waits for the other reads.
  void summaryRead.catch(() => undefined);
  void chartRead.catch(() => undefined);
  const [{ items, total }, choices] = await listed;
  const filters = { key: firstParam(raw.key), status: firstParam(raw.status), range };

  return (
    <section aria-labelledby="usage-heading">
      <h1 id="usage-heading" className="text-2xl font-semibold">
        Usage
      </h1>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
        Every call to the data API made with your keys, good or bad. Watch for failed authentication, unexpected IP
        addresses, off-hours use and spikes.
      </p>

      {/* One set of filters for the chart and the log below it. */}
      <form className="mt-6 flex flex-wrap items-end gap-3" action="/usage">
        <div>
          <label htmlFor="filter-key" className="mb-1 block text-sm font-medium">
            Key
          </label>
          <select
            id="filter-key"
            name="key"
            defaultValue={filters.key ?? ""}
            // A long key name must not widen the page: the select keeps to the screen, the option text is cut.
            className={`${field} w-full max-w-full sm:w-auto sm:max-w-xs`}
          >
            <option value="">All keys</option>
            {choices.keys.map((key) => (
              <option key={key.id} value={key.id}>
                {key.name}
              </option>
            ))}
          </select>
          {choices.truncated && (
            <p className="mt-1 max-w-xs text-xs text-slate-600 dark:text-slate-400">
              Only your {KEY_CHOICES} newest keys are listed here; <code>GET /api/api-usage-logs?api_key_id=…</code>{" "}
              filters by any key.
            </p>
          )}
        </div>
        <div>
          <label htmlFor="filter-status" className="mb-1 block text-sm font-medium">
            Status
          </label>
          <select id="filter-status" name="status" defaultValue={filters.status ?? ""} className={field}>
            <option value="">All</option>
            <option value="success">Successful (2xx)</option>
            <option value="failed">Failed</option>
          </select>
        </div>
        <div>
          <label htmlFor="filter-range" className="mb-1 block text-sm font-medium">
            Time range
          </label>
          <select id="filter-range" name="range" defaultValue={range} className={field}>
            <option value="24h">Last 24 hours</option>
            <option value="7d">Last 7 days</option>
            <option value="30d">Last 30 days</option>
            <option value="all">All retained</option>
          </select>
        </div>
        <button type="submit" className={button.secondary}>
          Apply
        </button>
      </form>

      <Suspense fallback={<SummaryLoading />}>
        <UsageSummary
          summaryRead={summaryRead}
          chartRead={chartRead}
          account={account}
          range={range}
          summaryRange={summaryRange}
          filtered={Boolean(keyId || status)}
          status={status}
          now={now}
        />
      </Suspense>

      {items.length === 0 ? (
        <p className="mt-6 rounded-lg border border-dashed border-slate-300 p-6 text-center text-sm dark:border-slate-700">
          No calls match these filters yet.
        </p>
      ) : (
        <DataTable
          caption="Usage log, newest first"
          columns={["Time", "Key", "Method", "Path", "Status", "IP"]}
          className="min-w-[40rem]"
        >
          <tbody>
            {items.map((log) => (
              <tr key={log.id} className="border-b border-slate-100 dark:border-slate-900">
                <td className="py-2 pr-3 whitespace-nowrap">{formatDateTime(log.created_at, account.timeZone)}</td>
                <td className="max-w-[12rem] truncate pr-3">{log.api_key_name ?? "—"}</td>
                <td className="pr-3 font-mono text-xs">{log.method}</td>
                <td className="max-w-[16rem] truncate pr-3 font-mono text-xs">{log.path}</td>
                <td
                  className={`pr-3 font-mono ${log.status_code >= 200 && log.status_code < 300 ? "text-emerald-700 dark:text-emerald-400" : "text-red-700 dark:text-red-400"}`}
                >
                  {log.status_code}
                </td>
                <td className="font-mono text-xs">{log.ip}</td>
              </tr>
            ))}
          </tbody>
        </DataTable>
      )}
      <Pagination page={query.page} perPage={PER_PAGE} total={total} basePath="/usage" params={filters} />
    </section>
  );
}

/** Shown while the summary's reads run: the page around it has rendered already. */
function SummaryLoading() {
  return (
    <div role="status" aria-live="polite" className="mt-6 animate-pulse">
      <span className="sr-only">Loading the chart, the summary and the alerts…</span>
      <div aria-hidden className="h-64 w-full rounded-lg bg-slate-100 dark:bg-slate-900" />
    </div>
  );
}

/** The chart, the summary's figures and the alerts: everything that waits for the summary's reads. */
async function UsageSummary({
  summaryRead,
  chartRead,
  account,
  range,
  summaryRange,
  filtered,
  status,
  now,
}: {
  summaryRead: ReturnType<typeof usageSummaryForAccount>;
  chartRead: ReturnType<typeof usageChart>;
  account: Account;
  range: Range;
  summaryRange: SummaryRange;
  filtered: boolean;
  status: ChartStatus;
  now: Date;
}) {
  const [summary, chart] = await Promise.all([summaryRead, chartRead]);
  return (
    <>
      <div className="mt-6 rounded-lg border border-slate-200 p-4 dark:border-slate-800">
        <h2 className="font-semibold">
          Calls {chart.bucketMs > 3_600_000 ? "per day" : "per hour"}, {RANGE_LABELS[range]}
          {filtered ? " (filtered as the log below)" : ""}
        </h2>
        <UsageChart
          buckets={chart.buckets}
          bucketMs={chart.bucketMs}
          label={RANGE_LABELS[range]}
          timeZone={account.timeZone}
          status={status}
        />
        <p className="mt-3 text-sm text-slate-600 dark:text-slate-400">
          Summary of all keys, {RANGE_LABELS[summaryRange]}:
        </p>
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

      <section aria-labelledby="alerts-heading" className="mt-6">
        <h2 id="alerts-heading" className="font-semibold">
          Alerts ({summary.alerts.length})
        </h2>
        {summary.alerts.length === 0 ? (
          <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
            Nothing unusual in the {RANGE_LABELS[summaryRange]}: no new IP addresses, off-hours use (outside{" "}
            {String(account.workStartHour).padStart(2, "0")}:00–
            {String(account.workEndHour).padStart(2, "0")}:00 {account.timeZone}), spikes or bursts of failed
            authentication.
          </p>
        ) : (
          <ul className="mt-2 space-y-2">
            {summary.alerts.slice(0, 50).map((alert, i) => (
              <li key={`${alert.type}-${alert.at}-${i}`} className="usage-alert">
                <span className="usage-alert-type">{ALERT_LABELS[alert.type]}</span>
                {/* One time format: the alert's own ISO times in the account's zone. */}
                {alert.message.replace(ISO_TIME, (iso) => formatDateTime(iso, account.timeZone))}{" "}
                <span className="text-xs opacity-80">
                  (<RelativeTime value={alert.at} timeZone={account.timeZone} now={now} />)
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
