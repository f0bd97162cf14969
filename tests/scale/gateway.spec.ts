// The gateway (/gw/{slug}/…) and the verify endpoint across two production instances on one
// PostgreSQL database and one Redis: a route, key or service token made through A is used
// through B, and a change made through A is what B answers at its very next call. The tests run
// in order and share the route and accounts the earlier ones made. Nothing here is timed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../scripts/support/start-server.mjs";
import { admin, createFreshDatabase, dropDatabase, startInstances } from "./support/cluster";
import { call, newAccount, type Account, type IssuedKey } from "./support/http";
import { PORTS } from "./support/services";
import { startUpstream, type Upstream } from "./support/upstream";
import { runKeyTrials, type TrialPortal } from "../shared/key-trials";
import http from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { createVerifier, expressMiddleware } from "@keyportal/verify";

let database = "";
let instances: RunningServer[] = [];
const [portA, portB] = PORTS;
let one: Upstream;
let two: Upstream;
let operator: Account;
let route: { id: number; slug: string };

beforeAll(async () => {
  database = await createFreshDatabase();
  [one, two] = await Promise.all([startUpstream("one"), startUpstream("two")]);
  instances = await startInstances(PORTS, database);
  operator = await newAccount(portA, "gw-operator");
  await admin(database, "set-role", operator.email, "operator");
  // Many keys, and a quota the trials below cannot spend.
  await admin(database, "set-plan", operator.email, "enterprise");
  const created = await call(portA, "POST", "/api/admin/routes", {
    token: operator.token,
    body: { slug: "orders", name: "Orders", upstream_url: one.base, methods: ["GET", "POST"] },
  });
  if (created.status !== 201) throw new Error(`route not created: ${created.status} ${created.text}`);
  route = created.json;
});

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.stop()));
  if (database) await dropDatabase(database);
  await Promise.all([one?.stop(), two?.stop()]);
});

const generate = async (account: Account, name: string): Promise<IssuedKey> => {
  const generated = await call(portA, "POST", "/api/api-keys/generate", {
    token: account.token,
    body: { api_key_name: name, user: "gw_user" },
  });
  expect(generated.status, generated.text).toBe(201);
  return generated.json;
};

const gateway = (port: number, key: IssuedKey, rest = "/a/b?x=1") =>
  call(port, "GET", `/gw/${route.slug}${rest}`, { headers: { "x-api-key": key.api_key, "x-username": key.user } });

/** How many calls of `key` the upstreams have received. */
const forwarded = (key: IssuedKey) => [...one.seen, ...two.seen].filter((seen) => seen.keyId === String(key.id)).length;

describe("a route and keys made through A, called through B's gateway", () => {
  it("forwards B's call to the route's upstream under its base path, as the key made on A", async () => {
    const key = await generate(operator, "gw-forward");
    const answer = await gateway(portB, key);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.json).toEqual({
      upstream: "one",
      method: "GET",
      url: "/base/a/b?x=1",
      keyId: String(key.id),
      username: "gw_user",
    });
    expect(one.seen).toContainEqual(answer.json);
    expect(answer.headers.get("x-ratelimit-limit")).toBe("100000");
    expect(answer.headers.get("x-request-id")).toBeTruthy();
  });

  it("refuses a key deactivated through A at B's very next gateway call, in every trial", async () => {
    const nextAnswers: number[] = [];
    for (let trial = 0; trial < 5; trial++) {
      const key = await generate(operator, `gw-deactivate-${trial}`);
      expect((await gateway(portB, key)).status).toBe(200);
      const deactivated = await call(portA, "PUT", `/api/api-keys/${key.id}/status`, {
        token: operator.token,
        body: { status: "inactive" },
      });
      expect(deactivated.status).toBe(200);
      const next = await gateway(portB, key);
      console.log(`deactivate trial ${trial + 1}: B's next gateway call ${next.status}`);
      nextAnswers.push(next.status);
      expect(forwarded(key)).toBe(1);
    }
    expect(nextAnswers).toEqual(Array(5).fill(401));
  });

  it("follows the route's upstream_url PATCHed through A at B's very next call, in every trial", async () => {
    const key = await generate(operator, "gw-follow");
    const reached: string[] = [];
    // Ends on "one", where the route started.
    for (const target of [two, one, two, one]) {
      // Warm: B holds the route as it is before the change.
      expect((await gateway(portB, key)).status).toBe(200);
      const patched = await call(portA, "PATCH", `/api/admin/routes/${route.id}`, {
        token: operator.token,
        body: { upstream_url: target.base },
      });
      expect(patched.status, patched.text).toBe(200);
      const next = await gateway(portB, key, "/moved");
      expect(next.status, next.text).toBe(200);
      expect(next.json.url).toBe("/base/moved");
      reached.push(next.json.upstream);
    }
    expect(reached).toEqual(["two", "one", "two", "one"]);
  });

  let free: Account;
  let freeKey: IssuedKey;

  it("passes exactly 60 calls of a Free account split across both; the 61st on either is 429", async () => {
    free = await newAccount(portA, "gw-free");
    freeKey = await generate(free, "gw-free");
    const calls = await Promise.all(
      Array.from({ length: 60 }, (_, i) => gateway(PORTS[i % 2], freeKey, `/quota/${i}`)),
    );
    expect(calls.map((answer) => answer.status)).toEqual(Array(60).fill(200));
    const overA = await gateway(portA, freeKey);
    const overB = await gateway(portB, freeKey);
    expect([overA.status, overB.status]).toEqual([429, 429]);
    expect(overB.json).toMatchObject({ success: false });
    expect(overB.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(overB.headers.get("retry-after")).toBeTruthy();
    expect(forwarded(freeKey)).toBe(60);
  });

  describe("the verify endpoint through B with a service token made on A", () => {
    let serviceToken: { id: number; token: string };
    let key: IssuedKey;

    beforeAll(async () => {
      const created = await call(portA, "POST", "/api/admin/service-tokens", {
        token: operator.token,
        body: { name: "scale-service" },
      });
      expect(created.status, created.text).toBe(201);
      serviceToken = created.json;
      key = await generate(operator, "gw-verified");
    });

    const verify = (port: number, body: Record<string, unknown>, token = serviceToken.token) =>
      call(port, "POST", "/api/v1/keys/verify", { headers: { authorization: `Bearer ${token}` }, body });

    it("answers VALID for a key made on A, with its limit", async () => {
      const answer = await verify(portB, { api_key: key.api_key, username: key.user, route: route.slug });
      expect(answer.status, answer.text).toBe(200);
      expect(answer.json).toMatchObject({
        valid: true,
        code: "VALID",
        key: { id: key.id, name: "gw-verified" },
        ratelimit: { limit: 100000 },
      });
    });

    it("answers RATE_LIMITED for the Free key whose hour both instances spent", async () => {
      const answer = await verify(portB, { api_key: freeKey.api_key, username: freeKey.user, route: route.slug });
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ valid: false, code: "RATE_LIMITED", ratelimit: { remaining: 0 } });
    });

    it("answers DISABLED at B's very next verify once the key is deactivated through A", async () => {
      const deactivated = await call(portA, "PUT", `/api/api-keys/${key.id}/status`, {
        token: operator.token,
        body: { status: "inactive" },
      });
      expect(deactivated.status).toBe(200);
      const answer = await verify(portB, { api_key: key.api_key, username: key.user, route: route.slug });
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ valid: false, code: "DISABLED" });
    });

    it("refuses the service token at B's very next call once it is revoked through A", async () => {
      const revoked = await call(portA, "DELETE", `/api/admin/service-tokens/${serviceToken.id}`, {
        token: operator.token,
      });
      expect(revoked.status, revoked.text).toBeLessThan(300);
      const answer = await verify(portB, { api_key: key.api_key, username: key.user });
      expect(answer.status).toBe(401);
      expect(answer.json).toMatchObject({ success: false });
    });
  });
});

