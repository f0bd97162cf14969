import { readEnv } from "../config/env";
import { closeBatchWriter, writeWithin, WriteTimeout } from "../db/batch-write";
import { isBusy, isDatabaseUnavailable } from "../db/errors";
import { log } from "../log/logger";
import { metrics } from "../metrics/metrics";
import { pipelinesWrites } from "../db/sql-dialect";
import { onPendingWrites } from "../runtime/pending-writes";
import { onShutdown } from "../runtime/shutdown";
import { writeBatch, writeOneByOne, type Buffered, type UsageEntry } from "./usage-batch";
import { HOUR_MS } from "../format/time";

/** The longest a usage row waits in memory before it is written: USAGE_FLUSH_INTERVAL_MS. */
export function flushIntervalMs(): number {
  return readEnv().USAGE_FLUSH_INTERVAL_MS;
}
const MAX_BATCH = 500;
/** SQLite batches queued on the writer thread at once (see UsageRecorder). */
const PIPELINE_DEPTH = 4;
/** Rows kept in memory while the database cannot take them; past this, rows are counted and dropped. */
export const MAX_BUFFERED = 100_000;
/** A batch that has not committed by then is given up on (and its connection replaced). */
const WRITE_TIMEOUT_MS = 25_000;
/** Retries of a failing database: 250 ms, doubling, at most 10 s apart. */
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 10_000;
/** How long a read of usage waits for buffered rows to be written before it answers from what is stored. */
const READ_FLUSH_WAIT_MS = 2_000;

/** The recorder's state, for the health endpoint. */
export interface UsageWriterStatus {
  /** Rows in memory, not yet written. */
  pending: number;
  /** Rows dropped because the buffer was full, since the process started. */
  dropped: number;
  /** When the current run of failed writes began (ms since epoch), or null while writes succeed. */
  failingSince: number | null;
}

/** A batch handed to the database: its rows, and once it settled, those to write again later. */
interface InFlight {
  rows: Buffered[];
  retry?: Buffered[];
}

/**
 * Buffers usage rows and writes them in batches: one commit per batch instead of two per
 * request, holding the rows, the rollups the summary reads (lib/usage/rollups.ts) and the keys'
 * last use. A batch is handed to the database once it is full or its oldest row has waited
 * intervalMs, checked at every call as well as by a timer: under load each turn of the event
 * loop is long, and a timer (or a write's reply) waits a whole turn, with its rows in memory,
 * lost to a kill -9. The batches go to a writer thread (lib/db/batch-write.ts), which commits
 * while the request thread serves: on SQLite up to PIPELINE_DEPTH of them queue there; on
 * PostgreSQL one at a time (pipelinesWrites says why).
 *
 * While the database fails (locked, disk full), rows wait in memory, in order, and writes are
 * retried with backoff, one batch at a time; a write that hangs is abandoned after
 * WRITE_TIMEOUT_MS on a connection that is then replaced. Memory is bounded: past MAX_BUFFERED
 * waiting rows, new rows are counted and dropped, and the count is logged. Reads of usage wait
 * at most READ_FLUSH_WAIT_MS for a flush, then answer from what is stored. The server flushes on
 * SIGTERM/SIGINT before exiting. A row the database refuses on its own while it answers
 * otherwise (an account deleted in the meantime, say) is logged and dropped, so it cannot hold
 * back every row after it.
 */
export class UsageRecorder {
  private buffer: Buffered[] = [];
  /** When the oldest row in the buffer was recorded (ms since epoch). */
  private bufferedSince = 0;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private failingSince: number | null = null;
  private dropped = 0;
  private droppedLoggedAt = 0;
  /** Batches under way, oldest first; settled in that order. */
  private readonly inFlight: InFlight[] = [];
  /** Rows of this run of failures put back at the buffer's front, so later failed batches go after them. */
  private requeued = 0;
  /** Rows taken from the buffer by writes under way: still waiting, for the health figures. */
  private writingRows = 0;
  /** Rows recorded, and rows written (or refused for good) since the start: what a flush waits for. */
  private recorded = 0;
  private settled = 0;
  private waiters: Array<{ upTo: number; resolve: () => void }> = [];

  constructor(
    private readonly intervalMs = flushIntervalMs(),
    private readonly depth = pipelinesWrites() ? PIPELINE_DEPTH : 1,
  ) {}

  record(entry: UsageEntry): void {
    this.push(entry);
  }

  /** Counts a call refused past the per-IP budget (`client`: lib/limits/ip-budget.ts): no usage row. */
  recordRefused(client: string, at: number): void {
    const hour = Math.floor(at / HOUR_MS) * HOUR_MS;
    const last = this.buffer[this.buffer.length - 1];
    // The buffer's tail: a batch taken for writing has left the buffer, so it is never changed.
    if (last && "refused" in last && last.ip === client && last.hour === hour) {
      last.refused += 1;
      return;
    }
    this.push({ refused: 1, ip: client, hour });
  }

  private push(entry: Buffered): void {
    if (this.buffer.length >= MAX_BUFFERED) {
      this.dropped++;
      metrics().usageRowsDropped.inc({ reason: "buffer_full" });
      if (Date.now() - this.droppedLoggedAt > 10_000) {
        this.droppedLoggedAt = Date.now();
        log().error(
          { dropped: this.dropped },
          `[usage] ${this.dropped} usage rows dropped so far: ${MAX_BUFFERED} rows are waiting for the database`,
        );
      }
      return;
    }
    const now = Date.now();
    if (!this.buffer.length) this.bufferedSince = now;
    this.buffer.push(entry);
    this.recorded++;
    // While the database fails, the retry timer decides when to write.
    if (this.failingSince === null && (this.buffer.length >= MAX_BATCH || now - this.bufferedSince >= this.intervalMs))
      this.pump();
    if (this.buffer.length) this.schedule(this.intervalMs);
  }

