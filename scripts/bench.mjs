// `npm run bench`: throughput and latency of the data API's hot path on the production server,
// and how a big account's pages, lists, summary, export and retention hold up. Starts its own
// server on a scratch database whose Enterprise account has BENCH_KEYS keys (default 100,000)
// and BENCH_ROWS usage rows over 30 days (default 1,000,000), runs autocannon for BENCH_SECONDS
// (default 10) per row and prints figures. No pass/fail: figures only. Both servers are warmed up
// first for BENCH_WARMUP seconds (default 3), and the raw floor runs before and after the data
// API's rows: the ratios are to the mean of its two runs, since this machine's speed drifts by
// 20-40% from one 10 s run to the next.
// BENCH_POSTGRES_URL (a server URL) runs it on a fresh PostgreSQL database instead of SQLite;
// BENCH_REDIS_URL adds Redis for the counters (the portal's keyportal:* keys are deleted first).
import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { Redis } from "ioredis";
import pg from "pg";
import { tsImport } from "tsx/esm/api";
import { rawSummarySeconds, SEED_USER_AGENT, seedBigAccount, seedExpiredRows } from "./support/big-account.mjs";
import { deletePortalKeys } from "./support/redis-keys.mjs";

const port = Number(process.env.BENCH_PORT ?? 3300);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const warmupSeconds = Number(process.env.BENCH_WARMUP ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const bigKeys = Number(process.env.BENCH_KEYS ?? 100_000);
const bigRows = Number(process.env.BENCH_ROWS ?? 1_000_000);
const base = `http://127.0.0.1:${port}`;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyportal-bench-"));
const postgres = process.env.BENCH_POSTGRES_URL;
const redisUrl = process.env.BENCH_REDIS_URL;
let databaseUrl = `file:${path.join(dir, "bench.db")}`;
const database = `keyportal_bench_${Date.now()}`;
if (postgres) {
  const root = new pg.Client({ connectionString: postgres });
  await root.connect();
  await root.query(`CREATE DATABASE "${database}"`);
  await root.end();
  const url = new URL(postgres);
  url.pathname = `/${database}`;
  databaseUrl = url.toString();
}
if (redisUrl) {
  const redis = new Redis(redisUrl);
  await deletePortalKeys(redis);
  redis.disconnect();
}
const env = {
  ...process.env,
  PORT: String(port),
  DATA_DIR: dir,
  DATABASE_URL: databaseUrl,
  ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
  NEXTAUTH_SECRET: crypto.randomBytes(32).toString("base64url"),
  API_KEY_PEPPER: crypto.randomBytes(32).toString("base64url"),
  DEMO_ACCOUNT: "off",
  BENCH_ROUTES: "on",
};
// This process opens the same database too, for the retention figures (lib/usage/retention.ts).
for (const name of ["DATABASE_URL", "DATA_DIR", "NEXTAUTH_SECRET", "API_KEY_PEPPER"]) process.env[name] = env[name];

// The account exists before the server starts: the admin CLI applies migrations itself.
const account = { email: "bench@example.com", password: "bench-password" };
const admin = (...args) =>
  spawnSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/admin.ts", ...args], {
    env,
    stdio: "inherit",
  });
admin("create-user", account.email, account.password);
admin("set-plan", account.email, "enterprise");
// Every data-API run below stays under the account's hourly limit, so each measures what it says.
admin("set-rate-limit", account.email, "100000000");
const freeAccount = { email: "bench-free@example.com", password: "bench-password" };
admin("create-user", freeAccount.email, freeAccount.password);

// The big account (SQLite only: written straight into the file before the server opens it).
const dbFile = path.join(dir, "bench.db");
let big = null;
if (!postgres && bigKeys > 0) {
  console.log(`seeding ${bigKeys} keys and ${bigRows} usage rows…`);
  big = seedBigAccount(dbFile, account.email, { keys: bigKeys, rows: bigRows, days: 30 });
  big.rawSummary = {
    "24h": rawSummarySeconds(dbFile, account.email, 24),
    "7d": rawSummarySeconds(dbFile, account.email, 168),
  };
  console.log(
    `seeded in ${(big.rowsSeconds + big.rollupSeconds).toFixed(1)} s (${big.rollupRows} hourly rollup rows); the summary's SQL on raw rows: 24h ${Math.round(big.rawSummary["24h"] * 1000)} ms, 7d ${Math.round(big.rawSummary["7d"] * 1000)} ms`,
  );
}

