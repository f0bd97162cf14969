// `npm run test:scale`: several instances against one PostgreSQL database and one Redis.
// Builds once, starts two production servers (`npm start`'s path) on two ports at the same
// moment against a fresh database, and checks what must hold across instances: exact key and
// hourly limits, revocation seen by the other instance at its next call, tokens and sessions
// valid on both, one usage log, counters that survive a restart. Then runs the Vitest
// integration suite against PostgreSQL and the rate-limit store suite against Redis.
// Needs PostgreSQL (TEST_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/postgres)
// and Redis (TEST_REDIS_URL, default redis://127.0.0.1:6379); says which is missing.
import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { deletePortalKeys } from "./support/redis-keys.mjs";

const POSTGRES = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const REDIS = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const PORTS = [Number(process.env.SCALE_PORT_A ?? 3201), Number(process.env.SCALE_PORT_B ?? 3202)];
const failures = [];
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", CHECKPOINT_DISABLE: "1" };

function check(ok, what) {
  console.log(`${ok ? "  ok  " : "  FAIL"} ${what}`);
  if (!ok) failures.push(what);
}

function databaseUrl(name) {
  const url = new URL(POSTGRES);
  url.pathname = `/${name}`;
  return url.toString();
}

async function servicesReachable() {
  const missing = [];
  const client = new pg.Client({ connectionString: POSTGRES, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (error) {
    missing.push(`PostgreSQL at ${POSTGRES} (${error.message}); set TEST_POSTGRES_URL`);
  } finally {
    await client.end().catch(() => {});
  }
  const redis = new Redis(REDIS, { lazyConnect: true, connectTimeout: 3_000, maxRetriesPerRequest: 0 });
  redis.on("error", () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    missing.push(`Redis at ${REDIS} (${error.message}); set TEST_REDIS_URL`);
  } finally {
    redis.disconnect();
  }
  return missing;
}

/** Prisma's CLI against `url`, offline (the engine variables point at files that exist). */
function prismaCli(args, url) {
  return spawnSync("node_modules/.bin/prisma", args, {
    env: {
      ...env,
      DATABASE_URL: url,
      PRISMA_QUERY_ENGINE_LIBRARY: "/bin/false",
      PRISMA_SCHEMA_ENGINE_BINARY: "/bin/false",
    },
    encoding: "utf8",
  });
}

/** `prisma migrate diff` from a provider's migrations to its schema: empty, or they drifted apart. */
function migrationsMatchSchema(provider, url) {
  const result = prismaCli(
    [
      "migrate",
      "diff",
      "--from-migrations",
      `prisma/${provider}/migrations`,
      "--to-schema-datamodel",
      `prisma/${provider}/schema.prisma`,
      "--exit-code",
    ],
    url,
  );
  // --exit-code: 0 no difference, 2 a difference, 1 an error.
  return { same: result.status === 0, output: `${result.stdout}${result.stderr}`.trim() };
}

// ---------------------------------------------------------------------------------------------
// Instances

const instanceEnv = (port, database) => ({
  ...env,
  PORT: String(port),
  HOST: "127.0.0.1",
  NEXTAUTH_URL: `http://localhost:${port}`,
  DATABASE_URL: databaseUrl(database),
  REDIS_URL: REDIS,
  DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), `keyportal-scale-${port}-`)),
  // The same on every instance, as docs/deploy.md asks.
  NEXTAUTH_SECRET: sharedSecrets.session,
  API_KEY_PEPPER: sharedSecrets.pepper,
  DEMO_ACCOUNT: "off",
  USAGE_FLUSH_INTERVAL_MS: "200",
});
const sharedSecrets = {
  session: crypto.randomBytes(32).toString("base64url"),
  pepper: crypto.randomBytes(32).toString("base64url"),
};

function startInstance(port, database) {
  // Its own process group: stopping it stops what start.mjs runs too (prepare.ts).
  const child = spawn(process.execPath, ["scripts/start.mjs"], {
    env: instanceEnv(port, database),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`instance :${port} not ready in 120 s:\n${output}`)), 120_000);
    const onData = () => {
      if (output.includes("ready on")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`instance :${port} exited (${code}):\n${output}`));
    });
  });
  return { port, child, ready, output: () => output };
}

