import { batchWriter } from "../db/batch-write";
import { Prisma } from "../db/client";
import { ownerGone, rowRefused } from "../db/errors";
import { jsonRows, sqlTime } from "../db/json-rows";
import { KEY_PREFIX } from "../format/key-prefix";
import { log } from "../log/logger";
import { redactKeys } from "../log/redact";
import { metrics } from "../metrics/metrics";
import { rollupStatements, type RollupCall } from "./rollups";

/**
 * What the usage recorder (lib/usage/usage-recorder.ts) writes, as SQL: one batch of buffered
 * calls becomes one transaction holding the usage rows, the rollups the summary reads, the
 * refused-call counts and the keys' last use. The recorder decides when; this decides what.
 */

export interface UsageEntry {
  ownerId: number | null;
  apiKeyId: number | null;
  apiKeyName: string | null;
  /** Also move the key's last_used_at / last_used_ip (false for deleted or unknown keys). */
  touchKey: boolean;
  method: string;
  path: string;
  statusCode: number;
  ip: string;
  userAgent: string;
  at: Date;
  /** A gateway call's upstream: its status (when it answered), its failure, the wait for its headers. */
  upstream?: { status: number | null; error: string | null; latencyMs: number };
}

/**
 * Data-API calls refused past the per-IP budget (lib/data-api/serve-data-request.ts): not a usage
 * row each but a count per client and hour (refused_calls). They belong to no account, and one
 * row per call would let a single address grow usage_logs as fast as it can send. Consecutive
 * refusals of one client and hour share one buffered entry.
 */
interface RefusedCalls {
  refused: number;
  /** The client as its per-IP budget counts it (lib/limits/ip-budget.ts). */
  ip: string;
  hour: number;
}

/** What waits in the buffer: a call's usage row, or a run of refused calls. */
export type Buffered = UsageEntry | RefusedCalls;

/**
 * Free text bounded in size, scrubbed of anything key-shaped, of NUL (PostgreSQL's text refuses
 * it) and of lone UTF-16 surrogates (no character; PostgreSQL's JSON refuses them).
 */
function clean(value: string, max: number): string {
  // Each step only where it can change something: this runs five times per call on the data API.
  let text = value.includes(KEY_PREFIX) ? redactKeys(value) : value;
  if (text.includes("\0")) text = text.replaceAll("\0", "");
  if (text.length > max) text = text.slice(0, max); // before the surrogates: a cut can split a pair
  // Any surrogate at all (a plain test), then only lone ones replaced (the u flag keeps pairs).
  return /[\ud800-\udfff]/.test(text) ? text.replace(/[\ud800-\udfff]/gu, "\ufffd") : text;
}

/**
 * When each key's last_used_at was last written (the call's time, ms). A busy key's column is
 * moved at most once a second: batches run many times a second, and one UPDATE per key per batch
 * would be most of a batch's fixed cost. last_used_at may therefore lag its newest call by up to
 * a second.
 */
const lastUsedWritten = new Map<number, number>();
const LAST_USED_PRECISION_MS = 1_000;