const server = spawn(process.execPath, ["scripts/start.mjs"], { env, stdio: ["ignore", "pipe", "inherit"] });
let output = "";
server.stdout.on("data", (chunk) => (output += chunk));
const stop = () => server.exitCode === null && server.kill("SIGTERM");
process.on("exit", stop);

const deadline = Date.now() + 300_000;
while (!output.includes("Key Portal ready")) {
  if (server.exitCode !== null || Date.now() > deadline) throw new Error(`server did not start:\n${output}`);
  await new Promise((r) => setTimeout(r, 250));
}

const post = (url, body, token) =>
  fetch(base + url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  }).then((r) => r.json());
const { token } = await post("/api/auth/login", account);
const key = await post("/api/api-keys/generate", { api_key_name: "bench", user: "bench" }, token);
// A Free account's key with its 60 calls an hour spent: every call below is a 429.
const { token: freeToken } = await post("/api/auth/login", freeAccount);
const spent = await post("/api/api-keys/generate", { api_key_name: "spent", user: "bench" }, freeToken);
for (let i = 0; i < 60; i++) {
  await fetch(`${base}/api/api-routes-data?id=123`, { headers: { "X-API-Key": spent.api_key, "X-Username": "bench" } });
}
const { generateKeySecret } = await tsImport("../lib/keys/secret.ts", import.meta.url);

// The raw floor (SQLite only: its definition is one indexed SQLite read), in its own process.
let floor = null;
if (!postgres) {
  const floorPort = port + 1;
  floor = spawn(
    process.execPath,
    ["scripts/support/raw-floor.mjs", String(floorPort), path.join(dir, "bench.db"), env.API_KEY_PEPPER],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  process.on("exit", () => floor.exitCode === null && floor.kill());
  await new Promise((resolve) => floor.stdout.once("data", resolve));
  floor.url = `http://127.0.0.1:${floorPort}/api/api-routes-data?id=123`;
}

function run(title, headers, url = `${base}/api/api-routes-data?id=123`, duration = seconds) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections, duration, headers }, (error, result) =>
      error ? reject(error) : resolve({ title, result }),
    );
  });
}

const pid = server.pid;
const rssMb = () => {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
  } catch {
    return NaN;
  }
};

console.log(
  `\nBenchmark: GET /api/api-routes-data?id=123, ${connections} connections, ${seconds}s each, production server, ${postgres ? "PostgreSQL" : "SQLite"}${redisUrl ? " + Redis" : ""}`,
);
const rows = [];
const validHeaders = { "X-API-Key": key.api_key, "X-Username": "bench" };
const answered = (result) => Object.values(result.statusCodeStats ?? {}).reduce((sum, s) => sum + s.count, 0);
// Warm-up, not in the table: the JIT, the key and route caches, the limiter's first read of its
// stored counters. Its data-API answers are logged like any other.
let warmupSent = 0;
if (warmupSeconds > 0) {
  if (floor) await run("warm-up", validHeaders, floor.url, warmupSeconds);
  warmupSent = answered((await run("warm-up", validHeaders, undefined, warmupSeconds)).result);
}
const FLOOR_TITLE = "raw node:http floor (HMAC + SQLite read)";
for (const [title, headers, url] of [
  ...(floor ? [[FLOOR_TITLE, validHeaders, floor.url]] : []),
  ["bare Next route handler (constant JSON)", {}, `${base}/api/bench/noop`],
  ["valid key (200)", validHeaders],
  ["mistyped key (401, no DB read)", { "X-API-Key": key.api_key.slice(0, -1) + "0", "X-Username": "bench" }],
  ["well-formed unknown key (401)", { "X-API-Key": generateKeySecret(), "X-Username": "bench" }],
  ["over the hourly limit (429)", { "X-API-Key": spent.api_key, "X-Username": "bench" }],
  ...(floor ? [[`${FLOOR_TITLE}, again`, validHeaders, floor.url]] : []),
]) {
  const { result } = await run(title, headers, url);
  const codes = Object.entries(result.statusCodeStats ?? {})
    .map(([code, s]) => `${code}:${s.count}`)
    .join(" ");
  rows.push({
    title,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    codes,
    rss: url === floor?.url ? null : rssMb(),
  });
}
// The floor's two runs (before and after the data API's): the ratios are to their mean.
const floorRows = rows.filter((r) => r.title.startsWith(FLOOR_TITLE));
const isFloor = (r) => floorRows.includes(r);
const floorRps = floorRows.length ? floorRows.reduce((sum, r) => sum + r.rps, 0) / floorRows.length : null;
const ratioOf = (r) => (floorRps && !isFloor(r) ? `${(r.rps / floorRps).toFixed(2)}×` : "");
// The issue's latency goal is a p99 within 2× the floor's: to the mean of the floor's two p99s too.
const floorP99 = floorRows.length ? floorRows.reduce((sum, r) => sum + r.p99, 0) / floorRows.length : null;
const p99RatioOf = (r) => (floorP99 && !isFloor(r) ? `${(r.p99 / floorP99).toFixed(2)}×` : "");
for (const r of rows) {
  const ratio = ratioOf(r) ? `  ${ratioOf(r)} floor, p99 ${p99RatioOf(r)} the floor's` : "";
  console.log(
    `${r.title.padEnd(50)} ${String(r.rps).padStart(6)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms${ratio}  ${isFloor(r) ? "" : `server RSS ${r.rss} MB  `}[${r.codes}]`,
  );
}
if (floorRps) console.log(`ratios are to the floor's mean, ${Math.round(floorRps)} req/s, p99 ${floorP99} ms`);
// Reads of the big account, one at a time: the time to the last byte, which on this loopback
// connection is the server's time.
async function portalCookie(email, password) {
  const csrf = await fetch(`${base}/api/auth/csrf`);
  const { csrfToken } = await csrf.json();
  const cookies = csrf.headers.getSetCookie().map((c) => c.split(";")[0]);
  const signIn = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookies.join("; ") },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
  return [...cookies, ...signIn.headers.getSetCookie().map((c) => c.split(";")[0])].join("; ");
}

