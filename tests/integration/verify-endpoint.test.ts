import { beforeAll, describe, expect, it } from "vitest";
import { POST as generate } from "@/app/api/api-keys/generate/route";
import { POST as verify } from "@/app/api/v1/keys/verify/route";
import { setRole } from "@/lib/auth/roles";
import { createServiceToken } from "@/lib/auth/service-tokens";
import { setPlan } from "@/lib/auth/users";
import { createRoute } from "@/lib/data-routes/route-commands";
import { db } from "@/lib/db/client";
import { ANONYMOUS_HOURLY_LIMIT } from "@/lib/limits/plans";
import { flushUsage } from "@/lib/usage/usage-recorder";
import { seedSampleRoutes } from "../helpers";
import {
  AUTH_ERROR,
  createAccount,
  expectError,
  generateKey,
  mistype,
  noParams,
  readBody,
  request,
  setStatus,
  type Account,
  type GeneratedKey,
} from "./support";

/** POST /api/v1/keys/verify: the data API's decision, answered as a code to a service that serves the call itself. */
let operator: Account;
let owner: Account;
let key: GeneratedKey;
let serviceToken: string;
let routeSlug: string;

beforeAll(async () => {
  await seedSampleRoutes();
  operator = await createAccount({ prefix: "verify-operator" });
  await setRole(operator.email, "operator");
  serviceToken = (await createServiceToken(operator.id, "verify-tests")).token;
  owner = await createAccount({ prefix: "verify-owner", plan: "professional" });
  key = await generateKey(owner.token, "verified-key", "svc_user");
  routeSlug = (
    await createRoute(operator.id, {
      slug: "orders-verify",
      name: "Orders",
      description: "",
      min_plan: "free",
      upstream_url: "http://127.0.0.1:9/orders",
      payload: null,
      methods: ["GET", "POST"],
      timeout_ms: 1000,
    })
  ).slug;
});

const call = (body: unknown, token: string | null = serviceToken) =>
  verify(
    request("POST", "/api/v1/keys/verify", { body, headers: token ? { authorization: `Bearer ${token}` } : {} }),
    noParams,
  );
const verified = async (body: Record<string, unknown>) => {
  const response = await call(body);
  expect(response.status).toBe(200);
  return readBody(response);
};
const keyWith = async (body: Record<string, unknown>) => {
  const response = await generate(request("POST", "/api/api-keys/generate", { token: owner.token, body }), noParams);
  expect(response.status).toBe(201);
  return readBody(response) as Promise<GeneratedKey>;
};

describe("who may ask", () => {
  it("a missing or bad service token is the 401 envelope; a malformed body a 400", async () => {
    for (const token of [null, "kps_not-a-real-token", owner.token]) {
      const response = await call({ api_key: key.api_key, username: "svc_user" }, token);
      expect(response.status).toBe(401);
      expect(await readBody(response)).toEqual(AUTH_ERROR);
    }
    await expectError(await call({ api_key: key.api_key }), 400, /username is required/);
    await expectError(
      await call({ api_key: key.api_key, username: "u", ip: "not-an-ip" }),
      400,
      /ip must be an IP address/,
    );
    await expectError(await call({ api_key: key.api_key, username: "u", route: "Bad Slug" }), 400, /route/);
  });
});

