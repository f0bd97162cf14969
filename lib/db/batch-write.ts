import { resolveDatabaseUrl, sqliteFile } from "../config/database-url";
import { dialect, type Prisma } from "./client";
import { PgThread } from "./pg-thread";
import { SqliteThread } from "./sqlite-thread";

/**
 * How long a batch waits for the write lock a request's transaction holds. Only the writer thread
 * waits (the request connection's wait stops the whole process, hence its 50 ms); failing a batch
 * at 50 ms would mean a retry 250 ms later (RETRY_MIN_MS), and the rows waiting meanwhile are what
 * a kill -9 loses.
 */
const WRITER_BUSY_TIMEOUT_MS = 2_000;

/**
 * The usage writer's batches: raw statements run in one transaction.
 *
 * On SQLite they run on a worker thread of their own, with better-sqlite3 itself (not Prisma),
 * each statement prepared once. Through Prisma's client on the request thread a batch of five
 * statements costs that thread several times the SQL's own time (each statement planned by the
 * wasm query compiler and prepared anew, the interactive transaction's promises), and under load
 * the writer runs a batch every few milliseconds: writing usage that way costs the data API a
 * large share of its throughput. better-sqlite3 is synchronous, so even its own time a batch (the
 * SQL, and WAL checkpoints every thousand pages) would stop every request; on the worker they
 * overlap with serving. On PostgreSQL they run on a thread too, with pg on a connection of its
 * own (lib/db/pg-thread.ts): the driver is asynchronous, but Prisma's planning and promises per
 * statement were the request thread's work.
 */
export interface BatchWriter {
  /** All of the statements land, or none; a SQLite error keeps SQLite's `code` (lib/db/errors.ts). */
  write(statements: Prisma.Sql[]): Promise<void>;
}

const holder = globalThis as unknown as { __sqliteBatchWriter?: SqliteThread; __pgBatchWriter?: PgThread };

/**
 * Each statement of a usage batch on PostgreSQL: they take milliseconds, so a statement past this
 * is waiting on a lock or a struggling server, and the server rolls the batch back (retried with
 * backoff). Short enough that a batch's few statements end well within the recorder's
 * WRITE_TIMEOUT_MS, whose expiry leaves a batch's outcome unknown.
 */
const PG_STATEMENT_TIMEOUT_MS = 5_000;

function postgresWriter(): PgThread {
  const url = resolveDatabaseUrl();
  // Another database (tests point DATABASE_URL elsewhere): that thread's connection is not the app's.
  if (holder.__pgBatchWriter?.url !== url) {
    closeBatchWriter();
    const writer: PgThread = new PgThread(url, {
      statementTimeoutMs: PG_STATEMENT_TIMEOUT_MS,
      onDead: () => {
        if (holder.__pgBatchWriter === writer) holder.__pgBatchWriter = undefined;
      },
    });
    holder.__pgBatchWriter = writer;
  }
  return holder.__pgBatchWriter;
}

function sqliteWriter(): SqliteThread {
  const file = sqliteFile();
  // Another file (tests point DATABASE_URL elsewhere): that thread's connection is not the app's.
  if (holder.__sqliteBatchWriter?.file !== file) {
    closeBatchWriter();
    const writer: SqliteThread = new SqliteThread(file, {
      busyTimeoutMs: WRITER_BUSY_TIMEOUT_MS,
      pragmas: [
        // As lib/db/sqlite-adapter.ts: durable once in the OS, no fsync per commit (WAL is the file's).
        "synchronous = NORMAL",
        // No checkpoint inside a commit: copying the WAL back held the next batch for tens of ms,
        // and its rows waited in memory (lost to a kill -9). The checkpoint thread does it.
        "wal_autocheckpoint = 0",
      ],
      checkpoints: true,
      // Rows wait in memory meanwhile (bounded, written in bigger batches); no request waits for them.
      background: true,
      onDead: () => {
        if (holder.__sqliteBatchWriter === writer) holder.__sqliteBatchWriter = undefined;
      },
    });
    holder.__sqliteBatchWriter = writer;
  }
  return holder.__sqliteBatchWriter;
}

/** A write given up on after its bound (the caller decides whether to replace the connection). */
export class WriteTimeout extends Error {}

/** `write`, or a WriteTimeout once `ms` have passed: no flush waits on a stuck writer for ever. */
export function writeWithin<T>(write: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WriteTimeout(`${what} not written within ${ms} ms`)), ms);
  });
  return Promise.race([write, timeout]).finally(() => clearTimeout(timer));
}

/** This process's batch writer (one per process, shared by the fast path and Next's handlers). */
export function batchWriter(): BatchWriter {
  return dialect() === "postgresql" ? postgresWriter() : sqliteWriter();
}

/** A PRAGMA on the SQLite batch connection (tests: fault injection on it), its simple result. */
export function sqliteBatchPragma(pragma: string): Promise<unknown> {
  return sqliteWriter().pragma(pragma);
}

/** Stops the writer thread (after a write that did not finish); the next batch starts one. */
export function closeBatchWriter(): void {
  const writers = [holder.__sqliteBatchWriter, holder.__pgBatchWriter];
  holder.__sqliteBatchWriter = undefined;
  holder.__pgBatchWriter = undefined;
  for (const writer of writers) writer?.close();
}
