import { createRequire } from "node:module";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { sqliteFile } from "../config/database-url";
import { backgroundDb, BUSY_TIMEOUT_MS, dialect, type Prisma } from "./client";
import { sqlTime } from "./json-rows";

/**
 * How long a batch waits for the write lock a request's transaction holds. Only the writer thread
 * waits (the request connection's wait stops the whole process, hence its 50 ms); failing a batch
 * at 50 ms meant a retry 250 ms later, and the rows waiting meanwhile were what a kill -9 lost.
 */
const WRITER_BUSY_TIMEOUT_MS = 2_000;

/**
 * The usage writer's batches: raw statements run in one transaction.
 *
 * On SQLite they run on a worker thread of their own, with better-sqlite3 itself (not Prisma),
 * each statement prepared once. Through Prisma's client on the request thread a batch of five
 * statements cost that thread about 4 ms on top of the SQL's own 1 ms (each statement planned by
 * the wasm query compiler and prepared anew, the interactive transaction's promises), and under
 * load the writer runs a batch every few milliseconds: writing usage halved the data API's throughput
 * (2,200 against 4,300 req/s with the writes switched off). better-sqlite3 is synchronous, so
 * even its own 1–2 ms a batch (the SQL, and WAL checkpoints every thousand pages) stopped every
 * request; on the worker they overlap with serving. PostgreSQL's driver is asynchronous: its
 * batches go through Prisma on the pool.
 */
export interface BatchWriter {
  /** All of the statements land, or none; a SQLite error keeps SQLite's `code` (lib/db/errors.ts). */
  write(statements: Prisma.Sql[]): Promise<void>;
}

