import { DataTable } from "@/components/ui/table";
import { formatDateTime } from "@/lib/format/dates";
import type { listUsageLogs } from "@/lib/usage/usage-logs";

type UsageLogRow = Awaited<ReturnType<typeof listUsageLogs>>["items"][number];

/** One page of the usage log, newest first, with times in the account's zone. */
export function UsageLogTable({ items, timeZone }: { items: UsageLogRow[]; timeZone: string }) {
  if (items.length === 0)
    return (
      <p className="mt-6 rounded-lg border border-dashed border-slate-300 p-6 text-center text-sm dark:border-slate-700">
        No calls match these filters yet.
      </p>
    );
  return (
    <DataTable
      caption="Usage log, newest first"
      columns={["Time", "Key", "Method", "Path", "Status", "IP"]}
      className="min-w-[40rem]"
    >
      <tbody>
        {items.map((log) => (
          <tr key={log.id} className="border-b border-slate-100 dark:border-slate-900">
            <td className="py-2 pr-3 whitespace-nowrap">{formatDateTime(log.created_at, timeZone)}</td>
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
  );
}
