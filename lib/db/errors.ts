/**
 * What a database error means, read from Prisma's code or its driver adapter's cause: the
 * database cannot serve right now (locked, out of space, unreachable: retry, or a 503), or it
 * refuses a row for what the row holds (and always will: the usage writer drops it).
 */

interface DatabaseError {
  code?: unknown;
  cause?: { originalCode?: unknown; kind?: unknown };
  meta?: { driverAdapterError?: { cause?: { originalCode?: unknown; kind?: unknown } } };
}

function driverCause(error: unknown): { originalCode?: unknown; kind?: unknown } {
  const e = error as DatabaseError | null;
  // better-sqlite3's own errors (its threads: lib/db/sqlite-thread.ts) carry SQLite's code.
  if (typeof e?.code === "string" && e.code.startsWith("SQLITE_")) return { originalCode: e.code };
  return e?.cause ?? e?.meta?.driverAdapterError?.cause ?? {};
}

/** SQLite's lock is held by another connection (Prisma maps SQLITE_BUSY to P1008, a timeout). */
export function isBusy(error: unknown): boolean {
  const { originalCode, kind } = driverCause(error);
  return (
    kind === "SocketTimeout" ||
    (typeof originalCode === "string" && /^SQLITE_(BUSY|LOCKED)/.test(originalCode)) ||
    (error as DatabaseError | null)?.code === "P1008"
  );
}

// Prisma's codes for a database that cannot be reached or answer in time, and its pool timeout.
const UNAVAILABLE_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2037"]);

export function isDatabaseUnavailable(error: unknown): boolean {
  if (isBusy(error)) return true;
  const code = (error as DatabaseError | null)?.code;
  if (typeof code === "string" && UNAVAILABLE_CODES.has(code)) return true;
  const { originalCode, kind } = driverCause(error);
  if (kind === "DatabaseNotReachable" || kind === "ConnectionClosed" || kind === "TooManyConnections") return true;
  // Disk full, I/O errors, a read-only file: the storage, not the request; or the thread that
  // held the connection stopped (lib/db/sqlite-thread.ts).
  return typeof originalCode === "string" && /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|THREAD_STOPPED)/.test(originalCode);
}

// What the database says when it refuses a row for what it holds (and always will): Prisma's
// codes for a bad value or a violated constraint, the driver adapters' error kinds for the same
// through a raw statement, SQLite's constraint/type codes, and PostgreSQL's SQLSTATE classes 22
// (data exception) and 23 (integrity). Anything else (locked, disk full, connection lost) is the
// database failing, and the rows wait.
const ROW_ERROR_CODES = new Set(["P2000", "P2003", "P2006", "P2007", "P2011", "P2019", "P2020"]);
const ROW_ERROR_KINDS = new Set([
  "ForeignKeyConstraintViolation",
  "NullConstraintViolation",
  "LengthMismatch",
  "ValueOutOfRange",
  "InvalidInputValue",
]);

/** A unique constraint refused the row (Prisma's P2002): an email, a slug or an id already held. */
export function isUniqueViolation(error: unknown): boolean {
  return (error as DatabaseError | null)?.code === "P2002";
}

/** Its account was deleted between the call and the write: there is no owner to keep it for. */
export function ownerGone(error: unknown): boolean {
  const { originalCode, kind } = driverCause(error);
  return (
    (error as DatabaseError | null)?.code === "P2003" ||
    kind === "ForeignKeyConstraintViolation" ||
    originalCode === "SQLITE_CONSTRAINT_FOREIGNKEY"
  );
}

export function rowRefused(error: unknown): boolean {
  const code = (error as DatabaseError | null)?.code;
  if (typeof code === "string" && ROW_ERROR_CODES.has(code)) return true;
  const { originalCode, kind } = driverCause(error);
  if (typeof kind === "string" && ROW_ERROR_KINDS.has(kind)) return true;
  if (typeof originalCode !== "string") return false;
  return /^2[23]/.test(originalCode) || /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG)/.test(originalCode);
}
