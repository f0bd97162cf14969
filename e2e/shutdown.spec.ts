import Database from "better-sqlite3";
import { expect, test } from "@playwright/test";
import { accountWithKey, startOwnServer } from "./support";

// A second production server with a one-minute usage flush interval: every row of the calls
// below is still in memory when SIGTERM arrives, so only the shutdown flush can save them. Twice:
// started as node scripts/start.mjs, and as `npm start` with SIGTERM sent to npm's own process
// (what a container runtime sends to PID 1, or systemd to ExecStart's): nothing may be left
// serving once that process has exited.
for (const npmStart of [false, true]) {
  test(`SIGTERM${npmStart ? " to npm start's process" : ""} writes every buffered usage row before the server exits`, async () => {
    test.setTimeout(180_000);
    const own = await startOwnServer(3199, { USAGE_FLUSH_INTERVAL_MS: "60000" }, undefined, { npmStart });
    const { base, server, exited } = own;
    try {
      const { key } = await accountWithKey(base, "shutdown@example.com", "shutdown-key");

      const calls = 30;
      const statuses = await Promise.all(
        Array.from({ length: calls }, () =>
          fetch(`${base}/api/api-routes-data?id=123`, {
            headers: { "X-API-Key": key.api_key, "X-Username": "svc" },
          }).then((r) => r.status),
        ),
      );
      expect(statuses.filter((s) => s === 200)).toHaveLength(calls);

      const db = new Database(own.dbFile, { readonly: true });
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
      expect(own.output()).toContain("SIGTERM received");
      // Nothing left behind: the port answers no more.
      expect(
        await fetch(`${base}/api/health/live`).then(
          () => "answered",
          () => "closed",
        ),
      ).toBe("closed");
    } finally {
      if (server.exitCode === null) server.kill("SIGKILL");
      await own.stop();
    }
  });
}

// SHUTDOWN_DRAIN_MS: after SIGTERM, readiness answers 503 while the server still serves, so a
// load balancer's checks take it out before its port closes; then it exits as above.
test("SIGTERM with SHUTDOWN_DRAIN_MS: readiness turns 503 first while calls are still served", async () => {
  test.setTimeout(120_000);
  const own = await startOwnServer(3199, { SHUTDOWN_DRAIN_MS: "6000" });
  const { base, server, exited } = own;
  try {
    expect((await fetch(`${base}/api/health/ready`)).status).toBe(200);
    server.kill("SIGTERM");
    await expect
      .poll(async () => (await fetch(`${base}/api/health/ready`)).status, { timeout: 3_000, intervals: [50] })
      .toBe(503);
    const draining = await fetch(`${base}/api/health/ready`);
    expect(await draining.json()).toMatchObject({ status: "draining" });
    // Still serving meanwhile: liveness, and the data API's answers.
    expect((await fetch(`${base}/api/health/live`)).status).toBe(200);
    expect((await fetch(`${base}/api/api-routes-data?id=123`)).status).toBe(401);
    expect(await exited).toBe(0);
  } finally {
    if (server.exitCode === null) server.kill("SIGKILL");
    await own.stop();
  }
});
