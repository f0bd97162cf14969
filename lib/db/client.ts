import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "./generated/client";
import { resolveDatabaseUrl } from "../config/database-url";

// Clients per process; Next's dev server re-evaluates modules, so keep them on globalThis.
const holder = globalThis as unknown as { __prisma?: PrismaClient; __prismaBackground?: PrismaClient };

function connect(): PrismaClient {
  // timeout: how long a writer waits on SQLite's lock before failing (busy_timeout).
  return new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: resolveDatabaseUrl(), timeout: 10_000 }) });
}

/** The only way the app reaches the database. Created on first use so tests can pick the URL. */
export function db(): PrismaClient {
  holder.__prisma ??= connect();
  return holder.__prisma;
}

/**
 * A second connection for background writers (batched usage rows, retention). The adapter runs
 * every request's statements on one SQLite connection, so a transaction there would also hold
 * (and on rollback undo) statements of concurrent requests; on its own connection it cannot.
 */
export function backgroundDb(): PrismaClient {
  holder.__prismaBackground ??= connect();
  return holder.__prismaBackground;
}

export async function disconnectDb(): Promise<void> {
  await Promise.all([holder.__prisma?.$disconnect(), holder.__prismaBackground?.$disconnect()]);
  holder.__prisma = undefined;
  holder.__prismaBackground = undefined;
}

export type { PrismaClient };
export { Prisma } from "./generated/client";