async function stopInstance(instance) {
  if (instance.child.exitCode !== null) return;
  const exited = new Promise((resolve) => instance.child.once("exit", resolve));
  const signalGroup = (signal) => {
    try {
      process.kill(-instance.child.pid, signal);
    } catch {
      // already gone
    }
  };
  signalGroup("SIGTERM");
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
  signalGroup("SIGKILL");
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers

const base = (port) => `http://127.0.0.1:${port}`;

async function call(port, method, pathname, { token, body, headers = {} } = {}) {
  const response = await fetch(base(port) + pathname, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { "content-type": "application/json" } : {}),
      ...headers,
    },
    body: body ? JSON.stringify(body) : undefined,
    redirect: "manual",
  });
  const text = await response.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON (a page)
  }
  return { status: response.status, headers: response.headers, json, text };
}

async function newAccount(port, prefix) {
  const email = `${prefix}-${crypto.randomBytes(4).toString("hex")}@example.com`;
  const password = "scale-test-password";
  const registered = await call(port, "POST", "/api/auth/register", { body: { email, password } });
  if (registered.status !== 201) throw new Error(`register failed: ${registered.status} ${registered.text}`);
  const login = await call(port, "POST", "/api/auth/login", { body: { email, password } });
  return { email, password, token: login.json.token };
}

const dataCall = (port, key, userAgent = "scale-test") =>
  call(port, "GET", "/api/api-routes-data?id=123", {
    headers: { "x-api-key": key.api_key, "x-username": key.user, "user-agent": userAgent },
  });

