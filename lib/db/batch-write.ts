import Database from "better-sqlite3";
import { sqliteFile } from "../config/database-url";
import { backgroundDb, BUSY_TIMEOUT_MS, dialect, type Prisma } from "./client";
import { sqlTime } from "./json-rows";

/**
 * The usage writer's batches: raw statements run in one transaction. On SQLite they go around
 * Prisma to better-sqlite3 itself, on a connection of their own, with each statement prepared
 * once. Through Prisma's client a batch of five statements cost the process about 4 ms on top of
 * its SQL's own 1 ms (each statement planned by the wasm query compiler and prepared anew, the
 * interactive transaction's promises), and under load the writer runs a batch every 10 ms on
 * the thread that serves the data API: writing usage halved its throughput (2,200 against
 * 4,300 req/s with the writes switched off). PostgreSQL's driver is asynchronous and its batch
 * goes through Prisma as before.
 */

const holder = globalThis as unknown as { __sqliteBatchWriter?: SqliteWriter };

interface SqliteWriter {
  file: string;
  connection: Database.Database;
  statements: Map<string, Database.Statement>;
}

// Bounded: the writers' statements have fixed text (their rows go in as one JSON parameter).
const MAX_STATEMENTS = 64;

function sqliteWriter(): SqliteWriter {
  const file = sqliteFile();
  // Another file (tests point DATABASE_URL elsewhere): this connection's file is not the app's.
  if (holder.__sqliteBatchWriter?.file !== file) {
    closeSqliteBatchConnection();
    // The same busy timeout as Prisma's connections: a wait on this connection blocks the thread.
    const connection = new Database(file, { timeout: BUSY_TIMEOUT_MS });
    // As lib/db/sqlite-adapter.ts: durable once in the OS, no fsync per commit (WAL is the file's).
    connection.pragma("synchronous = NORMAL");
    holder.__sqliteBatchWriter = { file, connection, statements: new Map() };
  }
  return holder.__sqliteBatchWriter;
}

/** The connection the SQLite batches are written on (tests: fault injection on it). */
export function sqliteBatchConnection(): Database.Database {
  return sqliteWriter().connection;
}

/** Closes the SQLite batch connection (after a write that did not finish); the next batch opens one. */
export function closeSqliteBatchConnection(): void {
  const writer = holder.__sqliteBatchWriter;
  holder.__sqliteBatchWriter = undefined;
  try {
    writer?.connection.close();
  } catch {
    // Closing a connection that failed: nothing more to release.
  }
}

// What Prisma's SQLite adapter stores for each value (lib/db/json-rows.ts: sqlTime).
const sqliteValue = (value: unknown) =>
  value instanceof Date ? sqlTime(value) : typeof value === "boolean" ? Number(value) : value;

function prepared(writer: SqliteWriter, sql: string): Database.Statement {
  let statement = writer.statements.get(sql);
  if (!statement) {
    if (writer.statements.size >= MAX_STATEMENTS) writer.statements.clear();
    statement = writer.connection.prepare(sql);
    writer.statements.set(sql, statement);
  }
  return statement;
}

/**
 * Runs the statements in one transaction: all of them land, or none. A SQLite error is thrown
 * as better-sqlite3 raises it (its `code` is SQLite's; lib/db/errors.ts reads both kinds).
 */
export async function writeInOneTransaction(statements: Prisma.Sql[]): Promise<void> {
  if (!statements.length) return;
  if (dialect() === "postgresql") {
    await backgroundDb().$transaction(statements.map((statement) => backgroundDb().$executeRaw(statement)));
    return;
  }
  const writer = sqliteWriter();
  // better-sqlite3 rolls back when a statement throws, also when SQLite ended the transaction
  // itself (disk full), so a failed batch leaves the connection as it found it.
  writer.connection.transaction(() => {
    for (const statement of statements) prepared(writer, statement.sql).run(...statement.values.map(sqliteValue));
  })();
}
