import http from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { resetConfigForTests } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import { createKey, deleteKey, reportLeakedKey, rotateKey, setKeyStatus, updateKey } from "@/lib/keys/key-commands";
import { generateKeySchema, updateKeySchema } from "@/lib/keys/key-schemas";
import { attemptDelivery } from "@/lib/webhooks/delivery-attempt";
import { FAILING_ENDPOINT_REASON } from "@/lib/webhooks/delivery-disable";
import { purgeExpiredWebhookEvents } from "@/lib/webhooks/delivery-retention";
import { deliverDueWebhooks, startDeliveryWorker, stopDeliveryWorker } from "@/lib/webhooks/delivery-worker";
import { generateWebhookSecret } from "@/lib/webhooks/signing";
import { createAccount } from "./support";

/**
 * Webhook delivery end to end: key changes through the real data layer put events in the outbox,
 * deliverDueWebhooks() sends them to a local receiver (hence WEBHOOK_ALLOW_PRIVATE), and the
 * receiver checks them as a customer would, with the Standard Webhooks reference library. Time
 * is advanced by moving next_attempt_at and created_at in the database, never by waiting.
 */

const HOUR_MS = 3_600_000;

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** What the receiver answers, per path (default 200). */
const answers = new Map<string, { status: number; headers?: Record<string, string> }>();
let received: Received[] = [];
let server: http.Server;
let base = "";

beforeAll(async () => {
  process.env.WEBHOOK_ALLOW_PRIVATE = "true";
  resetConfigForTests();
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const path = req.url ?? "/";
      if (path === "/silent") return; // never answers: the attempt's timeout ends it
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      const answer = answers.get(path) ?? { status: 200 };
      res.writeHead(answer.status, answer.headers);
      res.end("thanks");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  delete process.env.WEBHOOK_ALLOW_PRIVATE;
  resetConfigForTests();
});

beforeEach(async () => {
  received = [];
  answers.clear();
  // An earlier test's retries (the receiver that was down, the redirect) are not this test's to send.
  await db().webhookDelivery.updateMany({ where: { status: "pending" }, data: { status: "failed" } });
});

/** An endpoint row as the endpoint data layer will write it (its REST routes come separately). */
async function createEndpoint(ownerId: number, path: string, events: string[]) {
  return db().webhookEndpoint.create({
    data: { ownerId, url: base + path, events: JSON.stringify(events), secret: generateWebhookSecret() },
  });
}

/** Runs passes until nothing is due; the number of deliveries claimed. */
async function drain(): Promise<number> {
  let total = 0;
  for (let claimed = await deliverDueWebhooks(); claimed > 0; claimed = await deliverDueWebhooks()) total += claimed;
  return total;
}

const deliveriesOf = (endpointId: number) =>
  db().webhookDelivery.findMany({ where: { endpointId }, orderBy: { id: "asc" }, include: { event: true } });

/** Makes the endpoint's pending deliveries due now, as if their retry time had come. */
const makeDue = (endpointId: number) =>
  db().webhookDelivery.updateMany({ where: { endpointId, status: "pending" }, data: { nextAttemptAt: new Date() } });

const KEY_EVENTS = [
  "key.created",
  "key.updated",
  "key.rotated",
  "key.status_changed",
  "key.deleted",
  "key.leak_reported",
];

const newKey = (ownerId: number, name: string) =>
  createKey(ownerId, generateKeySchema.parse({ api_key_name: name, user: `${name.replace(/\W/g, "_")}_user` }));

