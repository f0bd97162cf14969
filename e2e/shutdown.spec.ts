import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { expect, test } from "@playwright/test";

// A second production server with a one-minute usage flush interval: every row of the calls
// below is still in memory when SIGTERM arrives, so only the shutdown flush can save them.
test("SIGTERM writes every buffered usage row before the server exits", async () => {
  test.setTimeout(120_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyportal-shutdown-"));
  const port = 3199;
  const base = `http://localhost:${port}`;
  const server = spawn(process.execPath, ["scripts/start.mjs"], {
    env: {
      ...process.env,
      PORT: String(port),
      DATA_DIR: dir,
      DATABASE_URL: `file:${path.join(dir, "db.sqlite")}`,
      DEMO_ACCOUNT: "off",
      USAGE_FLUSH_INTERVAL_MS: "60000",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  server.stdout.on("data", (chunk) => (output += chunk));
  server.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => server.on("exit", (code) => resolve(code)));
  try {
    await expect.poll(() => output, { timeout: 90_000 }).toContain("Key Portal ready");

    const post = (url: string, body: unknown, token?: string) =>
      fetch(base + url, {
        method: "POST",
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      }).then((r) => r.json());
    const account = { email: "shutdown@example.com", password: "shutdown-password" };
    await post("/api/auth/register", account);
    const { token } = await post("/api/auth/login", account);
    const key = await post("/api/api-keys/generate", { api_key_name: "shutdown-key", user: "svc" }, token);

    const calls = 30;
    const statuses = await Promise.all(
      Array.from({ length: calls }, () =>
        fetch(`${base}/api/api-routes-data?id=123`, {
          headers: { "X-API-Key": key.api_key, "X-Username": "svc" },
        }).then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(calls);

    const db = new Database(path.join(dir, "db.sqlite"), { readonly: true });
    const count = () => (db.prepare("SELECT COUNT(*) AS n FROM usage_logs").get() as { n: number }).n;
    expect(count()).toBe(0); // still buffered: the interval is a minute away

    server.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(count()).toBe(calls);
    const row = db.prepare("SELECT last_used_at FROM api_keys WHERE id = ?").get(key.id) as {
      last_used_at: string | null;
    };
    expect(row.last_used_at).not.toBeNull();
    db.close();
    expect(output).toContain("SIGTERM received");
  } finally {
    if (server.exitCode === null) server.kill("SIGKILL");
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
