import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, inject } from "vitest";
import { resetConfigForTests } from "@/lib/config/env";
import { disconnectDb } from "@/lib/db/client";
import { flushRateLimitCounters } from "@/lib/limits/quota";
import { usageRecorder } from "@/lib/usage/usage-recorder";
import { postgresUrl, TEST_DATABASE } from "./test-database";

// A private copy of the migrated template and a private data folder for each test file.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyportal-file-"));
let dropDatabase = async () => {};
if (TEST_DATABASE === "postgresql") {
  const name = `keyportal_file_${process.ppid}_${path.basename(dir).replace(/\W/g, "").toLowerCase()}`;
  const admin = new pg.Client({ connectionString: postgresUrl("postgres") });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${inject("templateDb")}"`);
  await admin.end();
  process.env.DATABASE_URL = postgresUrl(name);
  dropDatabase = async () => {
    const client = new pg.Client({ connectionString: postgresUrl("postgres") });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.end();
  };
} else {
  const dbFile = path.join(dir, "test.db");
  fs.copyFileSync(inject("templateDb"), dbFile);
  process.env.DATABASE_URL = `file:${dbFile}`;
}
process.env.DATA_DIR = path.join(dir, "data");
// Counters stay in each test process unless a test opts into Redis itself: an exported
// REDIS_URL would make every file's account 1 share one Redis counter.
delete process.env.REDIS_URL;
// Every test file signs up many accounts from one address; the limit has its own test.
process.env.SIGNUPS_PER_IP_PER_HOUR = "1000000";
process.env.NEXTAUTH_SECRET = "test-session-secret-0123456789abcdefghijklmnop";
process.env.API_KEY_PEPPER = "test-key-pepper-0123456789abcdefghijklmnopqrstu";
resetConfigForTests();

afterAll(async () => {
  // Rows and counters still in memory are written before their database goes away.
  await usageRecorder().flush();
  await flushRateLimitCounters();
  await disconnectDb();
  await dropDatabase();
  // A SQLite reader thread closing can still drop its -wal/-shm files into the folder while it is
  // removed (seen once: ENOTEMPTY); Node retries those errors when asked.
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
});
