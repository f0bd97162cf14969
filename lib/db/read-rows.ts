import { sqliteFile } from "../config/database-url";
import { BUSY_TIMEOUT_MS, db, dialect, type Prisma } from "./client";
import { SqliteThread, SqliteThreadError } from "./sqlite-thread";

/** A read on the reader thread that has not answered by then fails (a 503), like PostgreSQL's statement_timeout. */
const READ_TIMEOUT_MS = 15_000;

const holder = globalThis as unknown as { __sqliteReader?: SqliteThread };

function sqliteReader(): SqliteThread {
  const file = sqliteFile();
  // Another file (tests point DATABASE_URL elsewhere): that thread's connection is not the app's.
  if (holder.__sqliteReader?.file !== file) {
    holder.__sqliteReader?.close();
    const reader: SqliteThread = new SqliteThread(file, {
      busyTimeoutMs: BUSY_TIMEOUT_MS,
      // Reads only, whatever SQL reaches it. In WAL mode a reader waits for no writer.
      pragmas: ["query_only = ON"],
      onDead: () => {
        if (holder.__sqliteReader === reader) holder.__sqliteReader = undefined;
      },
    });
    holder.__sqliteReader = reader;
  }
  return holder.__sqliteReader;
}

/**
 * Rows of a raw query that reads thousands of rows to answer with a few (the usage summary's).
 * On SQLite it runs on a thread of its own (lib/db/sqlite-thread.ts): through Prisma on the
 * request thread the summary's week held that thread for 99 ms on the 1,000,000-row account,
 * a third of it Prisma decoding rows, while every other request, the data API's included,
 * waited. Values come back as better-sqlite3 gives them: integers as numbers, times as text.
 * On PostgreSQL the driver is asynchronous already: Prisma's $queryRaw.
 */
export async function readRows<T extends unknown[]>(sql: Prisma.Sql): Promise<T> {
  if (dialect() === "postgresql") return db().$queryRaw<T>(sql);
  const reader = sqliteReader();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // The query may run on; a new thread serves the next read.
      if (holder.__sqliteReader === reader) holder.__sqliteReader = undefined;
      reader.close();
      reject(new SqliteThreadError(`a read took more than ${READ_TIMEOUT_MS} ms`, "SQLITE_BUSY"));
    }, READ_TIMEOUT_MS);
  });
  try {
    return (await Promise.race([reader.read(sql), timeout])) as T;
  } finally {
    clearTimeout(timer);
  }
}
