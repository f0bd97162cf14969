// The bench's yardstick: a bare node:http server doing the data API's irreducible work (one
// HMAC of the key, one indexed SQLite read of key and owner, a JSON answer) and nothing else.
// Run as its own process so it does not share an event loop with the load generator.
// Usage: node scripts/support/raw-floor.mjs <port> <sqlite file> <pepper>
import crypto from "node:crypto";
import http from "node:http";
import Database from "better-sqlite3";

const [port, file, pepper] = process.argv.slice(2);
const db = new Database(file, { readonly: true });
const findKey = db.prepare(
  "SELECT k.id, k.owner_id, k.status, o.plan FROM api_keys k JOIN organizations o ON o.id = k.owner_id WHERE k.digest = ?",
);
const ok = JSON.stringify({ success: true, data: { id: 123, name: "Sample route" } });
const refused = JSON.stringify({ success: false, message: "Invalid or missing authentication" });

http
  .createServer((req, res) => {
    const key = String(req.headers["x-api-key"] ?? "");
    const row = findKey.get(crypto.createHmac("sha256", pepper).update(key).digest("hex"));
    res.writeHead(row ? 200 : 401, { "content-type": "application/json; charset=utf-8" });
    res.end(row ? ok : refused);
  })
  .listen(Number(port), "127.0.0.1", () => console.log("raw floor ready"));
