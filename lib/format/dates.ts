/**
 * The portal's times: absolute ones in the account's time zone (set on the Plan page), minute
 * precision, with the zone named; and relative ones ("3 min ago") with the absolute one beside
 * them on hover (components/ui/time.tsx). Rendered on the server, so server and client agree.
 */
// One formatter per time zone, made once: building an Intl.DateTimeFormat costs far more than
// using one, and the usage page formats a hundred times or more. Keys are IANA zone names
// (a few hundred at most).
const formatters = new Map<string, Intl.DateTimeFormat>();
function dateTimeFormat(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZoneName: "short",
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/**
 * A time as epoch ms. Text is read with Date.parse, not `new Date`: under Next every Date
 * construction goes through its instrumented constructor, and a usage summary reads thousands.
 */
export const epochMs = (value: string | Date): number =>
  typeof value === "string" ? Date.parse(value) : value.getTime();

export function formatDateTime(value: string | Date | null | undefined, timeZone = "UTC", empty = "Never"): string {
  if (!value) return empty;
  // Date.parse, not `new Date`: under Next each Date construction goes through its instrumented constructor.
  const date = typeof value === "string" ? Date.parse(value) : value;
  const parts = Object.fromEntries(
    dateTimeFormat(timeZone)
      .formatToParts(date)
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${parts.timeZoneName}`;
}

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ["year", 365 * 86_400_000],
  ["month", 30 * 86_400_000],
  ["week", 7 * 86_400_000],
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
];

// Made once, like the DateTimeFormats above: built per call it would cost far more than the
// formatting, and a usage page shows up to 50 alerts, each with its relative time.
let relativeFormat: Intl.RelativeTimeFormat | undefined;

/** "just now", "3 minutes ago", "in 2 days": the largest whole unit. */
export function formatRelative(value: string | Date, now: Date = new Date()): string {
  const ms = epochMs(value) - now.getTime();
  relativeFormat ??= new Intl.RelativeTimeFormat("en", { numeric: "auto" });
  for (const [unit, size] of UNITS) {
    if (Math.abs(ms) >= size) return relativeFormat.format(Math.trunc(ms / size), unit);
  }
  return "just now";
}

/** A key's last use as its delete dialog shows it, and whether it is recent enough (24 hours) to ask for the name. */
export function lastUse(lastUsedAt: string | null, timeZone: string, now: Date) {
  if (!lastUsedAt) return { lastUsed: "Never", recentlyUsed: false };
  return {
    lastUsed: `${formatRelative(lastUsedAt, now)} (${formatDateTime(lastUsedAt, timeZone)})`,
    recentlyUsed: now.getTime() - Date.parse(lastUsedAt) < 24 * 3_600_000,
  };
}