// 100 of each after 10 warm-ups: with 30 a p99 is the slowest load, and the first loads of a page
// after the data API's runs are those V8 has not optimized yet (the first of /usage took 667 ms,
// the next ten 80-180 ms, then 55-75). The slowest load is printed too.
const READ_SAMPLES = 100;
const READ_WARMUPS = 10;
async function timed(url, headers, samples = READ_SAMPLES) {
  const times = [];
  for (let i = 0; i < samples + READ_WARMUPS; i++) {
    const started = performance.now();
    const response = await fetch(base + url, { headers, redirect: "manual" });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
    if (i >= READ_WARMUPS) times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (q) => Math.round(times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)] * 10) / 10;
  return { p50: at(0.5), p99: at(0.99), max: at(1) };
}

const reads = [];
let exportFigures = null;
let underLoad = null;
let retention = null;
if (big) {
  const bearer = { authorization: `Bearer ${token}` };
  const cookie = { cookie: await portalCookie(account.email, account.password) };
  const { pagination } = await (await fetch(`${base}/api/api-keys`, { headers: bearer })).json();
  const lastPage = Math.ceil(pagination.total / pagination.per_page);
  for (const [title, url, headers] of [
    ["GET /api/api-keys (page 1)", "/api/api-keys", bearer],
    [`GET /api/api-keys?page=${lastPage} (last page)`, `/api/api-keys?page=${lastPage}`, bearer],
    ["GET /api/api-keys?q=key-0999 (search)", "/api/api-keys?q=key-0999", bearer],
    ["GET /api/api-usage-logs (page 1)", "/api/api-usage-logs", bearer],
    ["GET /api/api-usage-logs/summary?range=24h", "/api/api-usage-logs/summary?range=24h", bearer],
    ["GET /api/api-usage-logs/summary?range=7d", "/api/api-usage-logs/summary?range=7d", bearer],
    ["/keys (HTML)", "/keys", cookie],
    ["/usage (HTML)", "/usage", cookie],
  ]) {
    reads.push({ title, ...(await timed(url, headers)) });
  }
  console.log(
    `\nBig account: ${bigKeys} keys, ${bigRows} usage rows over 30 days; sequential reads, ${READ_SAMPLES} each after ${READ_WARMUPS} warm-ups`,
  );
  for (const r of reads) console.log(`${r.title.padEnd(48)} p50 ${r.p50} ms  p99 ${r.p99} ms  max ${r.max} ms`);

  // The export, alone: its time and how far the server's resident memory rises above where it started.
  const exportOnce = async () => {
    const before = rssMb();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb())), 10);
    const started = performance.now();
    const response = await fetch(`${base}/api/api-keys/export`, { headers: bearer });
    const bytes = (await response.arrayBuffer()).byteLength;
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    return { seconds, bytes, rssGrowthMb: peak - before };
  };
  exportFigures = await exportOnce();
  console.log(
    `export of ${pagination.total} keys: ${exportFigures.seconds.toFixed(2)} s, ${(exportFigures.bytes / 1e6).toFixed(1)} MB, server RSS +${exportFigures.rssGrowthMb} MB`,
  );

  // Summaries and exports back to back while the data API is under load: the event loop's delay
  // (every request of the process waits it out) and the data API's p99 meanwhile.
  const eventLoop = (reset) => fetch(`${base}/api/bench/event-loop${reset ? "?reset=1" : ""}`).then((r) => r.json());
  await eventLoop(true);
  let heavy = 0;
  let loading = true;
  const load = run("valid key (200) during summaries and exports", validHeaders).then((r) => {
    loading = false;
    return r;
  });
  while (loading) {
    for (const url of ["/api/api-usage-logs/summary?range=7d", "/api/api-usage-logs/summary?range=24h"]) {
      await (await fetch(base + url, { headers: bearer })).arrayBuffer();
      heavy++;
    }
    if (loading) {
      await exportOnce();
      heavy++;
    }
  }
  const { result } = await load;
  const { data: delay } = await eventLoop(false);
  underLoad = {
    rps: Math.round(result.requests.average),
    p99: result.latency.p99,
    heavy,
    delay,
    sent: Object.values(result.statusCodeStats ?? {}).reduce((sum, c) => sum + c.count, 0),
  };
  console.log(
    `under load (${heavy} summaries and exports meanwhile): event-loop delay p99 ${delay.p99_ms} ms, max ${delay.max_ms} ms; data API ${underLoad.rps} req/s, p99 ${underLoad.p99} ms`,
  );

  // Retention: expired rows of a Free account, purged by the job's own functions from this process.
  const expired = 100_000;
  seedExpiredRows(dbFile, freeAccount.email, expired);
  const { purgeExpiredUsageLogs, purgeExpiredRollups, RETENTION_BATCH } = await tsImport(
    "../lib/usage/retention.ts",
    import.meta.url,
  );
  let started = performance.now();
  const deleted = await purgeExpiredUsageLogs();
  const logSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  const rollupsDeleted = await purgeExpiredRollups();
  const rollupSeconds = (performance.now() - started) / 1000;
  retention = { deleted, logSeconds, rollupsDeleted, rollupSeconds, batch: RETENTION_BATCH };
  retention.perBatchMs = (logSeconds * 1000) / Math.ceil(deleted / RETENTION_BATCH);
  console.log(
    `retention: ${deleted} expired usage rows in ${logSeconds.toFixed(2)} s (${retention.perBatchMs.toFixed(1)} ms per batch of ${RETENTION_BATCH}), ${rollupsDeleted} rollup rows in ${rollupSeconds.toFixed(2)} s`,
  );
}

