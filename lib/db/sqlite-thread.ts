import { createRequire } from "node:module";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { BUSY_TIMEOUT_MS, type Prisma } from "./client";
import { sqlTime } from "./json-rows";
import {
  runCheckpoints,
  runConnection,
  type SqliteConnectionData,
  type SqliteRequest,
  type SqliteWorkerData,
} from "./sqlite-worker";
import { workerSource } from "./worker-program";
import { MAX_TEXTS, WorkerThread } from "./worker-thread";

/**
 * A better-sqlite3 connection on a worker thread of its own, for the SQLite work that would
 * otherwise stop the request thread: the usage batches (lib/db/batch-write.ts) and the reads that
 * scan thousands of rows (lib/db/read-rows.ts). better-sqlite3 is synchronous, and through Prisma
 * on the request thread each statement also costs the wasm query compiler's planning and its
 * result decoding; here each SQL text is prepared once and runs while the request thread serves.
 */

/** The nice value of a background thread (0-19; higher yields more): the usage writer's. */
export const BACKGROUND_NICE = 10;

// The threads' programs, as source text (lib/db/worker-program.ts says why): built once.
const CONNECTION_SOURCE = workerSource(runConnection);
const CHECKPOINT_SOURCE = workerSource(runCheckpoints);

/** The error a SQLite failure on the thread is thrown as: the message and SQLite's code (lib/db/errors.ts). */
export class SqliteThreadError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

// What Prisma's SQLite adapter stores for each value (lib/db/json-rows.ts: sqlTime).
const sqliteValue = (value: unknown) =>
  value instanceof Date ? sqlTime(value) : typeof value === "boolean" ? Number(value) : value;

export interface SqliteThreadOptions {
  busyTimeoutMs: number;
  /** PRAGMAs run once the connection opens. */
  pragmas: string[];
  /** Also runs the WAL checkpoint thread (the writer's: it checkpoints nothing itself). */
  checkpoints?: boolean;
  /** Runs at BACKGROUND_NICE, its checkpointer too: work no request waits for. */
  background?: boolean;
  /** Called once the thread stopped or could not start: the owner forgets it, and makes a new one next time. */
  onDead: () => void;
}

export class SqliteThread extends WorkerThread {
  private readonly checkpointer: Worker | null = null;

  constructor(
    readonly file: string,
    options: SqliteThreadOptions,
  ) {
    // better-sqlite3 as this app resolves it (the eval'd worker has no module of its own).
    const driver = createRequire(path.join(process.cwd(), "package.json")).resolve("better-sqlite3");
    const nice = options.background ? BACKGROUND_NICE : 0;
    super(
      CONNECTION_SOURCE,
      {
        driver,
        file,
        busyTimeoutMs: options.busyTimeoutMs,
        pragmas: options.pragmas,
        maxTexts: MAX_TEXTS,
        nice,
      } satisfies SqliteConnectionData,
      {
        error: (message, code) => new SqliteThreadError(message, code),
        stopped: { message: "the SQLite thread stopped", code: "SQLITE_THREAD_STOPPED" },
        onDead: options.onDead,
      },
    );
    if (options.checkpoints) {
      this.checkpointer = new Worker(CHECKPOINT_SOURCE, {
        eval: true,
        workerData: { driver, file, busyTimeoutMs: BUSY_TIMEOUT_MS, nice } satisfies SqliteWorkerData,
      });
      this.checkpointer.unref();
      // A checkpointer that failed: commits on the request connection still checkpoint (SQLite's
      // default, past 1,000 pages), and the next writer thread starts a new one.
      this.checkpointer.on("error", () => undefined);
    }
  }

  /** The statements in one IMMEDIATE transaction: all land, or none. */
  write(statements: Prisma.Sql[]): Promise<void> {
    return this.send({ batch: statements.map((sql) => this.sqlite(sql)) } satisfies Omit<SqliteRequest, "id">).then(
      () => undefined,
    );
  }

  /** A query's rows as better-sqlite3 gives them (numbers, text; times as sqlTime's text). */
  read(sql: Prisma.Sql): Promise<unknown[]> {
    return this.send({ read: this.sqlite(sql) } satisfies Omit<SqliteRequest, "id">) as Promise<unknown[]>;
  }

  pragma(pragma: string): Promise<unknown> {
    return this.send({ pragma } satisfies Omit<SqliteRequest, "id">);
  }

  close(): void {
    super.close();
    void this.checkpointer?.terminate();
  }

  protected died(): void {
    void this.checkpointer?.terminate();
  }

  private sqlite(sql: Prisma.Sql) {
    return this.statement(sql.sql, sql.values.map(sqliteValue));
  }
}