function admin(database, ...args) {
  const result = spawnSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/admin.ts", ...args], {
    env: { ...instanceEnv(PORTS[0], database), DEMO_ACCOUNT: "off" },
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`admin ${args.join(" ")} failed: ${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** A portal session through next-auth's credentials flow on one instance: its cookie header. */
async function portalSession(port, account) {
  const csrf = await fetch(`${base(port)}/api/auth/csrf`);
  const cookies = csrf.headers.getSetCookie().map((c) => c.split(";")[0]);
  const { csrfToken } = await csrf.json();
  const response = await fetch(`${base(port)}/api/auth/callback/credentials`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookies.join("; ") },
    body: new URLSearchParams({ csrfToken, email: account.email, password: account.password, json: "true" }),
    redirect: "manual",
  });
  const all = [...cookies, ...response.headers.getSetCookie().map((c) => c.split(";")[0])];
  return all.filter((c) => c.startsWith("next-auth.session-token=")).join("; ");
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

// ---------------------------------------------------------------------------------------------
// Scenarios

async function scenarios(database, [a, b]) {
  const both = [a.port, b.port];

  console.log("\nHealth");
  for (const port of both) {
    const health = await call(port, "GET", "/api/health");
    check(
      health.status === 200 && health.json?.database === "ok" && health.json?.redis === "ok",
      `:${port} GET /api/health → ${health.status} ${health.text}`,
    );
  }

  console.log("\nKey limit across instances (Free: 2 keys)");
  const free = await newAccount(a.port, "scale-free");
  const generates = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      call(both[i % 2], "POST", "/api/api-keys/generate", {
        token: free.token,
        body: { api_key_name: `key-${i}`, user: "scale_user" },
      }),
    ),
  );
  const created = generates.filter((r) => r.status === 201);
  const keyCount = (await call(a.port, "GET", "/api/api-keys", { token: free.token })).json.pagination.total;
  console.log(
    `     20 concurrent generates split across both: ${created.length} × 201, ${generates.filter((r) => r.status === 403).length} × 403; keys stored: ${keyCount}`,
  );
  check(created.length === 2 && keyCount === 2, "exactly 2 keys created");

  console.log("\nHourly limit across instances (Free: 60/hour)");
  const key = created[0].json;
  const calls = await Promise.all(
    Array.from({ length: 200 }, (_, i) => dataCall(both[i % 2], key, `scale-${i % 2 ? "B" : "A"}`)),
  );
  const admitted = calls.filter((r) => r.status === 200).length;
  const limited = calls.filter((r) => r.status === 429).length;
  console.log(`     200 concurrent data calls split across both: ${admitted} × 200, ${limited} × 429`);
  check(admitted === 60 && limited === 140, "exactly 60 admitted");

  console.log("\nOne usage log for both instances");
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // both flush within 200 ms
  const logsVia = async (port) =>
    (await call(port, "GET", `/api/api-usage-logs?per_page=100&api_key_id=${key.id}`, { token: free.token })).json;
  const [logsA, logsB] = await Promise.all([logsVia(a.port), logsVia(b.port)]);
  let rows = [];
  for (let page = 1; page <= Math.ceil(logsA.pagination.total / 100); page++) {
    rows = rows.concat(
      (
        await call(a.port, "GET", `/api/api-usage-logs?per_page=100&page=${page}&api_key_id=${key.id}`, {
          token: free.token,
        })
      ).json.data,
    );
  }
  const agents = new Set(rows.map((row) => row.user_agent));
  console.log(
    `     rows for the key: ${logsA.pagination.total} via A, ${logsB.pagination.total} via B; user agents ${[...agents].sort().join(", ")}`,
  );
  check(
    logsA.pagination.total === 200 && logsB.pagination.total === 200,
    "all 200 calls logged, the same list on both",
  );
  check(agents.has("scale-A") && agents.has("scale-B"), "rows written by both instances");

  console.log("\nA Bearer token and a portal session from A work on B");
  const keysOnB = await call(b.port, "GET", "/api/api-keys", { token: free.token });
  check(keysOnB.status === 200 && keysOnB.json.pagination.total === 2, `Bearer token from A on B: ${keysOnB.status}`);
  const cookie = await portalSession(a.port, free);
  const session = await call(b.port, "GET", "/api/auth/session", { headers: { cookie } });
  const page = await call(b.port, "GET", "/keys", { headers: { cookie } });
  check(
    Boolean(cookie) && session.json?.user?.email === free.email,
    `portal session from A read on B (${session.text.slice(0, 80)})`,
  );
  check(
    page.status === 200 && page.text.includes("Generate New API Key"),
    `/keys on B with A's session cookie: ${page.status}`,
  );

  console.log("\nRevocation through A, refused by B at its next call (20 trials)");
  const enterprise = await newAccount(a.port, "scale-revoke");
  admin(database, "set-plan", enterprise.email, "enterprise");
  const delays = [];
  let allImmediate = true;
  for (let trial = 0; trial < 20; trial++) {
    const generated = await call(a.port, "POST", "/api/api-keys/generate", {
      token: enterprise.token,
      body: { api_key_name: `revoke-${trial}`, user: "revoke_user" },
    });
    const secret = generated.json;
    const warm = await dataCall(b.port, secret);
    const revokeByDelete = trial % 2 === 1;
    const revoked = revokeByDelete
      ? await call(a.port, "DELETE", `/api/api-keys/${secret.id}`, { token: enterprise.token })
      : await call(a.port, "PUT", `/api/api-keys/${secret.id}/status`, {
          token: enterprise.token,
          body: { status: "inactive" },
        });
    const acknowledged = performance.now();
    // The delay is from A's acknowledgement to B's first refusal; the first call after it must be refused.
    let first = null;
    let refusedAt = null;
    while (performance.now() - acknowledged < 5_000) {
      const response = await dataCall(b.port, secret);
      first ??= response.status;
      if (response.status === 401) {
        refusedAt = performance.now();
        break;
      }
    }
    const delay = refusedAt === null ? Infinity : refusedAt - acknowledged;
    delays.push(delay);
    if (first !== 401) allImmediate = false;
    console.log(
      `     trial ${String(trial + 1).padStart(2)}: ${revokeByDelete ? "delete    " : "deactivate"} on A (${revoked.status}), B before: ${warm.status}, B's next call: ${first}, refused after ${delay.toFixed(1)} ms`,
    );
  }
  const finite = delays.filter(Number.isFinite);
  console.log(
    `     delays: min ${Math.min(...delays).toFixed(1)} ms, median ${median(delays).toFixed(1)} ms, max ${Math.max(...delays).toFixed(1)} ms`,
  );
  check(
    finite.length === 20 && Math.max(...delays) <= 1_000 && median(delays) <= 100,
    "every delay ≤ 1 s, median ≤ 100 ms",
  );
  check(allImmediate, "B refused the key at its very next call in every trial");

  console.log("\nKey controls changed through A, seen by B at its very next call");
  const controlled = (
    await call(a.port, "POST", "/api/api-keys/generate", {
      token: enterprise.token,
      body: { api_key_name: "controls", user: "controls_user" },
    })
  ).json;
  const steps = [
    ["warm", null, 200],
    ["routes [125] (123 outside them)", { routes: [125] }, 403],
    ["routes back to every route", { routes: null }, 200],
    ["an allow-list without this address", { ip_allowlist: ["192.0.2.1"] }, 403],
    ["the allow-list cleared", { ip_allowlist: null }, 200],
  ];
  for (const [label, change, expected] of steps) {
    if (change)
      await call(a.port, "PATCH", `/api/api-keys/${controlled.id}`, { token: enterprise.token, body: change });
    const answer = await dataCall(b.port, controlled);
    check(answer.status === expected, `     ${label}: B answers ${answer.status} (expected ${expected})`);
  }
  const rotated = await call(a.port, "POST", `/api/api-keys/${controlled.id}/rotate`, {
    token: enterprise.token,
    body: { grace_period_seconds: 0 },
  });
  check(
    rotated.status === 201 && (await dataCall(b.port, controlled)).status === 401,
    "     rotated on A with no grace: B refuses the old key at once",
  );
  const successor = rotated.json;
  const reported = await call(a.port, "POST", "/api/api-keys/revoke", { body: { api_key: successor.api_key } });
  check(
    reported.status === 202 && (await dataCall(b.port, successor)).status === 401,
    "     its successor reported leaked on A: B refuses it at once",
  );

  return { free, key };
}

