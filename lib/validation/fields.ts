import { z } from "zod";

/**
 * The building blocks every domain's input schemas share: text without NUL, lone surrogates or
 * control characters, emails, ids, page numbers and dates a database can hold. Each domain owns
 * its own schemas (lib/keys/key-schemas.ts, lib/auth/auth-schemas.ts, …), used by the REST
 * handlers and the portal's forms alike. Messages read after the field name ("api_key_name is
 * required"), see formatZodError.
 */

// PostgreSQL's text cannot hold NUL: refused here (a 400), not by the database (a 500).
export const NO_NUL = "must not contain NUL characters";
// A lone UTF-16 surrogate ("\ud800" in JSON) is no character at all: databases and CSV refuse it.
export const WELL_FORMED = "must be well-formed Unicode text";
// With the u flag a surrogate pair is one code point, so this matches only a lone surrogate.
export const LONE_SURROGATE = /[\ud800-\udfff]/u;
// C0/C1 controls (ESC starts terminal sequences) and bidirectional overrides (U+202E makes
// "txt.exe" read "exe.txt") have no place in a name shown in pages, logs and CSV files.
const CONTROL_OR_BIDI = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const NO_CONTROL = "must not contain control or bidirectional formatting characters";

export function text(options: { min: number; max: number; what?: string }) {
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
  .pipe(z.email({ error: "must be a valid email address" }))
  // .meta() only describes (lib/openapi documents the input side of a pipe, which has no format).
  .meta({ format: "email" });

const USERNAME_PATTERN = /^[A-Za-z0-9._@-]+$/;
export const usernameSchema = text({ min: 1, max: 64 }).regex(
  USERNAME_PATTERN,
  "may contain only letters, digits, '.', '_', '@' and '-'",
);

/** Every JSON body must be an object; anything else gets one clear message. */
export function body<T extends z.ZodRawShape>(shape: T) {
  return z.object(shape, { error: "must be a JSON object" });
}

/**
 * Query integers are digits only: Number() would also take "1e2", "0x10", " 7" or "1.0", which
 * no client means as a page number. Numbers (the portal passes its own) must be whole. Any
 * number of digits: one too long for a number is as much over `max` as any other.
 *
 * The OpenAPI document describes the input side of a pipe (digits as text), so each of these
 * says in `.meta()` what a client sends: an integer in range. `.meta()` returns a described copy;
 * parsing is unchanged.
 */
const positiveInt = (max: number, tooLarge: string, fallback: number) =>
  z
    .union([z.string().regex(/^\d+$/).transform(Number), z.number().int()], {
      error: "must be a positive integer",
    })
    .pipe(z.number().min(1, "must be a positive integer").max(max, tooLarge))
    .meta({ type: "integer", minimum: 1, maximum: max, default: fallback })
    .default(fallback);

/**
 * Path and query ids arrive as strings; "12abc" or "1.5" are rejected, not truncated. Ids are
 * 32-bit integer columns on PostgreSQL, so a larger one cannot name anything: a 400, not a
 * database error. Documented, like positiveInt, as the integer a client sends.
 */
const MAX_ID = 2_147_483_647;
export const idSchema = z
  .string({ error: "is required" })
  .regex(/^\d{1,15}$/, "must be a positive integer")
  .transform(Number)
  .pipe(z.number().int().min(1, "must be a positive integer").max(MAX_ID, `must be a positive integer up to ${MAX_ID}`))
  .meta({ type: "integer", minimum: 1, maximum: MAX_ID });

/**
 * The last page a list serves. Its offset, (page - 1) * per_page, stays under 10^8: past 2^53 it
 * is no longer an exact number, and the database drivers refuse it (a 500, not an empty page).
 */
export const MAX_PAGE = 1_000_000;

export const pageQuery = {
  page: positiveInt(MAX_PAGE, `must be a positive integer up to ${MAX_PAGE}`, 1),
  per_page: positiveInt(100, "must be between 1 and 100", 20),
};

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
  .refine(isRealDateTime, "must be an ISO 8601 date or date-time with a time zone, e.g. 2025-01-15T10:30:00Z")
  .meta({ anyOf: [{ format: "date" }, { format: "date-time" }], pattern: ISO_DATE_TIME.source });
export const isoDate = isoDateText.transform((value) => new Date(value)).refine(inDateRange, DATE_RANGE);
/** A date alone as the end of a range means the whole of that day (UTC). */
export const isoDateEnd = isoDateText
  .transform((value) =>
    /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(Date.parse(value) + 86_400_000 - 1) : new Date(value),
  )
  .refine(inDateRange, DATE_RANGE);
