import { RelativeTime } from "@/components/ui/time";
import type { Account } from "@/lib/auth/users";
import { formatDateTime } from "@/lib/format/dates";
import type { Alert } from "@/lib/usage/alerts";

const ALERT_LABELS = {
  new_ip: "New IP",
  off_hours: "Off-hours",
  spike: "Spike",
  failed_auth_burst: "Failed auth",
  leak_reported: "Leak reported",
} as const;
const ISO_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g;

/** The summary's alerts, or what was checked when there are none. */
export function UsageAlerts({
  alerts,
  account,
  rangeLabel,
  now,
}: {
  alerts: Alert[];
  account: Pick<Account, "timeZone" | "workStartHour" | "workEndHour">;
  rangeLabel: string;
  now: Date;
}) {
  return (
    <section aria-labelledby="alerts-heading" className="mt-6">
      <h2 id="alerts-heading" className="font-semibold">
        Alerts ({alerts.length})
      </h2>
      {alerts.length === 0 ? (
        <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
          Nothing unusual in the {rangeLabel}: no new IP addresses, off-hours use (outside{" "}
          {String(account.workStartHour).padStart(2, "0")}:00–
          {String(account.workEndHour).padStart(2, "0")}:00 {account.timeZone}), spikes or bursts of failed
          authentication.
        </p>
      ) : (
        <ul className="mt-2 space-y-2">
          {alerts.slice(0, 50).map((alert, i) => (
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
  );
}
