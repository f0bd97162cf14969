import { beforeAll, describe, expect, it } from "vitest";
import { GET as listRoutes, POST as createRoute } from "@/app/api/admin/routes/route";
import { DELETE as deleteRoute, GET as getRoute, PATCH as patchRoute } from "@/app/api/admin/routes/[id]/route";
import { setRole } from "@/lib/auth/roles";
import { db } from "@/lib/db/client";
import { seedSampleRoutes } from "../helpers";
import {
  AUTH_ERROR,
  FORBIDDEN_ERROR,
  callData,
  createAccount,
  ctx,
  expectError,
  generateKey,
  noParams,
  readBody,
  request,
  type Account,
  type GeneratedKey,
} from "./support";

/** /api/admin/routes: operators define what the keys guard; the data API serves it at its next call. */
let operator: Account;
let user: Account;
let key: GeneratedKey;

beforeAll(async () => {
  await seedSampleRoutes();
  operator = await createAccount({ prefix: "operator", plan: "enterprise" });
  user = await createAccount({ prefix: "not-operator", plan: "enterprise" });
  await setRole(operator.email, "operator");
  key = await generateKey(user.token, "Route reader", "route_reader");
});

const create = (body: unknown, token = operator.token) =>
  createRoute(request("POST", "/api/admin/routes", { token, body }), noParams);
const patch = (id: number, body: unknown, token = operator.token) =>
  patchRoute(request("PATCH", `/api/admin/routes/${id}`, { token, body }), ctx({ id: String(id) }));
const remove = (id: number, token = operator.token) =>
  deleteRoute(request("DELETE", `/api/admin/routes/${id}`, { token }), ctx({ id: String(id) }));
const readData = async (id: number) => {
  const response = await callData({ key: key.api_key, username: "route_reader", query: `?id=${id}` });
  return { status: response.status, body: await readBody(response) };
};

describe("who may call /api/admin/routes", () => {
  it("no Bearer is a 401, an account that is not an operator a 403, on every verb", async () => {
    const calls = (token?: string) => [
      listRoutes(request("GET", "/api/admin/routes", { token }), noParams),
      createRoute(
        request("POST", "/api/admin/routes", { token, body: { slug: "x", name: "x", payload: {} } }),
        noParams,
      ),
      getRoute(request("GET", "/api/admin/routes/123", { token }), ctx({ id: "123" })),
      patchRoute(request("PATCH", "/api/admin/routes/123", { token, body: { name: "x" } }), ctx({ id: "123" })),
      deleteRoute(request("DELETE", "/api/admin/routes/123", { token }), ctx({ id: "123" })),
    ];
    for (const response of await Promise.all(calls(undefined))) {
      expect(response.status).toBe(401);
      expect(await readBody(response)).toEqual(AUTH_ERROR);
    }
    for (const response of await Promise.all(calls(user.token))) {
      expect(response.status).toBe(403);
      expect(await readBody(response)).toEqual(FORBIDDEN_ERROR);
    }
  });

  it("a demotion takes effect at the operator's next call", async () => {
    const other = await createAccount({ prefix: "demoted" });
    await setRole(other.email, "operator");
    const list = () => listRoutes(request("GET", "/api/admin/routes", { token: other.token }), noParams);
    expect((await list()).status).toBe(200);
    await setRole(other.email, "user");
    expect((await list()).status).toBe(403);
  });
});

