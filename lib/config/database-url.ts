import path from "node:path";

// Kept free of imports beyond node: so prisma.config.ts, scripts and the app share one default.
const DEFAULT_DATABASE_URL = "file:./data/portal.db";

export type DatabaseProvider = "sqlite" | "postgresql";

export function resolveDatabaseUrl(env: { DATABASE_URL?: string } = process.env as { DATABASE_URL?: string }): string {
  const url = env.DATABASE_URL?.trim();
  return url ? url : DEFAULT_DATABASE_URL;
}

/** The provider a DATABASE_URL names, by its scheme: file: → SQLite, postgres(ql):// → PostgreSQL. */
export function databaseProvider(url: string): DatabaseProvider {
  if (/^file:./.test(url)) return "sqlite";
  if (/^postgres(ql)?:\/\//.test(url)) return "postgresql";
  throw new Error(
    `DATABASE_URL must be file:<path> (SQLite) or postgres:// / postgresql:// (PostgreSQL); got "${url.split(":")[0]}:…"`,
  );
}

/** The SQLite file a file: URL names, relative to the working directory like Prisma's. */
export function sqliteFile(url = resolveDatabaseUrl()): string {
  if (!url.startsWith("file:")) throw new Error(`DATABASE_URL must be a SQLite file: URL (got "${url}")`);
  return path.resolve(url.slice("file:".length));
}
