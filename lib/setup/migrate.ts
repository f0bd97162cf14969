import { spawn } from "node:child_process";
import Database from "better-sqlite3";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { databaseProvider, resolveDatabaseUrl, sqliteFile, type DatabaseProvider } from "../config/database-url";

function migrationsDir(provider: DatabaseProvider): string {
  return path.join("prisma", provider, "migrations");
}

function committedMigrations(provider: DatabaseProvider): string[] {
  const dir = migrationsDir(provider);
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(dir, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort();
}

const APPLIED =
  "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL";

/** Read-only check, so the admin CLI can run beside a live server without taking a write lock. */
function pendingSqliteMigrations(file: string): string[] {
  const all = committedMigrations("sqlite");
  if (!fs.existsSync(file)) return all;
  const sqlite = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const applied = new Set(
      (sqlite.prepare(APPLIED).all() as Array<{ migration_name: string }>).map((r) => r.migration_name),
    );
    return all.filter((name) => !applied.has(name));
  } catch {
    return all; // no _prisma_migrations table yet
  } finally {
    sqlite.close();
  }
}

async function pendingPostgresMigrations(client: pg.Client): Promise<string[]> {
  const all = committedMigrations("postgresql");
  const exists = await client.query("SELECT to_regclass('_prisma_migrations') IS NOT NULL AS present");
  if (!exists.rows[0].present) return all;
  const applied = new Set((await client.query<{ migration_name: string }>(APPLIED)).rows.map((r) => r.migration_name));
  return all.filter((name) => !applied.has(name));
}

const MIGRATE_TIMEOUT_MS = 120_000;
// Longer than one migration run may take, so a waiting instance outlasts the migrating one.
const LOCK_WAIT_MS = MIGRATE_TIMEOUT_MS + 30_000;

/** Runs Prisma's CLI `migrate deploy` (its bundled wasm engine works offline through the adapter). */
function prismaMigrateDeploy(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join("node_modules", ".bin", "prisma"), ["migrate", "deploy"], {
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        PRISMA_QUERY_ENGINE_LIBRARY: "/bin/false",
        PRISMA_SCHEMA_ENGINE_BINARY: "/bin/false",
        CHECKPOINT_DISABLE: "1",
        PRISMA_HIDE_UPDATE_MESSAGE: "1",
        DATABASE_URL: url,
      },
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), MIGRATE_TIMEOUT_MS);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`Database migration failed:\n${output}`));
    });
  });
}

// Any constant shared by every instance, but not 72707369: `prisma migrate deploy` takes that
// one itself, on its own connection, and would wait for ours until it timed out (P1002).
const MIGRATION_LOCK_ID = 4_240_117;

/**
 * PostgreSQL: instances starting at once must not both migrate. The first takes a session-level
 * advisory lock and migrates; the others wait for the lock (bounded), then find nothing pending.
 */
async function migratePostgres(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000, query_timeout: 30_000 });
  // A connection dropped while Prisma's CLI migrates must fail this start with its message,
  // not crash it with an unhandled 'error' event.
  let dropped: Error | undefined;
  client.on("error", (error) => (dropped = error));
  await client.connect();
  try {
    const deadline = Date.now() + LOCK_WAIT_MS;
    while (!(await client.query("SELECT pg_try_advisory_lock($1) AS ok", [MIGRATION_LOCK_ID])).rows[0].ok) {
      if (Date.now() > deadline) throw new Error("Timed out waiting for another instance to finish migrating");
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    try {
      if ((await pendingPostgresMigrations(client)).length) await prismaMigrateDeploy(url);
    } finally {
      // Ending the session releases the lock too, should this fail.
      if (!dropped) await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_ID]).catch(() => {});
    }
    if (dropped) throw new Error(`Lost the database connection while migrating: ${dropped.message}`);
    return committedMigrations("postgresql").length;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Applies the committed migrations of the provider DATABASE_URL names (none when none is
 * pending), and puts a SQLite file in WAL mode. Returns how many migrations the folder holds; throws with the CLI's output on failure.
 */
export async function migrateDatabase(url = resolveDatabaseUrl()): Promise<number> {
  if (databaseProvider(url) === "postgresql") return migratePostgres(url);
  const file = sqliteFile(url);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  if (pendingSqliteMigrations(file).length) await prismaMigrateDeploy(url);
  // WAL lets readers proceed while a request writes, and the usage writer thread and its
  // checkpoint thread rely on it (lib/db/batch-write.ts); the setting is stored in the file itself.
  const sqlite = new Database(file);
  try {
    sqlite.pragma("journal_mode = WAL");
  } finally {
    sqlite.close();
  }
  return committedMigrations("sqlite").length;
}