describe("webhook delivery", () => {
  it("every key.* event reaches a subscribed endpoint, signed, with {type, timestamp, data.key} and no secret", async () => {
    const account = await createAccount({ prefix: "hooks-all", plan: "professional" });
    const org = account.id; // an account's personal organization has its id
    const endpoint = await createEndpoint(org, "/all", KEY_EVENTS);

    const { key, secret } = await newKey(org, "hooked");
    await updateKey(org, key.id, updateKeySchema.parse({ api_key_name: "hooked-renamed" }));
    await setKeyStatus(org, key.id, "inactive");
    await setKeyStatus(org, key.id, "active");
    const rotated = await rotateKey(org, key.id, 3600);
    expect(rotated).not.toBeNull();
    await reportLeakedKey(rotated!.secret, { actor: "reporter", ip: null });
    await deleteKey(org, key.id);

    expect(await drain()).toBe(7);
    const sent = received.filter((r) => r.path === "/all");
    expect(sent.map((r) => JSON.parse(r.body).type).sort()).toEqual(
      [...KEY_EVENTS, "key.status_changed"].sort(), // inactive, then active again
    );
    const rows = await deliveriesOf(endpoint.id);
    const digests = await db().apiKey.findMany({ where: { ownerId: org }, select: { digest: true } });
    for (const request of sent) {
      expect(request.headers["content-type"]).toBe("application/json");
      // The receiver's check, with the reference library: it throws on any mismatch.
      const payload = new Webhook(endpoint.secret).verify(request.body, {
        "webhook-id": String(request.headers["webhook-id"]),
        "webhook-timestamp": String(request.headers["webhook-timestamp"]),
        "webhook-signature": String(request.headers["webhook-signature"]),
      }) as { type: string; timestamp: string; data: { key: { id: number; api_key_name: string } } };
      expect(Object.keys(payload).sort()).toEqual(["data", "timestamp", "type"]);
      expect(new Date(payload.timestamp).toISOString()).toBe(payload.timestamp);
      expect(payload.data.key.id).toBeTypeOf("number");
      // The body sent is the outbox row's payload, byte for byte, under its message id.
      const row = rows.find((r) => r.event.messageId === request.headers["webhook-id"]);
      expect(row?.event.payload).toBe(request.body);
      // Never a secret or a digest.
      expect(request.body).not.toContain(secret);
      expect(request.body).not.toContain(rotated!.secret);
      expect(request.body).not.toMatch(/digest|sk_live_[0-9A-Za-z]{38}/);
      for (const { digest } of digests) expect(request.body).not.toContain(digest);
    }
    const leak = JSON.parse(sent.find((r) => JSON.parse(r.body).type === "key.leak_reported")!.body);
    expect(leak.data.key).toMatchObject({ id: rotated!.key.id, status: "inactive", status_reason: "reported_leak" });
    // Each delivery records its outcome.
    expect(rows).toHaveLength(7);
    for (const row of rows) {
      expect(row).toMatchObject({
        status: "delivered",
        attempts: 1,
        lastStatusCode: 200,
        lastError: null,
        lockedUntil: null,
      });
      expect(row.lastDurationMs).toBeGreaterThanOrEqual(0);
      expect(row.lastDurationMs).toBeLessThan(10_000);
      expect(row.deliveredAt).toBeInstanceOf(Date);
    }
    // Delivered rows are not sent again.
    expect(await drain()).toBe(0);
    expect(received.filter((r) => r.path === "/all")).toHaveLength(7);
  });

  it("an endpoint subscribed to other types gets nothing, and one subscribed to one type gets only it", async () => {
    const account = await createAccount({ prefix: "hooks-types" });
    const created = await createEndpoint(account.id, "/created-only", ["key.created"]);
    const other = await createEndpoint(account.id, "/other", ["usage.limit_reached", "alert.created"]);
    const { key } = await newKey(account.id, "typed");
    await setKeyStatus(account.id, key.id, "inactive");
    await drain();
    expect(received.map((r) => r.path)).toEqual(["/created-only"]);
    expect(await deliveriesOf(created.id)).toHaveLength(1);
    expect(await deliveriesOf(other.id)).toHaveLength(0);
  });

  it("another organization's events never reach an endpoint", async () => {
    const [mine, theirs] = [
      await createAccount({ prefix: "hooks-mine" }),
      await createAccount({ prefix: "hooks-theirs" }),
    ];
    const endpoint = await createEndpoint(mine.id, "/mine", KEY_EVENTS);
    await newKey(theirs.id, "not-mine");
    await drain();
    expect(received).toHaveLength(0);
    expect(await deliveriesOf(endpoint.id)).toHaveLength(0);
  });

  it("during a secret rotation, receivers holding either secret accept the delivery", async () => {
    const account = await createAccount({ prefix: "hooks-rotation" });
    const endpoint = await createEndpoint(account.id, "/rotating", ["key.created"]);
    const previousSecret = generateWebhookSecret();
    await db().webhookEndpoint.update({
      where: { id: endpoint.id },
      data: { previousSecret, previousSecretUntil: new Date(Date.now() + HOUR_MS) },
    });
    await newKey(account.id, "rotation");
    await drain();
    expect(received).toHaveLength(1);
    const [{ body, headers }] = received;
    const signed = {
      "webhook-id": String(headers["webhook-id"]),
      "webhook-timestamp": String(headers["webhook-timestamp"]),
      "webhook-signature": String(headers["webhook-signature"]),
    };
    expect(signed["webhook-signature"].split(" ")).toHaveLength(2);
    expect(() => new Webhook(endpoint.secret).verify(body, signed)).not.toThrow();
    expect(() => new Webhook(previousSecret).verify(body, signed)).not.toThrow();
  });

  it("a receiver answering 500 gets the delivery again later, with the same webhook-id, until it answers 2xx", async () => {
    const account = await createAccount({ prefix: "hooks-retry" });
    const endpoint = await createEndpoint(account.id, "/flaky", ["key.created"]);
    answers.set("/flaky", { status: 500 });
    await newKey(account.id, "retried");
    const before = Date.now();
    expect(await drain()).toBe(1);
    let [row] = await deliveriesOf(endpoint.id);
    expect(row).toMatchObject({
      status: "pending",
      attempts: 1,
      lastStatusCode: 500,
      lastError: "HTTP 500",
      lockedUntil: null,
    });
    expect(row.lastDurationMs).toBeGreaterThanOrEqual(0);
    // Backoff: the retry waits (at least a second, at most the first step's 5 s).
    expect(row.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(before + 1_000);
    expect(row.nextAttemptAt.getTime()).toBeLessThanOrEqual(Date.now() + 5_000);
    expect(await drain()).toBe(0); // not due yet

    await makeDue(endpoint.id);
    expect(await drain()).toBe(1);
    [row] = await deliveriesOf(endpoint.id);
    expect(row).toMatchObject({ status: "pending", attempts: 2, lastStatusCode: 500 });

    answers.delete("/flaky");
    await makeDue(endpoint.id);
    expect(await drain()).toBe(1);
    [row] = await deliveriesOf(endpoint.id);
    expect(row).toMatchObject({ status: "delivered", attempts: 3, lastStatusCode: 200, lastError: null });
    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => r.headers["webhook-id"])).size).toBe(1);
    expect(new Set(received.map((r) => r.body)).size).toBe(1);
  });

  it("a receiver that is down: the attempt fails with no status code, and is retried later", async () => {
    const account = await createAccount({ prefix: "hooks-down" });
    // A port nothing listens on: opened, noted, closed.
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const endpoint = await db().webhookEndpoint.create({
      data: {
        ownerId: account.id,
        url: `http://127.0.0.1:${port}/down`,
        events: JSON.stringify(["key.created"]),
        secret: generateWebhookSecret(),
      },
    });
    await newKey(account.id, "down");
    expect(await drain()).toBe(1);
    const [row] = await deliveriesOf(endpoint.id);
    expect(row).toMatchObject({
      status: "pending",
      attempts: 1,
      lastStatusCode: null,
      lastError: "connection refused",
    });
    expect(row.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());
  });

  it("a 3xx is a failure and its Location is not followed", async () => {
    const account = await createAccount({ prefix: "hooks-redirect" });
    const endpoint = await createEndpoint(account.id, "/moved", ["key.created"]);
    answers.set("/moved", { status: 302, headers: { location: `${base}/target` } });
    await newKey(account.id, "redirected");
    await drain();
    expect(received.map((r) => r.path)).toEqual(["/moved"]);
    const [row] = await deliveriesOf(endpoint.id);
    expect(row).toMatchObject({ status: "pending", attempts: 1, lastStatusCode: 302 });
    expect(row.lastError).toMatch(/redirects are not followed/);
  });

  it("after 24 hours of failures a delivery is given up, and its endpoint disabled with an audit entry", async () => {
    const account = await createAccount({ prefix: "hooks-disable" });
    const endpoint = await createEndpoint(account.id, "/gone", ["key.created", "key.deleted"]);
    answers.set("/gone", { status: 503 });
    const { key } = await newKey(account.id, "given-up");
    await drain();
    // A day of retries later (the delivery queued 25 hours ago), the next attempt fails too.
    await db().webhookDelivery.updateMany({
      where: { endpointId: endpoint.id },
      data: { createdAt: new Date(Date.now() - 25 * HOUR_MS), nextAttemptAt: new Date() },
    });
    expect(await drain()).toBe(1);
    const [row] = await deliveriesOf(endpoint.id);
    expect(row).toMatchObject({ status: "failed", attempts: 2, lastStatusCode: 503, lockedUntil: null });
    expect(await db().webhookEndpoint.findUnique({ where: { id: endpoint.id } })).toMatchObject({
      status: "disabled",
      disabledReason: FAILING_ENDPOINT_REASON,
    });
    const audit = await db().auditLog.findMany({ where: { ownerId: account.id, action: "webhook.disabled" } });
    expect(audit).toHaveLength(1);
    expect(audit[0].actor).toBe("system");
    expect(JSON.parse(audit[0].details ?? "{}")).toMatchObject({ endpoint_id: endpoint.id, url: `${base}/gone` });
    // A disabled endpoint gets no new deliveries.
    await deleteKey(account.id, key.id);
    expect(await deliveriesOf(endpoint.id)).toHaveLength(1);
    expect(await drain()).toBe(0);
  });

  it("a delivery given up on does not disable an endpoint that received another one since", async () => {
    const account = await createAccount({ prefix: "hooks-still-alive" });
    const endpoint = await createEndpoint(account.id, "/sometimes", ["key.created"]);
    answers.set("/sometimes", { status: 500 });
    await newKey(account.id, "first");
    await drain();
    answers.delete("/sometimes");
    await newKey(account.id, "second");
    await drain();
    answers.set("/sometimes", { status: 500 });
    const [first, second] = await deliveriesOf(endpoint.id);
    expect(second.status).toBe("delivered");
    await db().webhookDelivery.update({
      where: { id: first.id },
      data: { createdAt: new Date(Date.now() - 25 * HOUR_MS), nextAttemptAt: new Date() },
    });
    await db().webhookDelivery.update({
      where: { id: second.id },
      data: { deliveredAt: new Date(Date.now() - 2 * HOUR_MS) },
    });
    await drain();
    expect((await deliveriesOf(endpoint.id))[0].status).toBe("failed");
    expect((await db().webhookEndpoint.findUnique({ where: { id: endpoint.id } }))?.status).toBe("enabled");
    expect(await db().auditLog.count({ where: { ownerId: account.id, action: "webhook.disabled" } })).toBe(0);
  });

  it("deliveries queued before their endpoint was disabled are not sent", async () => {
    const account = await createAccount({ prefix: "hooks-off" });
    const endpoint = await createEndpoint(account.id, "/off", ["key.created"]);
    await newKey(account.id, "queued");
    await db().webhookEndpoint.update({ where: { id: endpoint.id }, data: { status: "disabled" } });
    expect(await drain()).toBe(1);
    expect(received).toHaveLength(0);
    const [row] = await deliveriesOf(endpoint.id);
    expect(row).toMatchObject({ status: "failed", attempts: 0, lastError: "endpoint disabled" });
  });

  it("a row claimed by another worker is left alone until its claim lapses", async () => {
    const account = await createAccount({ prefix: "hooks-claim" });
    const endpoint = await createEndpoint(account.id, "/claimed", ["key.created"]);
    await newKey(account.id, "claimed");
    await db().webhookDelivery.updateMany({
      where: { endpointId: endpoint.id },
      data: { lockedUntil: new Date(Date.now() + 60_000) },
    });
    expect(await drain()).toBe(0);
    // The other worker died after sending: its claim lapses, and the delivery goes again (at least once).
    await db().webhookDelivery.updateMany({
      where: { endpointId: endpoint.id },
      data: { lockedUntil: new Date(Date.now() - 1) },
    });
    expect(await drain()).toBe(1);
    expect(received).toHaveLength(1);
    expect((await deliveriesOf(endpoint.id))[0].status).toBe("delivered");
  });

  it("two passes at once send each delivery once", async () => {
    const account = await createAccount({ prefix: "hooks-parallel" });
    const endpoint = await createEndpoint(account.id, "/parallel", ["key.created", "key.status_changed"]);
    const { key } = await newKey(account.id, "parallel");
    for (let i = 0; i < 12; i++) {
      await setKeyStatus(account.id, key.id, "inactive");
      await setKeyStatus(account.id, key.id, "active");
    }
    for (;;) {
      const claimed = await Promise.all([deliverDueWebhooks(), deliverDueWebhooks()]);
      if (claimed[0] + claimed[1] === 0) break;
    }
    const ids = received.map((r) => r.headers["webhook-id"]);
    expect(ids).toHaveLength(25);
    expect(new Set(ids).size).toBe(25);
    const rows = await deliveriesOf(endpoint.id);
    expect(rows.every((r) => r.status === "delivered" && r.attempts === 1)).toBe(true);
  });

  it("retention deletes events older than 30 days with their deliveries, and keeps the rest", async () => {
    const account = await createAccount({ prefix: "hooks-retention" });
    const endpoint = await createEndpoint(account.id, "/kept", ["key.created"]);
    await newKey(account.id, "old-event");
    await newKey(account.id, "new-event");
    const [old, recent] = await deliveriesOf(endpoint.id);
    // Every event of this file older than the cutoff, so the purge's oldest-first walk reaches this one.
    await db().webhookEvent.updateMany({
      where: { id: { lte: old.eventId } },
      data: { createdAt: new Date(Date.now() - 31 * 24 * HOUR_MS) },
    });
    const expired = await db().webhookEvent.count({ where: { id: { lte: old.eventId } } });
    expect(await purgeExpiredWebhookEvents()).toBe(expired);
    expect(await db().webhookEvent.findUnique({ where: { id: old.eventId } })).toBeNull();
    expect(await db().webhookDelivery.findUnique({ where: { id: old.id } })).toBeNull();
    expect(await db().webhookEvent.findUnique({ where: { id: recent.eventId } })).not.toBeNull();
    expect(await db().webhookDelivery.findUnique({ where: { id: recent.id } })).not.toBeNull();
    expect(await purgeExpiredWebhookEvents()).toBe(0);
  });

  it("an attempt is cut off at its timeout when the receiver does not answer", async () => {
    const started = Date.now();
    const outcome = await attemptDelivery(
      { url: `${base}/silent`, secret: generateWebhookSecret(), previousSecret: null, previousSecretUntil: null },
      { messageId: "msg_silent", payload: "{}" },
      { timeoutMs: 300 },
    );
    expect(outcome).toMatchObject({ delivered: false, statusCode: null, error: "no complete answer within 0.3 s" });
    expect(outcome.durationMs).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("the background worker delivers on its own, starts once, and stops", async () => {
    const account = await createAccount({ prefix: "hooks-worker" });
    const endpoint = await createEndpoint(account.id, "/background", ["key.created"]);
    const hooks = () =>
      (globalThis as Record<symbol, unknown[] | undefined>)[Symbol.for("keyportal.shutdownHooks")] ?? [];
    const hooksBefore = hooks().length;
    startDeliveryWorker();
    startDeliveryWorker(); // a second start finds the first: one loop, one shutdown hook
    expect(hooks().length).toBe(hooksBefore + 1);
    try {
      await newKey(account.id, "background");
      await vi.waitFor(() => expect(received.map((r) => r.path)).toEqual(["/background"]), {
        timeout: 10_000,
        interval: 50,
      });
      await vi.waitFor(async () => expect((await deliveriesOf(endpoint.id))[0].status).toBe("delivered"));
    } finally {
      await stopDeliveryWorker();
    }
    await newKey(account.id, "after-stop");
    await new Promise((resolve) => setTimeout(resolve, 1_200)); // past two idle polls
    expect(received).toHaveLength(1);
    expect((await deliveriesOf(endpoint.id))[1].status).toBe("pending");
  });
});
