import { createRequire } from "node:module";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { BUSY_TIMEOUT_MS, type Prisma } from "./client";
import { sqlTime } from "./json-rows";
import {
  runCheckpoints,
  runConnection,
  workerSource,
  type SqlRef,
  type SqliteConnectionData,
  type SqliteReply,
  type SqliteRequest,
  type SqliteWorkerData,
} from "./sqlite-worker";

/**
 * A better-sqlite3 connection on a worker thread of its own, for the SQLite work that would
 * otherwise stop the request thread: the usage batches (lib/db/batch-write.ts) and the reads that
 * scan thousands of rows (lib/db/read-rows.ts). better-sqlite3 is synchronous, and through Prisma
 * on the request thread each statement also costs the wasm query compiler's planning and its
 * result decoding; here each SQL text is prepared once and runs while the request thread serves.
 */

/** The nice value of a background thread (0-19; higher yields more): the usage writer's. */
export const BACKGROUND_NICE = 10;

// The threads' programs, as source text (lib/db/sqlite-worker.ts says why): built once.
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
    this.worker = new Worker(CONNECTION_SOURCE, {
      eval: true,
      workerData: {
        driver,
        file,
        busyTimeoutMs: options.busyTimeoutMs,
        pragmas: options.pragmas,
        maxTexts: MAX_TEXTS,
        nice,
      } satisfies SqliteConnectionData,
    });
    this.worker.unref(); // kept alive only while a message waits (see send)
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
    this.worker.on("message", (reply: SqliteReply) => this.settle(reply));
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
   * The statement as the thread takes it. Its text goes once: a usage batch is a handful of long
   * statements sent many times a second under load, and copying their texts every time
   * (postMessage) is work on the request thread, where a number costs next to nothing. Messages
   * are handled in the order sent, so a text arrives before any message naming it only by its number.
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

  private send(message: Omit<SqliteRequest, "id">): Promise<unknown> {
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

  private settle(reply: SqliteReply): void {
    const waiter = this.waiting.get(reply.id);
    if (!waiter) return;
    this.waiting.delete(reply.id);
    if (!this.waiting.size) this.worker.unref();
    if (reply.error) waiter.reject(new SqliteThreadError(reply.error.message, reply.error.code));
    else waiter.resolve(reply.result);
  }
}