describe("routes", () => {
  it("lists the reference's sample routes as built in, with their slugs", async () => {
    const body = await readBody(
      await listRoutes(request("GET", "/api/admin/routes", { token: operator.token }), noParams),
    );
    expect(body.data.filter((r: any) => r.built_in).map((r: any) => [r.id, r.slug])).toEqual([
      [123, "sample"],
      [124, "professional"],
      [125, "status"],
    ]);
    expect(body.data[0]).toMatchObject({ upstream_url: null, methods: ["GET"], timeout_ms: 10000, min_plan: "free" });
  });

  it("a payload route is served by the data API at once; a change and a delete too", async () => {
    const response = await create({ slug: "inventory", name: "Inventory", payload: { items: 3 } });
    expect(response.status).toBe(201);
    const route = await readBody(response);
    expect(route).toMatchObject({ slug: "inventory", payload: { items: 3 }, upstream_url: null, built_in: false });
    expect(route.id).toBeGreaterThan(125);
    expect(await readData(route.id)).toMatchObject({ status: 200, body: { success: true, data: { items: 3 } } });

    const changed = await patch(route.id, { payload: { items: 4 }, min_plan: "professional" });
    expect(changed.status).toBe(200);
    expect(await readData(route.id)).toMatchObject({ status: 200, body: { data: { items: 4 } } });

    expect((await remove(route.id)).status).toBe(200);
    expect((await readData(route.id)).status).toBe(404);
    expect((await remove(route.id)).status).toBe(404);

    const audit = await db().auditLog.findMany({
      where: { ownerId: operator.id, action: { startsWith: "route." } },
      orderBy: { id: "asc" },
    });
    expect(audit.map((row) => [row.action, row.actor])).toEqual([
      ["route.created", "api"],
      ["route.updated", "api"],
      ["route.deleted", "api"],
    ]);
  });

  it("an upstream route takes an http(s) base URL and the methods it passes on", async () => {
    const response = await create({
      slug: "orders",
      name: "Orders",
      upstream_url: "https://orders.internal:8443/v1",
      methods: ["GET", "POST", "GET"],
      timeout_ms: 2500,
    });
    expect(response.status).toBe(201);
    expect(await readBody(response)).toMatchObject({
      upstream_url: "https://orders.internal:8443/v1",
      payload: null,
      methods: ["GET", "POST"],
      timeout_ms: 2500,
    });
  });

  it.each([
    [
      { slug: "both", name: "x", payload: {}, upstream_url: "http://a.test" },
      /exactly one of upstream_url and payload/,
    ],
    [{ slug: "neither", name: "x" }, /exactly one of upstream_url and payload/],
    [{ slug: "Bad_Slug", name: "x", payload: {} }, /slug must start with a-z/],
    [{ slug: "creds", name: "x", upstream_url: "http://user:pw@a.test" }, /without credentials/],
    [{ slug: "query", name: "x", upstream_url: "http://a.test/?q=1" }, /without credentials, query or fragment/],
    [{ slug: "ftp", name: "x", upstream_url: "ftp://a.test" }, /http:\/\/ or https:\/\//],
    [{ slug: "verbs", name: "x", payload: {}, methods: ["TRACE"] }, /methods/],
    [{ slug: "slow", name: "x", payload: {}, timeout_ms: 600000 }, /timeout_ms must be at most 120000/],
    [{ slug: "list", name: "x", payload: [1, 2] }, /payload must be a JSON object/],
  ])("refuses %j with a 400", async (body, message) => {
    await expectError(await create(body), 400, message);
  });

  it("a slug is unique (409), and a PATCH must leave exactly one target (400)", async () => {
    const first = await readBody(await create({ slug: "unique-one", name: "One", payload: {} }));
    await expectError(await create({ slug: "unique-one", name: "Again", payload: {} }), 409, /already exists/);
    const second = await readBody(await create({ slug: "unique-two", name: "Two", payload: {} }));
    await expectError(await patch(second.id, { slug: "unique-one" }), 409, /already exists/);
    await expectError(await patch(first.id, { upstream_url: "http://a.test" }), 400, /exactly one/);
    const moved = await patch(first.id, { upstream_url: "http://a.test", payload: null });
    expect(await readBody(moved)).toMatchObject({ upstream_url: "http://a.test", payload: null });
  });

  it("the sample routes are read-only: PATCH and DELETE are 409", async () => {
    await expectError(await patch(123, { name: "Mine now" }), 409, /sample routes/);
    await expectError(await remove(124), 409, /sample routes/);
    expect(await readData(123)).toMatchObject({ status: 200 });
  });

  it("two operators creating at once get different ids", async () => {
    const responses = await Promise.all(
      Array.from({ length: 6 }, (_, i) => create({ slug: `parallel-${i}`, name: `P${i}`, payload: { i } })),
    );
    expect(responses.map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 201]);
    const ids = await Promise.all(responses.map(async (r) => (await readBody(r)).id));
    expect(new Set(ids).size).toBe(6);
  });
});
