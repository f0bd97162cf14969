import fs from "node:fs";
import Database from "better-sqlite3";
import { databaseProvider, resolveDatabaseUrl, sqliteFile } from "../config/database-url";

/** How long the backup's connection waits for a lock (it reads only: rarely more than a moment). */
const BACKUP_BUSY_TIMEOUT_MS = 5_000;

export interface BackupResult {
  source: string;
  target: string;
  bytes: number;
  seconds: number;
  /** PRAGMA integrity_check of the copy: "ok", or what it found. */
  integrity: string;
}

/** A backup that cannot be made (PostgreSQL, an existing target): the CLI prints the message. */
export class BackupRefused extends Error {}

/**
 * An online backup of the SQLite database to `target` (a new file), safe while servers write:
 * SQLite's backup API on a connection of its own (better-sqlite3's `backup()`). In WAL mode
 * copying the main file is no backup (committed pages may still be in the -wal file); this copies
 * a consistent snapshot. After the first step (100 pages) all the rest go in one: the API
 * restarts a stepwise copy whenever another connection writes, which under a steady usage load
 * it would do for ever, while one step reads a single snapshot (writers in WAL mode do not wait
 * for it). The copy is then checked
 * with PRAGMA integrity_check. PostgreSQL has its own tools (docs/deploy.md: pg_dump, PITR).
 */
export async function backupDatabase(target: string): Promise<BackupResult> {
  const url = resolveDatabaseUrl();
  if (databaseProvider(url) !== "sqlite") {
    throw new BackupRefused(
      "backup copies the SQLite database; on PostgreSQL use pg_dump or continuous archiving (docs/deploy.md)",
    );
  }
  if (fs.existsSync(target)) throw new BackupRefused(`${target} exists: give a new file's path`);
  const source = sqliteFile(url);
  const started = performance.now();
  const connection = new Database(source, { readonly: true, fileMustExist: true, timeout: BACKUP_BUSY_TIMEOUT_MS });
  try {
    await connection.backup(target, { progress: () => 2 ** 30 });
  } finally {
    connection.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const copy = new Database(target, { readonly: true, fileMustExist: true });
  try {
    const integrity = String(copy.pragma("integrity_check", { simple: true }));
    return { source, target, bytes: fs.statSync(target).size, seconds, integrity };
  } finally {
    copy.close();
  }
}