async function restartKeepsCounters(database, [a, b], { key }) {
  console.log("\nRestarting an instance loses no counter");
  const before = await dataCall(a.port, key);
  await stopInstance(b);
  const restarted = startInstance(b.port, database);
  await restarted.ready;
  const after = await dataCall(restarted.port, key);
  console.log(
    `     before restart (A): ${before.status}, Remaining ${before.headers.get("x-ratelimit-remaining")}; after restarting B, B answers ${after.status}, Remaining ${after.headers.get("x-ratelimit-remaining")}`,
  );
  check(
    before.status === 429 && after.status === 429,
    "the exhausted Free quota is still exhausted on the restarted instance",
  );
  return restarted;
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const missing = await servicesReachable();
  if (missing.length) {
    console.error(`npm run test:scale needs PostgreSQL and Redis. Not reachable:\n  - ${missing.join("\n  - ")}`);
    process.exit(1);
  }

  console.log("Migrations against schemas (prisma migrate diff, on a shadow database)");
  const sqliteShadow = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "keyportal-diff-")), "shadow.db");
  for (const [provider, url] of [
    ["sqlite", `file:${sqliteShadow}`],
    ["postgresql", POSTGRES],
  ]) {
    const { same, output } = migrationsMatchSchema(provider, url);
    check(same, `prisma/${provider}: the migrations produce exactly the schema${same ? "" : `\n${output}`}`);
  }

  console.log("Building once…");
  const build = spawnSync(process.execPath, ["scripts/start.mjs", "--build-only"], { stdio: "inherit", env });
  if (build.status !== 0) process.exit(build.status ?? 1);

  const database = `keyportal_scale_${Date.now()}`;
  const root = new pg.Client({ connectionString: POSTGRES });
  await root.connect();
  await root.query(`CREATE DATABASE "${database}"`);
  const redis = new Redis(REDIS);
  await deletePortalKeys(redis); // counters of earlier runs must not count against this one

  // Both at once, against an empty database: one migrates, the other waits for its lock.
  const instances = PORTS.map((port) => startInstance(port, database));
  try {
    const started = performance.now();
    await Promise.all(instances.map((instance) => instance.ready));
    console.log(
      `Two instances started at once against a fresh database: both ready in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    const count = new pg.Client({ connectionString: databaseUrl(database) });
    await count.connect();
    const applied = (await count.query("SELECT count(*)::int AS n FROM _prisma_migrations")).rows[0].n;
    await count.end();
    const committed = fs.readdirSync("prisma/postgresql/migrations").filter((name) => !name.endsWith(".toml")).length;
    check(
      applied === committed,
      `each of the ${committed} migrations applied once (${applied} rows in _prisma_migrations)`,
    );
    const status = prismaCli(["migrate", "status"], databaseUrl(database));
    check(
      status.status === 0 && status.stdout.includes("Database schema is up to date"),
      "prisma migrate status agrees: the database schema is up to date",
    );

    const state = await scenarios(database, instances);
    instances[1] = await restartKeepsCounters(database, instances, state);
  } catch (error) {
    failures.push(error.message);
    console.error(error);
  } finally {
    await Promise.all(instances.map(stopInstance));
    await root.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await root.end();
    redis.disconnect();
  }

  console.log("\nVitest integration suite against PostgreSQL");
  const vitest = ["node_modules/vitest/vitest.mjs", "run"];
  const integration = spawnSync(process.execPath, [...vitest, "tests/integration"], {
    stdio: "inherit",
    env: { ...env, TEST_DATABASE: "postgresql", TEST_POSTGRES_URL: POSTGRES },
  });
  check(integration.status === 0, "integration suite on PostgreSQL");

  console.log("\nRate-limit store suite against Redis");
  const redisSuite = spawnSync(process.execPath, [...vitest, "-c", "vitest.redis.config.mts"], {
    stdio: "inherit",
    env: { ...env, REDIS_URL: REDIS },
  });
  check(redisSuite.status === 0, "rate-limit store suite on Redis, and Redis-down behaviour");

  console.log(
    failures.length
      ? `\ntest:scale FAILED (${failures.length}):\n  - ${failures.join("\n  - ")}`
      : "\ntest:scale: all passed",
  );
  process.exit(failures.length ? 1 : 0);
}

await main();
