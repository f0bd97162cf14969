import { z } from "zod";
import { AUDIT_ACTIONS } from "../audit/audit-actions";
import {
  ENVIRONMENTS,
  GRACE_PERIODS,
  MAX_ALLOWLIST_ENTRIES,
  MAX_EXPIRY_DAYS,
  maxExpiry,
  normalizeAllowlistEntry,
} from "../keys/key-controls";

/**
 * One schema per input, shared by the REST handlers and the portal's forms. Messages read
 * after the field name ("api_key_name is required"), see formatZodError.
 */

// PostgreSQL's text cannot hold NUL: refused here (a 400), not by the database (a 500).
const NO_NUL = "must not contain NUL characters";
// A lone UTF-16 surrogate ("\ud800" in JSON) is no character at all: databases and CSV refuse it.
const WELL_FORMED = "must be well-formed Unicode text";
// With the u flag a surrogate pair is one code point, so this matches only a lone surrogate.
const LONE_SURROGATE = /[\ud800-\udfff]/u;
// C0/C1 controls (ESC starts terminal sequences) and bidirectional overrides (U+202E makes
// "txt.exe" read "exe.txt") have no place in a name shown in pages, logs and CSV files.
const CONTROL_OR_BIDI = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const NO_CONTROL = "must not contain control or bidirectional formatting characters";

function text(options: { min: number; max: number; what?: string }) {
  const length =
    options.min === options.max
      ? `must be ${options.min} characters`
      : `must be ${options.min}–${options.max} characters`;
  return z
    .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") })
    .trim()
    .min(options.min, options.min === 1 ? "must not be empty" : length)
    .max(options.max, length)
    .refine((value) => !value.includes("\0"), NO_NUL)
    .refine((value) => !LONE_SURROGATE.test(value), WELL_FORMED)
    .refine((value) => !CONTROL_OR_BIDI.test(value), NO_CONTROL);
}

export const emailSchema = z
  .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") })
  .trim()
  .toLowerCase()
  .min(1, "is required")
  .max(254, "must be at most 254 characters")
  .pipe(z.email({ error: "must be a valid email address" }));

const USERNAME_PATTERN = /^[A-Za-z0-9._@-]+$/;
const usernameSchema = text({ min: 1, max: 64 }).regex(
  USERNAME_PATTERN,
  "may contain only letters, digits, '.', '_', '@' and '-'",
);

/** Every JSON body must be an object; anything else gets one clear message. */
function body<T extends z.ZodRawShape>(shape: T) {
  return z.object(shape, { error: "must be a JSON object" });
}

export const registerSchema = body({
  email: emailSchema,
  password: z
    .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") })
    .min(8, "must be at least 8 characters")
    // bcrypt ignores everything past 72 bytes; refusing longer input avoids a false sense of strength.
    .refine((value) => new TextEncoder().encode(value).length <= 72, "must be at most 72 bytes"),
  username: usernameSchema.optional(),
});

export const loginSchema = body({
  email: emailSchema,
  password: z
    .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") })
    .min(1, "is required"),
});

export const refreshSchema = body({
  refresh_token: z
    .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") })
    .min(1, "is required"),
});

const keyName = text({ min: 1, max: 100 });

const environment = z.enum(ENVIRONMENTS, {
  error: `must be one of ${ENVIRONMENTS.map((e) => `"${e}"`).join(", ")}`,
});

/** Route ids a key is limited to; null (or left out) = every route its plan allows. */
const routeList = z
  .array(
    z
      .number({ error: "must list route ids (positive integers)" })
      .int("must list route ids (positive integers)")
      .min(1, "must list route ids (positive integers)")
      .max(2_147_483_647, "must list route ids (positive integers)"),
    { error: "must be an array of route ids, or null for every route" },
  )
  .min(1, "must list at least one route id (null allows every route)")
  .max(100, "must list at most 100 route ids")
  .transform((ids) => [...new Set(ids)].sort((a, b) => a - b))
  .nullable();

/** Addresses and CIDR ranges a key may be used from, normalised; null (or left out) = anywhere. */
const ipAllowlist = z
  .array(z.string({ error: "must list addresses as strings" }).max(64, "entries must be at most 64 characters"), {
    error: "must be an array of IP addresses or CIDR ranges, or null for any address",
  })
  .min(1, "must list at least one address (null allows every address)")
  .max(MAX_ALLOWLIST_ENTRIES, `must list at most ${MAX_ALLOWLIST_ENTRIES} entries`)
  .transform((entries, ctx) => {
    const normalized: string[] = [];
    entries.forEach((entry, index) => {
      const canonical = normalizeAllowlistEntry(entry);
      if (canonical === null) {
        ctx.addIssue({
          code: "custom",
          message: `entry ${index + 1} ("${entry.slice(0, 64)}") is not an IP address or CIDR range`,
        });
      } else if (!normalized.includes(canonical)) normalized.push(canonical);
    });
    return normalized;
  })
  .nullable();

