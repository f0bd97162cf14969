import { beforeAll, describe, expect, it } from "vitest";
import { PATCH as patchKey, GET as getKeyRoute } from "@/app/api/api-keys/[id]/route";
import { POST as rotate } from "@/app/api/api-keys/[id]/rotate/route";
import { POST as generate } from "@/app/api/api-keys/generate/route";
import { GET as listKeysRoute } from "@/app/api/api-keys/route";
import { POST as postData } from "@/app/api/api-routes-data/route";
import { serveDataRequest } from "@/lib/data-api/serve-data-request";
import { db } from "@/lib/db/client";
import { seedSampleRoutes } from "../helpers";
import {
  AUTH_ERROR,
  callData,
  createAccount,
  ctx,
  expectError,
  FORBIDDEN_ERROR,
  generateKey,
  noParams,
  readBody,
  request,
  type Account,
} from "./support";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

async function generateWith(token: string, body: Record<string, unknown>) {
  const response = await generate(request("POST", "/api/api-keys/generate", { token, body }), noParams);
  return { response, body: await readBody(response.clone()) };
}

async function rotateKey(token: string, id: number, body: unknown) {
  const response = await rotate(
    request("POST", `/api/api-keys/${id}/rotate`, { token, body }),
    ctx({ id: String(id) }),
  );
  return { response, body: await readBody(response.clone()) };
}

async function patch(token: string, id: number, body: unknown) {
  const response = await patchKey(request("PATCH", `/api/api-keys/${id}`, { token, body }), ctx({ id: String(id) }));
  return { response, body: await readBody(response.clone()) };
}

async function readKey(token: string, id: number) {
  return readBody(await getKeyRoute(request("GET", `/api/api-keys/${id}`, { token }), ctx({ id: String(id) })));
}

/** A data call as the hot path sees it at `at`: how expiry and grace are tested without waiting. */
async function callAt(key: string, username: string, at: Date, query = "?id=123") {
  const response = await serveDataRequest(
    {
      method: "GET",
      url: `/api/api-routes-data${query}`,
      headers: new Headers({ "x-api-key": key, "x-username": username }),
      ip: "127.0.0.1",
    },
    at,
  );
  return response;
}

/** A data call from `ip` as scripts/server.mjs passes it: the socket address last in X-Forwarded-For. */
function callFrom(key: string, username: string, forwardedFor: string, query = "?id=123") {
  return callData({ key, username, query, headers: { "x-forwarded-for": forwardedFor } });
}

beforeAll(async () => {
  await seedSampleRoutes();
});