describe("codes", () => {
  it("VALID: the key's facts and the owner's quota, counted, with a usage row for the caller's route and method", async () => {
    const first = await verified({
      api_key: key.api_key,
      username: "svc_user",
      route: routeSlug,
      method: "post",
      ip: "203.0.113.9",
    });
    expect(first).toEqual({
      valid: true,
      code: "VALID",
      key: {
        id: key.id,
        name: "verified-key",
        environment: "production",
        owner_id: owner.id,
        plan: "professional",
        routes: null,
        read_only: false,
        expires_at: null,
      },
      ratelimit: { limit: 5000, remaining: expect.any(Number), reset: expect.any(Number) },
    });
    const second = await verified({ api_key: key.api_key, username: "svc_user", route: routeSlug });
    expect(second.ratelimit.remaining).toBe(first.ratelimit.remaining - 1);
    expect(second.ratelimit.reset).toBeGreaterThan(Date.now() / 1000);
    await flushUsage();
    const rows = await db().usageLog.findMany({ where: { apiKeyId: key.id }, orderBy: { id: "asc" } });
    expect(rows.slice(0, 2).map((r) => [r.method, r.path, r.statusCode, r.ip])).toEqual([
      ["POST", `/gw/${routeSlug}`, 200, "203.0.113.9"],
      ["GET", `/gw/${routeSlug}`, 200, expect.stringMatching(/^service-token:\d+$/)],
    ]);
  });

  it("NOT_FOUND and USERNAME_MISMATCH tell nothing of the key; DISABLED and EXPIRED name it", async () => {
    expect(await verified({ api_key: mistype(key.api_key), username: "svc_user" })).toEqual({
      valid: false,
      code: "NOT_FOUND",
      key: null,
      ratelimit: null,
    });
    expect(await verified({ api_key: key.api_key, username: "someone_else" })).toMatchObject({
      code: "USERNAME_MISMATCH",
      key: null,
    });
    const disabled = await generateKey(owner.token, "disabled-key", "svc_user");
    expect((await setStatus(owner.token, disabled.id, "inactive")).status).toBe(200);
    expect(await verified({ api_key: disabled.api_key, username: "svc_user" })).toMatchObject({
      valid: false,
      code: "DISABLED",
      key: { id: disabled.id },
    });
    const expiring = await keyWith({
      api_key_name: "expiring-key",
      user: "svc_user",
      expires_at: new Date(Date.now() + 1500).toISOString(),
    });
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect(await verified({ api_key: expiring.api_key, username: "svc_user" })).toMatchObject({
      code: "EXPIRED",
      key: { id: expiring.id },
    });
  });

  it("FORBIDDEN: a route outside the key's routes or above the plan, an unknown route, or none for a limited key", async () => {
    const limited = await keyWith({ api_key_name: "limited-key", user: "svc_user", routes: [125] });
    expect((await verified({ api_key: limited.api_key, username: "svc_user", route: 125 })).code).toBe("VALID");
    expect((await verified({ api_key: limited.api_key, username: "svc_user", route: 123 })).code).toBe("FORBIDDEN");
    expect((await verified({ api_key: limited.api_key, username: "svc_user" })).code).toBe("FORBIDDEN");
    expect((await verified({ api_key: key.api_key, username: "svc_user", route: "no-such-route" })).code).toBe(
      "FORBIDDEN",
    );
    const free = await createAccount({ prefix: "verify-free" });
    const freeKey = await generateKey(free.token, "free-key", "free_user");
    expect((await verified({ api_key: freeKey.api_key, username: "free_user", route: 124 })).code).toBe("FORBIDDEN");
    await setPlan(free.email, "professional");
    expect((await verified({ api_key: freeKey.api_key, username: "free_user", route: 124 })).code).toBe("VALID");
  });

  it("IP_REFUSED without ip or from outside the allow-list; READ_ONLY for a write", async () => {
    const pinned = await keyWith({ api_key_name: "pinned-key", user: "svc_user", ip_allowlist: ["198.51.100.0/24"] });
    expect((await verified({ api_key: pinned.api_key, username: "svc_user" })).code).toBe("IP_REFUSED");
    expect((await verified({ api_key: pinned.api_key, username: "svc_user", ip: "203.0.113.1" })).code).toBe(
      "IP_REFUSED",
    );
    expect((await verified({ api_key: pinned.api_key, username: "svc_user", ip: "198.51.100.7" })).code).toBe("VALID");
    const reader = await keyWith({ api_key_name: "reader-key", user: "svc_user", read_only: true });
    expect((await verified({ api_key: reader.api_key, username: "svc_user", method: "GET" })).code).toBe("VALID");
    expect(await verified({ api_key: reader.api_key, username: "svc_user", method: "DELETE" })).toMatchObject({
      valid: false,
      code: "READ_ONLY",
      key: { id: reader.id, read_only: true },
    });
  });

  it("RATE_LIMITED at the owner's hourly limit", async () => {
    const small = await createAccount({ prefix: "verify-small" });
    const smallKey = await generateKey(small.token, "small-key", "small_user");
    const answers = [];
    for (let i = 0; i < 61; i++) answers.push(await verified({ api_key: smallKey.api_key, username: "small_user" }));
    expect(answers.slice(0, 60).every((a) => a.code === "VALID")).toBe(true);
    expect(answers[60]).toMatchObject({ valid: false, code: "RATE_LIMITED", ratelimit: { limit: 60, remaining: 0 } });
  });

  it("failures are charged to the end caller's address, never to the service: another caller is unaffected", async () => {
    const bad = mistype(key.api_key);
    let last;
    for (let i = 0; i <= ANONYMOUS_HOURLY_LIMIT; i++)
      last = await verified({ api_key: bad, username: "x", ip: "192.0.2.66" });
    expect(last.code).toBe("RATE_LIMITED");
    expect((await verified({ api_key: bad, username: "x", ip: "192.0.2.67" })).code).toBe("NOT_FOUND");
    expect((await verified({ api_key: key.api_key, username: "svc_user", ip: "192.0.2.68" })).code).toBe("VALID");
  });
});
