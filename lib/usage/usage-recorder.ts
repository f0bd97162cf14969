import { readEnv } from "../config/env";
import { backgroundDb, Prisma } from "../db/client";
import { errorForLog, redactKeys } from "../keys/secret";
import { onShutdown } from "../setup/shutdown";
import { rollupStatements } from "./rollups";

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
}

/** The longest a usage row waits in memory before it is written: USAGE_FLUSH_INTERVAL_MS. */
export function flushIntervalMs(): number {
  return readEnv().USAGE_FLUSH_INTERVAL_MS;
}
const MAX_BATCH = 500;

/**
 * Buffers usage rows and writes them in batches: one commit per batch instead of two per
 * request, holding the rows, the rollups the summary reads (lib/usage/rollups.ts) and the keys'
 * last use. No row is lost to a failing database: a failed write is put back and retried, every
 * read of usage flushes first, and the server flushes on SIGTERM/SIGINT before exiting. Only a
 * row the database refuses on its own while it answers otherwise (an account deleted in the
 * meantime, say) is logged and dropped, so it cannot hold back every row after it.
 */
export class UsageRecorder {
  private buffer: UsageEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly intervalMs = flushIntervalMs()) {}

  record(entry: UsageEntry): void {
    this.buffer.push(entry);
    if (this.buffer.length >= MAX_BATCH) void this.flush();
    else this.schedule();
  }

  get pending(): number {
    return this.buffer.length;
  }

  /** Writes everything recorded so far; resolves when it is in the database. */
  flush(): Promise<void> {
    this.writing = this.writing.then(() => this.writeAll());
    return this.writing;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.intervalMs);
    this.timer.unref?.();
  }

  private async writeAll(): Promise<void> {
    while (this.buffer.length) {
      const batch = this.buffer.splice(0, MAX_BATCH);
      try {
        await writeBatch(batch);
      } catch {
        // One bad row must not hold back the rest: write them one by one.
        const retry = await writeOneByOne(batch);
        if (retry.length) {
          // The database itself is failing (locked, disk full): keep the rows, in order, for later.
          this.buffer.unshift(...retry);
          this.schedule();
          return;
        }
      }
    }
  }
}

/** Free text bounded in size, scrubbed of anything key-shaped and of NUL (PostgreSQL's text refuses it). */
const clean = (value: string, max: number) => redactKeys(value).replaceAll("\0", "").slice(0, max);

async function writeBatch(batch: UsageEntry[]): Promise<void> {
  // The newest use of each key wins its last_used_at / last_used_ip.
  const lastUse = new Map<number, { at: Date; ip: string }>();
  for (const entry of batch) {
    if (!entry.touchKey || entry.apiKeyId === null) continue;
    const seen = lastUse.get(entry.apiKeyId);
    if (!seen || seen.at <= entry.at) lastUse.set(entry.apiKeyId, { at: entry.at, ip: entry.ip });
  }
  // One multi-row INSERT: Prisma's createMany plans every row in JavaScript, which at 500 rows
  // held the event loop long enough to show in the data API's p99; the statement is the same.
  const rows = batch.map((entry) => ({
    ...entry,
    apiKeyName: entry.apiKeyName === null ? null : clean(entry.apiKeyName, 256),
    ip: clean(entry.ip, 64),
  }));
  const values = rows.map(
    (row) =>
      Prisma.sql`(${row.ownerId}, ${row.apiKeyId}, ${row.apiKeyName}, ${clean(row.method, 16)}, ${clean(row.path, 512)},
        ${row.statusCode}, ${row.ip}, ${clean(row.userAgent, 512)}, ${row.at})`,
  );
  await backgroundDb().$transaction([
    backgroundDb().$executeRaw`
      INSERT INTO usage_logs (owner_id, api_key_id, api_key_name, method, path, status_code, ip, user_agent, created_at)
      VALUES ${Prisma.join(values)}`,
    ...rollupStatements(rows),
    // updateMany: the key may have been deleted since; and never move last-used backwards.
    // In key order, so two instances' batches lock rows in the same order (no deadlock).
    ...[...lastUse]
      .sort(([a], [b]) => a - b)
      .map(([id, use]) =>
        backgroundDb().apiKey.updateMany({
          where: { id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: use.at } }] },
          data: { lastUsedAt: use.at, lastUsedIp: clean(use.ip, 64) },
        }),
      ),
  ]);
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

interface DatabaseError {
  code?: unknown;
  cause?: { originalCode?: unknown; kind?: unknown };
  meta?: { driverAdapterError?: { cause?: { originalCode?: unknown; kind?: unknown } } };
}

function driverCause(error: unknown) {
  const e = error as DatabaseError;
  return e.cause ?? e.meta?.driverAdapterError?.cause ?? {};
}

/** Its account was deleted between the call and the write: there is no owner to keep it for. */
function ownerGone(error: unknown): boolean {
  return (error as DatabaseError).code === "P2003" || driverCause(error).kind === "ForeignKeyConstraintViolation";
}

function rowRefused(error: unknown): boolean {
  const code = (error as DatabaseError).code;
  if (typeof code === "string" && ROW_ERROR_CODES.has(code)) return true;
  const { originalCode, kind } = driverCause(error);
  if (typeof kind === "string" && ROW_ERROR_KINDS.has(kind)) return true;
  if (typeof originalCode !== "string") return false;
  return /^2[23]/.test(originalCode) || /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG)/.test(originalCode);
}

/** Returns the rows to retry later; rows the database can never accept are reported and dropped. */
async function writeOneByOne(batch: UsageEntry[]): Promise<UsageEntry[]> {
  for (let i = 0; i < batch.length; i++) {
    try {
      await writeBatch([batch[i]]);
    } catch (error) {
      if (ownerGone(error)) {
        console.error(`[usage] dropped a usage row of deleted account ${batch[i].ownerId}`);
        continue;
      }
      if (rowRefused(error)) {
        // Retrying would be refused forever and hold back every row behind it.
        console.error(`[usage] dropped a usage row the database refuses: ${errorForLog(error)}`);
        continue;
      }
      console.error("[usage] writing usage rows failed; will retry:", errorForLog(error));
      return batch.slice(i);
    }
  }
  return [];
}

const holder = globalThis as unknown as { __usageRecorder?: UsageRecorder };

export function usageRecorder(): UsageRecorder {
  if (!holder.__usageRecorder) {
    const recorder = new UsageRecorder();
    holder.__usageRecorder = recorder;
    onShutdown(async () => {
      await recorder.flush();
      if (recorder.pending) throw new Error(`${recorder.pending} usage rows could not be written`);
    });
  }
  return holder.__usageRecorder;
}

/** Read-your-writes for usage queries in this process. */
export function flushUsage(): Promise<void> {
  return holder.__usageRecorder?.flush() ?? Promise.resolve();
}
