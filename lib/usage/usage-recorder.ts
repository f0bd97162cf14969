import { readEnv } from "../config/env";
import { backgroundDb } from "../db/client";
import { redactKeys } from "../keys/secret";
import { onShutdown } from "../setup/shutdown";

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
 * request. No row is lost to a failing database: a failed write is put back and retried, every
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
  await backgroundDb().$transaction([
    backgroundDb().usageLog.createMany({
      data: batch.map((entry) => ({
        ownerId: entry.ownerId,
        apiKeyId: entry.apiKeyId,
        apiKeyName: entry.apiKeyName === null ? null : clean(entry.apiKeyName, 256),
        method: clean(entry.method, 16),
        path: clean(entry.path, 512),
        statusCode: entry.statusCode,
        ip: clean(entry.ip, 64),
        userAgent: clean(entry.userAgent, 512),
        createdAt: entry.at,
      })),
    }),
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

// Prisma's codes for a value or constraint the row itself violates (too long, wrong type, missing
// foreign row, out of range), and PostgreSQL's SQLSTATE classes 22 (data) and 23 (integrity).
const ROW_ERROR_CODES = new Set(["P2000", "P2003", "P2006", "P2007", "P2011", "P2019", "P2020"]);

/** Whether the database refused this row for what it holds (never accepts it) rather than failing itself. */
function rowRefused(error: unknown): boolean {
  const e = error as {
    code?: unknown;
    cause?: { originalCode?: unknown };
    meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } };
  };
  if (typeof e.code === "string" && ROW_ERROR_CODES.has(e.code)) return true;
  const sqlState = e.cause?.originalCode ?? e.meta?.driverAdapterError?.cause?.originalCode;
  return typeof sqlState === "string" && /^2[23]/.test(sqlState);
}

/** Returns the rows to retry later; rows the database can never accept are reported and dropped. */
async function writeOneByOne(batch: UsageEntry[]): Promise<UsageEntry[]> {
  for (let i = 0; i < batch.length; i++) {
    try {
      await writeBatch([batch[i]]);
    } catch (error) {
      if ((error as { code?: unknown }).code === "P2003") {
        // Its account was deleted between the call and this write: there is no owner to keep it for.
        console.error(`[usage] dropped a usage row of deleted account ${batch[i].ownerId}`);
        continue;
      }
      if (rowRefused(error)) {
        // Retrying would be refused forever and hold back every row behind it.
        console.error(`[usage] dropped a usage row the database refuses: ${(error as Error).message}`);
        continue;
      }
      console.error("[usage] writing usage rows failed; will retry:", error);
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