// The worker's whole program, run with eval: a file of its own would need a path that holds in
// Next's server bundle, in the fast-path bundle and under tsx alike.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const connection = new Database(workerData.file, { timeout: workerData.busyTimeoutMs });
// As lib/db/sqlite-adapter.ts: durable once in the OS, no fsync per commit (WAL is the file's).
connection.pragma("synchronous = NORMAL");
// No checkpoint inside a commit: copying the WAL back held the next batch for tens of ms, and
// its rows waited in memory (lost to a kill -9). The checkpoint thread below does it.
connection.pragma("wal_autocheckpoint = 0");
const statements = new Map();
function prepared(sql) {
  let statement = statements.get(sql);
  if (!statement) {
    if (statements.size >= 64) statements.clear(); // bounded; the writers' SQL texts are few
    statement = connection.prepare(sql);
    statements.set(sql, statement);
  }
  return statement;
}
// better-sqlite3 rolls back when a statement throws, also when SQLite ended the transaction
// itself (disk full), so a failed batch leaves the connection as it found it.
const writeAll = connection.transaction((batch) => {
  for (const [sql, values] of batch) prepared(sql).run(...values);
});
parentPort.on("message", ({ id, batch, pragma }) => {
  try {
    // IMMEDIATE: the write lock first, so a commit elsewhere meanwhile is waited for (busy timeout)
    // instead of failing the batch at once with SQLITE_BUSY_SNAPSHOT.
    const result = pragma ? connection.pragma(pragma, { simple: true }) : writeAll.immediate(batch);
    parentPort.postMessage({ id, result: pragma ? result : undefined });
  } catch (error) {
    parentPort.postMessage({ id, error: { message: String(error && error.message), code: error && error.code } });
  }
});
`;

// The WAL copied back into the database file every 250 ms on a connection of its own: PASSIVE
// waits for no reader or writer, so the batches never queue behind it.
const CHECKPOINT_SOURCE = `
const { workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const connection = new Database(workerData.file, { timeout: workerData.busyTimeoutMs });
setInterval(() => {
  try {
    connection.pragma("wal_checkpoint(PASSIVE)");
  } catch {
    // Busy or failing storage: the next round tries again; the writer reports failures itself.
  }
}, 250);
`;

type Reply = { id: number; result?: unknown; error?: { message: string; code?: string } };

/** The error a SQLite failure in the worker is thrown as: the message and SQLite's code. */
class SqliteWriteError extends Error {
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

class SqliteWriterThread implements BatchWriter {
  private readonly worker: Worker;
  private readonly checkpointer: Worker;
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private dead: Error | null = null;

  constructor(readonly file: string) {
    // better-sqlite3 as this app resolves it (the eval'd worker has no module of its own).
    const driver = createRequire(path.join(process.cwd(), "package.json")).resolve("better-sqlite3");
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driver, file, busyTimeoutMs: WRITER_BUSY_TIMEOUT_MS },
    });
    this.worker.unref(); // kept alive only while a write waits (see send)
    this.checkpointer = new Worker(CHECKPOINT_SOURCE, {
      eval: true,
      workerData: { driver, file, busyTimeoutMs: BUSY_TIMEOUT_MS },
    });
    this.checkpointer.unref();
    // A checkpointer that failed: commits on the request connection still checkpoint (SQLite's
    // default, past 1,000 pages), and the next writer thread starts a new one.
    this.checkpointer.on("error", () => undefined);
    this.worker.on("message", (reply: Reply) => this.settle(reply));
    // The file could not be opened, or the thread died: every waiting write fails, and the next
    // one starts a new thread (the usage writer keeps its rows and retries).
    const fail = (error: Error) => {
      this.dead ??= error;
      for (const { reject } of this.waiting.values()) reject(error);
      this.waiting.clear();
      if (holder.__sqliteBatchWriter === this) holder.__sqliteBatchWriter = undefined;
      void this.checkpointer.terminate();
    };
    this.worker.on("error", (error: Error & { code?: string }) =>
      fail(new SqliteWriteError(error.message, error.code)),
    );
    this.worker.on("exit", () => fail(new SqliteWriteError("the SQLite writer thread stopped", undefined)));
  }

  write(statements: Prisma.Sql[]): Promise<void> {
    return this.send({ batch: statements.map((s) => [s.sql, s.values.map(sqliteValue)]) }).then(() => undefined);
  }

  pragma(pragma: string): Promise<unknown> {
    return this.send({ pragma });
  }

  close(): void {
    void this.worker.terminate();
    void this.checkpointer.terminate();
  }

  private send(message: object): Promise<unknown> {
    if (this.dead) return Promise.reject(this.dead);
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      // While a write waits, the thread keeps the process alive (a flush at shutdown finishes).
      if (this.waiting.size === 1) this.worker.ref();
      this.worker.postMessage({ id, ...message });
    });
  }

  private settle(reply: Reply): void {
    const waiter = this.waiting.get(reply.id);
    if (!waiter) return;
    this.waiting.delete(reply.id);
    if (!this.waiting.size) this.worker.unref();
    if (reply.error) waiter.reject(new SqliteWriteError(reply.error.message, reply.error.code));
    else waiter.resolve(reply.result);
  }
}

const holder = globalThis as unknown as { __sqliteBatchWriter?: SqliteWriterThread };

const postgresWriter: BatchWriter = {
  async write(statements) {
    await backgroundDb().$transaction(statements.map((statement) => backgroundDb().$executeRaw(statement)));
  },
};

function sqliteWriter(): SqliteWriterThread {
  const file = sqliteFile();
  // Another file (tests point DATABASE_URL elsewhere): that thread's connection is not the app's.
  if (holder.__sqliteBatchWriter?.file !== file) {
    closeBatchWriter();
    holder.__sqliteBatchWriter = new SqliteWriterThread(file);
  }
  return holder.__sqliteBatchWriter;
}

/** This process's batch writer (one per process, shared by the fast path and Next's handlers). */
export function batchWriter(): BatchWriter {
  return dialect() === "postgresql" ? postgresWriter : sqliteWriter();
}

/** A PRAGMA on the SQLite batch connection (tests: fault injection on it), its simple result. */
export function sqliteBatchPragma(pragma: string): Promise<unknown> {
  return sqliteWriter().pragma(pragma);
}

/** Stops the SQLite writer thread (after a write that did not finish); the next batch starts one. */
export function closeBatchWriter(): void {
  const writer = holder.__sqliteBatchWriter;
  holder.__sqliteBatchWriter = undefined;
  writer?.close();
}
