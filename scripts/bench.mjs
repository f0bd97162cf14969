// `npm run bench`: throughput and latency of the data API's hot path on the production server.
// Starts its own server on a scratch database, creates an Enterprise account (100,000/hour),
// runs autocannon for BENCH_SECONDS (default 10) and prints figures. No pass/fail: figures only.
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
import { deletePortalKeys } from "./support/redis-keys.mjs";

const port = Number(process.env.BENCH_PORT ?? 3300);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
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

// The account exists before the server starts: the admin CLI applies migrations itself.
const account = { email: "bench@example.com", password: "bench-password" };
const admin = (...args) =>
  spawnSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/admin.ts", ...args], {
    env,
    stdio: "inherit",
  });
admin("create-user", account.email, account.password);
admin("set-plan", account.email, "enterprise");
const freeAccount = { email: "bench-free@example.com", password: "bench-password" };
admin("create-user", freeAccount.email, freeAccount.password);

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

function run(title, headers, url = `${base}/api/api-routes-data?id=123`) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections, duration: seconds, headers }, (error, result) =>
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
for (const [title, headers, url] of [
  ...(floor ? [["raw node:http floor (HMAC + SQLite read)", validHeaders, floor.url]] : []),
  ["bare Next route handler (constant JSON)", {}, `${base}/api/bench/noop`],
  ["valid key (200)", validHeaders],
  ["mistyped key (401, no DB read)", { "X-API-Key": key.api_key.slice(0, -1) + "0", "X-Username": "bench" }],
  ["well-formed unknown key (401)", { "X-API-Key": generateKeySecret(), "X-Username": "bench" }],
  ["over the hourly limit (429)", { "X-API-Key": spent.api_key, "X-Username": "bench" }],
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
    rss: rssMb(),
  });
}
const floorRow = floor ? rows[0] : null;
for (const r of rows) {
  const ratio = floorRow && r !== floorRow ? `  ${(r.rps / floorRow.rps).toFixed(2)}× floor` : "";
  console.log(
    `${r.title.padEnd(42)} ${String(r.rps).padStart(6)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms${ratio}  ${r === floorRow ? "" : `server RSS ${r.rss} MB  `}[${r.codes}]`,
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
      `const D=require("better-sqlite3");console.log(new D(${JSON.stringify(db)}).prepare("select count(*) n from usage_logs").get().n)`,
    ],
    { encoding: "utf8" },
  ).stdout.trim();
}
// Every data-API answer is logged: the runs plus the 60 calls that spent the Free key.
const sent = rows
  .filter((r) => r !== floorRow && !r.title.startsWith("bare Next"))
  .reduce((sum, r) => sum + r.codes.split(" ").reduce((s, c) => s + Number(c.split(":")[1] ?? 0), 0), 60);
console.log(`usage rows written after shutdown: ${logged} of ${sent} responses`);

// The latest run, kept in the repository: when, on what, and the same table.
const commit = spawnSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).stdout.trim() || "unknown";
const cpus = os.cpus();
const table = rows.map((r) => {
  const ratio = floorRow && r !== floorRow ? `${(r.rps / floorRow.rps).toFixed(2)}×` : r === floorRow ? "1×" : "—";
  return `| ${r.title} | ${r.rps} | ${r.p50} | ${r.p99} | ${ratio} | ${r === floorRow ? "—" : r.rss} | ${r.codes} |`;
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
    `- database: ${postgres ? "PostgreSQL" : "SQLite"}${redisUrl ? " + Redis" : ""}; GET /api/api-routes-data?id=123 on the production server; autocannon, ${connections} connections, ${seconds} s per row; the load generator shares the machine's cores`,
    "",
    "| call | req/s | p50 ms | p99 ms | ratio to the raw floor | server RSS MB | status codes |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...table,
    "",
    `Usage rows written after shutdown: ${logged} of ${sent} responses (requests in flight when a run stops are answered and logged too).`,
    "",
  ].join("\n"),
);
console.log("written to BENCHMARKS.md");
fs.rmSync(dir, { recursive: true, force: true });