describe("rotation with a grace period (POST /api/api-keys/{id}/rotate)", () => {
  let owner: Account;
  beforeAll(async () => {
    owner = await createAccount({ prefix: "rotate", plan: "professional" });
  });

  it("answers 201 with a new key (same name, user and controls, rotated_from_id), the old one working until the grace ends", async () => {
    const { body: old } = await generateWith(owner.token, {
      api_key_name: "staging-billing",
      user: "billing_svc",
      routes: [123, 125],
      read_only: true,
      ip_allowlist: ["127.0.0.1", "10.0.0.0/8"],
    });
    const before = Date.now();
    const { response, body } = await rotateKey(owner.token, old.id, { grace_period_seconds: 3600 });
    expect(response.status).toBe(201);
    expect(body.api_key).toMatch(/^sk_live_/);
    expect(body.api_key).not.toBe(old.api_key);
    expect(body).toMatchObject({
      api_key_name: "staging-billing",
      user: "billing_svc",
      environment: "staging",
      routes: [123, 125],
      read_only: true,
      ip_allowlist: ["127.0.0.1", "10.0.0.0/8"],
      rotated_from_id: old.id,
      status: "active",
      expires_at: null,
    });
    expect(body.id).not.toBe(old.id);

    // The outgoing key now expires at the end of its grace.
    const outgoing = await readKey(owner.token, old.id);
    const end = Date.parse(outgoing.expires_at);
    expect(end).toBeGreaterThanOrEqual(before + HOUR_MS);
    expect(end).toBeLessThanOrEqual(Date.now() + HOUR_MS);
    expect(outgoing.rotation_due).toBe(false);

    // Inside the grace both keys work; after it the old one gets the same 401 as any bad key.
    const inside = new Date(end - 60_000);
    const after = new Date(end + 1_000);
    expect((await callAt(old.api_key, "billing_svc", inside)).status).toBe(200);
    expect((await callAt(body.api_key, "billing_svc", inside)).status).toBe(200);
    const refused = await callAt(old.api_key, "billing_svc", after);
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual(AUTH_ERROR);
    expect((await callAt(body.api_key, "billing_svc", after)).status).toBe(200);
  });

  it("with grace 0, the old key fails at once", async () => {
    const old = await generateKey(owner.token, "grace-zero", "gz_svc");
    const { response, body } = await rotateKey(owner.token, old.id, { grace_period_seconds: 0 });
    expect(response.status).toBe(201);
    await expectError(await callData({ key: old.api_key, username: "gz_svc" }), 401);
    expect((await callData({ key: body.api_key, username: "gz_svc" })).status).toBe(200);
  });

  it("never extends a key's own expiry: an expiring key rotated with a week's grace still ends at its expiry (Unkey PR 5892)", async () => {
    const expiresAt = new Date(Date.now() + 30 * 60_000);
    const { body: old } = await generateWith(owner.token, {
      api_key_name: "expiring",
      user: "exp_svc",
      expires_at: expiresAt.toISOString(),
    });
    const { body: fresh } = await rotateKey(owner.token, old.id, { grace_period_seconds: 604800 });
    expect(Date.parse((await readKey(owner.token, old.id)).expires_at)).toBe(expiresAt.getTime());
    expect((await callAt(old.api_key, "exp_svc", new Date(expiresAt.getTime() - 1_000))).status).toBe(200);
    expect((await callAt(old.api_key, "exp_svc", new Date(expiresAt.getTime() + 1_000))).status).toBe(401);
    expect((await callAt(old.api_key, "exp_svc", new Date(Date.now() + 3 * DAY_MS))).status).toBe(401);
    // The replacement gets a validity of the same length (30 minutes) from now, not the old end.
    const length = Date.parse(fresh.expires_at) - Date.parse(fresh.created_at);
    expect(length).toBeGreaterThan(29 * 60_000);
    expect(length).toBeLessThanOrEqual(30 * 60_000);
  });

  it("refuses any other grace with 400, a second rotation of the same key with 409, another account's key with 404", async () => {
    const old = await generateKey(owner.token, "refusals", "ref_svc");
    for (const body of [
      {},
      { grace_period_seconds: 5 },
      { grace_period_seconds: "3600" },
      { grace_period_seconds: -1 },
    ]) {
      const { response } = await rotateKey(owner.token, old.id, body);
      await expectError(response, 400);
    }
    expect((await rotateKey(owner.token, old.id, { grace_period_seconds: 86400 })).response.status).toBe(201);
    await expectError(
      (await rotateKey(owner.token, old.id, { grace_period_seconds: 0 })).response,
      409,
      /already been rotated/,
    );
    const stranger = await createAccount({ prefix: "rotate-stranger" });
    await expectError((await rotateKey(stranger.token, old.id, { grace_period_seconds: 0 })).response, 404);
    await expectError((await rotateKey(owner.token, 999_999, { grace_period_seconds: 0 })).response, 404);
  });

  it("ends the grace of the key before when its successor is rotated: one outgoing key per chain", async () => {
    const first = await generateKey(owner.token, "chain", "chain_svc");
    const second = (await rotateKey(owner.token, first.id, { grace_period_seconds: 604800 })).body;
    expect((await callData({ key: first.api_key, username: "chain_svc" })).status).toBe(200);
    const third = (await rotateKey(owner.token, second.id, { grace_period_seconds: 604800 })).body;
    expect(third.rotated_from_id).toBe(second.id);
    // The first key's week is cut short; the second keeps its own grace; the third works.
    expect((await callData({ key: first.api_key, username: "chain_svc" })).status).toBe(401);
    expect(Date.parse((await readKey(owner.token, first.id)).expires_at)).toBeLessThanOrEqual(Date.now());
    expect((await callData({ key: second.api_key, username: "chain_svc" })).status).toBe(200);
    expect((await callData({ key: third.api_key, username: "chain_svc" })).status).toBe(200);
  });

  it("copies the key's controls as they are when it rotates, after a change", async () => {
    const { body: old } = await generateWith(owner.token, { api_key_name: "narrowed", user: "n_svc", routes: [123] });
    await patch(owner.token, old.id, { routes: [125], ip_allowlist: ["127.0.0.1"] });
    const { body } = await rotateKey(owner.token, old.id, { grace_period_seconds: 0 });
    expect(body).toMatchObject({ routes: [125], ip_allowlist: ["127.0.0.1"] });
  });

  it("lets only one of two concurrent rotations of one key through", async () => {
    const old = await generateKey(owner.token, "race-rotate", "race_svc");
    const results = await Promise.all([0, 1].map(() => rotateKey(owner.token, old.id, { grace_period_seconds: 3600 })));
    expect(results.map((r) => r.response.status).sort()).toEqual([201, 409]);
    const { body } = await readBody(
      await listKeysRoute(request("GET", "/api/api-keys?q=race-rotate", { token: owner.token }), noParams),
    ).then((list) => ({ body: list }));
    expect(body.pagination.total).toBe(2);
  });

  it("does not count the outgoing key against the plan's key limit", async () => {
    const free = await createAccount({ prefix: "rotate-free" }); // Free: 2 keys
    const first = await generateKey(free.token, "one", "one_svc");
    await generateKey(free.token, "two", "two_svc");
    await expectError((await generateWith(free.token, { api_key_name: "three", user: "x" })).response, 403);
    // At the limit, a rotation still goes through (it replaces, it does not add)…
    expect((await rotateKey(free.token, first.id, { grace_period_seconds: 604800 })).response.status).toBe(201);
    // …and after it the account holds 3 rows but 2 counted keys: still at the limit.
    await expectError((await generateWith(free.token, { api_key_name: "three", user: "x" })).response, 403);
    const list = await readBody(await listKeysRoute(request("GET", "/api/api-keys", { token: free.token }), noParams));
    expect(list.pagination.total).toBe(3);
  });
});

