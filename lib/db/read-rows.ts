import { sqliteFile } from "../config/database-url";
import { BUSY_TIMEOUT_MS, db, dialect, type Prisma } from "./client";
import { SqliteThread, SqliteThreadError } from "./sqlite-thread";

/** A read on the reader thread that has not answered by then fails (a 503), like PostgreSQL's statement_timeout. */
const READ_TIMEOUT_MS = 15_000;

/**
 * Reader threads: two, so that the summary's independent reads (it sends six at once) run side
 * by side on a 2-core machine instead of one after another.
 */
const READERS = 2;

const holder = globalThis as unknown as { __sqliteReaders?: Array<SqliteThread | undefined> };

function sqliteReader(): SqliteThread {
  const file = sqliteFile();
  const readers = (holder.__sqliteReaders ??= []);
  // Another file (tests point DATABASE_URL elsewhere): those threads' connections are not the app's.
  for (let i = 0; i < READERS; i++) {
    if (readers[i] && readers[i]!.file !== file) {
      readers[i]!.close();
      readers[i] = undefined;
    }
  }
  // The least busy one, starting any that is missing (never started, or stopped).
  let best: SqliteThread | undefined;
  for (let i = 0; i < READERS; i++) {
    if (!readers[i]) {
      const reader: SqliteThread = new SqliteThread(file, {
        busyTimeoutMs: BUSY_TIMEOUT_MS,
        // Reads only, whatever SQL reaches it. In WAL mode a reader waits for no writer.
        pragmas: ["query_only = ON"],
        onDead: () => {
          if (readers[i] === reader) readers[i] = undefined;
        },
      });
      readers[i] = reader;
    }
    if (!best || readers[i]!.waitingCount < best.waitingCount) best = readers[i];
  }
  return best!;
}

/**
 * Rows of a raw query that reads thousands of rows to answer with a few (the usage summary's).
 * On SQLite it runs on a thread of its own (lib/db/sqlite-thread.ts): through Prisma on the
 * request thread a big account's weekly summary holds that thread for long, much of it Prisma
 * decoding rows, while every other request, the data API's included, waits. Values come back as
 * better-sqlite3 gives them: integers as numbers, times as text.
 * On PostgreSQL the driver is asynchronous already: Prisma's $queryRaw.
 */
export async function readRows<T extends unknown[]>(sql: Prisma.Sql): Promise<T> {
  if (dialect() === "postgresql") return db().$queryRaw<T>(sql);
  const reader = sqliteReader();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // The query may run on; stopping the thread fails the reads it holds, and a new thread
      // serves the next ones.
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