export async function writeBatch(buffered: Buffered[]): Promise<void> {
  const { calls: batch, refused } = split(buffered);
  if (!batch.length) {
    if (refused.length) await batchWriter().write([refusedStatement(refused)]);
    return;
  }
  // The newest use of each key wins its last_used_at / last_used_ip.
  const lastUse = new Map<number, { at: Date; ip: string }>();
  for (const entry of batch) {
    if (!entry.touchKey || entry.apiKeyId === null) continue;
    const seen = lastUse.get(entry.apiKeyId);
    if (!seen || seen.at <= entry.at) lastUse.set(entry.apiKeyId, { at: entry.at, ip: entry.ip });
  }
  for (const [id, use] of lastUse) {
    const written = lastUsedWritten.get(id);
    if (written !== undefined && use.at.getTime() - written < LAST_USED_PRECISION_MS) lastUse.delete(id);
  }
  // What the rollups read of each call (lib/usage/rollups.ts), with its free text cleaned: the
  // entry itself when cleaning changes nothing (nearly always), else a cleaned copy.
  const rows: RollupCall[] = batch.map((entry) => {
    const apiKeyName = entry.apiKeyName === null ? null : clean(entry.apiKeyName, 256);
    const ip = clean(entry.ip, 64);
    return apiKeyName === entry.apiKeyName && ip === entry.ip ? entry : { ...entry, apiKeyName, ip };
  });
  // One INSERT with the batch as one JSON parameter (lib/db/json-rows.ts), in call order.
  const source = jsonRows(
    [
      ["owner_id", "int"],
      ["api_key_id", "int"],
      ["api_key_name", "text"],
      ["method", "text"],
      ["path", "text"],
      ["status_code", "int"],
      ["ip", "text"],
      ["user_agent", "text"],
      ["created_at", "timestamp"],
      ["upstream_status", "int"],
      ["upstream_error", "text"],
      ["latency_ms", "int"],
    ],
    rows.map((row, i) => [
      row.ownerId,
      row.apiKeyId,
      row.apiKeyName,
      clean(batch[i].method, 16),
      clean(batch[i].path, 512),
      row.statusCode,
      row.ip,
      clean(batch[i].userAgent, 512),
      sqlTime(row.at),
      batch[i].upstream?.status ?? null,
      batch[i].upstream?.error ?? null,
      batch[i].upstream?.latencyMs ?? null,
    ]),
  );
  const rollups = rollupStatements(rows);
  await batchWriter().write([
    ...(refused.length ? [refusedStatement(refused)] : []),
    Prisma.sql`
      INSERT INTO usage_logs (owner_id, api_key_id, api_key_name, method, path, status_code, ip, user_agent, created_at,
        upstream_status, upstream_error, latency_ms)
      SELECT owner_id, api_key_id, api_key_name, method, path, status_code, ip, user_agent, created_at,
        upstream_status, upstream_error, latency_ms FROM ${source} AS s`,
    ...rollups.statements,
    // The key may have been deleted since (no row to update); and never move last-used backwards.
    // In key order, so two instances' batches lock rows in the same order (no deadlock).
    ...[...lastUse]
      .sort(([a], [b]) => a - b)
      .map(
        ([id, use]) => Prisma.sql`
          UPDATE api_keys SET last_used_at = ${use.at}, last_used_ip = ${clean(use.ip, 64)}
          WHERE id = ${id} AND (last_used_at IS NULL OR last_used_at < ${use.at})`,
      ),
  ]);
  rollups.committed();
  if (lastUsedWritten.size > 100_000) lastUsedWritten.clear();
  for (const [id, use] of lastUse) lastUsedWritten.set(id, use.at.getTime());
}

/** A batch's usage rows (the same array when it holds nothing else, nearly always), and its refused calls. */
function split(batch: Buffered[]): { calls: UsageEntry[]; refused: RefusedCalls[] } {
  let refused: RefusedCalls[] | undefined;
  for (const entry of batch) if ("refused" in entry) (refused ??= []).push(entry);
  if (!refused) return { calls: batch as UsageEntry[], refused: [] };
  return { calls: batch.filter((entry): entry is UsageEntry => !("refused" in entry)), refused };
}

/** One upsert adding a batch's refused calls to their (client, hour) counts. */
function refusedStatement(refused: RefusedCalls[]): Prisma.Sql {
  const counts = new Map<string, { ip: string; hour: number; count: number }>();
  for (const { ip, hour, refused: count } of refused) {
    const key = `${hour}|${ip}`;
    const row = counts.get(key);
    if (row) row.count += count;
    else counts.set(key, { ip: clean(ip, 64), hour, count });
  }
  const source = jsonRows(
    [
      ["ip", "text"],
      ["hour", "timestamp"],
      ["count", "int"],
    ],
    [...counts.values()].map((row) => [row.ip, sqlTime(row.hour), row.count]),
  );
  // `WHERE true`: SQLite would read ON CONFLICT as part of the SELECT's join.
  return Prisma.sql`
    INSERT INTO refused_calls (ip, hour, count) SELECT ip, hour, count FROM ${source} AS s WHERE true
    ON CONFLICT (ip, hour) DO UPDATE SET count = refused_calls.count + excluded.count`;
}

/** Returns the rows to retry later; rows the database can never accept are reported and dropped. */
export async function writeOneByOne(batch: Buffered[], failingNow: boolean): Promise<Buffered[]> {
  for (let i = 0; i < batch.length; i++) {
    try {
      await writeBatch([batch[i]]);
    } catch (error) {
      if (ownerGone(error)) {
        const entry = batch[i];
        metrics().usageRowsDropped.inc({ reason: "owner_deleted" });
        log().warn(`[usage] dropped a usage row of deleted account ${"ownerId" in entry ? entry.ownerId : null}`);
        continue;
      }
      if (rowRefused(error)) {
        // Retrying would be refused forever and hold back every row behind it.
        metrics().usageRowsDropped.inc({ reason: "refused" });
        log().error({ err: error }, "[usage] dropped a usage row the database refuses");
        continue;
      }
      // Once per run of failures, not at every retry.
      if (!failingNow) log().error({ err: error }, "[usage] writing usage rows failed; will retry with backoff");
      return batch.slice(i);
    }
  }
  return [];
}
