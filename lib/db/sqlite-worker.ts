import type Database from "better-sqlite3";
import type { SqlRef, ThreadReply, ThreadStatement, WorkerContext, WorkerData } from "./worker-program";

/**
 * The programs that run on the SQLite threads (lib/db/sqlite-thread.ts starts them, through
 * lib/db/worker-program.ts's workerSource: see there for the rule every program here keeps).
 */

export interface SqliteRequest {
  id: number;
  /** Statements for one IMMEDIATE transaction. */
  batch?: ThreadStatement[];
  read?: ThreadStatement;
  pragma?: string;
}

export interface SqliteWorkerData extends WorkerData {
  file: string;
  busyTimeoutMs: number;
}

export interface SqliteConnectionData extends SqliteWorkerData {
  /** PRAGMAs run once the connection opens. */
  pragmas: string[];
  /** Text numbers at or past this arrive whole every time and are not kept. */
  maxTexts: number;
}

type SqliteContext<Data extends SqliteWorkerData> = WorkerContext<Data, typeof Database>;

/** The connection thread: runs the batches, reads and PRAGMAs SqliteThread sends, in order. */
export function runConnection({ parentPort, workerData, driver: Database }: SqliteContext<SqliteConnectionData>): void {
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
  const writeAll = connection.transaction((batch: ThreadStatement[]) => {
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
      parentPort.postMessage({ id, result } satisfies ThreadReply);
    } catch (error) {
      const { message, code } = (error ?? {}) as { message?: unknown; code?: string };
      parentPort.postMessage({ id, error: { message: String(message), code } } satisfies ThreadReply);
    }
  });
}

// The WAL copied back into the database file every 250 ms on a connection of its own: PASSIVE
// waits for no reader or writer, so the batches never queue behind it.
export function runCheckpoints({ workerData, driver: Database }: SqliteContext<SqliteWorkerData>): void {
  const connection = new Database(workerData.file, { timeout: workerData.busyTimeoutMs });
  setInterval(() => {
    try {
      connection.pragma("wal_checkpoint(PASSIVE)");
    } catch {
      // Busy or failing storage: the next round tries again; the writer reports failures itself.
    }
  }, 250);
}
