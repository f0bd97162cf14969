import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as PostgresClient } from "./generated/postgresql/client";
import { PrismaClient } from "./generated/sqlite/client";
import { databaseProvider, resolveDatabaseUrl, type DatabaseProvider } from "../config/database-url";
import { isBusy } from "./errors";
import { sqliteAdapter } from "./sqlite-adapter";

// Clients per process; Next's dev server re-evaluates modules, so keep them on globalThis.
const holder = globalThis as unknown as { __prisma?: PrismaClient; __prismaBackground?: PrismaClient };

/** Which SQL the raw queries must speak: the provider DATABASE_URL names. */
export function dialect(): DatabaseProvider {
  return databaseProvider(resolveDatabaseUrl());
}

/**
 * How long a SQLite statement waits for another connection's write lock (busy_timeout). The wait
 * is synchronous, the whole process stops for it, so it is short; request writes then retry
 * asynchronously (retryingBusy) and the usage writer backs off.
 */
export const BUSY_TIMEOUT_MS = 50;
/** How long a request's statement keeps retrying a held lock before the request gets a 503. */
const BUSY_RETRY_MS = 3_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every operation retried, with waits from 10 to 200 ms, while SQLite's lock is held, for up to BUSY_RETRY_MS. */
function retryingBusy(client: PrismaClient): PrismaClient {
  return client.$extends({
    query: {
      async $allOperations({ args, query }) {
        const deadline = Date.now() + BUSY_RETRY_MS;
        for (let wait = 10; ; wait = Math.min(wait * 2, 200)) {
          try {
            return await query(args);
          } catch (error) {
            if (!isBusy(error) || Date.now() + wait > deadline) throw error;
            await sleep(wait);
          }
        }
      },
    },
  }) as unknown as PrismaClient; // the same models and methods, each operation wrapped
}

function connect(kind: "requests" | "background"): PrismaClient {
  const url = resolveDatabaseUrl();
  if (databaseProvider(url) === "sqlite") {
    const client = new PrismaClient({ adapter: sqliteAdapter(url, BUSY_TIMEOUT_MS) });
    // The usage writer keeps its rows and retries on its own schedule (lib/usage/usage-recorder.ts).
    return kind === "requests" ? retryingBusy(client) : client;
  }
  // Every wait has a bound: getting a connection from the pool, and each statement.
  const adapter = new PrismaPg({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: 15_000,
    query_timeout: 20_000,
  });
  // The two generated clients share every model, field and index (tests/unit/schemas-in-step),
  // so the SQLite client's type describes this one too.
  return new PostgresClient({ adapter }) as unknown as PrismaClient;
}

/** The connection request handlers use. Created on first use so tests can pick the URL. */
export function db(): PrismaClient {
  holder.__prisma ??= connect("requests");
  return holder.__prisma;
}

/**
 * The connection background work uses (retention, purges; the usage batches have a thread and a
 * connection of their own: lib/db/batch-write.ts). On SQLite the adapter
 * runs every request's statements on one connection, so a transaction there would also hold
 * (and on rollback undo) statements of concurrent requests; on its own connection it cannot.
 * PostgreSQL's pool gives each transaction a connection of its own already.
 */
export function backgroundDb(): PrismaClient {
  if (dialect() === "postgresql") return db();
  holder.__prismaBackground ??= connect("background");
  return holder.__prismaBackground;
}

export async function disconnectDb(): Promise<void> {
  await Promise.all([holder.__prisma?.$disconnect(), holder.__prismaBackground?.$disconnect()]);
  holder.__prisma = undefined;
  holder.__prismaBackground = undefined;
}

export type { PrismaClient };
export { Prisma } from "./generated/sqlite/client";
