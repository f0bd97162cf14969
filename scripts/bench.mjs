// `npm run bench`: throughput and latency of the data API's hot path on the production server,
// and how a big account's pages, lists, summary, export and retention hold up. Starts its own
// server on a scratch database whose Enterprise account has BENCH_KEYS keys (default 100,000)
// and BENCH_ROWS usage rows over 30 days (default 1,000,000), runs autocannon for BENCH_SECONDS
// (default 10) per row and prints figures. No pass/fail: figures only. Both servers are warmed up
// first for BENCH_WARMUP seconds (default 3), and the raw floor runs before and after the data
// API's rows: the ratios are to the mean of its two runs, since the machine's speed drifts from
// one run to the next. BENCH_CONNECTIONS (default 50) and BENCH_PORT (default 3300; the floor
// takes the next port) too.
// `npm run bench -- --database postgresql` runs it on a fresh PostgreSQL database with Redis for
// the counters (BENCH_POSTGRES_URL and BENCH_REDIS_URL, by default this machine's services; the
// portal's keyportal:* keys are deleted first), beside the same raw floor and raw proxy; its
// figures go to BENCHMARKS.md's PostgreSQL section, a SQLite run's to the SQLite one.
import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { Redis } from "ioredis";
import pg from "pg";
import { tsImport } from "tsx/esm/api";
import { measureExport, measureReads, measureRetention, measureUnderLoad } from "./support/bench-big-account.mjs";
import {
  createOperatorFixtures,
  measureGateway,
  measureTransfers,
  PROXY_TITLE,
  startGatewayPeers,
} from "./support/bench-gateway.mjs";
import { answered, loadRun, residentMb, statusCodes } from "./support/bench-measure.mjs";
import { FLOOR_TITLE, floorRatios, printDataApiTable, writeBenchmarksMd } from "./support/bench-report.mjs";
import { rawSummarySeconds, SEED_USER_AGENT, seedBigAccount } from "./support/big-account.mjs";
import { seedBigAccountPg } from "./support/big-account-pg.mjs";
import { deletePortalKeys } from "./support/redis-keys.mjs";
import { measureTwoInstances, ONE_INSTANCE_TITLE } from "./support/bench-instances.mjs";
import { startServer } from "./support/start-server.mjs";
import { measureAccessLog } from "./support/bench-access-log.mjs";

// The data-API calls that spend the Free key's hourly limit (Free: 60 an hour).
const FREE_HOURLY_LIMIT = 60;
const VERIFY_URL = (base) => `${base}/api/v1/keys/verify`;

/** `--database sqlite|postgresql` (also `--database=…`); SQLite when absent. */
function databaseArgument(argv = process.argv.slice(2)) {
  const at = argv.findIndex((arg) => arg === "--database" || arg.startsWith("--database="));
  if (at === -1) return "sqlite";
  const value = argv[at].includes("=") ? argv[at].split("=")[1] : argv[at + 1];
  if (value !== "sqlite" && value !== "postgresql") {
    console.error(`--database must be sqlite or postgresql, not ${value ?? "nothing"}`);
    process.exit(2);
  }
  return value;
}

