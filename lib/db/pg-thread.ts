import { createRequire } from "node:module";
import path from "node:path";
import type { Prisma } from "./client";
import { sqlTime } from "./json-rows";
import { runPgWriter, type PgRequest, type PgWorkerData } from "./pg-worker";
import { workerSource } from "./worker-program";
import { MAX_TEXTS, WorkerThread } from "./worker-thread";

const SOURCE = workerSource(runPgWriter);

/**
 * PostgreSQL's error, in the shape Prisma's adapter gives a raw statement's (lib/db/errors.ts
 * reads `cause`): SQLSTATE class 22/23 is a row the database refuses, 23503 its owner gone; a
 * connection that cannot be made or broke, a server shutting down or out of resources is the
 * database unavailable; a statement cancelled by its timeout, busy.
 */
export class PgThreadError extends Error {
  readonly cause: { originalCode?: string; kind?: string };

  constructor(message: string, code: string | undefined) {
    super(message);
    this.cause = { originalCode: code, kind: errorKind(code) };
  }
}

function errorKind(code: string | undefined): string | undefined {
  if (code === "23503") return "ForeignKeyConstraintViolation";
  if (code === "53300") return "TooManyConnections";
  // The statement's timeout, a lock not available, a deadlock or serialization failure: busy, tried again.
  if (code === "57014" || code === "55P03" || code?.startsWith("40")) return "SocketTimeout";
  // No SQLSTATE: a socket's error (ECONNREFUSED, EPIPE: no SQLSTATE class starts with E), none at
  // all ("Connection terminated"), or this thread stopped; class 08 (connection), 53 (resources:
  // disk full), 57P (shutdown), 58 (system).
  if (code === undefined || code.length !== 5 || /^(08|53|57P|58|E)/.test(code)) return "DatabaseNotReachable";
  return undefined;
}

// Times as the JSON rows carry them (ISO 8601 with "+00:00": timestamp(3) reads the same UTC
// time), not as pg would format a Date (this process's local time).
const pgValue = (value: unknown) => (value instanceof Date ? sqlTime(value) : value);

/**
 * The usage batches on PostgreSQL, on a worker thread with a connection of its own (pg, not
 * Prisma): through Prisma on the request thread each batch's statements cost that thread the wasm
 * query compiler's planning and the interactive transaction's promises, many times a second under
 * load. Here the request thread only posts the statements (each text once, then its number).
 */
export class PgThread extends WorkerThread {
  constructor(
    readonly url: string,
    options: { statementTimeoutMs: number; onDead: () => void },
  ) {
    super(
      SOURCE,
      {
        driver: createRequire(path.join(process.cwd(), "package.json")).resolve("pg"),
        // Not lowered, unlike SQLite's writer: this thread does little work of its own (the SQL
        // runs in the server), and every wait for its turn is rows in memory, lost to a kill -9.
        nice: 0,
        connectionString: url,
        connectTimeoutMs: 5_000,
        statementTimeoutMs: options.statementTimeoutMs,
        maxTexts: MAX_TEXTS,
      } satisfies PgWorkerData,
      {
        error: (message, code) => new PgThreadError(message, code),
        stopped: { message: "the PostgreSQL writer thread stopped", code: "THREAD_STOPPED" },
        onDead: options.onDead,
      },
    );
  }

  /** The statements in one transaction: all land, or none. */
  write(statements: Prisma.Sql[]): Promise<void> {
    const batch = statements.map((sql) => this.statement(sql.text, sql.values.map(pgValue)));
    return this.send({ batch } satisfies Omit<PgRequest, "id">).then(() => undefined);
  }
}