floor?.kill();
stop();
await new Promise((r) => server.on("exit", r));
let logged;
if (postgres) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  logged = (await client.query("SELECT count(*)::int AS n FROM usage_logs")).rows[0].n;
  await client.end();
  const root = new pg.Client({ connectionString: postgres });
  await root.connect();
  await root.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  await root.end();
} else {
  const db = path.join(dir, "bench.db");
  logged = spawnSync(
    "node",
    [
      "-e",
      `const D=require("better-sqlite3");console.log(new D(${JSON.stringify(db)}).prepare("select count(*) n from usage_logs where user_agent <> '${SEED_USER_AGENT}'").get().n)`,
    ],
    { encoding: "utf8" },
  ).stdout.trim();
}
// Every data-API answer is logged: the runs plus the 60 calls that spent the Free key.
const sent = rows
  .filter((r) => !isFloor(r) && !r.title.startsWith("bare Next"))
  .reduce(
    (sum, r) => sum + r.codes.split(" ").reduce((s, c) => s + Number(c.split(":")[1] ?? 0), 0),
    60 + warmupSent + (underLoad?.sent ?? 0),
  );
console.log(`usage rows written after shutdown: ${logged} of ${sent} responses`);

function bigAccountSection() {
  const ms = (seconds) => Math.round(seconds * 1000);
  return [
    "## A big account",
    "",
    `One Enterprise account with ${bigKeys} keys and ${bigRows} usage rows over 30 days, written straight into the database before the server starts (${(big.rowsSeconds + big.rollupSeconds).toFixed(1)} s, ${big.rollupRows} per-key hourly rollup rows). 90% of calls come from 100 service keys, the rest from any key; 2% from an IP other than the key's usual one; 93% 200, 3% 401, 2% 429, 1% 403, 1% 404.`,
    "",
    `Reads one at a time, ${READ_SAMPLES} of each after ${READ_WARMUPS} warm-ups (time to the last byte over loopback):`,
    "",
    "| read | p50 ms | p99 ms | slowest ms |",
    "| --- | --- | --- |",
    ...reads.map((r) => `| ${r.title} | ${r.p50} | ${r.p99} | ${r.max} |`),
    "",
    `The usage summary's SQL as it ran on usage_logs before the rollups (the same file, run directly): 24h ${ms(big.rawSummary["24h"])} ms, 7d ${ms(big.rawSummary["7d"])} ms.`,
    "",
    `- Export: GET /api/api-keys/export of ${bigKeys + 1} keys: ${exportFigures.seconds.toFixed(2)} s, ${(exportFigures.bytes / 1e6).toFixed(1)} MB, server RSS +${exportFigures.rssGrowthMb} MB at its peak.`,
    `- Under load: ${connections} connections on the data API (valid key) for ${seconds} s while summaries (7d, 24h) and exports ran back to back (${underLoad.heavy} of them): event-loop delay p50 ${underLoad.delay.p50_ms} ms, p99 ${underLoad.delay.p99_ms} ms, max ${underLoad.delay.max_ms} ms; the data API ${underLoad.rps} req/s, p99 ${underLoad.p99} ms.`,
    `- Retention: ${retention.deleted} expired usage rows of a Free account deleted in ${retention.logSeconds.toFixed(2)} s, ${retention.perBatchMs.toFixed(1)} ms per batch of ${retention.batch}; their ${retention.rollupsDeleted} rollup rows in ${retention.rollupSeconds.toFixed(2)} s.`,
  ];
}