describe("optional expiry at generation", () => {
  let owner: Account;
  beforeAll(async () => {
    owner = await createAccount({ prefix: "expiry", plan: "professional" });
  });

  it("takes expires_in_days or expires_at; the key fails with the 401 once past it", async () => {
    const { response, body } = await generateWith(owner.token, {
      api_key_name: "days",
      user: "d_svc",
      expires_in_days: 7,
    });
    expect(response.status).toBe(201);
    const expires = Date.parse(body.expires_at);
    expect(Math.abs(expires - (Date.parse(body.created_at) + 7 * DAY_MS))).toBeLessThan(1_000);
    expect((await callAt(body.api_key, "d_svc", new Date(expires - 1_000))).status).toBe(200);
    const refused = await callAt(body.api_key, "d_svc", new Date(expires + 1_000));
    expect(refused).toMatchObject({ status: 401, body: AUTH_ERROR });

    const at = new Date(Date.now() + 2 * DAY_MS);
    const exact = await generateWith(owner.token, { api_key_name: "at", user: "a_svc", expires_at: at.toISOString() });
    expect(exact.body.expires_at).toBe(at.toISOString());
  });

  it("refuses a time in the past, both forms together, and bad values with 400", async () => {
    const cases = [
      { expires_at: new Date(Date.now() - 60_000).toISOString() },
      { expires_at: "2025-02-30T00:00:00Z" },
      { expires_at: "tomorrow" },
      { expires_in_days: 0 },
      { expires_in_days: 1.5 },
      { expires_in_days: "7" },
      { expires_at: new Date(Date.now() + DAY_MS).toISOString(), expires_in_days: 3 },
      { expires_at: "9999-12-31T23:59:59Z" },
      { expires_in_days: 3651 },
    ];
    for (const extra of cases) {
      const { response } = await generateWith(owner.token, { api_key_name: "bad-expiry", user: "b", ...extra });
      await expectError(response, 400);
    }
    const past = await generateWith(owner.token, {
      api_key_name: "past",
      user: "p",
      expires_at: "2020-01-01T00:00:00Z",
    });
    expect(past.body.message).toBe("expires_at must be in the future");
  });
});

