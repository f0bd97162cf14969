import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { postgresUrl, TEST_DATABASE } from "../setup/test-database";

// The two migrations that bring organizations (issue 24), applied as a deployment would meet them:
// a database migrated up to the one before, holding accounts with plans, limits, working hours,
// keys, usage rows and a deleted key, then the two. Each account's rows must end up its personal
// organization's, under the same ids, and no id handed out before may be handed out again.
const FIRST = "20261207300000_organizations";
const dir = `prisma/${TEST_DATABASE}/migrations`;
const migrations = fs
  .readdirSync(dir)
  .filter((name) => /^\d{14}_/.test(name))
  .sort();
const before = migrations.filter((name) => name < FIRST);
const organizations = migrations.filter((name) => name >= FIRST);
const sqlOf = (name: string) => fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8");

/** A scratch database of the tested kind: run SQL scripts, run one query. */
interface Scratch {
  exec(sql: string): Promise<void>;
  rows(sql: string): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

async function scratch(): Promise<Scratch> {
  if (TEST_DATABASE === "sqlite") {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "keyportal-migration-")), "m.db");
    const db = new Database(file);
    return {
      exec: async (sql) => void db.exec(sql),
      rows: async (sql) => db.prepare(sql).all() as Array<Record<string, unknown>>,
      close: async () => void db.close(),
    };
  }
  const name = `keyportal_migration_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: postgresUrl("postgres") });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const client = new pg.Client({ connectionString: postgresUrl(name) });
  await client.connect();
  return {
    exec: async (sql) => void (await client.query(sql)),
    rows: async (sql) => (await client.query(sql)).rows,
    close: async () => {
      await client.end();
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    },
  };
}

describe("the migrations that bring organizations", () => {
  it("give each account's rows to its personal organization, with its settings, reusing no id", async () => {
    const db = await scratch();
    try {
      for (const name of before) await db.exec(sqlOf(name));
      const now = "'2026-12-01T10:00:00.000+00:00'";
      await db.exec(`
        INSERT INTO users (id, email, username, password_hash, plan, subscription, rate_limit_per_hour, time_zone,
          work_start_hour, work_end_hour, updated_at, created_at)
        VALUES (1, 'a@example.com', 'alice', 'x', 'enterprise', 'active', 7000, 'Europe/Paris', 9, 18, ${now}, ${now}),
               (2, 'b@example.com', 'bob', 'x', 'free', 'inactive', NULL, 'UTC', 8, 20, ${now}, ${now});
        INSERT INTO api_keys (owner_id, name, "user", digest, hint, status, created_at)
        VALUES (1, 'kept', 'alice', 'd1', 'h', 'active', ${now}),
               (2, 'bobs', 'bob', 'd2', 'h', 'active', ${now}),
               (1, 'deleted later', 'alice', 'd3', 'h', 'active', ${now});
        DELETE FROM api_keys WHERE id = 3;
        INSERT INTO audit_logs (owner_id, action, actor, created_at)
        VALUES (1, 'key.generate', 'portal', ${now}), (1, 'auth.sign_in_failed', 'api', ${now}),
               (2, 'account.plan', 'admin-cli', ${now});
        INSERT INTO usage_logs (owner_id, api_key_id, api_key_name, method, path, status_code, ip, user_agent, created_at)
        VALUES (1, 1, 'kept', 'GET', '/api/api-routes-data?id=123', 200, '10.0.0.1', 'test', ${now}),
               (2, 2, 'bobs', 'GET', '/api/api-routes-data?id=123', 200, '10.0.0.2', 'test', ${now});
      `);
      for (const name of organizations) await db.exec(sqlOf(name));

      expect(
        await db.rows(
          `SELECT id, name, personal_user_id, plan, subscription, rate_limit_per_hour, time_zone, work_start_hour,
             work_end_hour FROM organizations ORDER BY id`,
        ),
      ).toEqual([
        {
          id: 1,
          name: "alice",
          personal_user_id: 1,
          plan: "enterprise",
          subscription: "active",
          rate_limit_per_hour: 7000,
          time_zone: "Europe/Paris",
          work_start_hour: 9,
          work_end_hour: 18,
        },
        {
          id: 2,
          name: "bob",
          personal_user_id: 2,
          plan: "free",
          subscription: "inactive",
          rate_limit_per_hour: null,
          time_zone: "UTC",
          work_start_hour: 8,
          work_end_hour: 20,
        },
      ]);
      expect(await db.rows(`SELECT organization_id, user_id, role FROM memberships ORDER BY user_id`)).toEqual([
        { organization_id: 1, user_id: 1, role: "owner" },
        { organization_id: 2, user_id: 2, role: "owner" },
      ]);
      // Every key so far was made by its account; the account acted in its portal and API entries
      // (not in a failed sign-in, which anyone can cause, nor in the CLI's).
      expect(await db.rows(`SELECT id, owner_id, created_by_id FROM api_keys ORDER BY id`)).toEqual([
        { id: 1, owner_id: 1, created_by_id: 1 },
        { id: 2, owner_id: 2, created_by_id: 2 },
      ]);
      expect(await db.rows(`SELECT action, actor_user_id FROM audit_logs ORDER BY id`)).toEqual([
        { action: "key.generate", actor_user_id: 1 },
        { action: "auth.sign_in_failed", actor_user_id: null },
        { action: "account.plan", actor_user_id: null },
      ]);
      expect(await db.rows(`SELECT owner_id FROM usage_logs ORDER BY id`)).toEqual([{ owner_id: 1 }, { owner_id: 2 }]);

      // The deleted key's id is not given out again, and a new organization takes a shared id.
      await db.exec(
        `INSERT INTO api_keys (owner_id, name, "user", digest, hint, status, created_at) VALUES (1, 'new', 'alice', 'd4', 'h', 'active', ${now})`,
      );
      expect(await db.rows(`SELECT id FROM api_keys WHERE digest = 'd4'`)).toEqual([{ id: 4 }]);
      await db.exec(`INSERT INTO organizations (name, created_at) VALUES ('Shared', ${now})`);
      expect(await db.rows(`SELECT id FROM organizations WHERE name = 'Shared'`)).toEqual([{ id: 1_000_000_001 }]);

      // The organization owns the rows now: deleting it takes them along.
      await db.exec(`DELETE FROM organizations WHERE id = 2`);
      expect(await db.rows(`SELECT id FROM api_keys WHERE owner_id = 2`)).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
