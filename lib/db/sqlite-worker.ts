import type * as fs from "node:fs";
import type * as os from "node:os";
import type { MessagePort } from "node:worker_threads";
import type Database from "better-sqlite3";

/**
 * The programs that run on the SQLite threads (lib/db/sqlite-thread.ts starts them).
 *
 * Each program is a function here, so tsc and ESLint read it, and a thread runs its source text
 * (an eval worker): a worker file would need a path that holds in Next's server bundle, in the
 * fast-path bundle (scripts/build-fast-path.mjs) and under tsx alike, while a function's text is
 * whatever the loader compiled it to. Hence the rule for every function below: it references
 * nothing outside its own body but its argument (the modules and workerData, required by
 * workerSource's prelude), and only types come from imports. tests/unit/sqlite-worker.test.ts
 * starts the thread under tsx and in an esbuild bundle; e2e runs it in Next's production build.
 */

/** How a message names a SQL text: its number once the thread has it, else [number, text]. */
export type SqlRef = number | [number, string];

export interface SqliteRequest {
  id: number;
  /** Statements for one IMMEDIATE transaction. */
  batch?: [SqlRef, unknown[]][];
  read?: [SqlRef, unknown[]];
  pragma?: string;
}

export interface SqliteReply {
  id: number;
  result?: unknown;
  error?: { message: string; code?: string };
}

export interface SqliteWorkerData {
  /** better-sqlite3's resolved path: an eval'd worker has no module of its own to resolve from. */
  driver: string;
  file: string;
  busyTimeoutMs: number;
  /** The nice value the thread lowers itself to (0: unchanged). */
  nice: number;
}

export interface SqliteConnectionData extends SqliteWorkerData {
  /** PRAGMAs run once the connection opens. */
  pragmas: string[];
  /** Text numbers at or past this arrive whole every time and are not kept. */
  maxTexts: number;
}

/** What a program gets: the modules the prelude required, and its workerData. */
interface WorkerContext<Data extends SqliteWorkerData> {
  parentPort: MessagePort;
  workerData: Data;
  Database: typeof Database;
  fs: typeof fs;
  os: typeof os;
}

type WorkerProgram<Data extends SqliteWorkerData> = (context: WorkerContext<Data>) => void;

/**
 * A program's source for `new Worker(source, { eval: true })`: its modules required, the thread's
 * priority lowered, then the program. `__name` is there because tsx compiles with esbuild's
 * keepNames, which wraps each named function in a call to a module-level helper of that name
 * that an eval'd text does not have; naming a function is all that helper does.
 */
export function workerSource<Data extends SqliteWorkerData>(program: WorkerProgram<Data>): string {
  return `"use strict";
const __name = (target) => target;
const { parentPort, workerData } = require("node:worker_threads");
const context = { parentPort, workerData, Database: require(workerData.driver), fs: require("node:fs"), os: require("node:os") };
(${lowerPriority.toString()})(context);
(${program.toString()})(context);
`;
}

// A background thread (the usage writer, its checkpointer) lowers its own priority: on two cores
// shared by the request thread, the writer and a client, the writer's turns preempted the request
// thread, and those stalls were the data API's slowest calls. Linux only (a thread's id is its
// /proc/thread-self); elsewhere the thread keeps the process's priority.
function lowerPriority({ workerData, fs, os }: WorkerContext<SqliteWorkerData>): void {
  if (!workerData.nice) return;
  try {
    const tid = Number(fs.readlinkSync("/proc/thread-self").split("/").pop());
    os.setPriority(tid, workerData.nice);
  } catch {
    // No /proc, or not allowed: the default priority.
  }
}

/** The connection thread: runs the batches, reads and PRAGMAs SqliteThread sends, in order. */
export function runConnection({ parentPort, workerData, Database }: WorkerContext<SqliteConnectionData>): void {
  // SQLite's busy handler waits for a lock held elsewhere, up to busyTimeoutMs. Once a wait has run
  // out, the next ones wait 50 ms until something succeeds again: the batches queued behind the
  // first (lib/usage/usage-recorder.ts) would each wait the whole time in turn, and a flush with
  // them. (Not a tight polling wait instead: the request thread's connection, whose waits stop its
  // event loop, would then have to win the lock against this thread, for no clear gain.)
  const connection = new Database(workerData.file, { timeout: workerData.busyTimeoutMs });
  let gaveUp = false;
  function whenFree<T>(run: () => T): T {
    try {
      const result = run();
      if (gaveUp) {
        gaveUp = false;
        connection.pragma(`busy_timeout = ${workerData.busyTimeoutMs}`);
      }
      return result;
    } catch (error) {
      if (!gaveUp && (error as { code?: unknown } | null)?.code === "SQLITE_BUSY") {
        gaveUp = true;
        connection.pragma(`busy_timeout = ${Math.min(50, workerData.busyTimeoutMs)}`);
      }
      throw error;
    }
  }
  for (const pragma of workerData.pragmas) whenFree(() => connection.pragma(pragma));
  // A SQL text arrives once with its number, then by the number alone (see SqliteThread.sqlRef);
  // one numbered past maxTexts comes whole every time, and is kept in a small cache by its text.
  const texts = new Map<number, string>();
  const statements = new Map<number, Database.Statement>();
  const others = new Map<string, Database.Statement>();
  // Keeps a text sent with its number, at the message's arrival: it counts as sent even when the
  // transaction it came with never began (the database locked or full).
  function take(ref: SqlRef): SqlRef {
    if (typeof ref === "number" || ref[0] >= workerData.maxTexts) return ref;
    texts.set(ref[0], ref[1]);
    return ref[0];
  }
  function prepared(ref: SqlRef): Database.Statement {
    if (typeof ref === "number") {
      let statement = statements.get(ref);
      if (!statement) {
        statement = connection.prepare(texts.get(ref) as string);
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
  const writeAll = connection.transaction((batch: [SqlRef, unknown[]][]) => {
    for (const [ref, values] of batch) prepared(ref).run(...values);
  });
  parentPort.on("message", ({ id, batch, read, pragma }: SqliteRequest) => {
    if (batch) batch = batch.map(([ref, values]) => [take(ref), values]);
    if (read) read = [take(read[0]), read[1]];
    try {
      let result: unknown;
      if (pragma) result = whenFree(() => connection.pragma(pragma, { simple: true }));
      else if (read) {
        const [ref, values] = read;
        result = whenFree(() => prepared(ref).all(...values));
      }
      // IMMEDIATE: the write lock first, so a commit elsewhere meanwhile is waited for (whenFree)
      // instead of failing the batch at once with SQLITE_BUSY_SNAPSHOT. A refused BEGIN wrote nothing.
      else whenFree(() => writeAll.immediate(batch ?? []));
      parentPort.postMessage({ id, result } satisfies SqliteReply);
    } catch (error) {
      const { message, code } = (error ?? {}) as { message?: unknown; code?: string };
      parentPort.postMessage({ id, error: { message: String(message), code } } satisfies SqliteReply);
    }
  });
}

// The WAL copied back into the database file every 250 ms on a connection of its own: PASSIVE
// waits for no reader or writer, so the batches never queue behind it.
export function runCheckpoints({ workerData, Database }: WorkerContext<SqliteWorkerData>): void {
  const connection = new Database(workerData.file, { timeout: workerData.busyTimeoutMs });
  setInterval(() => {
    try {
      connection.pragma("wal_checkpoint(PASSIVE)");
    } catch {
      // Busy or failing storage: the next round tries again; the writer reports failures itself.
    }
  }, 250);
}
