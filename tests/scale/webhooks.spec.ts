// Webhook delivery across two production instances on one PostgreSQL database: each instance
// runs a delivery worker over the same outbox. In the happy path every event reaches the
// receiver exactly once, signed; an instance killed with SIGKILL while its deliveries are in
// flight loses none of them: its claims lapse and the other instance sends them (at least once:
// the receiver deduplicates by webhook-id, and the repeats are printed). Nothing here is timed.
import http from "node:http";
import pg from "pg";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../scripts/support/start-server.mjs";
import { admin, createFreshDatabase, dropDatabase, startInstance, startInstances } from "./support/cluster";
import { call, newAccount, type Account, type IssuedKey } from "./support/http";
import { databaseUrl, PORTS } from "./support/services";

const [portA, portB] = PORTS;
// Claims lapse after 60 s (lib/webhooks/delivery-queue.ts): the wait for a killed instance's.
const LAPSE_WAIT_MS = 120_000;

interface Received {
  id: string;
  type: string;
  verified: boolean;
}

let database = "";
let instances: RunningServer[] = [];
let receiver: http.Server;
let receiverUrl = "";
const received: Received[] = [];
let secret = "";
/** Milliseconds the receiver waits before answering (to hold deliveries in flight). */
let answerDelayMs = 0;

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString();
      let verified = false;
      try {
        new Webhook(secret).verify(body, req.headers as Record<string, string>);
        verified = true;
      } catch {
        verified = false;
      }
      received.push({ id: String(req.headers["webhook-id"]), type: JSON.parse(body).type, verified });
      setTimeout(() => res.writeHead(204).end(), answerDelayMs);
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  database = await createFreshDatabase();
  instances = await startInstances(PORTS, database, { WEBHOOK_ALLOW_PRIVATE: "true" });
}, 300_000);

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.stop()));
  if (database) await dropDatabase(database);
  receiver?.closeAllConnections();
  receiver?.close();
});

const unique = (ids: string[]) => new Set(ids).size;

/** Deliveries not yet delivered, read from the database both instances share. */
async function undelivered(): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl(database) });
  await client.connect();
  try {
    const { rows } = await client.query(
      "SELECT COUNT(*)::int AS n FROM webhook_deliveries WHERE status <> 'delivered'",
    );
    return rows[0].n as number;
  } finally {
    await client.end();
  }
}

/** Makes `count` keys, through each of `ports` in turn: one key.created event each. */
async function makeKeys(account: Account, prefix: string, count: number, ports = [portA, portB]): Promise<IssuedKey[]> {
  const keys: IssuedKey[] = [];
  for (let i = 0; i < count; i++) {
    const made = await call(ports[i % ports.length], "POST", "/api/api-keys/generate", {
      token: account.token,
      body: { api_key_name: `${prefix}-${i}`, user: "svc" },
    });
    expect(made.status, made.text).toBe(201);
    keys.push(made.json);
  }
  return keys;
}

describe("two instances delivering one organization's events", () => {
  let account: Account;

  it("delivers each event exactly once, signed, in the happy path", async () => {
    account = await newAccount(portA, "webhooks");
    await admin(database, "set-plan", account.email, "enterprise");
    const created = await call(portA, "POST", "/api/webhooks", {
      token: account.token,
      body: { url: receiverUrl, events: ["key.created", "key.status_changed"] },
    });
    expect(created.status, created.text).toBe(201);
    secret = created.json.secret;
    const keys = await makeKeys(account, "happy", 20);
    for (const key of keys.slice(0, 10)) {
      const changed = await call(portB, "PUT", `/api/api-keys/${key.id}/status`, {
        token: account.token,
        body: { status: "inactive" },
      });
      expect(changed.status).toBe(200);
    }
    await expect.poll(() => unique(received.map((r) => r.id)), { timeout: 60_000, interval: 200 }).toBe(30);
    // Anything sent twice would arrive within a worker pass or two.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(received).toHaveLength(30);
    expect(received.every((r) => r.verified)).toBe(true);
    expect(received.filter((r) => r.type === "key.created")).toHaveLength(20);
  });

  it("loses nothing when an instance is killed with SIGKILL mid-delivery", async () => {
    // A alone delivers (B stopped), with slow answers: its deliveries are in flight when it dies.
    await instances[1].stop();
    const before = received.length;
    answerDelayMs = 3_000;
    await makeKeys(account, "killed", 12, [portA]);
    await expect.poll(() => received.length - before, { timeout: 30_000, interval: 100 }).toBeGreaterThan(0);
    process.kill(-instances[0].child.pid!, "SIGKILL");
    await instances[0].exited;
    answerDelayMs = 0;
    // B comes back and sends what A had claimed, once A's claims lapse.
    instances[1] = await startInstance(portB, database, { WEBHOOK_ALLOW_PRIVATE: "true" });
    const ids = () => received.slice(before).map((r) => r.id);
    // The killed instance's claims lapse, and the other instance sends those deliveries.
    await expect.poll(undelivered, { timeout: LAPSE_WAIT_MS, interval: 1_000 }).toBe(0);
    expect(unique(ids())).toBe(12);
    // A's attempts in flight reached the receiver before A died, and were sent again.
    expect(ids().length).toBeGreaterThan(12);
    console.log(
      `after SIGKILL: ${unique(ids())} of 12 events delivered, ${ids().length - unique(ids())} sent again (at least once)`,
    );
    expect(received.slice(before).every((r) => r.verified)).toBe(true);
    // The killed instance starts again on the same database, with nothing left to send twice.
    instances[0] = await startInstance(portA, database, { WEBHOOK_ALLOW_PRIVATE: "true" });
    const delivered = ids().length;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(ids().length).toBe(delivered);
  }, 240_000);
});
