import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, dialect } from "@/lib/db/client";
import { flushUsage, usageRecorder } from "@/lib/usage/usage-recorder";
import { AdminUsageError, runAdminCommand } from "@/scripts/admin-commands";
import { createAccount, generateKey, type Account, usageEntry } from "./support";

/**
 * `npm run admin -- backup <file>` (lib/db/backup.ts): on SQLite an online copy taken while
 * usage batches keep committing, checked the way an operator would before relying on it; on
 * PostgreSQL a refusal that names pg_dump.
 */
const sqlite = dialect() === "sqlite";
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyportal-backup-"));
let account: Account;

beforeAll(async () => {
  account = await createAccount({ prefix: "backup", plan: "professional" });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const entry = (keyId: number, i: number) => usageEntry(account.id, keyId, `backup ${i}`);

describe("admin backup", () => {
  it(
    sqlite
      ? "copies the database while usage rows keep being written: integrity ok, every row written before it, none after"
      : "refuses on PostgreSQL, naming pg_dump",
    async () => {
      const target = path.join(dir, "copy.db");
      if (!sqlite) {
        await expect(runAdminCommand(["backup", target])).rejects.toThrow(/pg_dump/);
        expect(fs.existsSync(target)).toBe(false);
        return;
      }
      const key = await generateKey(account.token, "backup", "backup_user");
      const rows = () => db().usageLog.count({ where: { apiKeyId: key.id } });
      for (let i = 0; i < 2_000; i++) usageRecorder().record(entry(key.id, i));
      await flushUsage();
      // A write load meanwhile: batches committing on the writer thread while the copy is taken.
      let writing = true;
      let written = 2_000;
      const load = (async () => {
        while (writing) {
          for (let i = 0; i < 300; i++) usageRecorder().record(entry(key.id, written++));
          await usageRecorder().flush();
        }
      })();
      const before = await rows();
      const output = await runAdminCommand(["backup", target]);
      const after = await rows();
      writing = false;
      await load;
      expect(output).toMatch(/integrity_check ok/);
      const copy = new Database(target, { readonly: true });
      try {
        expect(copy.pragma("integrity_check", { simple: true })).toBe("ok");
        const copied = (
          copy.prepare("SELECT COUNT(*) AS n FROM usage_logs WHERE api_key_id = ?").get(key.id) as { n: number }
        ).n;
        expect(copied).toBeGreaterThanOrEqual(before);
        expect(copied).toBeLessThanOrEqual(after);
        expect(copy.prepare("SELECT id FROM api_keys WHERE id = ?").get(key.id)).toEqual({ id: key.id });
      } finally {
        copy.close();
      }
      expect(written).toBeGreaterThan(2_000);
      // Never over an existing file.
      await expect(runAdminCommand(["backup", target])).rejects.toThrow(AdminUsageError);
    },
  );
});
