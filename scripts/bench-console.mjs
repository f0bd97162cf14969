// `npm run bench:console`: the operator console's reads at scale, on the production server. A
// scratch SQLite database gets BENCH_ORGS accounts, each with its personal organization (default
// 100,000), BENCH_ROLLUP_ROWS organization-hour rollup rows over 30 days (default 1,000,000: each
// row an organization's calls in one hour, so far more calls than rows), 10,000 refused-client
// rows and 200,000 audit rows, written straight into the file before the server opens it. Then
// each /api/admin/… read is called BENCH_RUNS times (default 20) after 3 warm-up calls, one at a
// time, and its median and slowest time printed and written to docs/console-benchmarks.md.
// Figures only, no pass/fail. BENCH_PORT (default
// 3310); BENCH_KEEP=1 keeps the database for a look at its query plans.
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { startServer } from "./support/start-server.mjs";

const HOUR_MS = 3_600_000;
const DAYS = 30;
// Prisma's SQLite adapter writes DateTime as this text; queries compare it as text.
const text = (t) => new Date(t).toISOString().replace("Z", "+00:00");

function seeded(seed) {
  // mulberry32, as big-account.mjs: the same data on every run.
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Accounts with their personal organizations, rollup rows, refused clients and audit rows. */
function seed(dbFile, { orgs, rollupRows }) {
  const db = new Database(dbFile);
  db.pragma("journal_mode = WAL");
  const random = seeded(25);
  const now = Date.now();
  const firstId = (db.prepare("SELECT COALESCE(MAX(id), 0) AS id FROM users").get().id ?? 0) + 1;
  const started = process.hrtime.bigint();
  const user = db.prepare(
    "INSERT INTO users (id, email, username, password_hash, role, created_at, updated_at) VALUES (?, ?, ?, 'x', 'user', ?, ?)",
  );
  const organization = db.prepare(
    "INSERT INTO organizations (id, name, personal_user_id, plan, subscription, created_at) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const member = db.prepare(
    "INSERT INTO memberships (organization_id, user_id, role, created_at) VALUES (?, ?, 'owner', ?)",
  );
  db.transaction(() => {
    for (let i = 0; i < orgs; i++) {
      const id = firstId + i;
      const created = text(now - DAYS * 24 * HOUR_MS + i * 1000);
      const r = random();
      const plan = r < 0.8 ? "free" : r < 0.95 ? "professional" : "enterprise";
      user.run(id, `member${i}@bench.example`, `member_${i}`, created, created);
      organization.run(id, `Organization ${i}`, id, plan, random() < 0.02 ? "inactive" : "active", created);
      member.run(id, id, created);
    }
  })();
  // Each row: one organization's calls in one hour. A tenth of the organizations make 90% of them.
  const hours = DAYS * 24;
  const thisHour = Math.floor(now / HOUR_MS) * HOUR_MS;
  const total = db.prepare(
    "INSERT OR IGNORE INTO usage_hourly_totals (owner_id, hour, ok, auth_failed, limited, other) VALUES (?, ?, ?, ?, ?, ?)",
  );
  let written = 0;
  db.transaction(() => {
    while (written < rollupRows) {
      const busy = random() < 0.9;
      const owner = firstId + Math.floor(random() * (busy ? orgs / 10 : orgs));
      const hour = thisHour - Math.floor(random() * hours) * HOUR_MS;
      const calls = busy ? 20 + Math.floor(random() * 500) : 1 + Math.floor(random() * 20);
      const failed = Math.floor(calls * random() * 0.1);
      written += total.run(owner, text(hour), calls - failed, failed, Math.floor(failed / 3), 0).changes;
    }
  })();
  const refused = db.prepare("INSERT OR IGNORE INTO refused_calls (ip, hour, count) VALUES (?, ?, ?)");
  db.transaction(() => {
    for (let i = 0; i < 10_000; i++) {
      const ip = `203.0.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}`;
      refused.run(ip, text(thisHour - Math.floor(random() * hours) * HOUR_MS), 1 + Math.floor(random() * 1000));
    }
  })();
  const audit = db.prepare(
    "INSERT INTO audit_logs (owner_id, action, actor, ip, created_at) VALUES (?, ?, 'api', '198.51.100.1', ?)",
  );
  const actions = ["auth.sign_in", "key.generate", "key.status", "auth.sign_in_failed", "key.leak_report"];
  db.transaction(() => {
    for (let i = 0; i < 200_000; i++) {
      const action = actions[Math.floor(random() ** 3 * actions.length)];
      audit.run(firstId + Math.floor(random() * orgs), action, text(now - random() * DAYS * 24 * HOUR_MS));
    }
  })();
  db.exec("ANALYZE");
  const counts = {
    organizations: db.prepare("SELECT COUNT(*) AS n FROM organizations").get().n,
    rollup: db.prepare("SELECT COUNT(*) AS n FROM usage_hourly_totals").get().n,
    rollup24h: db.prepare("SELECT COUNT(*) AS n FROM usage_hourly_totals WHERE hour >= ?").get(text(now - 24 * HOUR_MS))
      .n,
    rollup7d: db.prepare("SELECT COUNT(*) AS n FROM usage_hourly_totals WHERE hour >= ?").get(text(now - 168 * HOUR_MS))
      .n,
    calls: db.prepare("SELECT SUM(ok + auth_failed + limited + other) AS n FROM usage_hourly_totals").get().n,
  };
  db.close();
  return { ...counts, seconds: Number(process.hrtime.bigint() - started) / 1e9, firstId };
}

async function time(url, token, runs) {
  const call = async () => {
    const started = process.hrtime.bigint();
    const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
    const body = await response.text();
    if (response.status !== 200) throw new Error(`${url}: ${response.status} ${body}`);
    return { ms: Number(process.hrtime.bigint() - started) / 1e6, body };
  };
  // The first call is reported on its own: the usage summary reads its settled hours then, once
  // per hour (lib/admin/usage-overview.ts), and the others warm their statements.
  const first = (await call()).ms;
  for (let i = 0; i < 2; i++) await call();
  const times = [];
  let last;
  for (let i = 0; i < runs; i++) {
    last = await call();
    times.push(last.ms);
  }
  times.sort((a, b) => a - b);
  return {
    first,
    median: times[Math.floor(times.length / 2)],
    max: times[times.length - 1],
    body: JSON.parse(last.body),
  };
}

async function main() {
  const port = Number(process.env.BENCH_PORT ?? 3310);
  const orgs = Number(process.env.BENCH_ORGS ?? 100_000);
  const rollupRows = Number(process.env.BENCH_ROLLUP_ROWS ?? 1_000_000);
  const runs = Number(process.env.BENCH_RUNS ?? 20);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyportal-console-bench-"));
  const dbFile = path.join(dir, "bench.db");
  const env = {
    ...process.env,
    PORT: String(port),
    DATA_DIR: dir,
    DATABASE_URL: `file:${dbFile}`,
    NEXTAUTH_SECRET: crypto.randomBytes(32).toString("base64url"),
    API_KEY_PEPPER: crypto.randomBytes(32).toString("base64url"),
    DEMO_ACCOUNT: "off",
  };
  const operator = { email: "console-operator@example.com", password: "bench-password" };
  for (const args of [
    ["create-user", operator.email, operator.password],
    ["set-role", operator.email, "operator"],
  ]) {
    const run = spawnSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/admin.ts", ...args], {
      env,
      encoding: "utf8",
    });
    if (run.status !== 0) throw new Error(run.stderr);
  }
  console.log(`seeding ${orgs} accounts and organizations, ${rollupRows} rollup rows…`);
  const seeded = seed(dbFile, { orgs, rollupRows });
  console.log(
    `seeded in ${seeded.seconds.toFixed(1)} s: ${seeded.organizations} organizations, ${seeded.rollup} rollup rows (${seeded.rollup24h} in 24 h, ${seeded.rollup7d} in 7 d) counting ${seeded.calls} calls`,
  );
  const server = await startServer({ port, env, timeoutMs: 300_000, inheritStderr: true });
  try {
    const login = await fetch(`${server.url}/api/auth/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(operator),
    });
    const { token } = await login.json();
    const busy = seeded.firstId + 7;
    const rows = [
      ["organizations, page 1", "/api/admin/organizations"],
      ["organizations, page 2,000", "/api/admin/organizations?page=2000&per_page=25"],
      ["organizations, q = a member's email", `/api/admin/organizations?q=member${orgs - 1}%40bench.example`],
      ["organizations, q = part of many names", "/api/admin/organizations?q=Organization%20123"],
      ["organizations, plan + subscription", "/api/admin/organizations?plan=enterprise&subscription=inactive"],
      ["one organization, in detail", `/api/admin/organizations/${busy}`],
      ["accounts, page 1", "/api/admin/accounts"],
      ["accounts, q = a username", `/api/admin/accounts?q=member_${orgs - 2}`],
      ["usage summary, 24 h", "/api/admin/usage/summary?range=24h"],
      ["usage summary, 7 d", "/api/admin/usage/summary?range=7d"],
    ];
    const lines = [
      `| Read (${runs} calls each after 3, one at a time) | first call | median | slowest | rows / total |`,
      "| --- | ---: | ---: | ---: | --- |",
    ];
    console.log(`\n${lines.join("\n")}`);
    for (const [name, url] of rows) {
      const { first, median, max, body } = await time(server.url + url, token, runs);
      const size = body.pagination
        ? `${body.data.length} of ${body.pagination.total}`
        : body.totals
          ? `${body.hourly.length} hours, ${body.totals.calls} calls`
          : `${body.members?.length ?? 0} members`;
      lines.push(`| ${name} | ${first.toFixed(1)} ms | ${median.toFixed(1)} ms | ${max.toFixed(1)} ms | ${size} |`);
      console.log(lines.at(-1));
    }
    const commit = spawnSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).stdout.trim();
    fs.writeFileSync(
      "docs/console-benchmarks.md",
      [
        "# The operator console at scale",
        "",
        "Written by `npm run bench:console` (the latest run; figures only, no pass/fail; compare figures only within one run).",
        "",
        `- date: ${new Date().toISOString()}`,
        `- commit: ${commit}`,
        `- machine: ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
        "- database: SQLite; the production server; each read over HTTP with an operator's Bearer token",
        `- data: ${seeded.organizations} accounts with their personal organizations; ${seeded.rollup} organization-hour rollup rows over ${DAYS} days (${seeded.rollup24h} in the last 24 h, ${seeded.rollup7d} in the last 7 d), counting ${seeded.calls} calls: as many rows as a million usage rows make when no two calls share an organization and hour; 10,000 refused-client rows; 200,000 audit rows (seeded in ${seeded.seconds.toFixed(1)} s)`,
        "",
        ...lines,
        "",
      ].join("\n"),
    );
  } finally {
    await server.stop();
    if (process.env.BENCH_KEEP) console.log(`kept ${dbFile}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
