import type { Metadata } from "next";
import Link from "next/link";
import { ConsoleNav } from "@/components/admin/console-nav";
import { UsageChart } from "@/components/usage/usage-chart";
import { DataTable } from "@/components/ui/table";
import { adminUsageQuerySchema } from "@/lib/admin/admin-schemas";
import { adminUsageSummary } from "@/lib/admin/usage-overview";
import { AUDIT_ACTION_LABELS, type AuditAction } from "@/lib/audit/audit-actions";
import { requireOperator } from "@/lib/auth/current-account";
import { formatDateTime } from "@/lib/format/dates";
import { HOUR_MS } from "@/lib/format/time";
import { firstParam } from "@/lib/http/request";

export const metadata: Metadata = { title: "Console" };

const RANGES = [
  { value: "24h", label: "24 hours" },
  { value: "7d", label: "7 days" },
] as const;

const linkClass = "break-all text-indigo-700 underline underline-offset-2 dark:text-indigo-300";

/**
 * Operators only: usage across every organization (GET /api/admin/usage/summary), from the
 * rollups: calls per hour, error rate, who calls most and who fails authentication most, refused
 * clients by IP, and the newest security events, each linking to its organization.
 */
export default async function ConsolePage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requireOperator();
  const parsed = adminUsageQuerySchema.safeParse({ range: firstParam((await searchParams).range) });
  const range = parsed.success ? parsed.data.range : "24h";
  const summary = await adminUsageSummary(range);
  // Every hour of the range gets a bar, calls or not.
  const byHour = new Map(summary.hourly.map((row) => [Date.parse(row.hour), row]));
  const buckets = [];
  for (let hour = Date.parse(summary.from); hour < Date.parse(summary.to); hour += HOUR_MS) {
    const row = byHour.get(hour) ?? { ok: 0, auth_failed: 0, limited: 0, other: 0 };
    const failed = row.auth_failed + row.limited + row.other;
    buckets.push({
      hour: new Date(hour).toISOString(),
      ok: row.ok,
      failed,
      auth_failed: row.auth_failed,
      limited: row.limited,
      other: row.other,
    });
  }
  const { totals } = summary;
  const rangeLabel = RANGES.find((choice) => choice.value === range)!.label;
  const figures: Array<[string, string]> = [
    ["Calls", totals.calls.toLocaleString("en-US")],
    ["Error rate", `${(totals.error_rate * 100).toFixed(1)}%`],
    ["Auth failed", totals.auth_failed.toLocaleString("en-US")],
    ["Rate limited", totals.limited.toLocaleString("en-US")],
  ];
  return (
    <section aria-labelledby="console-heading">
      <h1 id="console-heading" className="text-2xl font-semibold">
        Operator console
      </h1>
      <ConsoleNav current="/admin" />
      <nav aria-label="Range" className="mt-4 flex gap-2 text-sm">
        {RANGES.map((choice) => (
          <Link
            key={choice.value}
            href={`/admin?range=${choice.value}`}
            aria-current={choice.value === range ? "page" : undefined}
            className={`rounded-md border px-3 py-1.5 ${choice.value === range ? "border-indigo-600 font-medium" : "border-slate-300 dark:border-slate-600"}`}
          >
            {choice.label}
          </Link>
        ))}
      </nav>
      <h2 className="mt-6 text-lg font-semibold">Calls per hour, every organization, last {rangeLabel}</h2>
      <UsageChart buckets={buckets} label={`every organization, last ${rangeLabel}`} />
      <dl className="mt-4 grid grid-cols-2 gap-3 text-sm sm:grid-cols-4">
        {figures.map(([name, value]) => (
          <div key={name} className="rounded-lg border border-slate-200 p-3 dark:border-slate-800">
            <dt className="text-slate-600 dark:text-slate-400">{name}</dt>
            <dd className="text-lg font-semibold tabular-nums">{value}</dd>
          </div>
        ))}
      </dl>

      <div className="mt-8 grid gap-8 lg:grid-cols-2">
        <div>
          <h2 className="text-lg font-semibold">Top organizations by calls</h2>
          <OrganizationTable caption="Top organizations by calls" rows={summary.top_by_calls} />
        </div>
        <div>
          <h2 className="text-lg font-semibold">Top organizations by failed authentication</h2>
          <OrganizationTable caption="Top organizations by failed authentication" rows={summary.top_by_auth_failed} />
        </div>
      </div>

      <h2 className="mt-8 text-lg font-semibold">Refused calls from unknown clients</h2>
      {summary.refused_by_ip.length === 0 ? (
        <p className="mt-2 text-sm">None in the last {rangeLabel}.</p>
      ) : (
        <DataTable caption="Refused calls from unknown clients by IP" columns={["Client (IP or /64)", "Refused calls"]}>
          <tbody>
            {summary.refused_by_ip.map((row) => (
              <tr key={row.ip} className="border-b border-slate-100 dark:border-slate-900">
                <td className="py-2 pr-3 font-mono break-all">{row.ip}</td>
                <td className="tabular-nums">{row.count.toLocaleString("en-US")}</td>
              </tr>
            ))}
          </tbody>
        </DataTable>
      )}

      <h2 className="mt-8 text-lg font-semibold">Newest security events</h2>
      {summary.security_events.length === 0 ? (
        <p className="mt-2 text-sm">None in the last {rangeLabel}.</p>
      ) : (
        <DataTable caption="Newest security events" columns={["When", "Event", "Organization", "Key", "From"]}>
          <tbody>
            {summary.security_events.map((event) => (
              <tr key={event.id} className="border-b border-slate-100 dark:border-slate-900">
                <td className="py-2 pr-3">{formatDateTime(event.created_at)}</td>
                <td className="pr-3">{AUDIT_ACTION_LABELS[event.action as AuditAction] ?? event.action}</td>
                <td className="pr-3">
                  <Link href={`/admin/organizations/${event.organization_id}`} className={linkClass}>
                    {event.organization_name ?? `#${event.organization_id}`}
                  </Link>
                </td>
                <td className="pr-3 break-all">{event.api_key_name ?? "—"}</td>
                <td className="font-mono break-all">{event.ip ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </DataTable>
      )}
    </section>
  );
}

function OrganizationTable({
  caption,
  rows,
}: {
  caption: string;
  rows: Array<{ organization_id: number; name: string | null; calls: number; auth_failed: number }>;
}) {
  if (rows.length === 0) return <p className="mt-2 text-sm">No calls.</p>;
  return (
    <DataTable caption={caption} columns={["Organization", "Calls", "Auth failed"]}>
      <tbody>
        {rows.map((row) => (
          <tr key={row.organization_id} className="border-b border-slate-100 dark:border-slate-900">
            <td className="py-2 pr-3">
              <Link href={`/admin/organizations/${row.organization_id}`} className={linkClass}>
                {row.name ?? `#${row.organization_id}`}
              </Link>
            </td>
            <td className="pr-3 tabular-nums">{row.calls.toLocaleString("en-US")}</td>
            <td className="tabular-nums">{row.auth_failed.toLocaleString("en-US")}</td>
          </tr>
        ))}
      </tbody>
    </DataTable>
  );
}