function readConfig() {
  const port = Number(process.env.BENCH_PORT ?? 3300);
  const onPostgres = databaseArgument() === "postgresql";
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyportal-bench-"));
  const base = `http://127.0.0.1:${port}`;
  return {
    port,
    seconds: Number(process.env.BENCH_SECONDS ?? 10),
    warmupSeconds: Number(process.env.BENCH_WARMUP ?? 3),
    connections: Number(process.env.BENCH_CONNECTIONS ?? 50),
    bigKeys: Number(process.env.BENCH_KEYS ?? 100_000),
    bigRows: Number(process.env.BENCH_ROWS ?? 1_000_000),
    base,
    dataUrl: `${base}/api/api-routes-data?id=123`,
    dir,
    dbFile: path.join(dir, "bench.db"),
    postgres: onPostgres
      ? (process.env.BENCH_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres")
      : undefined,
    redisUrl: onPostgres ? (process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379") : undefined,
    database: `keyportal_bench_${Date.now()}`,
  };
}

/** The scratch database (SQLite file, or a new PostgreSQL database), Redis cleared, the server's env. */
async function setUp(config) {
  let databaseUrl = `file:${config.dbFile}`;
  if (config.postgres) {
    const root = new pg.Client({ connectionString: config.postgres });
    await root.connect();
    await root.query(`CREATE DATABASE "${config.database}"`);
    await root.end();
    const url = new URL(config.postgres);
    url.pathname = `/${config.database}`;
    databaseUrl = url.toString();
  }
  if (config.redisUrl) {
    const redis = new Redis(config.redisUrl);
    await deletePortalKeys(redis);
    redis.disconnect();
  }
  const env = {
    ...process.env,
    PORT: String(config.port),
    DATA_DIR: config.dir,
    DATABASE_URL: databaseUrl,
    ...(config.redisUrl ? { REDIS_URL: config.redisUrl } : {}),
    NEXTAUTH_SECRET: crypto.randomBytes(32).toString("base64url"),
    API_KEY_PEPPER: crypto.randomBytes(32).toString("base64url"),
    DEMO_ACCOUNT: "off",
    BENCH_ROUTES: "on",
  };
  // This process opens the same database too, for the retention figures (lib/usage/retention.ts).
  for (const name of ["DATABASE_URL", "DATA_DIR", "NEXTAUTH_SECRET", "API_KEY_PEPPER"]) process.env[name] = env[name];
  return { env, databaseUrl };
}

/** The accounts exist before the server starts: the admin CLI applies migrations itself. */
function createAccounts(env) {
  const admin = (...args) =>
    spawnSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/admin.ts", ...args], {
      env,
      stdio: "inherit",
    });
  const account = { email: "bench@example.com", password: "bench-password" };
  admin("create-user", account.email, account.password);
  admin("set-plan", account.email, "enterprise");
  // Every data-API run below stays under the account's hourly limit, so each measures what it says.
  admin("set-rate-limit", account.email, "100000000");
  // An operator: it defines the gateway's route and the verify endpoint's service token.
  admin("set-role", account.email, "operator");
  const freeAccount = { email: "bench-free@example.com", password: "bench-password" };
  admin("create-user", freeAccount.email, freeAccount.password);
  return { account, freeAccount };
}

/** The big account, written straight into the database before the server opens it. */
async function seedBig(config, databaseUrl, account) {
  const { dbFile, bigKeys, bigRows } = config;
  console.log(`seeding ${bigKeys} keys and ${bigRows} usage rows…`);
  const size = { keys: bigKeys, rows: bigRows, days: 30 };
  if (config.postgres) {
    const big = await seedBigAccountPg(databaseUrl, account.email, size);
    console.log(
      `seeded with COPY in ${(big.rowsSeconds + big.rollupSeconds).toFixed(1)} s (${big.rollupRows} hourly rollup rows)`,
    );
    return big;
  }
  const big = seedBigAccount(dbFile, account.email, size);
  big.rawSummary = {
    "24h": rawSummarySeconds(dbFile, account.email, 24),
    "7d": rawSummarySeconds(dbFile, account.email, 168),
  };
  console.log(
    `seeded in ${(big.rowsSeconds + big.rollupSeconds).toFixed(1)} s (${big.rollupRows} hourly rollup rows); the summary's SQL on raw rows: 24h ${Math.round(big.rawSummary["24h"] * 1000)} ms, 7d ${Math.round(big.rawSummary["7d"] * 1000)} ms`,
  );
  return big;
}

/** The Enterprise account's key, and a Free account's key whose hourly calls are all spent (every call a 429). */
async function issueKeys(config, { account, freeAccount }) {
  const post = (url, body, token) =>
    fetch(config.base + url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    }).then((r) => r.json());
  const { token } = await post("/api/auth/login", account);
  const key = await post("/api/api-keys/generate", { api_key_name: "bench", user: "bench" }, token);
  const { token: freeToken } = await post("/api/auth/login", freeAccount);
  const spent = await post("/api/api-keys/generate", { api_key_name: "spent", user: "bench" }, freeToken);
  for (let i = 0; i < FREE_HOURLY_LIMIT; i++) {
    await fetch(config.dataUrl, { headers: { "X-API-Key": spent.api_key, "X-Username": "bench" } });
  }
  return { token, key, spent };
}

/**
 * A SQLite file for the raw floor of a PostgreSQL run: the floor is one indexed SQLite read by
 * definition, whatever the portal runs on, so that both runs are measured against the same floor.
 * It holds the tables the floor reads, with the bench key.
 */
function floorDatabase(config, pepper, key) {
  const file = path.join(config.dir, "floor.db");
  const db = new Database(file);
  db.exec(`CREATE TABLE organizations (id INTEGER PRIMARY KEY, plan TEXT NOT NULL);
    CREATE TABLE api_keys (id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL, status TEXT NOT NULL, digest TEXT NOT NULL UNIQUE);
    INSERT INTO organizations VALUES (1, 'enterprise');`);
  const digest = crypto.createHmac("sha256", pepper).update(key.api_key).digest("hex");
  db.prepare("INSERT INTO api_keys VALUES (1, 1, 'active', ?)").run(digest);
  db.close();
  return file;
}

