import pg from "pg";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { resolveDatabaseUrl } from "@/lib/config/database-url";
import { db } from "@/lib/db/client";
import { isDatabaseUnavailable } from "@/lib/db/errors";
import { PgThread } from "@/lib/db/pg-thread";
import { flushUsage, usageRecorder } from "@/lib/usage/usage-recorder";
import { createAccount, generateKey, type Account, usageEntry } from "../integration/support";
import { log } from "@/lib/log/logger";

/**
 * Faults only PostgreSQL has (its usage writer is a thread with a pg connection of its own:
 * lib/db/pg-thread.ts). This folder runs only with TEST_DATABASE=postgresql (vitest.config.mts),
 * as npm run test:scale does; SQLite's faults are tests/integration/storage-faults.test.ts.
 */
let account: Account;
beforeAll(async () => {
  account = await createAccount({ prefix: "pg-writer", plan: "professional" });
});

const entry = (keyId: number, i: number) => usageEntry(account.id, keyId, `pg-writer ${i}`);

const rowsOf = (keyId: number) => db().usageLog.count({ where: { apiKeyId: keyId } });
const waitForWrites = () =>
  vi.waitFor(() => expect(usageRecorder().status()).toMatchObject({ failingSince: null, pending: 0 }), {
    timeout: 20_000,
    interval: 100,
  });

describe("the usage writer thread on PostgreSQL", () => {
  it("the usage writer's connection cut mid-transaction: its batch rolls back, is retried, and every row is written once", async () => {
    const key = await generateKey(account.token, "pg-cut", "pg_cut_user");
    await flushUsage();
    const writerWaits = async () =>
      (
        await db().$queryRawUnsafe<{ n: number }[]>(
          "SELECT COUNT(*)::int AS n FROM pg_stat_activity WHERE application_name = 'keyportal-usage-writer' AND datname = current_database() AND wait_event_type = 'Lock'",
        )
      )[0].n;
    // Another connection holds usage_logs: the writer's next batch waits inside its transaction.
    const holder = new pg.Client({ connectionString: resolveDatabaseUrl() });
    await holder.connect();
    const error = vi.spyOn(log(), "error").mockImplementation(() => {});
    try {
      await holder.query("BEGIN");
      await holder.query("LOCK TABLE usage_logs IN ACCESS EXCLUSIVE MODE");
      for (let i = 0; i < 1_200; i++) usageRecorder().record(entry(key.id, i));
      void usageRecorder().flush();
      await vi.waitFor(async () => expect(await writerWaits()).toBe(1), { timeout: 10_000, interval: 50 });
      await db().$queryRawUnsafe(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'keyportal-usage-writer' AND datname = current_database()",
      );
      await vi.waitFor(() => expect(usageRecorder().status().failingSince).not.toBeNull(), { timeout: 10_000 });
      await holder.query("COMMIT");
      await waitForWrites();
      expect(await rowsOf(key.id)).toBe(1_200);
      expect(error.mock.calls.some((args) => args.some((part) => String(part).includes("will retry")))).toBe(true);
    } finally {
      error.mockRestore();
      await holder.end();
    }
  });

  it("an unreachable server fails a batch at once, as the database unavailable", async () => {
    const thread = new PgThread("postgresql://postgres@127.0.0.1:1/none", {
      statementTimeoutMs: 1_000,
      onDead: () => {},
    });
    try {
      const started = Date.now();
      const error = await thread.write([]).catch((failure: unknown) => failure);
      expect(isDatabaseUnavailable(error)).toBe(true);
      expect(Date.now() - started).toBeLessThan(6_000);
    } finally {
      thread.close();
    }
  });
});
