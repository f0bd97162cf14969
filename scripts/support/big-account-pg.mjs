// npm run bench's big account on PostgreSQL: the same keys, usage rows and rollups as the SQLite
// seeder (scripts/support/big-account.mjs, the same generator and seed), streamed in with COPY
// (pg-copy-streams: a million rows in seconds, where row-by-row INSERTs over the wire take
// minutes) and rolled up by the PostgreSQL migrations' own backfill SQL.
import crypto from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { backfillStatements, pickIp, pickKey, pickStatus, seeded, SEED_USER_AGENT } from "./big-account.mjs";

const DAY_MS = 86_400_000;
const BACKFILL = backfillStatements("postgresql");

// Timestamps are stored as UTC in `timestamp(3)` columns (Prisma's way): the ISO text without its Z.
const utc = (t) => new Date(t).toISOString().slice(0, -1);
// CSV fields here never hold a comma, a quote or a newline.
const line = (fields) => `${fields.map((f) => (f === null ? "" : String(f))).join(",")}\n`;

/** Streams `lines` (an iterable of CSV lines) into `table (columns)` with one COPY. */
async function copyInto(client, table, columns, lines) {
  const sink = client.query(copyFrom(`COPY ${table} (${columns}) FROM STDIN (FORMAT csv)`));
  await pipeline(Readable.from(lines), sink);
}

/** The account's personal organization: keys and usage belong to organizations. */
async function ownerOf(client, email) {
  const sql = "SELECT o.id FROM organizations o JOIN users u ON u.id = o.personal_user_id WHERE u.email = $1";
  return (await client.query(sql, [email])).rows[0].id;
}

async function backfill(client, where) {
  for (const statement of BACKFILL) {
    await client.query(statement.replace(`WHERE "owner_id" IS NOT NULL`, `WHERE ${where}`));
  }
}

/** As seedBigAccount, on the PostgreSQL database at `url`; run before the server starts. */
export async function seedBigAccountPg(url, email, { keys, rows, days }) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const ownerId = await ownerOf(client, email);
    const now = Date.now();
    const random = seeded(2026);
    const started = performance.now();
    const name = (k) => `bench-key-${String(k).padStart(6, "0")}`;
    await copyInto(
      client,
      "api_keys",
      `owner_id, name, "user", digest, hint, status, created_at`,
      (function* () {
        for (let k = 0; k < keys; k++) {
          const digest = crypto.randomBytes(32).toString("hex");
          yield line([
            ownerId,
            name(k),
            `svc${k % 50}`,
            digest,
            `sk_live_${digest.slice(0, 4)}…${digest.slice(-4)}`,
            random() < 0.95 ? "active" : "inactive",
            utc(now - 90 * DAY_MS + k * ((89 * DAY_MS) / keys)),
          ]);
        }
      })(),
    );
    const ids = (
      await client.query("SELECT id FROM api_keys WHERE owner_id = $1 AND name LIKE 'bench-key-%' ORDER BY id", [
        ownerId,
      ])
    ).rows.map((row) => row.id);
    const start = now - days * DAY_MS;
    const step = (days * DAY_MS) / rows;
    await copyInto(
      client,
      "usage_logs",
      "owner_id, api_key_id, api_key_name, method, path, status_code, ip, user_agent, created_at",
      (function* () {
        for (let j = 0; j < rows; j++) {
          const k = pickKey(keys, random);
          const at = start + j * step + Math.floor(random() * step);
          yield line([
            ownerId,
            ids[k],
            name(k),
            "GET",
            "/api/api-routes-data?id=123",
            pickStatus(random),
            pickIp(k, random),
            SEED_USER_AGENT,
            utc(at),
          ]);
        }
      })(),
    );
    const rowsSeconds = (performance.now() - started) / 1000;
    const rollupStarted = performance.now();
    await backfill(client, `"owner_id" = ${ownerId}`);
    await client.query("ANALYZE");
    const rollupRows = (
      await client.query("SELECT count(*)::int AS n FROM usage_hourly WHERE owner_id = $1", [ownerId])
    ).rows[0].n;
    return { ownerId, rowsSeconds, rollupSeconds: (performance.now() - rollupStarted) / 1000, rollupRows };
  } finally {
    await client.end();
  }
}

/** As seedExpiredRows: `rows` usage rows of a Free account aged 31 to 60 days, with their rollups. */
export async function seedExpiredRowsPg(url, email, rows) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const ownerId = await ownerOf(client, email);
    const now = Date.now();
    await copyInto(
      client,
      "usage_logs",
      "owner_id, api_key_id, api_key_name, method, path, status_code, ip, user_agent, created_at",
      (function* () {
        for (let i = 0; i < rows; i++) {
          const at = now - 31 * DAY_MS - (i * 29 * DAY_MS) / rows;
          yield line([
            ownerId,
            null,
            null,
            "GET",
            "/api/api-routes-data?id=123",
            200,
            "10.200.0.1",
            SEED_USER_AGENT,
            utc(at),
          ]);
        }
      })(),
    );
    await backfill(client, `"owner_id" = ${ownerId} AND "created_at" < '${utc(now - 30 * DAY_MS)}'`);
  } finally {
    await client.end();
  }
}