describe("scopes: routes and read-only", () => {
  let owner: Account;
  beforeAll(async () => {
    owner = await createAccount({ prefix: "scopes", plan: "professional" });
  });

  it("by default a key reads every route its plan allows", async () => {
    const key = await generateKey(owner.token, "full", "full_svc");
    expect(key).toMatchObject({ routes: null, read_only: false });
    expect((await callData({ key: key.api_key, username: "full_svc", query: "?id=123" })).status).toBe(200);
    expect((await callData({ key: key.api_key, username: "full_svc", query: "?id=125" })).status).toBe(200);
  });

  it("a key limited to routes gets the reference's exact 403 elsewhere, and a change applies to the very next call", async () => {
    const { body: key } = await generateWith(owner.token, { api_key_name: "only-125", user: "s_svc", routes: [125] });
    expect(key.routes).toEqual([125]);
    expect((await callData({ key: key.api_key, username: "s_svc", query: "?id=125" })).status).toBe(200);
    const outside = await callData({ key: key.api_key, username: "s_svc", query: "?id=123" });
    expect(outside.status).toBe(403);
    expect(await readBody(outside)).toEqual(FORBIDDEN_ERROR);
    // A route id that does not exist is outside the scope too: a limited key can't probe for ids.
    expect((await callData({ key: key.api_key, username: "s_svc", query: "?id=999" })).status).toBe(403);

    // Widened: the cached record is dropped, so the very next call sees it.
    expect((await patch(owner.token, key.id, { routes: null })).body.routes).toBeNull();
    expect((await callData({ key: key.api_key, username: "s_svc", query: "?id=123" })).status).toBe(200);
    // Narrowed again.
    expect((await patch(owner.token, key.id, { routes: [125] })).response.status).toBe(200);
    expect((await callData({ key: key.api_key, username: "s_svc", query: "?id=123" })).status).toBe(403);
  });

  it("a read-only key is refused write methods with the 403; other keys get the 405", async () => {
    const { body: readOnly } = await generateWith(owner.token, { api_key_name: "ro", user: "ro_svc", read_only: true });
    const { body: full } = await generateWith(owner.token, { api_key_name: "rw", user: "rw_svc" });
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      const headers = { "x-api-key": readOnly.api_key, "x-username": "ro_svc" };
      const refused = await postData(request(method, "/api/api-routes-data?id=123", { headers }), noParams);
      expect(refused.status).toBe(403);
      expect(await readBody(refused)).toEqual(FORBIDDEN_ERROR);
      const other = { "x-api-key": full.api_key, "x-username": "rw_svc" };
      expect(
        (await postData(request(method, "/api/api-routes-data?id=123", { headers: other }), noParams)).status,
      ).toBe(405);
    }
    expect((await callData({ key: readOnly.api_key, username: "ro_svc" })).status).toBe(200);
  });

  it("refuses bad scopes with 400", async () => {
    for (const extra of [
      { routes: [] },
      { routes: [0] },
      { routes: ["123"] },
      { routes: 123 },
      { read_only: "yes" },
      { environment: "prod" },
    ]) {
      await expectError(
        (await generateWith(owner.token, { api_key_name: "bad-scope", user: "b", ...extra })).response,
        400,
      );
    }
  });
});

