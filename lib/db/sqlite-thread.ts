import { createRequire } from "node:module";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { BUSY_TIMEOUT_MS, type Prisma } from "./client";
import { sqlTime } from "./json-rows";

/**
 * A better-sqlite3 connection on a worker thread of its own, for the SQLite work that would
 * otherwise stop the request thread: the usage batches (lib/db/batch-write.ts) and the reads that
 * scan thousands of rows (lib/db/read-rows.ts). better-sqlite3 is synchronous, and through Prisma
 * on the request thread each statement also costs the wasm query compiler's planning and its
 * result decoding; here each SQL text is prepared once and runs while the request thread serves.
 */

const NICE_SOURCE = `
// A background thread (the usage writer, its checkpointer) lowers its own priority: on two cores
// shared by the request thread, the writer and a client, the writer's turns preempted the request
// thread, and those stalls were the data API's slowest calls. Linux only (a thread's id is its
// /proc/thread-self); elsewhere the thread keeps the process's priority.
function lowerPriority(nice) {
  if (!nice) return;
  try {
    const tid = Number(require("node:fs").readlinkSync("/proc/thread-self").split("/").pop());
    require("node:os").setPriority(tid, nice);
  } catch {
    // No /proc, or not allowed: the default priority.
  }
}
`;

/** The nice value of a background thread (0-19; higher yields more): the usage writer's. */
export const BACKGROUND_NICE = 10;

