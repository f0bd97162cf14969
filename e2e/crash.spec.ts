import { spawnSync } from "node:child_process";
import Database from "better-sqlite3";
import { expect, test } from "@playwright/test";
import { startOwnServer } from "./support";

// Crash safety of the production server on SQLite: keys are generated, statuses changed and the
// data API called at once; the server is killed with SIGKILL mid-load and started again on the
// same files. Whatever was answered must hold: every key answered 201 exists and authenticates
// unless its last answered status change made it inactive, every status change answered 200
// holds, and the file passes PRAGMA integrity_check. Usage rows of calls answered just before
// the kill may be lost (they wait up to USAGE_FLUSH_INTERVAL_MS in memory): they are counted and
// printed, and none may be older than the last second. Each call carries its own User-Agent, so
// a row written twice is seen as such: a call the server recorded whose answer the kill cut (the
// client read no response) has a row but no answer, and only the callers' calls in flight can.
// Then SIGTERM under the same load: none lost.
const PORT = 3197;
const USER_AGENT = "crash-test";
const LOAD_MS = 3_000;

interface Key {
  id: number;
  api_key: string;
  user: string;
  /** The status its last answered change set ("active" when none was answered). */
  status: "active" | "inactive";
}

async function json(response: Response) {
  return (await response.json()) as Record<string, unknown>;
}