const readOnly = z.boolean({ error: "must be true or false" });

/** What a key may do: shared by generation and PATCH. */
const keyControls = {
  environment: environment.optional(),
  routes: routeList.optional(),
  read_only: readOnly.optional(),
  ip_allowlist: ipAllowlist.optional(),
};

export const generateKeySchema = body({
  api_key_name: keyName,
  user: usernameSchema,
  ...keyControls,
  /** An ISO time in the future, or a number of days from now; not both. */
  expires_at: z
    .lazy(() => isoDate)
    .refine((at) => at.getTime() > Date.now(), "must be in the future")
    .refine((at) => at <= maxExpiry(), `must be at most ${MAX_EXPIRY_DAYS} days from now`)
    .optional(),
  expires_in_days: z
    .number({ error: `must be a whole number of days from 1 to ${MAX_EXPIRY_DAYS}` })
    .int(`must be a whole number of days from 1 to ${MAX_EXPIRY_DAYS}`)
    .min(1, `must be a whole number of days from 1 to ${MAX_EXPIRY_DAYS}`)
    .max(MAX_EXPIRY_DAYS, `must be a whole number of days from 1 to ${MAX_EXPIRY_DAYS}`)
    .optional(),
}).refine((v) => v.expires_at === undefined || v.expires_in_days === undefined, {
  message: "give expires_at or expires_in_days, not both",
  path: ["expires_in_days"],
});
export type GenerateKeyInput = z.infer<typeof generateKeySchema>;

/** The portal's rename: a new name, under the same rules as at generation. */
export const renameKeySchema = body({ api_key_name: keyName });

/** PATCH /api/api-keys/{id}: a new name and/or new controls; at least one field. */
export const updateKeySchema = body({ api_key_name: keyName.optional(), ...keyControls }).refine(
  (v) => Object.values(v).some((value) => value !== undefined),
  "Request body must change at least one of api_key_name, environment, routes, read_only, ip_allowlist",
);
export type UpdateKeyInput = z.infer<typeof updateKeySchema>;

/** POST /api/api-keys/{id}/rotate. */
export const rotateKeySchema = body({
  grace_period_seconds: z.union(
    GRACE_PERIODS.map((seconds) => z.literal(seconds)),
    {
      error: (issue) =>
        issue.input === undefined ? "is required" : `must be one of ${GRACE_PERIODS.join(", ")} (seconds)`,
    },
  ),
});

/** POST /api/api-keys/revoke: a key someone found where it should not be. */
export const reportLeakSchema = body({
  api_key: z
    .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") })
    .trim()
    .min(1, "is required")
    .max(200, "must be at most 200 characters"),
});

const KEY_STATUSES = ["active", "inactive"] as const;
export type KeyStatus = (typeof KEY_STATUSES)[number];
const keyStatus = z.enum(KEY_STATUSES, {
  error: (issue) => (issue.input === undefined ? "is required" : 'must be "active" or "inactive"'),
});

export const keyStatusSchema = body({ status: keyStatus });

/**
 * Query integers are digits only: Number() would also take "1e2", "0x10", " 7" or "1.0", which
 * no client means as a page number. Numbers (the portal passes its own) must be whole. Any
 * number of digits: one too long for a number is as much over `max` as any other.
 */
const positiveInt = (max: number, tooLarge: string) =>
  z
    .union([z.string().regex(/^\d+$/).transform(Number), z.number().int()], {
      error: "must be a positive integer",
    })
    .pipe(z.number().min(1, "must be a positive integer").max(max, tooLarge));

/**
 * Path and query ids arrive as strings; "12abc" or "1.5" are rejected, not truncated. Ids are
 * 32-bit integer columns on PostgreSQL, so a larger one cannot name anything: a 400, not a
 * database error.
 */
const MAX_ID = 2_147_483_647;
export const idSchema = z
  .string({ error: "is required" })
  .regex(/^\d{1,15}$/, "must be a positive integer")
  .transform(Number)
  .pipe(
    z.number().int().min(1, "must be a positive integer").max(MAX_ID, `must be a positive integer up to ${MAX_ID}`),
  );

/**
 * The last page a list serves. Its offset, (page - 1) * per_page, stays under 10^8: past 2^53 it
 * is no longer an exact number, and the database drivers refuse it (a 500, not an empty page).
 */
export const MAX_PAGE = 1_000_000;

