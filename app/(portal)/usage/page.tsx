import type { Metadata } from "next";
import { Suspense } from "react";
import { Pagination } from "@/components/ui/pagination";
import { KEY_CHOICES, UsageFilters } from "@/components/usage/usage-filters";
import { UsageLogTable } from "@/components/usage/usage-log-table";
import { UsageSummary, UsageSummaryLoading } from "@/components/usage/usage-summary";
import { requireOrganization } from "@/lib/auth/current-organization";
import { firstParam, pageParam } from "@/lib/http/request";
import { keyChoices } from "@/lib/keys/key-queries";
import { chartOfSummary, type SummaryRange, usageChart, usageSummaryForAccount } from "@/lib/usage/summary";
import { listUsageLogs } from "@/lib/usage/usage-logs";
import { usageLogQuerySchema } from "@/lib/usage/usage-schemas";

export const metadata: Metadata = { title: "Usage" };

const RANGES = { "24h": 24, "7d": 24 * 7, "30d": 24 * 30, all: null } as const;
type Range = keyof typeof RANGES;
const PER_PAGE = 25;
/** The chart of "All retained": the last 30 days, as its heading says. */
const CHART_ALL_HOURS = 30 * 24;
const RANGE_LABELS = {
  "24h": "last 24 hours",
  "7d": "last 7 days",
  "30d": "last 30 days",
  all: "last 30 days",
} as const;

export default async function UsagePage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { organization: org } = await requireOrganization();
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
  const listed = Promise.all([listUsageLogs(org.id, query), keyChoices(org.id, KEY_CHOICES, keyId)]);
  // Started now, awaited inside the Suspense boundary below, so the log and the key filter render
  // and stream while the summary's reads run. The same function serves GET /api/api-usage-logs/summary.
  const summaryRead = usageSummaryForAccount(org, summaryRange, now);
  // The chart follows the log's filters: its range, key and status. All keys over the summary's
  // own range reuse the summary, which has read those hours already.
  const chartRead =
    keyId === undefined && range === summaryRange
      ? summaryRead.then(chartOfSummary)
      : usageChart(org.id, { hours: hours ?? CHART_ALL_HOURS, keyId }, now);
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

      <UsageFilters choices={choices} filters={filters} />

      <Suspense fallback={<UsageSummaryLoading />}>
        <UsageSummary
          summaryRead={summaryRead}
          chartRead={chartRead}
          account={org}
          rangeLabel={RANGE_LABELS[range]}
          summaryRangeLabel={RANGE_LABELS[summaryRange]}
          filtered={Boolean(keyId || status)}
          status={status}
          now={now}
        />
      </Suspense>

      <UsageLogTable items={items} timeZone={org.timeZone} />
      <Pagination page={query.page} perPage={PER_PAGE} total={total} basePath="/usage" params={filters} />
    </section>
  );
}
