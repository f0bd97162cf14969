import { spawnSync } from "node:child_process";
import Database from "better-sqlite3";
import fs from "node:fs";
import path from "node:path";
import { resolveDatabaseUrl } from "../config/database-url";

/** The SQLite file a file: URL names, relative to the working directory like Prisma's. */
export function sqliteFile(url = resolveDatabaseUrl()): string {
  if (!url.startsWith("file:")) throw new Error(`DATABASE_URL must be a SQLite file: URL (got "${url}")`);
  return path.resolve(url.slice("file:".length));
}

const MIGRATIONS_DIR = path.join("prisma", "migrations");

function committedMigrations(): string[] {
  return fs
    .readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(MIGRATIONS_DIR, entry.name, "migration.sql")))
    .map((entry) => entry.name);
}

/** Read-only check, so the admin CLI can run beside a live server without taking a write lock. */
function pendingMigrations(file = sqliteFile()): string[] {
  const all = committedMigrations();
  if (!fs.existsSync(file)) return all;
  const sqlite = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const applied = new Set(
      (
        sqlite
          .prepare(
            "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
          )
          .all() as Array<{ migration_name: string }>
      ).map((row) => row.migration_name),
    );
    return all.filter((name) => !applied.has(name));
  } catch {
    return all; // no _prisma_migrations table yet
  } finally {
    sqlite.close();
  }
}

/**
 * Applies committed migrations with Prisma's CLI (its bundled wasm engine works offline).
 * Does nothing when none is pending. Returns how many migrations the folder holds; throws
 * with the CLI's output on failure.
 */
export function migrateDatabase(): number {
  fs.mkdirSync(path.dirname(sqliteFile()), { recursive: true });
  if (pendingMigrations().length === 0) return committedMigrations().length;
  const result = spawnSync(path.join("node_modules", ".bin", "prisma"), ["migrate", "deploy"], {
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
    env: {
      ...process.env,
      PRISMA_QUERY_ENGINE_LIBRARY: "/bin/false",
      PRISMA_SCHEMA_ENGINE_BINARY: "/bin/false",
      CHECKPOINT_DISABLE: "1",
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
    },
  });
  if (result.status !== 0) {
    throw new Error(`Database migration failed:\n${result.stdout ?? ""}${result.stderr ?? ""}`);
  }
  return Number(/(\d+) migrations? found/.exec(result.stdout)?.[1] ?? 0);
}