/** The raw floor (its definition is one indexed SQLite read, on either database's run), in its own process. */
async function startFloor(config, pepper, key) {
  const floorPort = config.port + 1;
  const file = config.postgres ? floorDatabase(config, pepper, key) : config.dbFile;
  const floor = spawn(process.execPath, ["scripts/support/raw-floor.mjs", String(floorPort), file, pepper], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  process.on("exit", () => floor.exitCode === null && floor.kill());
  await new Promise((resolve) => floor.stdout.once("data", resolve));
  floor.url = `http://127.0.0.1:${floorPort}/api/api-routes-data?id=123`;
  return floor;
}

/**
 * The data-API table: warm-up, then each kind of call for BENCH_SECONDS, the floor first and
 * last. The verify endpoint sits in it too: its floor is the same one-key check.
 */
async function measureDataApi(config, { key, spent, floor, serverPid, serviceToken }) {
  const { base, connections, seconds, warmupSeconds } = config;
  console.log(
    `\nBenchmark: GET /api/api-routes-data?id=123, ${connections} connections, ${seconds}s each, production server, ${config.postgres ? "PostgreSQL" : "SQLite"}${config.redisUrl ? " + Redis" : ""}`,
  );
  const { generateKeySecret } = await tsImport("../lib/keys/secret.ts", import.meta.url);
  const validHeaders = { "X-API-Key": key.api_key, "X-Username": "bench" };
  const run = (title, headers, url = config.dataUrl, duration = seconds, body) =>
    loadRun({ title, url, headers, connections, duration, ...(body ? { method: "POST", body } : {}) });
  const verifyHeaders = { authorization: `Bearer ${serviceToken}`, "content-type": "application/json" };
  const verifyBody = JSON.stringify({ api_key: key.api_key, username: "bench" });
  // Warm-up, not in the table: the JIT, the key and route caches, the limiter's first read of its
  // stored counters. Its data-API answers are logged like any other.
  let warmupSent = 0;
  if (warmupSeconds > 0) {
    if (floor) await run("warm-up", validHeaders, floor.url, warmupSeconds);
    warmupSent = answered((await run("warm-up", validHeaders, undefined, warmupSeconds)).result);
    warmupSent += answered((await run("warm-up", verifyHeaders, VERIFY_URL(base), warmupSeconds, verifyBody)).result);
  }
  const rows = [];
  // With Redis: the commands the server sent it per answered call, from INFO commandstats around each run.
  const redis = config.redisUrl ? new Redis(config.redisUrl) : null;
  for (const [title, headers, url, body] of [
    ...(floor ? [[FLOOR_TITLE, validHeaders, floor.url]] : []),
    ["bare Next route handler (constant JSON)", {}, `${base}/api/bench/noop`],
    ["valid key (200)", validHeaders],
    // Its last character changed (to another one: a key ending in "0" would stay valid).
    ["mistyped key (401, no DB read)", { "X-API-Key": mistyped(key.api_key), "X-Username": "bench" }],
    ["well-formed unknown key (401)", { "X-API-Key": generateKeySecret(), "X-Username": "bench" }],
    ["over the hourly limit (429)", { "X-API-Key": spent.api_key, "X-Username": "bench" }],
    ["POST /api/v1/keys/verify (valid key, service token)", verifyHeaders, VERIFY_URL(base), verifyBody],
    ...(floor ? [[`${FLOOR_TITLE}, again`, validHeaders, floor.url]] : []),
  ]) {
    const onServer = url !== floor?.url && !title.startsWith("bare Next");
    const commandsBefore = redis && onServer ? await redisCommandCount(redis) : null;
    const { result } = await run(title, headers, url, seconds, body);
    const commands = commandsBefore === null ? null : (await redisCommandCount(redis)) - commandsBefore;
    rows.push({
      title,
      rps: Math.round(result.requests.average),
      p50: result.latency.p50,
      p99: result.latency.p99,
      codes: statusCodes(result),
      rss: url === floor?.url ? null : residentMb(serverPid),
      redisPerCall: commands === null ? null : commands / Math.max(1, answered(result)),
    });
    if (commands !== null) console.log(`  Redis commands per call: ${rows.at(-1).redisPerCall.toFixed(3)}`);
  }
  redis?.disconnect();
  printDataApiTable(rows);
  return { rows, warmupSent, validHeaders };
}

const mistyped = (secret) => secret.slice(0, -1) + (secret.endsWith("0") ? "1" : "0");

/** Every command Redis has run since its start (INFO commandstats' calls, summed; INFO itself included). */
async function redisCommandCount(redis) {
  const stats = await redis.info("commandstats");
  return [...stats.matchAll(/calls=(\d+)/g)].reduce((total, match) => total + Number(match[1]), 0);
}

/** Usage rows the server wrote (the seeded ones left out), read after it has shut down. */
async function countLoggedRows(config, databaseUrl) {
  if (config.postgres) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const logged = (
      await client.query("SELECT count(*)::int AS n FROM usage_logs WHERE user_agent <> $1", [SEED_USER_AGENT])
    ).rows[0].n;
    await client.end();
    const root = new pg.Client({ connectionString: config.postgres });
    await root.connect();
    await root.query(`DROP DATABASE IF EXISTS "${config.database}" WITH (FORCE)`);
    await root.end();
    return logged;
  }
  const db = new Database(config.dbFile, { readonly: true });
  try {
    return db.prepare("SELECT count(*) AS n FROM usage_logs WHERE user_agent <> ?").get(SEED_USER_AGENT).n;
  } finally {
    db.close();
  }
}