// The worker's whole program, run with eval: a file of its own would need a path that holds in
// Next's server bundle, in the fast-path bundle and under tsx alike.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
${NICE_SOURCE}lowerPriority(workerData.nice);
// SQLite's busy handler waits for a lock held elsewhere, up to busyTimeoutMs. Once a wait has run
// out, the next ones wait 50 ms until something succeeds again: the batches queued behind the
// first (lib/usage/usage-recorder.ts) would each wait the whole time in turn, and a flush with
// them. (Polling the lock every 0.1-5 ms instead was tried: no clear gain, and the request
// thread's connection, whose waits stop its event loop, would have to win the lock against it.)
const connection = new Database(workerData.file, { timeout: workerData.busyTimeoutMs });
let gaveUp = false;
function whenFree(run) {
  try {
    const result = run();
    if (gaveUp) {
      gaveUp = false;
      connection.pragma(\`busy_timeout = \${workerData.busyTimeoutMs}\`);
    }
    return result;
  } catch (error) {
    if (!gaveUp && error && error.code === "SQLITE_BUSY") {
      gaveUp = true;
      connection.pragma(\`busy_timeout = \${Math.min(50, workerData.busyTimeoutMs)}\`);
    }
    throw error;
  }
}
for (const pragma of workerData.pragmas) whenFree(() => connection.pragma(pragma));
// A SQL text arrives once with its number, then by the number alone (see SqliteThread.sqlRef);
// one numbered past maxTexts comes whole every time, and is kept in a small cache by its text.
const texts = new Map();
const statements = new Map();
const others = new Map();
// Keeps a text sent with its number, at the message's arrival: it counts as sent even when the
// transaction it came with never began (the database locked or full).
function take(ref) {
  if (typeof ref === "number" || ref[0] >= workerData.maxTexts) return ref;
  texts.set(ref[0], ref[1]);
  return ref[0];
}
function prepared(ref) {
  if (typeof ref === "number") {
    let statement = statements.get(ref);
    if (!statement) {
      statement = connection.prepare(texts.get(ref));
      statements.set(ref, statement);
    }
    return statement;
  }
  const sql = ref[1];
  let statement = others.get(sql);
  if (!statement) {
    if (others.size >= 64) others.clear();
    statement = connection.prepare(sql);
    others.set(sql, statement);
  }
  return statement;
}
// better-sqlite3 rolls back when a statement throws, also when SQLite ended the transaction
// itself (disk full), so a failed batch leaves the connection as it found it.
const writeAll = connection.transaction((batch) => {
  for (const [ref, values] of batch) prepared(ref).run(...values);
});
parentPort.on("message", ({ id, batch, read, pragma }) => {
  if (batch) batch = batch.map(([ref, values]) => [take(ref), values]);
  if (read) read = [take(read[0]), read[1]];
  try {
    let result;
    if (pragma) result = whenFree(() => connection.pragma(pragma, { simple: true }));
    else if (read) result = whenFree(() => prepared(read[0]).all(...read[1]));
    // IMMEDIATE: the write lock first, so a commit elsewhere meanwhile is waited for (whenFree)
    // instead of failing the batch at once with SQLITE_BUSY_SNAPSHOT. A refused BEGIN wrote nothing.
    else whenFree(() => writeAll.immediate(batch));
    parentPort.postMessage({ id, result });
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
${NICE_SOURCE}lowerPriority(workerData.nice);
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

/** How a message names a SQL text: its number once the thread has it, else [number, text]. */
type SqlRef = number | [number, string];
/** Distinct SQL texts one thread is sent, at most: past this, texts go in full and are not kept. */
const MAX_TEXTS = 256;

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

export class SqliteThread {
  private readonly worker: Worker;
  private readonly checkpointer: Worker | null = null;
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private dead: Error | null = null;
  /** The SQL texts sent to this thread, by number: each text crosses to the thread once. */
  private readonly texts = new Map<string, number>();
  /** Texts numbered for the message being built: forgotten again if it cannot be sent. */
  private fresh: string[] = [];

  constructor(
    readonly file: string,
    options: SqliteThreadOptions,
  ) {
    // better-sqlite3 as this app resolves it (the eval'd worker has no module of its own).
    const driver = createRequire(path.join(process.cwd(), "package.json")).resolve("better-sqlite3");
    const nice = options.background ? BACKGROUND_NICE : 0;
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        driver,
        file,
        busyTimeoutMs: options.busyTimeoutMs,
        pragmas: options.pragmas,
        maxTexts: MAX_TEXTS,
        nice,
      },
    });
    this.worker.unref(); // kept alive only while a message waits (see send)
    if (options.checkpoints) {
      this.checkpointer = new Worker(CHECKPOINT_SOURCE, {
        eval: true,
        workerData: { driver, file, busyTimeoutMs: BUSY_TIMEOUT_MS, nice },
      });
      this.checkpointer.unref();
      // A checkpointer that failed: commits on the request connection still checkpoint (SQLite's
      // default, past 1,000 pages), and the next writer thread starts a new one.
      this.checkpointer.on("error", () => undefined);
    }
    this.worker.on("message", (reply: Reply) => this.settle(reply));
    // The file could not be opened, or the thread died: everything waiting fails, and the owner
    // starts a new thread next time (the usage writer keeps its rows and retries).
    const fail = (error: Error) => {
      this.dead ??= error;
      for (const { reject } of this.waiting.values()) reject(error);
      this.waiting.clear();
      options.onDead();
      void this.checkpointer?.terminate();
    };
    this.worker.on("error", (error: Error & { code?: string }) =>
      fail(new SqliteThreadError(error.message, error.code)),
    );
    // Its own code, read as the database being unavailable (lib/db/errors.ts): a 503, and retries.
    this.worker.on("exit", () => fail(new SqliteThreadError("the SQLite thread stopped", "SQLITE_THREAD_STOPPED")));
  }

  /** Messages sent and not answered yet. */
  get waitingCount(): number {
    return this.waiting.size;
  }

  /** The statements in one IMMEDIATE transaction: all land, or none. */
  write(statements: Prisma.Sql[]): Promise<void> {
    return this.send({ batch: statements.map((sql) => this.statement(sql)) }).then(() => undefined);
  }

  /** A query's rows as better-sqlite3 gives them (numbers, text; times as sqlTime's text). */
  read(sql: Prisma.Sql): Promise<unknown[]> {
    return this.send({ read: this.statement(sql) }) as Promise<unknown[]>;
  }

  /**
   * The statement as the thread takes it. Its text goes once: a usage batch is seven or so
   * statements of 300-900 characters each, copied to the thread a thousand times a second under
   * load, and that copy (postMessage) was 5% of the request thread's time. Messages are handled
   * in the order sent, so a text arrives before any message naming it only by its number.
   */
  private statement(sql: Prisma.Sql): [SqlRef, unknown[]] {
    return [this.sqlRef(sql.sql), sql.values.map(sqliteValue)];
  }

  private sqlRef(text: string): SqlRef {
    const known = this.texts.get(text);
    if (known !== undefined) return known;
    // Many distinct texts (reads with varying lists): past MAX_TEXTS they go whole every time.
    if (this.texts.size >= MAX_TEXTS) return [MAX_TEXTS, text];
    const ref = this.texts.size;
    this.texts.set(text, ref);
    this.fresh.push(text);
    return [ref, text];
  }

  pragma(pragma: string): Promise<unknown> {
    return this.send({ pragma });
  }

  close(): void {
    void this.worker.terminate();
    void this.checkpointer?.terminate();
  }

  private send(message: object): Promise<unknown> {
    const fresh = this.fresh;
    this.fresh = [];
    if (this.dead) return Promise.reject(this.dead);
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      try {
        this.worker.postMessage({ id, ...message });
      } catch (error) {
        // Not sent (a value that cannot be copied): the thread never saw the texts it brought,
        // and nothing waits for an answer.
        for (const text of fresh) this.texts.delete(text);
        throw error;
      }
      this.waiting.set(id, { resolve, reject });
      // While a message waits, the thread keeps the process alive (a flush at shutdown finishes).
      if (this.waiting.size === 1) this.worker.ref();
    });
  }

  private settle(reply: Reply): void {
    const waiter = this.waiting.get(reply.id);
    if (!waiter) return;
    this.waiting.delete(reply.id);
    if (!this.waiting.size) this.worker.unref();
    if (reply.error) waiter.reject(new SqliteThreadError(reply.error.message, reply.error.code));
    else waiter.resolve(reply.result);
  }
}
