import { beforeAll, describe, expect, it } from "vitest";
import { GET as listDeliveries } from "@/app/api/webhooks/[id]/deliveries/route";
import { POST as redeliver } from "@/app/api/webhooks/[id]/deliveries/[delivery_id]/redeliver/route";
import { POST as rotateSecret } from "@/app/api/webhooks/[id]/rotate-secret/route";
import { DELETE as deleteWebhook, GET as getWebhook, PATCH as patchWebhook } from "@/app/api/webhooks/[id]/route";
import { GET as listWebhooks, POST as createWebhook } from "@/app/api/webhooks/route";
import { db } from "@/lib/db/client";
import { createOrganization } from "@/lib/orgs/organizations";
import { sendTestEvent } from "@/lib/webhooks/webhook-endpoints";
import type { OrgRole } from "@/lib/orgs/permissions";
import {
  createAccount,
  ctx,
  expectError,
  generateKey,
  noParams,
  readBody,
  request,
  setStatus,
  type Account,
} from "./support";

// The webhook endpoints' REST API (issue 29): an organization's endpoints, the secret shown once,
// roles, the SSRF refusal at creation (WEBHOOK_ALLOW_PRIVATE is unset here), rotation, and the
// deliveries a key event queues. Delivery itself: tests/integration/webhook-delivery.test.ts.

// A public address literal: accepted without DNS.
const TARGET = "https://93.184.216.34/hooks/keyportal";

let owner: Account;
let team: number;
const members = {} as Record<OrgRole, Account>;

beforeAll(async () => {
  owner = await createAccount({ prefix: "webhook-owner" });
  team = (await createOrganization(owner.id, "Webhook team")).id;
  members.owner = owner;
  for (const role of ["admin", "developer", "viewer"] as const) {
    members[role] = await createAccount({ prefix: `webhook-${role}` });
    await db().membership.create({ data: { organizationId: team, userId: members[role].id, role } });
  }
});

const teamHeaders = () => ({ "x-organization-id": String(team) });

async function create(account: Account, body: unknown, headers: Record<string, string> = {}) {
  return createWebhook(request("POST", "/api/webhooks", { token: account.token, headers, body }), noParams);
}

describe("POST /api/webhooks", () => {
  it("answers 201 with the endpoint and its secret, which no read shows again", async () => {
    const response = await create(owner, { url: TARGET, events: ["key.created", "key.deleted"], description: "CI" });
    expect(response.status).toBe(201);
    const created = await readBody(response);
    expect(created).toMatchObject({
      url: TARGET,
      events: ["key.created", "key.deleted"],
      description: "CI",
      status: "enabled",
      disabled_reason: null,
    });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const read = await readBody(
      await getWebhook(
        request("GET", `/api/webhooks/${created.id}`, { token: owner.token }),
        ctx({ id: String(created.id) }),
      ),
    );
    expect(read).toEqual({ ...created, secret: undefined, created_at: created.created_at });
    expect(JSON.stringify(read)).not.toContain(created.secret.slice(6));
    const list = await readBody(await listWebhooks(request("GET", "/api/webhooks", { token: owner.token }), noParams));
    expect(list.data.map((w: { id: number }) => w.id)).toContain(created.id);
    expect(JSON.stringify(list)).not.toContain("whsec_");
  });

  it("refuses private, loopback and link-local targets, and bad input, with the 400 envelope", async () => {
    for (const url of [
      "http://127.0.0.1/hook",
      "http://localhost:8080/hook",
      "http://169.254.169.254/latest",
      "http://10.1.2.3/x",
      "http://[::1]/x",
    ]) {
      const response = await create(owner, { url, events: ["key.created"] });
      expect(response.status, url).toBe(400);
      expect((await readBody(response)).message).toMatch(/^url is refused: /);
    }
    await expectError(
      await create(owner, { url: "ftp://93.184.216.34/x", events: ["key.created"] }),
      400,
      "url must be an http(s) URL",
    );
    const badEvent = await create(owner, { url: TARGET, events: ["key.exploded"] });
    expect(badEvent.status).toBe(400);
    expect((await readBody(badEvent)).message).toContain("events");
    expect((await create(owner, { url: TARGET, events: [] })).status).toBe(400);
    expect((await create(owner, { url: "https://user:pw@93.184.216.34/x", events: ["key.created"] })).status).toBe(400);
  });
});

describe("an organization's endpoints by role (X-Organization-Id)", () => {
  it("lets owners and admins manage them, and developers and viewers only read them", async () => {
    const statuses: Record<string, number> = {};
    for (const role of ["owner", "admin", "developer", "viewer"] as const) {
      statuses[role] = (await create(members[role], { url: TARGET, events: ["key.created"] }, teamHeaders())).status;
    }
    expect(statuses).toEqual({ owner: 201, admin: 201, developer: 403, viewer: 403 });
    for (const role of ["developer", "viewer"] as const) {
      const list = await listWebhooks(
        request("GET", "/api/webhooks", { token: members[role].token, headers: teamHeaders() }),
        noParams,
      );
      expect(list.status).toBe(200);
      expect((await readBody(list)).data).toHaveLength(2);
    }
    // Someone else's organization: the 404 envelope, as for keys.
    const outsider = await createAccount({ prefix: "webhook-outsider" });
    expect(
      (await listWebhooks(request("GET", "/api/webhooks", { token: outsider.token, headers: teamHeaders() }), noParams))
        .status,
    ).toBe(404);
  });
});

