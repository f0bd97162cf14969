import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { resolveDatabaseUrl } from "../config/database-url";

/** The SQLite file a file: URL names, relative to the working directory like Prisma's. */
export function sqliteFile(url = resolveDatabaseUrl()): string {
  if (!url.startsWith("file:")) throw new Error(`DATABASE_URL must be a SQLite file: URL (got "${url}")`);
  return path.resolve(url.slice("file:".length));
}

/**
 * Applies committed migrations with Prisma's CLI (its bundled wasm engine works offline).
 * Returns how many migrations the folder holds; throws with the CLI's output on failure.
 */
export function migrateDatabase(): number {
  fs.mkdirSync(path.dirname(sqliteFile()), { recursive: true });
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
