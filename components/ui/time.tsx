import { formatDateTime, formatRelative } from "@/lib/format/dates";

/** A time as "3 minutes ago", the absolute time in the account's zone on hover and for assistive tech. */
export function RelativeTime({
  value,
  timeZone,
  now,
  empty = "Never",
}: {
  value: string | null | undefined;
  timeZone: string;
  now: Date;
  empty?: string;
}) {
  if (!value) return <>{empty}</>;
  const absolute = formatDateTime(value, timeZone);
  const relative = formatRelative(value, now);
  return (
    <time dateTime={value} title={absolute} aria-label={`${relative}, ${absolute}`}>
      {relative}
    </time>
  );
}
