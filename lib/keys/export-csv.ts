import Papa from "papaparse";
import { recordAudit } from "../audit/audit-log";
import { UNSPECIFIED, type AuditContext } from "../audit/audit-actions";
import { keysAfter, type ExportedKey, type KeyFilter } from "./key-queries";

const FORMULA_START = /^[=+\-@\t\r]/;

const EXPORT_COLUMNS = ["id", "api_key_name", "user", "status", "created_at", "last_used_at"] as const;

// Keys per database read and per CSV chunk: memory stays flat however many keys an account has.
const EXPORT_PAGE = 1_000;

/**
 * OWASP CSV injection: a cell starting with = + - @, tab or CR is run as a formula by
 * spreadsheets. papaparse's escapeFormulae prefixes such cells with ' and quotes them.
 */
function rowsToCsv(keys: ExportedKey[]): string {
  const rows = keys.map((key) => [key.id, key.name, key.user, key.status, key.createdAt, key.lastUsedAt ?? ""]);
  // Own pattern: papaparse's default (/^[=+\-@\t\r].*$/) misses a cell with a line break in it.
  return Papa.unparse(rows, { escapeFormulae: FORMULA_START, newline: "\r\n" });
}

/**
 * The CSV as a stream of keyset pages, each unparsed by papaparse on its own: the header, then
 * "\r\n" + a page's rows per chunk, the same bytes as one unparse of every key. The first page
 * is read before the response starts, so a failure there is still an error response.
 */
async function keysCsvStream(ownerId: number, options: CsvOptions): Promise<ReadableStream<Uint8Array>> {
  const encoder = new TextEncoder();
  let page = await keysAfter(ownerId, 0, EXPORT_PAGE, options.filter);
  let header = true;
  return new ReadableStream({
    async pull(controller) {
      if (header) {
        header = false;
        controller.enqueue(encoder.encode((options.bom ? "\uFEFF" : "") + EXPORT_COLUMNS.join(",")));
      }
      if (page.length) controller.enqueue(encoder.encode("\r\n" + rowsToCsv(page)));
      if (page.length < EXPORT_PAGE) {
        controller.close();
        return;
      }
      page = await keysAfter(ownerId, page[page.length - 1].id, EXPORT_PAGE, options.filter);
    },
  });
}

interface CsvOptions {
  /** Only the keys the list shows: its search and status filter. */
  filter?: KeyFilter;
  /**
   * A UTF-8 byte order mark first: Excel reads a CSV without one in the system's legacy code
   * page, garbling every non-ASCII name. The portal's download has it; the API's export keeps
   * the reference's bytes for scripts.
   */
  bom?: boolean;
  /** Who asked, for the audit log (an export is recorded with its filter before it streams). */
  audit?: AuditContext;
}

/** The download both GET /api/api-keys/export and the portal's Export CSV button serve. */
export async function keysCsvResponse(ownerId: number, options: CsvOptions = {}, now = new Date()): Promise<Response> {
  const body = await keysCsvStream(ownerId, options);
  await recordAudit(ownerId, "key.export", options.audit ?? UNSPECIFIED, {
    details: { q: options.filter?.q ?? null, status: options.filter?.status ?? null },
  });
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="api-keys-${now.toISOString().slice(0, 10)}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
