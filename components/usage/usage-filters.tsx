import { button, field } from "@/components/ui/styles";

/**
 * Keys listed in the filter: an account with more gets its newest and a note, because every
 * option is rendered into the page.
 */
export const KEY_CHOICES = 200;

/** One set of filters for the chart and the log below it: a plain GET form, so it works before hydration. */
export function UsageFilters({
  choices,
  filters,
}: {
  choices: { keys: Array<{ id: number; name: string }>; truncated: boolean };
  filters: { key: string | undefined; status: string | undefined; range: string };
}) {
  return (
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
        <select id="filter-range" name="range" defaultValue={filters.range} className={field}>
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
  );
}
