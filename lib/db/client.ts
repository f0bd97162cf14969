import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "./generated/client";
import { resolveDatabaseUrl } from "../config/database-url";

// One client per process; Next's dev server re-evaluates modules, so keep it on globalThis.
const holder = globalThis as unknown as { __prisma?: PrismaClient };

/** The only way the app reaches the database. Created on first use so tests can pick the URL. */
export function db(): PrismaClient {
  holder.__prisma ??= new PrismaClient({
    // timeout: how long a writer waits on SQLite's lock before failing (busy_timeout).
    adapter: new PrismaBetterSQLite3({ url: resolveDatabaseUrl(), timeout: 10_000 }),
  });
  return holder.__prisma;
}

export async function disconnectDb(): Promise<void> {
  await holder.__prisma?.$disconnect();
  holder.__prisma = undefined;
}

export type { PrismaClient };
export type { ApiKey, User, UsageLog, ApiRoute, RefreshToken } from "./generated/client";
export { Prisma } from "./generated/client";