test("kill -9 mid-load loses nothing answered but the newest usage rows; SIGTERM loses none", async () => {
  test.setTimeout(300_000);
  let own = await startOwnServer(PORT, {});
  const dir = own.dir;
  try {
    const call = (url: string, init: RequestInit & { token?: string } = {}) =>
      fetch(own.base + url, {
        ...init,
        headers: {
          "content-type": "application/json",
          ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
          ...(init.headers as Record<string, string>),
        },
      });
    const account = { email: "crash@example.com", password: "crash-password-1" };
    expect((await call("/api/auth/register", { method: "POST", body: JSON.stringify(account) })).status).toBe(201);
    // Enterprise: no key limit, so generating keeps going for the whole load.
    const admin = spawnSync(
      process.execPath,
      ["node_modules/tsx/dist/cli.mjs", "scripts/admin.ts", "set-plan", account.email, "enterprise"],
      { env: { ...process.env, DATA_DIR: dir, DATABASE_URL: `file:${own.dbFile}`, REDIS_URL: "" }, encoding: "utf8" },
    );
    expect(admin.status, admin.stderr).toBe(0);
    const login = async () =>
      (await json(await call("/api/auth/login", { method: "POST", body: JSON.stringify(account) }))).token as string;
    let token = await login();

    const keys: Key[] = [];
    const dataCalls: number[] = []; // when each answered data call was answered
    const answeredAt = new Map<string, number>(); // phase 1: each answered call's User-Agent, and when
    let sent = 0;
    let stopping = false;
    // Keys whose status change got no answer (cut by the kill): it may or may not have been committed.
    const unsure = new Set<Key>();
    const swallow = () => undefined; // a request cut by the kill is simply not answered

    const generator = async (worker: number) => {
      for (let i = 0; !stopping; i++) {
        const user = `crash_${worker}_${i}`;
        const response = await call("/api/api-keys/generate", {
          method: "POST",
          token,
          body: JSON.stringify({ api_key_name: `crash ${worker}-${i}`, user }),
        }).catch(swallow);
        if (response?.status === 201) {
          const body = await json(response).catch(swallow);
          if (body) keys.push({ id: body.id as number, api_key: body.api_key as string, user, status: "active" });
        }
      }
    };
    const toggler = async () => {
      for (let i = 0; !stopping; i++) {
        const key = keys[i % Math.max(keys.length, 1)];
        if (!key) {
          await new Promise((resolve) => setTimeout(resolve, 10));
          continue;
        }
        const status = key.status === "active" ? "inactive" : "active";
        const response = await call(`/api/api-keys/${key.id}/status`, {
          method: "PUT",
          token,
          body: JSON.stringify({ status }),
        }).catch(swallow);
        if (response?.status === 200) key.status = status;
        // Marked for good: clearing it when the next call fails too (the server is gone, the flag
        // \`stopping\` not yet set) forgot the one change that was cut, and the test failed at random.
        if (!response) unsure.add(key);
      }
    };
    const caller = async () => {
      for (let i = 0; !stopping; i++) {
        const key = keys[(i * 7) % Math.max(keys.length, 1)];
        const userAgent = `${USER_AGENT} ${++sent}`;
        const response = await fetch(`${own.base}/api/api-routes-data?id=123`, {
          headers: {
            "X-API-Key": key?.api_key ?? "sk_live_none",
            "X-Username": key?.user ?? "none",
            "User-Agent": userAgent,
          },
        }).catch(swallow);
        if (response) {
          const text = await response.text().catch(swallow);
          // Past the per-IP budget for failed authentication (keys the toggler deactivated): a
          // count per client and hour, not a usage row (lib/data-api/serve-data-request.ts).
          if (response.status === 429 && text?.includes("unauthenticated")) continue;
          dataCalls.push(Date.now());
          answeredAt.set(userAgent, Date.now());
        }
      }
    };
    const CALLERS = 16;

    // Phase 1: load, then SIGKILL while it runs.
    const load = Promise.all([
      generator(1),
      generator(2),
      toggler(),
      ...Array.from({ length: CALLERS }, () => caller()),
    ]);
    await new Promise((resolve) => setTimeout(resolve, LOAD_MS));
    const killedAt = Date.now();
    own.server.kill("SIGKILL");
    await own.exited;
    stopping = true;
    await load;

    const answered = dataCalls.length;
    const lastSecond = dataCalls.filter((at) => at >= killedAt - 1_000).length;
    const db = () => new Database(own.dbFile, { readonly: true });
    const count = () => {
      const file = db();
      const n = (
        file.prepare("SELECT COUNT(*) AS n FROM usage_logs WHERE user_agent LIKE ?").get(`${USER_AGENT} %`) as {
          n: number;
        }
      ).n;
      file.close();
      return n;
    };
    const integrity = db();
    expect(integrity.pragma("integrity_check", { simple: true })).toBe("ok");
    const rows = integrity
      .prepare("SELECT user_agent AS ua, COUNT(*) AS n FROM usage_logs WHERE user_agent LIKE ? GROUP BY user_agent")
      .all(`${USER_AGENT} %`) as Array<{ ua: string; n: number }>;
    integrity.close();
    const found = rows.reduce((sum, row) => sum + row.n, 0);
    const twice = rows.filter((row) => row.n > 1).map((row) => row.ua);
    const stored = new Set(rows.map((row) => row.ua));
    const lostAt = [...answeredAt].filter(([ua]) => !stored.has(ua)).map(([, at]) => at);
    const unanswered = rows.filter((row) => !answeredAt.has(row.ua)).length;
    const lost = lostAt.length;
    const figures =
      `kill -9 after ${LOAD_MS} ms of load: ${keys.length} keys answered 201, ` +
      `${answered} data calls answered (${lastSecond} in the last second), ${found} usage rows found, ` +
      `${lost} lost (${((lost / Math.max(lastSecond, 1)) * 100).toFixed(2)}% of the last second's calls), ` +
      `${unanswered} rows of calls whose answer the kill cut`;
    console.log(figures);
    test.info().annotations.push({ type: "kill -9", description: figures });
    expect(answeredAt.size).toBe(answered);
    expect(twice).toEqual([]); // nothing written twice
    expect(unanswered).toBeLessThanOrEqual(CALLERS); // only the calls in flight at the kill
    expect(lostAt.filter((at) => at < killedAt - 1_000)).toEqual([]); // nothing older than the last second lost
    expect(keys.length).toBeGreaterThan(10);

    // Phase 2: the same files after a restart.
    own = await startOwnServer(PORT, {}, dir);
    token = await login();
    for (const key of keys) {
      const read = await call(`/api/api-keys/${key.id}`, { token });
      expect(read.status, `key ${key.id}`).toBe(200);
      const stored = (await json(read)).status as Key["status"];
      if (unsure.has(key)) key.status = stored; // its change was cut by the kill: either is right
      expect(stored, `key ${key.id}'s status`).toBe(key.status);
    }
    for (const key of keys) {
      const response = await fetch(`${own.base}/api/api-routes-data?id=123`, {
        headers: { "X-API-Key": key.api_key, "X-Username": key.user, "User-Agent": "after-restart" },
      });
      expect(response.status, `key ${key.id} (${key.status})`).toBe(key.status === "active" ? 200 : 401);
    }

    // Phase 3: SIGTERM under load: every answered call is written before the process exits.
    stopping = false;
    dataCalls.length = 0;
    const before = count();
    const load2 = Promise.all(Array.from({ length: CALLERS }, () => caller()));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    own.server.kill("SIGTERM");
    expect(await own.exited).toBe(0);
    stopping = true;
    await load2;
    const written = count() - before;
    const sigterm = `SIGTERM under load: ${dataCalls.length} data calls answered, ${written} usage rows written`;
    console.log(sigterm);
    test.info().annotations.push({ type: "SIGTERM", description: sigterm });
    expect(written).toBe(dataCalls.length);
  } finally {
    if (own.server.exitCode === null) own.server.kill("SIGKILL");
    await own.stop();
  }
});