describe("changing, rotating and deleting an endpoint", () => {
  it("PATCHes events and status, rotates the secret keeping the old one for 24 h, and deletes", async () => {
    const created = await readBody(await create(owner, { url: TARGET, events: ["key.created"] }));
    const params = ctx({ id: String(created.id) });
    const patch = (body: unknown) =>
      patchWebhook(request("PATCH", `/api/webhooks/${created.id}`, { token: owner.token, body }), params);
    const patched = await readBody(await patch({ events: ["key.deleted", "key.rotated"], status: "disabled" }));
    expect(patched).toMatchObject({
      events: ["key.deleted", "key.rotated"],
      status: "disabled",
      disabled_reason: "disabled by a member",
    });
    expect((await readBody(await patch({ status: "enabled" }))).disabled_reason).toBeNull();
    expect((await patch({})).status).toBe(400);
    expect((await patch({ url: "http://127.0.0.1/x" })).status).toBe(400);

    const rotated = await readBody(
      await rotateSecret(request("POST", `/api/webhooks/${created.id}/rotate-secret`, { token: owner.token }), params),
    );
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(created.secret);
    const row = await db().webhookEndpoint.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.previousSecret).toBe(created.secret);
    const overlapHours = (row.previousSecretUntil!.getTime() - Date.now()) / 3_600_000;
    expect(overlapHours).toBeGreaterThan(23.9);
    expect(overlapHours).toBeLessThanOrEqual(24);

    const deleted = await deleteWebhook(
      request("DELETE", `/api/webhooks/${created.id}`, { token: owner.token }),
      params,
    );
    expect(deleted.status).toBe(200);
    await expectError(
      await getWebhook(request("GET", `/api/webhooks/${created.id}`, { token: owner.token }), params),
      404,
      "Webhook endpoint not found",
    );
  });
});

describe("deliveries", () => {
  it("are queued for each subscribed endpoint by a key event, listed, and redelivered", async () => {
    const account = await createAccount({ prefix: "webhook-deliveries" });
    const subscribed = await readBody(
      await create(account, { url: TARGET, events: ["key.created", "key.status_changed"] }),
    );
    const other = await readBody(await create(account, { url: TARGET, events: ["key.deleted"] }));
    const key = await generateKey(account.token, "watched", "svc");
    expect((await setStatus(account.token, key.id, "inactive")).status).toBe(200);

    const list = async (id: number) =>
      readBody(
        await listDeliveries(
          request("GET", `/api/webhooks/${id}/deliveries`, { token: account.token }),
          ctx({ id: String(id) }),
        ),
      );
    const deliveries = await list(subscribed.id);
    expect(deliveries.pagination).toEqual({ page: 1, per_page: 20, total: 2 });
    expect(deliveries.data.map((d: { event_type: string }) => d.event_type)).toEqual([
      "key.status_changed",
      "key.created",
    ]);
    expect(deliveries.data[0]).toMatchObject({
      attempts: 0,
      response_status: null,
      event_id: expect.stringMatching(/^msg_/),
    });
    expect((await list(other.id)).data).toEqual([]);

    // The event's body: the key's public fields, never its secret or digest.
    const event = await db().webhookEvent.findFirstOrThrow({ where: { ownerId: account.id, type: "key.created" } });
    const payload = JSON.parse(event.payload);
    expect(payload).toMatchObject({
      type: "key.created",
      data: { key: { id: key.id, api_key_name: "watched", user: "svc" } },
    });
    expect(event.payload).not.toContain(key.api_key.slice(8));
    expect(payload.data.key).not.toHaveProperty("key_hint");
    expect(event.payload).not.toMatch(/digest|[0-9a-f]{64}/);

    const first = deliveries.data[1];
    await db().webhookDelivery.update({ where: { id: first.id }, data: { status: "failed", attempts: 9 } });
    const again = await redeliver(
      request("POST", `/api/webhooks/${subscribed.id}/deliveries/${first.id}/redeliver`, { token: account.token }),
      ctx({ id: String(subscribed.id), delivery_id: String(first.id) }),
    );
    expect(again.status).toBe(202);
    expect(await readBody(again)).toMatchObject({ id: first.id, status: "pending", event_id: first.event_id });
    // Another organization's delivery id through this endpoint: not found.
    const elsewhere = await redeliver(
      request("POST", `/api/webhooks/${other.id}/deliveries/${first.id}/redeliver`, { token: account.token }),
      ctx({ id: String(other.id), delivery_id: String(first.id) }),
    );
    await expectError(elsewhere, 404, "Delivery not found");
  });
});

describe("a test event (the portal's Send test event)", () => {
  it("queues webhook.test for that endpoint alone, whatever it subscribes to", async () => {
    const account = await createAccount({ prefix: "webhook-test-event" });
    const target = await readBody(await create(account, { url: TARGET, events: ["key.deleted"] }));
    const bystander = await readBody(await create(account, { url: TARGET, events: ["key.deleted"] }));
    expect(await sendTestEvent(account.id, target.id)).toBe(true);
    const deliveries = await db().webhookDelivery.findMany({
      where: { endpoint: { ownerId: account.id } },
      select: { endpointId: true, event: { select: { type: true, payload: true } } },
    });
    expect(deliveries.map((d) => [d.endpointId, d.event.type])).toEqual([[target.id, "webhook.test"]]);
    expect(JSON.parse(deliveries[0].event.payload)).toMatchObject({
      type: "webhook.test",
      data: { message: expect.any(String) },
    });
    expect(bystander.id).not.toBe(target.id);
    // Another organization's endpoint: nothing queued.
    const other = await createAccount({ prefix: "webhook-test-other" });
    expect(await sendTestEvent(other.id, target.id)).toBe(false);
  });
});
