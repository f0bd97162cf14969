import type pg from "pg";
import type { SqlRef, ThreadReply, ThreadStatement, WorkerContext, WorkerData } from "./worker-program";

/**
 * The program of PostgreSQL's usage-writer thread (lib/db/pg-thread.ts starts it, through
 * lib/db/worker-program.ts's workerSource: see there for the rule every program here keeps).
 */

export interface PgRequest {
  id: number;
  /** Statements for one transaction. */
  batch: ThreadStatement[];
}

export interface PgWorkerData extends WorkerData {
  connectionString: string;
  /** Bounds on connecting and on each statement (PostgreSQL's statement_timeout). */
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  /** Text numbers at or past this arrive whole every time and are not kept. */
  maxTexts: number;
}

/**
 * One connection, made when the first batch comes and again after it broke; batches run one
 * after another, each in its own transaction, every numbered text as a named prepared statement
 * (parsed once per connection). A failure answers with PostgreSQL's SQLSTATE, or the socket's
 * error code, for lib/db/errors.ts.
 */
export function runPgWriter({ parentPort, workerData, driver }: WorkerContext<PgWorkerData, typeof pg>): void {
  const texts = new Map<number, string>();
  let client: pg.Client | null = null;
  let queue: Promise<void> = Promise.resolve();

  async function connection(): Promise<pg.Client> {
    if (client) return client;
    const fresh = new driver.Client({
      connectionString: workerData.connectionString,
      connectionTimeoutMillis: workerData.connectTimeoutMs,
      statement_timeout: workerData.statementTimeoutMs,
      query_timeout: workerData.statementTimeoutMs + 5_000,
      application_name: "keyportal-usage-writer",
    });
    // A connection that broke between batches: the next batch makes a new one.
    fresh.on("error", () => {
      if (client === fresh) client = null;
    });
    await fresh.connect();
    client = fresh;
    return fresh;
  }

  function take(ref: SqlRef): SqlRef {
    if (typeof ref === "number" || ref[0] >= workerData.maxTexts) return ref;
    texts.set(ref[0], ref[1]);
    return ref[0];
  }

  async function run(id: number, batch: ThreadStatement[]): Promise<void> {
    let used: pg.Client | null = null;
    try {
      used = await connection();
      await used.query("BEGIN");
      for (const [ref, values] of batch) {
        if (typeof ref === "number") await used.query({ name: `s${ref}`, text: texts.get(ref) as string, values });
        else await used.query(ref[1], values);
      }
      await used.query("COMMIT");
      parentPort.postMessage({ id } satisfies ThreadReply);
    } catch (error) {
      const { message, code } = (error ?? {}) as { message?: unknown; code?: unknown };
      // Rolled back, or the connection is given up (the next batch makes a new one).
      if (used) {
        try {
          await used.query("ROLLBACK");
        } catch {
          if (client === used) client = null;
          void used.end().catch(() => undefined);
        }
      }
      parentPort.postMessage({
        id,
        error: { message: String(message), code: typeof code === "string" ? code : undefined },
      } satisfies ThreadReply);
    }
  }

  parentPort.on("message", ({ id, batch }: PgRequest) => {
    // Texts are kept as they arrive: a later message may name them by number alone.
    const taken = batch.map(([ref, values]): ThreadStatement => [take(ref), values]);
    queue = queue.then(() => run(id, taken));
  });
}
