import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * `npm start` with a bad environment stops before generating, migrating or building anything,
 * with one line naming the variable, and no stack trace.
 */
function start(env: Record<string, string>) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "keyportal-start-config-"));
  const { NEXTAUTH_SECRET: _s, API_KEY_PEPPER: _p, REDIS_URL: _r, ...inherited } = process.env;
  const result = spawnSync(process.execPath, ["scripts/start.mjs"], {
    env: { ...inherited, DATA_DIR: dataDir, DATABASE_URL: `file:${path.join(dataDir, "db.sqlite")}`, ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  const created = fs.readdirSync(dataDir);
  fs.rmSync(dataDir, { recursive: true, force: true });
  return { status: result.status, stderr: result.stderr.trim(), stdout: result.stdout.trim(), created };
}

describe("npm start refuses a bad environment in one line", () => {
  it.each([
    [{ TRUST_PROXY: "yes" }, /^Invalid environment: TRUST_PROXY must be one of true, 1, false, 0$/],
    [{ PORT: "abc" }, /^Invalid environment: PORT must be a whole number from 1 to 65535$/],
    [{ DATABASE_URL: "mysql://db/portal" }, /^Invalid environment: DATABASE_URL must be file:<path> \(SQLite\)/],
    [
      { DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/never_created" },
      /^Invalid environment: NEXTAUTH_SECRET and API_KEY_PEPPER must be set .* when DATABASE_URL is PostgreSQL$/,
    ],
  ])("%j", (env, message) => {
    const { status, stderr, stdout, created } = start(env);
    expect(status).toBe(1);
    expect(stderr.split("\n")).toHaveLength(1);
    expect(stderr).toMatch(message);
    expect(stdout).toBe("");
    expect(created).toEqual([]); // no secrets file, no database
  });
});
