/**
 * Errors that say the database cannot serve right now (locked, out of space, unreachable), as
 * opposed to a bad request or a bug: the caller gets a 503 to retry, not a 500.
 */

interface DatabaseError {
  code?: unknown;
  cause?: { originalCode?: unknown; kind?: unknown };
  meta?: { driverAdapterError?: { cause?: { originalCode?: unknown; kind?: unknown } } };
}

function driverCause(error: unknown): { originalCode?: unknown; kind?: unknown } {
  const e = error as DatabaseError | null;
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
  // Disk full, I/O errors, a read-only file: the storage, not the request.
  return typeof originalCode === "string" && /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN)/.test(originalCode);
}
