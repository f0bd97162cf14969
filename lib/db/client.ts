import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as PostgresClient } from "./generated/postgresql/client";
import { PrismaClient } from "./generated/sqlite/client";
import { databaseProvider, resolveDatabaseUrl, type DatabaseProvider } from "../config/database-url";

// Clients per process; Next's dev server re-evaluates modules, so keep them on globalThis.
const holder = globalThis as unknown as { __prisma?: PrismaClient; __prismaBackground?: PrismaClient };

/** Which SQL the raw queries must speak: the provider DATABASE_URL names. */
export function dialect(): DatabaseProvider {
  return databaseProvider(resolveDatabaseUrl());
}

function connect(): PrismaClient {
  const url = resolveDatabaseUrl();
  if (databaseProvider(url) === "sqlite") {
    // timeout: how long a writer waits on SQLite's lock before failing (busy_timeout).
    return new PrismaClient({ adapter: new PrismaBetterSQLite3({ url, timeout: 10_000 }) });
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
  holder.__prisma ??= connect();
  return holder.__prisma;
}

/**
 * The connection background writers use (batched usage rows, retention). On SQLite the adapter
 * runs every request's statements on one connection, so a transaction there would also hold
 * (and on rollback undo) statements of concurrent requests; on its own connection it cannot.
 * PostgreSQL's pool gives each transaction a connection of its own already.
 */
export function backgroundDb(): PrismaClient {
  if (dialect() === "postgresql") return db();
  holder.__prismaBackground ??= connect();
  return holder.__prismaBackground;
}

export async function disconnectDb(): Promise<void> {
  await Promise.all([holder.__prisma?.$disconnect(), holder.__prismaBackground?.$disconnect()]);
  holder.__prisma = undefined;
  holder.__prismaBackground = undefined;
}

export type { PrismaClient };
export { Prisma } from "./generated/sqlite/client";