  /** Rows recorded and not yet written: in the buffer, or in batches being written. */
  get pending(): number {
    return this.buffer.length + this.writingRows;
  }

  status(): UsageWriterStatus {
    return { pending: this.pending, dropped: this.dropped, failingSince: this.failingSince };
  }

  /**
   * Writes everything recorded so far; resolves when it is in the database or the write failed
   * (while the database fails: after one more try).
   */
  flush(): Promise<void> {
    const upTo = this.recorded;
    this.pump(true);
    if (this.flushed(upTo)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ upTo, resolve }));
  }

  /**
   * For reads of usage: the rows recorded so far written first (read-your-writes), unless the
   * database is failing or the flush takes longer than `maxWaitMs`; then what is stored.
   */
  async flushForRead(maxWaitMs = READ_FLUSH_WAIT_MS): Promise<void> {
    if (this.failingSince !== null) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.flush(), new Promise((resolve) => (timer = setTimeout(resolve, maxWaitMs)))]);
    clearTimeout(timer);
  }

  private flushed(upTo: number): boolean {
    return this.settled >= upTo || (this.failingSince !== null && !this.inFlight.length);
  }

  private schedule(delayMs: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // Also the retry while the database fails.
      this.pump(true);
    }, delayMs);
    this.timer.unref?.();
  }

  /** Hands batches to the database while there is room; `retry`: also while it fails (one batch, a probe). */
  private pump(retry = false): void {
    if (this.failingSince !== null && !retry) return;
    while (this.buffer.length && this.inFlight.length < (this.failingSince === null ? this.depth : 1)) {
      const batch: InFlight = { rows: this.buffer.splice(0, MAX_BATCH) };
      this.bufferedSince = Date.now();
      this.inFlight.push(batch);
      void this.writeOne(batch.rows).then((rows) => {
        batch.retry = rows;
        this.settle();
      });
    }
  }

  private async writeOne(batch: Buffered[]): Promise<Buffered[]> {
    this.writingRows += batch.length;
    const started = performance.now();
    try {
      await writeWithin(writeBatch(batch), WRITE_TIMEOUT_MS, "usage batch");
      metrics().usageBatchSeconds.observe((performance.now() - started) / 1000);
      return [];
    } catch (error) {
      metrics().databaseErrors.inc({ operation: "usage_write" });
      // A write that hung (a stuck SQLite writer thread; a PostgreSQL connection past its statement
      // timeout): the rows are tried again, on SQLite on a new thread and connection.
      if (error instanceof WriteTimeout) {
        log().error(`[usage] ${error.message}; reconnecting`);
        closeBatchWriter();
        return batch;
      }
      // The database itself is failing (locked, disk full): every row waits for the retry.
      if (isBusy(error) || isDatabaseUnavailable(error)) {
        if (this.failingSince === null)
          log().error({ err: error }, "[usage] writing usage rows failed; will retry with backoff");
        return batch;
      }
      // One bad row must not hold back the rest: write them one by one.
      return writeOneByOne(batch, this.failingSince !== null);
    } finally {
      this.writingRows -= batch.length;
    }
  }

  /** Settles the batches at the head of the line that are done, in the order they were taken. */
  private settle(): void {
    while (this.inFlight[0]?.retry) {
      const { rows, retry = [] } = this.inFlight.shift()!;
      this.settled += rows.length - retry.length;
      if (retry.length) {
        // The database itself is failing (locked, disk full): keep the rows, in order, for later.
        this.buffer.splice(this.requeued, 0, ...retry);
        this.requeued += retry.length;
        this.failures++;
        this.failingSince ??= Date.now();
        if (this.timer) clearTimeout(this.timer);
        this.timer = undefined;
        this.schedule(Math.min(RETRY_MIN_MS * 2 ** (this.failures - 1), RETRY_MAX_MS));
      } else {
        if (this.failingSince !== null) {
          log().info(`[usage] writing usage rows works again after ${Date.now() - this.failingSince} ms`);
        }
        this.failures = 0;
        this.failingSince = null;
      }
    }
    if (!this.inFlight.length) this.requeued = 0;
    this.pump();
    this.waiters = this.waiters.filter(({ upTo, resolve }) => {
      if (!this.flushed(upTo)) return true;
      resolve();
      return false;
    });
  }
}

const holder = globalThis as unknown as { __usageRecorder?: UsageRecorder };

export function usageRecorder(): UsageRecorder {
  if (!holder.__usageRecorder) {
    const recorder = new UsageRecorder();
    holder.__usageRecorder = recorder;
    metrics().sources.usageRowsWaiting = () => recorder.pending;
    // Reads elsewhere (a key's last use) see the rows recorded so far, with the same bounded wait.
    onPendingWrites(() => recorder.flushForRead());
    onShutdown(async () => {
      await recorder.flush();
      if (recorder.pending) throw new Error(`${recorder.pending} usage rows could not be written`);
    });
  }
  return holder.__usageRecorder;
}

/** Read-your-writes for usage queries in this process, with a bounded wait (UsageRecorder.flushForRead). */
export function flushUsage(): Promise<void> {
  return holder.__usageRecorder?.flushForRead() ?? Promise.resolve();
}

/** The recorder's state for the health endpoint (nothing recorded yet: all clear). */
export function usageWriterStatus(): UsageWriterStatus {
  return holder.__usageRecorder?.status() ?? { pending: 0, dropped: 0, failingSince: null };
}