// The latest run, kept in the repository: when, on what, and the same table.
const commit = spawnSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).stdout.trim() || "unknown";
const cpus = os.cpus();
const table = rows.map((r) => {
  const ratio = isFloor(r) ? "(reference: their mean)" : ratioOf(r) || "—";
  const p99Ratio = isFloor(r) ? "(reference: their mean)" : p99RatioOf(r) || "—";
  return `| ${r.title} | ${r.rps} | ${r.p50} | ${r.p99} | ${ratio} | ${p99Ratio} | ${isFloor(r) ? "—" : r.rss} | ${r.codes} |`;
});
fs.writeFileSync(
  "BENCHMARKS.md",
  [
    "# Benchmarks",
    "",
    "Written by `npm run bench` (the latest run; figures only, no pass/fail). Compare figures only within one run:",
    "machines differ from one session to the next.",
    "",
    `- date: ${new Date().toISOString()}`,
    `- commit: ${commit}`,
    `- machine: ${cpus.length} cores (${cpus[0]?.model ?? "unknown CPU"}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    `- database: ${postgres ? "PostgreSQL" : "SQLite"}${redisUrl ? " + Redis" : ""}; GET /api/api-routes-data?id=123 on the production server; autocannon, ${connections} connections, ${seconds} s per row after a ${warmupSeconds} s warm-up of each server; the load generator shares the machine's cores`,
    ...(floorRps
      ? [
          `- ratios are to the mean of the raw floor's two runs (before and after the data API's): ${Math.round(floorRps)} req/s, p99 ${floorP99} ms`,
        ]
      : []),
    "",
    "| call | req/s | p50 ms | p99 ms | ratio to the raw floor | p99 to the floor's | server RSS MB | status codes |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ...table,
    "",
    `Usage rows written after shutdown: ${logged} of ${sent} responses (requests in flight when a run stops are answered and logged too).`,
    "",
    ...(big
      ? bigAccountSection()
      : ["The big-account figures are measured on SQLite only (BENCH_POSTGRES_URL unset)."]),
    "",
  ].join("\n"),
);
console.log("written to BENCHMARKS.md");
fs.rmSync(dir, { recursive: true, force: true });
