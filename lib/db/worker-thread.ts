import { Worker } from "node:worker_threads";
import type { SqlRef, ThreadReply, ThreadStatement } from "./worker-program";

/** Distinct SQL texts one thread is sent, at most: past this, texts go in full and are not kept. */
export const MAX_TEXTS = 256;

export interface WorkerThreadOptions {
  /** A failure the thread reported, as the error its caller gets (lib/db/errors.ts reads it). */
  error: (message: string, code: string | undefined) => Error;
  /** What a thread that stopped answers everything waiting with. */
  stopped: { message: string; code: string };
  /** Called once the thread stopped or could not start: the owner forgets it, and makes a new one next time. */
  onDead: () => void;
}

/**
 * A database connection on a worker thread of its own (SQLite's: lib/db/sqlite-thread.ts;
 * PostgreSQL's usage writer: lib/db/pg-thread.ts): messages numbered and answered in order, the
 * process kept alive only while one waits, every SQL text sent once, and everything waiting
 * failed at once when the thread dies.
 */
export class WorkerThread {
  protected readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private dead: Error | null = null;
  /** The SQL texts sent to this thread, by number: each text crosses to the thread once. */
  private readonly texts = new Map<string, number>();
  /** Texts numbered for the message being built: forgotten again if it cannot be sent. */
  private fresh: string[] = [];

  constructor(source: string, workerData: object, options: WorkerThreadOptions) {
    this.worker = new Worker(source, { eval: true, workerData });
    this.worker.unref(); // kept alive only while a message waits (see send)
    this.worker.on("message", (reply: ThreadReply) => {
      const waiter = this.waiting.get(reply.id);
      if (!waiter) return;
      this.waiting.delete(reply.id);
      if (!this.waiting.size) this.worker.unref();
      if (reply.error) waiter.reject(options.error(reply.error.message, reply.error.code));
      else waiter.resolve(reply.result);
    });
    // The thread could not start its connection, or died: everything waiting fails, and the owner
    // starts a new thread next time (the usage writer keeps its rows and retries).
    const fail = (error: Error) => {
      this.dead ??= error;
      for (const { reject } of this.waiting.values()) reject(error);
      this.waiting.clear();
      options.onDead();
      this.died();
    };
    this.worker.on("error", (error: Error & { code?: string }) => fail(options.error(error.message, error.code)));
    // Its own code, read as the database being unavailable (lib/db/errors.ts): a 503, and retries.
    this.worker.on("exit", () => fail(options.error(options.stopped.message, options.stopped.code)));
  }

  /** Messages sent and not answered yet. */
  get waitingCount(): number {
    return this.waiting.size;
  }

  close(): void {
    void this.worker.terminate();
  }

  /** Called once the thread has died: what a subclass started beside it stops too. */
  protected died(): void {}

  /**
   * The statement as the thread takes it. Its text goes once: a usage batch is a handful of long
   * statements sent many times a second under load, and copying their texts every time
   * (postMessage) is work on the request thread, where a number costs next to nothing. Messages
   * are handled in the order sent, so a text arrives before any message naming it only by its number.
   */
  protected statement(text: string, values: unknown[]): ThreadStatement {
    return [this.sqlRef(text), values];
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

  protected send(message: object): Promise<unknown> {
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
}
