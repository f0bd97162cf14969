// npm run bench's big account, written straight into a SQLite file (the portal's own writes
// would take hours for a million rows): keys, usage rows spread over the last days, and their
// rollups, built by the same SQL the rollups migration backfills with (tests/integration/
// rollups.test.ts checks it gives what the usage recorder writes). Also the raw-log queries the
// usage summary ran before it read rollups, to time them on the same data.
import crypto from "node:crypto";
import fs from "node:fs";
import Database from "better-sqlite3";

const DAY_MS = 86_400_000;
export const SEED_USER_AGENT = "keyportal-bench-seed/1.0";
// Prisma's SQLite adapter writes DateTime as this text; the rollups compare and group it as text.
const text = (t) => new Date(t).toISOString().replace("Z", "+00:00");
// The migrations that add rollups, each ending with the SQL that fills them from usage_logs.
const MIGRATIONS = ["20261130000000_usage_rollups", "20261205000000_usage_owner_ips"];
/** The rollup migrations' backfill INSERTs for one database (sqlite or postgresql). */
export const backfillStatements = (provider) =>
  MIGRATIONS.flatMap((name) => {
    const sql = fs.readFileSync(`prisma/${provider}/migrations/${name}/migration.sql`, "utf8");
    return sql
      .slice(sql.indexOf("-- Backfill"))
      .split(";")
      .map((statement) => statement.replace(/^--.*$/gm, ""))
      .filter((statement) => statement.includes("INSERT"));
  });
const BACKFILL = backfillStatements("sqlite");

/** The rollups of the usage rows that `where` selects (SQL over usage_logs), as the migration builds them. */
function backfillRollups(db, where) {
  for (const statement of BACKFILL) db.exec(statement.replace(`WHERE "owner_id" IS NOT NULL`, `WHERE ${where}`));
}

/** Which key makes a call: 90% of calls come from 100 service keys, the rest from any key. */
export function pickKey(keys, random) {
  return random() < 0.9 ? Math.floor(random() * Math.min(100, keys)) : Math.floor(random() * keys);
}

/** A key's usual IP, and now and then (2% of calls) one of 500 others. */
export function pickIp(key, random) {
  if (random() < 0.02) return `198.51.${100 + Math.floor(random() * 2)}.${Math.floor(random() * 250)}`;
  return `10.${(key >> 16) & 255}.${(key >> 8) & 255}.${key & 255}`;
}

/** 93% 200, 3% 401, 2% 429, 1% 403, 1% 404. */
export function pickStatus(random) {
  const r = random();
  return r < 0.93 ? 200 : r < 0.96 ? 401 : r < 0.98 ? 429 : r < 0.99 ? 403 : 404;
}