describe("a service protected through B, keys made and changed through A: every control acts at its next call", () => {
  let otherRouteId: number;

  /** The trials' portal: A, as the operator, and a Free account of its own for the limit's trial. */
  async function portalOnA(): Promise<TrialPortal> {
    const free = await newAccount(portA, "trials-free");
    const onA = async (method: string, path: string, body?: unknown, token = operator.token) => {
      const answer = await call(portA, method, path, { token, ...(body === undefined ? {} : { body }) });
      expect(answer.status, `${method} ${path}: ${answer.text}`).toBeLessThan(300);
      return answer.json;
    };
    return {
      generate: (body, account) =>
        onA("POST", "/api/api-keys/generate", body, account === "free" ? free.token : operator.token),
      rotate: (id, grace) => onA("POST", `/api/api-keys/${id}/rotate`, { grace_period_seconds: grace }),
      setStatus: async (id, status) => void (await onA("PUT", `/api/api-keys/${id}/status`, { status })),
      remove: async (id) => void (await onA("DELETE", `/api/api-keys/${id}`)),
    };
  }

  beforeAll(async () => {
    const other = await call(portA, "POST", "/api/admin/routes", {
      token: operator.token,
      body: { slug: "invoices", name: "Invoices", upstream_url: one.base, methods: ["GET"] },
    });
    expect(other.status, other.text).toBe(201);
    otherRouteId = other.json.id;
  });

  it("behind B's gateway", async () => {
    await runKeyTrials({
      portal: await portalOnA(),
      routeId: route.id,
      otherRouteId,
      label: "gateway",
      protectedCall: async (key, method = "GET") =>
        (
          await call(portB, method, `/gw/${route.slug}/trial`, {
            headers: { "x-api-key": key.api_key, "x-username": key.user },
            ...(method === "POST" ? { body: { trial: true } } : {}),
          })
        ).status,
    });
  });

  it("an Express service behind @keyportal/verify, asking B with a service token made on A", async () => {
    const made = await call(portA, "POST", "/api/admin/service-tokens", {
      token: operator.token,
      body: { name: "express-trials" },
    });
    expect(made.status, made.text).toBe(201);
    // The package README's example, pointed at B.
    const verifier = createVerifier({ baseUrl: `http://127.0.0.1:${portB}`, serviceToken: made.json.token });
    const app = express();
    const guard = expressMiddleware(verifier, { route: route.slug });
    app.get("/trial", guard, (_req, res) => void res.json({ ok: true }));
    app.post("/trial", guard, (_req, res) => void res.status(200).json({ ok: true }));
    const server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const service = `http://127.0.0.1:${(server.address() as AddressInfo).port}/trial`;
    try {
      await runKeyTrials({
        portal: await portalOnA(),
        routeId: route.id,
        otherRouteId,
        label: "middleware",
        protectedCall: async (key, method = "GET") =>
          (await fetch(service, { method, headers: { "x-api-key": key.api_key, "x-username": key.user } })).status,
      });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