/**
 * The answers that write a usage row: the runs, the warm-up, the load phase and the calls that
 * spent the Free key. A 429 to a key that failed authentication is the per-IP budget's refusal,
 * which writes no row (a count per client and hour, lib/data-api/serve-data-request.ts).
 */
function responsesSent(rows, warmupSent, underLoad) {
  const { isFloor } = floorRatios(rows);
  const unauthenticated = (r) => r.title.includes("key (401");
  return rows
    .filter((r) => !isFloor(r) && !r.title.startsWith("bare Next"))
    .reduce(
      (sum, r) =>
        sum +
        r.codes
          .split(" ")
          .filter((c) => !(unauthenticated(r) && c.startsWith("429:")))
          .reduce((s, c) => s + Number(c.split(":")[1] ?? 0), 0),
      FREE_HOURLY_LIMIT + warmupSent + (underLoad?.sent ?? 0),
    );
}

async function main() {
  const config = readConfig();
  const { env, databaseUrl } = await setUp(config);
  const accounts = createAccounts(env);
  const big = config.bigKeys > 0 ? await seedBig(config, databaseUrl, accounts.account) : null;

  // The first start may build (minutes); stopping waits for the buffered usage rows to be written.
  const server = await startServer({
    port: config.port,
    env,
    timeoutMs: 300_000,
    stopTimeoutMs: 120_000,
    inheritStderr: true,
    // Its access log in a file, as a supervisor keeps it: see start-server.mjs.
    stdoutFile: path.join(config.dir, "server.log"),
  });
  process.on("exit", () => server.child.exitCode === null && server.child.kill("SIGTERM"));
  const serverPid = server.child.pid;

  const { token, key, spent } = await issueKeys(config, accounts);
  const bearer = { authorization: `Bearer ${token}` };
  const floor = await startFloor(config, env.API_KEY_PEPPER, key);
  const peers = await startGatewayPeers(config);
  const { gatewayUrl, serviceToken } = await createOperatorFixtures(config.base, bearer, peers?.upstreamOrigin);
  const { rows, warmupSent, validHeaders } = await measureDataApi(config, {
    key,
    spent,
    floor,
    serverPid,
    serviceToken,
  });
  let gateway = null;
  if (peers) {
    gateway = await measureGateway(config, { peers, gatewayUrl, validHeaders, serverPid });
    printDataApiTable(gateway.rows, PROXY_TITLE);
    gateway.transfers = await measureTransfers(config, { validHeaders, serverPid });
    peers.stop();
  }

  let bigAccount = null;
  if (big) {
    const bench = { ...config, serverPid, databaseUrl };
    const { reads, keyCount } = await measureReads(bench, { bearer, account: accounts.account });
    const exportFigures = await measureExport(bench, { bearer, keyCount });
    const underLoad = await measureUnderLoad(bench, { bearer, validHeaders });
    const retention = await measureRetention(bench, accounts);
    bigAccount = { big, reads, exportFigures, underLoad, retention };
  }

  const accessLog = await measureAccessLog(config, { env, validHeaders });

  // PostgreSQL + Redis is what runs several instances: a second one beside the first.
  let twoInstances = null;
  if (config.postgres) {
    const oneInstance = rows.find((row) => row.title === ONE_INSTANCE_TITLE);
    twoInstances = await measureTwoInstances(config, { env, validHeaders, oneInstance });
  }

  floor?.kill();
  await server.stop();
  const logged = await countLoggedRows(config, databaseUrl);
  const sent =
    responsesSent(rows, warmupSent, bigAccount?.underLoad) +
    (gateway ? gateway.sent + gateway.transfers.sent : 0) +
    (twoInstances?.sent ?? 0) +
    accessLog.sent;
  console.log(`usage rows written after shutdown: ${logged} of ${sent} responses`);

  writeBenchmarksMd({ config, rows, logged, sent, bigAccount, gateway, twoInstances, accessLog });
  fs.rmSync(config.dir, { recursive: true, force: true });
}

await main();