describe("IP allow-list", () => {
  let owner: Account;
  let key: { id: number; api_key: string };
  beforeAll(async () => {
    owner = await createAccount({ prefix: "allowlist", plan: "professional" });
    const { body } = await generateWith(owner.token, {
      api_key_name: "office",
      user: "ip_svc",
      ip_allowlist: ["203.0.113.7", "10.0.0.0/8", "2001:db8::/32"],
    });
    key = body;
  });

  it("admits listed addresses and ranges, IPv4 and IPv6, and IPv4-mapped IPv6 as IPv4", async () => {
    for (const ip of [
      "203.0.113.7",
      "10.20.30.40",
      "2001:db8::1",
      "2001:db8:ffff::9",
      "::ffff:203.0.113.7",
      "::ffff:10.1.1.1",
    ]) {
      expect({ ip, status: (await callFrom(key.api_key, "ip_svc", ip)).status }).toEqual({ ip, status: 200 });
    }
  });

  it("refuses every other address with 403, including a spoofed X-Forwarded-For", async () => {
    for (const ip of ["203.0.113.8", "11.0.0.1", "2001:db9::1", "::ffff:11.0.0.1", "unknown"]) {
      const response = await callFrom(key.api_key, "ip_svc", ip);
      expect({ ip, status: response.status }).toEqual({ ip, status: 403 });
      expect((await readBody(response)).success).toBe(false);
    }
    // TRUST_PROXY off: a client-sent X-Forwarded-For is ignored; the server appends the socket
    // address, and that is what counts.
    const spoofed = await callFrom(key.api_key, "ip_svc", "203.0.113.7, 198.51.100.9");
    expect(spoofed.status).toBe(403);
  });

  it("normalises entries, refuses bad ones and more than 50 with 400, and can be cleared", async () => {
    const { body } = await patch(owner.token, key.id, {
      ip_allowlist: ["10.1.2.3/8", "::ffff:198.51.100.1", "2001:DB8:0:0::1"],
    });
    expect(body.ip_allowlist).toEqual(["10.0.0.0/8", "198.51.100.1", "2001:db8::1"]);
    expect((await callFrom(key.api_key, "ip_svc", "198.51.100.1")).status).toBe(200);
    expect((await callFrom(key.api_key, "ip_svc", "203.0.113.7")).status).toBe(403);
    // Octal and short inet_aton forms are refused, in ranges too: "192.168.010.0/24" would be 192.168.8.0/24.
    for (const ip_allowlist of [
      ["300.1.1.1"],
      ["10.0.0.0/33"],
      ["example.com"],
      ["10"],
      ["192.168.010.0/24"],
      ["10.1/16"],
      ["0x0a.0.0.0/8"],
      [],
      "10.0.0.1",
    ]) {
      await expectError((await patch(owner.token, key.id, { ip_allowlist })).response, 400);
    }
    const many = Array.from({ length: 51 }, (_, i) => `192.0.2.${i}`);
    await expectError((await patch(owner.token, key.id, { ip_allowlist: many })).response, 400);
    expect((await patch(owner.token, key.id, { ip_allowlist: null })).body.ip_allowlist).toBeNull();
    expect((await callFrom(key.api_key, "ip_svc", "203.0.113.99")).status).toBe(200);
  });
});

describe("environments and rotation reminders", () => {
  let owner: Account;
  beforeAll(async () => {
    owner = await createAccount({ prefix: "environment", plan: "professional" });
  });

  it("suggests the environment from the name's prefix unless one is chosen", async () => {
    expect((await generateKey(owner.token, "prod-api", "e1")).environment).toBe("production");
    expect((await generateKey(owner.token, "staging_web", "e2")).environment).toBe("staging");
    expect((await generateKey(owner.token, "dev-laptop", "e3")).environment).toBe("development");
    expect((await generateKey(owner.token, "billing", "e4")).environment).toBe("production");
    const chosen = await generateWith(owner.token, {
      api_key_name: "dev-but-prod",
      user: "e5",
      environment: "production",
    });
    expect(chosen.body.environment).toBe("production");
  });

  it("marks keys older than 90 / 60 / 30 days rotation_due, and not a rotated-out one", async () => {
    const keys = {
      prod89: await generateWith(owner.token, { api_key_name: "p89", user: "r", environment: "production" }),
      prod91: await generateWith(owner.token, { api_key_name: "p91", user: "r", environment: "production" }),
      stag61: await generateWith(owner.token, { api_key_name: "s61", user: "r", environment: "staging" }),
      dev29: await generateWith(owner.token, { api_key_name: "d29", user: "r", environment: "development" }),
      dev31: await generateWith(owner.token, { api_key_name: "d31", user: "r", environment: "development" }),
    };
    const ageDays = { prod89: 89, prod91: 91, stag61: 61, dev29: 29, dev31: 31 };
    for (const [name, days] of Object.entries(ageDays)) {
      const id = keys[name as keyof typeof keys].body.id;
      await db().apiKey.update({ where: { id }, data: { createdAt: new Date(Date.now() - days * DAY_MS) } });
    }
    const due = async (name: keyof typeof keys) => (await readKey(owner.token, keys[name].body.id)).rotation_due;
    expect(await due("prod89")).toBe(false);
    expect(await due("prod91")).toBe(true);
    expect(await due("stag61")).toBe(true);
    expect(await due("dev29")).toBe(false);
    expect(await due("dev31")).toBe(true);
    // Rotated: the old one is no longer due, and its fresh replacement is not either.
    const { body: fresh } = await rotateKey(owner.token, keys.dev31.body.id, { grace_period_seconds: 3600 });
    expect(await due("dev31")).toBe(false);
    expect(fresh.rotation_due).toBe(false);
  });
});
