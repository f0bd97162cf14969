import Papa from "papaparse";
import { listAllKeys, type KeyRecord } from "./keys";

const FORMULA_START = /^[=+\-@\t\r]/;

const EXPORT_COLUMNS = ["id", "api_key_name", "user", "status", "created_at", "last_used_at"] as const;

/**
 * OWASP CSV injection: a cell starting with = + - @, tab or CR is run as a formula by
 * spreadsheets. papaparse's escapeFormulae prefixes such cells with ' and quotes them.
 */
function keysToCsv(keys: KeyRecord[]): string {
  const rows = keys.map((key) => [
    key.id,
    key.name,
    key.user,
    key.status,
    key.createdAt.toISOString(),
    key.lastUsedAt?.toISOString() ?? "",
  ]);
  // Own pattern: papaparse's default (/^[=+\-@\t\r].*$/) misses a cell with a line break in it.
  return Papa.unparse({ fields: [...EXPORT_COLUMNS], data: rows }, { escapeFormulae: FORMULA_START, newline: "\r\n" });
}

/** The download both GET /api/api-keys/export and the portal's Export CSV button serve. */
export async function keysCsvResponse(ownerId: number, now = new Date()): Promise<Response> {
  const csv = keysToCsv(await listAllKeys(ownerId));
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="api-keys-${now.toISOString().slice(0, 10)}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
