import Link from "next/link";
import type { leakReportsForKeys } from "@/lib/audit/audit-log";
import { formatDateTime } from "@/lib/format/dates";
import type { KeyResponse } from "@/lib/keys/key-response";

type LeakReport = Awaited<ReturnType<typeof leakReportsForKeys>>[number];

/** What the status switch tells before reactivating a reported key: the latest report, if still in the audit log. */
export interface LeakReportNote {
  /** As the account's time zone shows it; null once the audit log no longer holds the report. */
  reportedAt: string | null;
  ip: string | null;
}

/** The switch's note for a key deactivated by a leak report, else null (reports: newest first). */
export function leakNote(
  key: Pick<KeyResponse, "id" | "status_reason">,
  reports: LeakReport[],
  timeZone: string,
): LeakReportNote | null {
  if (key.status_reason !== "reported_leak") return null;
  const latest = reports.find((report) => report.keyId === key.id);
  return { reportedAt: latest ? formatDateTime(latest.createdAt, timeZone) : null, ip: latest?.ip ?? null };
}

/**
 * A key's leak reports, from the audit log rather than its status: they stay on its page after
 * the owner reactivates it, as long as the audit log keeps them.
 */
export function LeakReportHistory({
  keyId,
  reports,
  timeZone,
}: {
  keyId: number;
  reports: LeakReport[];
  timeZone: string;
}) {
  if (reports.length === 0) return null;
  return (
    <section aria-labelledby="leak-history-heading" className="mt-6 max-w-prose text-sm">
      <h2 id="leak-history-heading" className="font-semibold">
        Reported as leaked
      </h2>
      <ul className="mt-1 list-disc pl-5">
        {reports.map((report) => (
          <li key={report.id}>
            {formatDateTime(report.createdAt, timeZone)}, from {report.ip ?? "an unknown address"}
          </li>
        ))}
      </ul>
      <p className="mt-1 text-slate-600 dark:text-slate-400">
        Each report deactivated the key. The{" "}
        <Link href={`/audit?key=${keyId}`} className="underline">
          audit log
        </Link>{" "}
        has the whole history.
      </p>
    </section>
  );
}