export function seeded(seed) {
  // mulberry32: 32-bit integer arithmetic, so the sequence stays exact (a float LCG loses bits).
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * Gives the account `email` `keys` keys and `rows` usage rows evenly over the last `days` days
 * (a little jitter, in time order, as calls arrive). Run before the server starts.
 */
export function seedBigAccount(file, email, { keys, rows, days }) {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  const { id: ownerId } = db.prepare("SELECT id FROM users WHERE email = ?").get(email);
  const now = Date.now();
  const random = seeded(2026);
  const started = performance.now();

  const insertKey = db.prepare(
    `INSERT INTO api_keys (owner_id, name, user, digest, hint, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const keyIds = [];
  db.transaction(() => {
    for (let k = 0; k < keys; k++) {
      const digest = crypto.randomBytes(32).toString("hex");
      const info = insertKey.run(
        ownerId,
        `bench-key-${String(k).padStart(6, "0")}`,
        `svc${k % 50}`,
        digest,
        `sk_live_${digest.slice(0, 4)}…${digest.slice(-4)}`,
        random() < 0.95 ? "active" : "inactive",
        text(now - 90 * DAY_MS + k * ((89 * DAY_MS) / keys)),
      );
      keyIds.push(Number(info.lastInsertRowid));
    }
  })();

  const insertRow = db.prepare(
    `INSERT INTO usage_logs (owner_id, api_key_id, api_key_name, method, path, status_code, ip, user_agent, created_at)
     VALUES (?, ?, ?, 'GET', '/api/api-routes-data?id=123', ?, ?, '${SEED_USER_AGENT}', ?)`,
  );
  const start = now - days * DAY_MS;
  const step = (days * DAY_MS) / rows;
  const CHUNK = 50_000;
  for (let i = 0; i < rows; i += CHUNK) {
    db.transaction(() => {
      for (let j = i; j < Math.min(rows, i + CHUNK); j++) {
        const k = pickKey(keys, random);
        const at = start + j * step + Math.floor(random() * step);
        insertRow.run(
          ownerId,
          keyIds[k],
          `bench-key-${String(k).padStart(6, "0")}`,
          pickStatus(random),
          pickIp(k, random),
          text(at),
        );
      }
    })();
  }
  const rowsSeconds = (performance.now() - started) / 1000;
  const rollupStarted = performance.now();
  backfillRollups(db, `"owner_id" = ${ownerId}`);
  const rollupRows = db.prepare("SELECT count(*) n FROM usage_hourly WHERE owner_id = ?").get(ownerId).n;
  const rollupSeconds = (performance.now() - rollupStarted) / 1000;
  db.close();
  return { ownerId, rowsSeconds, rollupSeconds, rollupRows };
}

/** `rows` usage rows of a Free account aged 31 to 60 days (past its retention), with their rollups. */
export function seedExpiredRows(file, email, rows) {
  const db = new Database(file);
  db.pragma("busy_timeout = 10000");
  const { id: ownerId } = db.prepare("SELECT id FROM users WHERE email = ?").get(email);
  const now = Date.now();
  const insertRow = db.prepare(
    `INSERT INTO usage_logs (owner_id, api_key_id, api_key_name, method, path, status_code, ip, user_agent, created_at)
     VALUES (?, NULL, NULL, 'GET', '/api/api-routes-data?id=123', 200, '10.200.0.1', '${SEED_USER_AGENT}', ?)`,
  );
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insertRow.run(ownerId, text(now - 31 * DAY_MS - (i * 29 * DAY_MS) / rows));
  })();
  backfillRollups(db, `"owner_id" = ${ownerId} AND "created_at" < '${text(now - 30 * DAY_MS)}'`);
  db.close();
}

/**
 * The SQL the usage summary ran on usage_logs before it read rollups (lib/usage/summary-queries.ts
 * at commit c85a650: per hour and key with a day of look-back, 401s per minute, (key, IP) pairs
 * in the range and the 7 days before, distinct IPs), timed on the same file: seconds.
 */
export function rawSummarySeconds(file, email, hours) {
  const db = new Database(file, { readonly: true });
  const { id } = db.prepare("SELECT id FROM users WHERE email = ?").get(email);
  const now = Date.now();
  const from = text(Math.floor(now / 3_600_000) * 3_600_000 - (hours - 1) * 3_600_000);
  const to = text(now + 1);
  const before = (t, ms) => text(Date.parse(t) - ms);
  const started = performance.now();
  db.prepare(
    `SELECT substr(created_at, 1, 13) AS hour, api_key_id, MAX(api_key_name), SUM(CASE WHEN status_code >= 200 AND status_code < 300 THEN 1 ELSE 0 END), COUNT(*), MIN(created_at), MAX(created_at)
     FROM usage_logs WHERE owner_id = ? AND created_at >= ? AND created_at < ? GROUP BY hour, api_key_id`,
  ).all(id, before(from, DAY_MS), to);
  db.prepare(
    `SELECT substr(created_at, 1, 16) AS minute, api_key_id, MAX(api_key_name), COUNT(*), MIN(created_at)
     FROM usage_logs WHERE owner_id = ? AND status_code = 401 AND created_at >= ? AND created_at < ? GROUP BY minute, api_key_id`,
  ).all(id, from, to);
  db.prepare(
    `SELECT api_key_id, ip, MIN(created_at), MAX(api_key_name) FROM usage_logs
     WHERE owner_id = ? AND api_key_id IS NOT NULL AND created_at >= ? AND created_at < ? GROUP BY api_key_id, ip`,
  ).all(id, from, to);
  db.prepare(
    `SELECT api_key_id, ip, MAX(created_at) FROM usage_logs
     WHERE owner_id = ? AND api_key_id IS NOT NULL AND created_at >= ? AND created_at < ? GROUP BY api_key_id, ip`,
  ).all(id, before(from, 7 * DAY_MS), from);
  db.prepare(`SELECT ip FROM usage_logs WHERE owner_id = ? AND created_at >= ? AND created_at < ? GROUP BY ip`).all(
    id,
    from,
    to,
  );
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return seconds;
}
