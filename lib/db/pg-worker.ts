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
 * after another, each in one transaction. A failure answers with PostgreSQL's SQLSTATE, or the
 * socket's error code, for lib/db/errors.ts.
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
      // Each statement bounded by the server, which then rolls the batch back: a known outcome.
      // No client-side query timeout: giving up on a batch the server may still commit, then
      // writing it again, would count its rows twice. The wait as a whole is bounded by the
      // recorder (WRITE_TIMEOUT_MS), which then ends this thread and its socket.
      statement_timeout: workerData.statementTimeoutMs,
      keepAlive: true,
      application_name: "keyportal-usage-writer",
    });
    // A connection that broke between batches: the next batch makes a new one.
    fresh.on("error", () => {
      if (client === fresh) client = null;
    });
    try {
      await fresh.connect();
      // As SQLite's writer runs with synchronous = NORMAL: a commit returns once PostgreSQL has it,
      // without waiting for its WAL flush to disk. This process dying loses nothing committed (the
      // server still holds it); a crash of the database server itself may lose its last fraction
      // of a second of usage rows. The commit's wait, rows gathering meanwhile, is what a kill -9 of
      // this process loses: the shorter, the fewer.
      await fresh.query("SET synchronous_commit = off");
    } catch (error) {
      void fresh.end().catch(() => undefined);
      throw error;
    }
    client = fresh;
    return fresh;
  }

  function take(ref: SqlRef): SqlRef {
    if (typeof ref === "number" || ref[0] >= workerData.maxTexts) return ref;
    texts.set(ref[0], ref[1]);
    return ref[0];
  }

  // A value as a SQL literal: the batch goes as one text (see run).
  function literal(value: unknown, connection: pg.Client): string {
    if (value === null || value === undefined) return "NULL";
    if (typeof value === "number") {
      if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
      // In parentheses when negative: after a "-" in the text, "-5" would start a comment.
      return value < 0 ? `(${value})` : String(value);
    }
    if (typeof value === "bigint") return String(value);
    if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
    return connection.escapeLiteral(typeof value === "string" ? value : JSON.stringify(value));
  }

  // The whole batch as one simple-protocol query, its statements separated by semicolons: PostgreSQL
  // runs them in one implicit transaction (all land, or none) and the batch costs one round trip,
  // not one per statement plus BEGIN and COMMIT. Under load each round trip waits for a turn of
  // this thread and of the server on cores the request thread shares, and the rows arriving
  // meanwhile wait in memory, lost to a kill -9. The values go in as literals, escaped by pg
  // (escapeLiteral): the texts are the app's own, their only placeholders $1, $2, ...
  async function run(id: number, batch: ThreadStatement[]): Promise<void> {
    try {
      const used = await connection();
      const sql = batch
        .map(([ref, values]) => {
          const text = typeof ref === "number" ? (texts.get(ref) as string) : ref[1];
          return text.replace(/\$(\d+)/g, (_, n: string) => {
            if (Number(n) > values.length) throw new Error(`no value for $${n}`);
            return literal(values[Number(n) - 1], used);
          });
        })
        .join(";\n");
      if (sql) await used.query(sql);
      parentPort.postMessage({ id } satisfies ThreadReply);
    } catch (error) {
      const { message, code } = (error ?? {}) as { message?: unknown; code?: unknown };
      // No SQLSTATE: the connection itself failed (a socket error, or one gone half-open). A new
      // one for the next batch, rather than each waiting behind a socket that will never answer.
      // (No SQLSTATE class starts with E, the letter socket errors such as EPIPE start with.)
      const sqlState = typeof code === "string" && code.length === 5 && !code.startsWith("E");
      if (!sqlState && client) {
        const broken = client;
        client = null;
        void broken.end().catch(() => undefined);
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
