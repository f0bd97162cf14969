// Crash safety of the usage log on PostgreSQL (its writer is a thread with a pg connection:
// lib/db/pg-thread.ts), as e2e/crash.spec.ts checks it on SQLite: one production instance under
// data-API load killed with SIGKILL loses only usage rows of its last second (they wait up to
// USAGE_FLUSH_INTERVAL_MS in memory, or in a batch the kill cut), none older and none written
// twice; under SIGTERM it loses none. The share of the last second lost is printed, not asserted.
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { RunningServer } from "../../scripts/support/start-server.mjs";
import { admin, createFreshDatabase, dropDatabase, startInstance } from "./support/cluster";
import { call, newAccount, type IssuedKey } from "./support/http";
import { databaseUrl, PORTS } from "./support/services";

const [port] = PORTS;
const USER_AGENT = "crash-pg";
const CALLERS = 16;
const LOAD_MS = 3_000;

let database = "";
let instance: RunningServer | undefined;

beforeAll(async () => {
  database = await createFreshDatabase();
  instance = await startInstance(port, database);
});

afterAll(async () => {
  await instance?.stop();
  if (database) await dropDatabase(database);
});

/** Each stored row of this test's calls, by User-Agent: how many times it was written. */
async function storedRows(): Promise<Map<string, number>> {
  const client = new pg.Client({ connectionString: databaseUrl(database) });
  await client.connect();
  try {
    const { rows } = await client.query<{ ua: string; n: number }>(
      "SELECT user_agent AS ua, COUNT(*)::int AS n FROM usage_logs WHERE user_agent LIKE $1 GROUP BY user_agent",
      [`${USER_AGENT} %`],
    );
    return new Map(rows.map((row) => [row.ua, row.n]));
  } finally {
    await client.end();
  }
}

/** CALLERS loops of data calls, each with its own User-Agent, until `stop()`; when each was answered. */
function load(key: IssuedKey, tag: string) {
  const answeredAt = new Map<string, number>();
  let stopping = false;
  let sent = 0;
  const caller = async () => {
    while (!stopping) {
      const userAgent = `${USER_AGENT} ${tag} ${++sent}`;
      const response = await fetch(`http://127.0.0.1:${port}/api/api-routes-data?id=123`, {
        headers: { "X-API-Key": key.api_key, "X-Username": key.user, "User-Agent": userAgent },
      }).catch(() => null);
      if (response && (await response.text().catch(() => null)) !== null) answeredAt.set(userAgent, Date.now());
    }
  };
  const running = Promise.all(Array.from({ length: CALLERS }, () => caller()));
  return {
    answeredAt,
    stop: async () => {
      stopping = true;
      await running;
    },
  };
}

it("kill -9 under load loses only the last second's usage rows, none twice; SIGTERM loses none", async () => {
  const account = await newAccount(port, "crash-pg");
  await admin(database, "set-plan", account.email, "enterprise");
  const key: IssuedKey = (
    await call(port, "POST", "/api/api-keys/generate", {
      token: account.token,
      body: { api_key_name: "crash", user: "crash_user" },
    })
  ).json;

  const first = load(key, "kill");
  await new Promise((resolve) => setTimeout(resolve, LOAD_MS));
  const killedAt = Date.now();
  // The whole process group: the server and its threads, as a power cut would.
  process.kill(-instance!.child.pid!, "SIGKILL");
  await instance!.exited;
  await first.stop();

  const stored = await storedRows();
  const answered = [...first.answeredAt];
  const lastSecond = answered.filter(([, at]) => at >= killedAt - 1_000).length;
  const lost = answered.filter(([ua]) => !stored.has(ua));
  const twice = [...stored].filter(([, n]) => n > 1);
  const unanswered = [...stored.keys()].filter((ua) => !first.answeredAt.has(ua)).length;
  console.log(
    `kill -9 after ${LOAD_MS} ms: ${answered.length} calls answered (${lastSecond} in the last second), ` +
      `${stored.size} rows found, ${lost.length} lost (${((lost.length / Math.max(lastSecond, 1)) * 100).toFixed(2)}% ` +
      `of the last second's calls), ${unanswered} rows of calls whose answer the kill cut`,
  );
  expect(answered.length).toBeGreaterThan(100);
  expect(twice).toEqual([]);
  expect(lost.filter(([, at]) => at < killedAt - 1_000)).toEqual([]);
  expect(unanswered).toBeLessThanOrEqual(CALLERS);

  // The same database after a restart; then SIGTERM under load: every answered call is written.
  instance = await startInstance(port, database);
  const second = load(key, "term");
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const stopped = instance.stop();
  expect(await stopped).toBe(0);
  await second.stop();
  const after = await storedRows();
  const termLost = [...second.answeredAt.keys()].filter((ua) => !after.has(ua));
  console.log(`SIGTERM under load: ${second.answeredAt.size} calls answered, ${termLost.length} rows lost`);
  expect(second.answeredAt.size).toBeGreaterThan(100);
  expect(termLost).toEqual([]);
  instance = undefined;
});