const pageQuery = {
  page: positiveInt(MAX_PAGE, `must be a positive integer up to ${MAX_PAGE}`).default(1),
  per_page: positiveInt(100, "must be between 1 and 100").default(20),
};

export const listKeysQuerySchema = z.object({
  ...pageQuery,
  status: keyStatus.optional(),
  q: z
    .string()
    .trim()
    .max(100, "must be at most 100 characters")
    .refine((v) => !v.includes("\0"), NO_NUL)
    .refine((v) => !LONE_SURROGATE.test(v), WELL_FORMED)
    .optional(),
});
export type ListKeysQuery = z.infer<typeof listKeysQuerySchema>;

/** GET /api/api-keys/export and the portal's Export CSV: the list's search and status filter, no paging. */
export const exportKeysQuerySchema = listKeysQuerySchema.pick({ q: true, status: true });

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(T(\d{2}):(\d{2})(:(\d{2})(\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2})))?$/;

/** A day that exists and a time on the clock: Date.parse turns 2025-02-30 into March 2, or worse. */
function isRealDateTime(value: string): boolean {
  const m = ISO_DATE_TIME.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return false;
  const [hour, minute, second] = [Number(m[5] ?? 0), Number(m[6] ?? 0), Number(m[8] ?? 0)];
  if (hour > 23 || minute > 59 || second > 59) return false;
  if (m[11] !== undefined && (Number(m[11]) > 23 || Number(m[12]) > 59)) return false;
  return !Number.isNaN(Date.parse(value));
}

/**
 * The instants a query date may name, in UTC: PostgreSQL's driver cannot be given a year outside
 * 1-9999 (a 500). The usage log's count, which rounds a range out to whole hours, keeps its hours
 * inside that too (lib/usage/usage-logs.ts).
 */
const EARLIEST_DATE = Date.parse("0001-01-01T00:00:00Z");
const LATEST_DATE = Date.parse("9999-12-31T23:59:59.999Z");
const DATE_RANGE = "must be between 0001-01-01 and 9999-12-31";
const inDateRange = (at: Date) => at.getTime() >= EARLIEST_DATE && at.getTime() <= LATEST_DATE;

const isoDateText = z
  .string()
  .trim()
  .refine(isRealDateTime, "must be an ISO 8601 date or date-time with a time zone, e.g. 2025-01-15T10:30:00Z");
const isoDate = isoDateText.transform((value) => new Date(value)).refine(inDateRange, DATE_RANGE);
/** A date alone as the end of a range means the whole of that day (UTC). */
const isoDateEnd = isoDateText
  .transform((value) =>
    /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(Date.parse(value) + 86_400_000 - 1) : new Date(value),
  )
  .refine(inDateRange, DATE_RANGE);

export const usageLogQuerySchema = z
  .object({
    ...pageQuery,
    api_key_id: idSchema.optional(),
    /** success = 2xx, failed = everything else. */
    status: z.enum(["success", "failed"], { error: 'must be "success" or "failed"' }).optional(),
    from: isoDate.optional(),
    to: isoDateEnd.optional(),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: "must not be after to", path: ["from"] });
export type UsageLogQuery = z.infer<typeof usageLogQuerySchema>;

export const keyIdParamsSchema = z.object({ id: idSchema });

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

// JSON numbers only: coercion would turn null, true or [9] into an hour.
const hourOfDay = (max: number) =>
  z
    .number({ error: `must be a whole hour from 0 to ${max}` })
    .int(`must be a whole hour from 0 to ${max}`)
    .min(0, `must be a whole hour from 0 to ${max}`)
    .max(max, `must be a whole hour from 0 to ${max}`);

/** Working hours for the off-hours alert: [start, end) in an IANA time zone. */
export const workingHoursSchema = body({
  time_zone: z
    .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") })
    .trim()
    .refine(isTimeZone, "must be an IANA time zone such as Europe/Paris or UTC"),
  work_start_hour: hourOfDay(23),
  work_end_hour: hourOfDay(24),
}).refine((v) => v.work_start_hour !== v.work_end_hour, {
  message: "must differ from work_start_hour",
  path: ["work_end_hour"],
});

export const summaryQuerySchema = z.object({
  range: z.enum(["24h", "7d"], { error: 'must be "24h" or "7d"' }).default("24h"),
});

/** GET /api/audit-logs: a page of the account's audit trail, newest first. */
export const auditLogQuerySchema = z.object({
  ...pageQuery,
  api_key_id: idSchema.optional(),
  action: z.enum(AUDIT_ACTIONS, { error: `must be one of ${AUDIT_ACTIONS.join(", ")}` }).optional(),
});
export type AuditLogQuery = z.infer<typeof auditLogQuerySchema>;
