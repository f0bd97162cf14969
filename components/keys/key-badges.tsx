import { formatDateTime, formatRelative } from "@/lib/format/dates";
import type { KeyResponse } from "@/lib/keys/key-response";

const badge = "inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap";
const tone = {
  neutral: "bg-slate-100 text-slate-800 dark:bg-slate-800 dark:text-slate-100",
  warn: "bg-amber-100 text-amber-900 dark:bg-amber-900 dark:text-amber-100",
  danger: "bg-red-100 text-red-900 dark:bg-red-900 dark:text-red-100",
};

/** Whether a key's own expiry (or its rotation grace) has passed: it then fails like any bad key. */
export function isExpired(key: Pick<KeyResponse, "expires_at">, now: Date): boolean {
  return key.expires_at !== null && Date.parse(key.expires_at) <= now.getTime();
}

/**
 * What a key's row says beyond its status: its environment, an expiry (past or coming), a due
 * rotation, a leak report, and its limits. Text, not colour alone, carries each meaning.
 */
export function KeyBadges({ keyData, timeZone, now }: { keyData: KeyResponse; timeZone: string; now: Date }) {
  const key = keyData;
  const expiry = key.expires_at && formatDateTime(key.expires_at, timeZone);
  return (
    <span className="mt-1 flex flex-wrap gap-1 font-normal">
      <span className={`${badge} ${tone.neutral}`}>{key.environment}</span>
      {key.expires_at &&
        (isExpired(key, now) ? (
          <span className={`${badge} ${tone.danger}`} title={`Expired ${expiry}`}>
            Expired
          </span>
        ) : (
          <span className={`${badge} ${tone.warn}`} title={`Expires ${expiry}`}>
            Expires {formatRelative(key.expires_at, now)}
          </span>
        ))}
      {key.rotated_at && (
        <span className={`${badge} ${tone.neutral}`} title={`Replaced ${formatDateTime(key.rotated_at, timeZone)}`}>
          Replaced by rotation
        </span>
      )}
      {key.rotation_due && <span className={`${badge} ${tone.warn}`}>Rotation due</span>}
      {key.status_reason === "reported_leak" && <span className={`${badge} ${tone.danger}`}>Reported leaked</span>}
      {key.read_only && <span className={`${badge} ${tone.neutral}`}>Read-only</span>}
      {key.routes && (
        <span className={`${badge} ${tone.neutral}`}>
          {key.routes.length === 1 ? `Route ${key.routes[0]}` : `${key.routes.length} routes`}
        </span>
      )}
      {key.ip_allowlist && (
        <span className={`${badge} ${tone.neutral}`}>
          {key.ip_allowlist.length === 1 ? "1 IP range" : `${key.ip_allowlist.length} IP ranges`}
        </span>
      )}
    </span>
  );
}
