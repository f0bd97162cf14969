import { spawnSync } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import express from "express";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createVerifier,
  expressMiddleware,
  verifyKey,
  withApiKey,
  type ApiKeyContext,
  type ApiKeyRequest,
} from "@keyportal/verify";

// A stand-in for the portal's verify endpoint: the code it answers is the api_key after "key-",
// so each test picks the answer through the credentials it sends.
const SERVICE_TOKEN = "service-token-for-tests";
const KEY = {
  id: 7,
  name: "prod-billing",
  environment: "production",
  owner_id: 3,
  plan: "professional",
  routes: [12],
  read_only: false,
  expires_at: null,
};
const CODES = [
  "VALID",
  "NOT_FOUND",
  "DISABLED",
  "EXPIRED",
  "USERNAME_MISMATCH",
  "FORBIDDEN",
  "IP_REFUSED",
  "READ_ONLY",
  "RATE_LIMITED",
];

interface Call {
  path: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
}
let calls: Call[] = [];
const resetAt = Math.floor(Date.now() / 1000) + 120;

function answer(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(typeof body === "string" ? body : JSON.stringify(body));
}

const fakePortal = http.createServer((req, res) => {
  let text = "";
  req.on("data", (chunk: Buffer) => (text += chunk.toString()));
  req.on("end", () => {
    const body = JSON.parse(text) as Record<string, unknown>;
    calls.push({ path: req.url ?? "", authorization: req.headers.authorization, body });
    if (req.headers.authorization !== `Bearer ${SERVICE_TOKEN}`) {
      return answer(res, 401, { success: false, message: "Invalid or missing authentication" });
    }
    const code = String(body.api_key).replace(/^key-/, "");
    if (code === "CRASH") return answer(res, 500, { success: false, message: "Internal server error" });
    if (code === "GARBAGE") return answer(res, 200, "<html>maintenance</html>");
    if (code === "SLOW")
      return setTimeout(() => answer(res, 200, { valid: true, code: "VALID", key: KEY, ratelimit: null }), 400);
    const valid = code === "VALID";
    const ratelimit = { limit: 1000, remaining: code === "RATE_LIMITED" ? 0 : 958, reset: resetAt };
    answer(res, 200, { valid, code, key: code === "NOT_FOUND" ? null : KEY, ratelimit });
  });
});

let portalUrl = "";
let app: http.Server;
let appUrl = "";

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

beforeAll(async () => {
  portalUrl = `${await listen(fakePortal)}/portal`;
  const options = { baseUrl: portalUrl, serviceToken: SERVICE_TOKEN, timeoutMs: 200 };
  const server = express();
  server.get(
    "/data/:id",
    expressMiddleware<express.Request>(options, { route: (req) => String(req.params.id) }),
    (req, res) => {
      res.json({ ok: true, key: (req as typeof req & ApiKeyRequest).apiKey });
    },
  );
  server.post(
    "/fixed",
    expressMiddleware(createVerifier(options), { route: 12, ip: () => "203.0.113.9" }),
    (_req, res) => {
      res.json({ ok: true });
    },
  );
  server.get("/open", expressMiddleware({ ...options, failOpen: true }), (req, res) => {
    res.json({ ok: true, key: (req as typeof req & ApiKeyRequest).apiKey });
  });
  server.get("/wrong-token", expressMiddleware({ ...options, serviceToken: "wrong", failOpen: true }), (_req, res) => {
    res.json({ ok: true });
  });
  app = http.createServer(server);
  appUrl = await listen(app);
});

afterAll(async () => {
  await new Promise((resolve) => app.close(resolve));
  fakePortal.closeAllConnections();
  await new Promise((resolve) => fakePortal.close(resolve));
});

beforeEach(() => {
  calls = [];
});

const callApp = (url: string, key: string | null, init: RequestInit = {}) =>
  fetch(`${appUrl}${url}`, {
    ...init,
    headers: key === null ? {} : { "X-API-Key": `key-${key}`, "X-Username": "billing-svc" },
  });

const UNAUTHENTICATED = { success: false, message: "Invalid or missing authentication" };

describe("the verify client", () => {
  it("posts the contract's body with the service token to {baseUrl}/api/v1/keys/verify", async () => {
    const verifier = createVerifier({ baseUrl: `${portalUrl}/`, serviceToken: SERVICE_TOKEN });
    const result = await verifier.verifyKey({
      apiKey: "key-VALID",
      username: "u1",
      route: 12,
      method: "get",
      ip: "::1",
    });
    expect(result).toEqual({
      valid: true,
      code: "VALID",
      key: KEY,
      ratelimit: { limit: 1000, remaining: 958, reset: resetAt },
    });
    expect(calls).toEqual([
      {
        path: "/portal/api/v1/keys/verify",
        authorization: `Bearer ${SERVICE_TOKEN}`,
        body: { api_key: "key-VALID", username: "u1", route: 12, method: "GET", ip: "::1" },
      },
    ]);
  });

  it("leaves out what it was not given, and answers a refusal as it came", async () => {
    const result = await verifyKey({
      baseUrl: portalUrl,
      serviceToken: SERVICE_TOKEN,
      apiKey: "key-EXPIRED",
      username: "u1",
    });
    expect(result).toMatchObject({ valid: false, code: "EXPIRED", key: KEY });
    expect(calls[0].body).toEqual({ api_key: "key-EXPIRED", username: "u1" });
  });

  it("refuses empty credentials without calling the endpoint", async () => {
    const verifier = createVerifier({ baseUrl: portalUrl, serviceToken: SERVICE_TOKEN });
    expect(await verifier.verifyKey({ apiKey: " ", username: "u1" })).toMatchObject({
      valid: false,
      code: "NOT_FOUND",
    });
    expect(calls).toHaveLength(0);
  });

  it("fails closed on a timeout, a 5xx, a bad service token and an answer off the contract", async () => {
    const verifier = createVerifier({ baseUrl: portalUrl, serviceToken: SERVICE_TOKEN, timeoutMs: 100 });
    const slow = await verifier.verifyKey({ apiKey: "key-SLOW", username: "u1" });
    expect(slow).toMatchObject({ valid: false, code: "VERIFY_UNAVAILABLE", key: null });
    expect(slow.reason).toMatch(/within 100 ms/);
    const crash = await verifier.verifyKey({ apiKey: "key-CRASH", username: "u1" });
    expect(crash).toMatchObject({ valid: false, code: "VERIFY_UNAVAILABLE" });
    expect(crash.reason).toBe("the verify endpoint answered 500: Internal server error");
    const garbage = await verifier.verifyKey({ apiKey: "key-GARBAGE", username: "u1" });
    expect(garbage).toMatchObject({ valid: false, code: "VERIFY_UNAVAILABLE" });
    const wrongToken = createVerifier({ baseUrl: portalUrl, serviceToken: "wrong", failOpen: true });
    expect(await wrongToken.verifyKey({ apiKey: "key-VALID", username: "u1" })).toMatchObject({
      valid: false,
      code: "VERIFY_UNAVAILABLE",
      reason: "the verify endpoint answered 401: Invalid or missing authentication",
    });
    const unreachable = createVerifier({ baseUrl: "http://127.0.0.1:1", serviceToken: SERVICE_TOKEN });
    expect(await unreachable.verifyKey({ apiKey: "key-VALID", username: "u1" })).toMatchObject({
      valid: false,
      code: "VERIFY_UNAVAILABLE",
    });
  });

  it("with failOpen lets a call through only while the endpoint is down", async () => {
    const verifier = createVerifier({
      baseUrl: portalUrl,
      serviceToken: SERVICE_TOKEN,
      timeoutMs: 100,
      failOpen: true,
    });
    expect(await verifier.verifyKey({ apiKey: "key-SLOW", username: "u1" })).toMatchObject({
      valid: true,
      code: "VERIFY_UNAVAILABLE",
      key: null,
    });
    expect(await verifier.verifyKey({ apiKey: "key-CRASH", username: "u1" })).toMatchObject({ valid: true });
    // An answer off the contract may be another server at a wrong baseUrl: never an open door.
    expect(await verifier.verifyKey({ apiKey: "key-GARBAGE", username: "u1" })).toMatchObject({ valid: false });
    expect(await verifier.verifyKey({ apiKey: "key-DISABLED", username: "u1" })).toMatchObject({ valid: false });
  });
});

describe("the positive cache", () => {
  const cached = (cacheTtlMs: number, cacheMaxEntries?: number) =>
    createVerifier({ baseUrl: portalUrl, serviceToken: SERVICE_TOKEN, cacheTtlMs, cacheMaxEntries });

  it("answers a repeated valid call from memory, per key, user, route, method and address", async () => {
    const verifier = cached(60_000);
    const input = { apiKey: "key-VALID", username: "u1", route: 12, method: "GET", ip: "10.0.0.1" };
    const first = await verifier.verifyKey(input);
    expect(await verifier.verifyKey({ ...input, method: "get" })).toEqual(first);
    expect(calls).toHaveLength(1);
    for (const change of [{ username: "u2" }, { route: 13 }, { method: "POST" }, { ip: "10.0.0.2" }]) {
      await verifier.verifyKey({ ...input, ...change });
    }
    expect(calls).toHaveLength(5);
  });

  it("never keeps a refusal or a fail-open pass", async () => {
    const verifier = cached(60_000);
    await verifier.verifyKey({ apiKey: "key-DISABLED", username: "u1" });
    await verifier.verifyKey({ apiKey: "key-DISABLED", username: "u1" });
    expect(calls).toHaveLength(2);
    const open = createVerifier({
      baseUrl: portalUrl,
      serviceToken: SERVICE_TOKEN,
      cacheTtlMs: 60_000,
      failOpen: true,
    });
    await open.verifyKey({ apiKey: "key-CRASH", username: "u1" });
    await open.verifyKey({ apiKey: "key-CRASH", username: "u1" });
    expect(calls).toHaveLength(4);
  });

  it("forgets an answer after the TTL, and the oldest answer when full", async () => {
    const short = cached(50);
    await short.verifyKey({ apiKey: "key-VALID", username: "u1" });
    await new Promise((resolve) => setTimeout(resolve, 80));
    await short.verifyKey({ apiKey: "key-VALID", username: "u1" });
    expect(calls).toHaveLength(2);

    const small = cached(60_000, 2);
    for (const username of ["a", "b", "c", "c", "b", "a"]) await small.verifyKey({ apiKey: "key-VALID", username });
    // a, b, c asked; c and b from memory; a was dropped when c came in.
    expect(calls.slice(2).map((call) => call.body.username)).toEqual(["a", "b", "c", "a"]);
  });

  it("is off by default", async () => {
    const verifier = createVerifier({ baseUrl: portalUrl, serviceToken: SERVICE_TOKEN });
    await verifier.verifyKey({ apiKey: "key-VALID", username: "u1" });
    await verifier.verifyKey({ apiKey: "key-VALID", username: "u1" });
    expect(calls).toHaveLength(2);
  });
});

describe("expressMiddleware in an Express app", () => {
  it("lets a valid key through with req.apiKey and the rate-limit headers", async () => {
    const response = await callApp("/data/12", "VALID");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, key: KEY });
    expect(response.headers.get("x-ratelimit-limit")).toBe("1000");
    expect(response.headers.get("x-ratelimit-remaining")).toBe("958");
    expect(response.headers.get("x-ratelimit-reset")).toBe(String(resetAt));
    expect(calls[0].body).toMatchObject({ route: "12", method: "GET", username: "billing-svc" });
    expect(calls[0].body.ip).toMatch(/127\.0\.0\.1$/);
  });

  it("takes a fixed route and the ip option", async () => {
    await callApp("/fixed", "VALID", { method: "POST" });
    expect(calls[0].body).toMatchObject({ route: 12, method: "POST", ip: "203.0.113.9" });
  });

  it.each(["NOT_FOUND", "DISABLED", "EXPIRED", "USERNAME_MISMATCH"])("answers %s with the one 401", async (code) => {
    const response = await callApp("/data/12", code);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual(UNAUTHENTICATED);
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("answers a missing or blank header with the same 401, without asking the portal", async () => {
    const missing = await callApp("/data/12", null);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual(UNAUTHENTICATED);
    const blank = await fetch(`${appUrl}/data/12`, { headers: { "X-API-Key": "key-VALID", "X-Username": "  " } });
    expect(blank.status).toBe(401);
    expect(calls).toHaveLength(0);
  });

  it.each([
    ["FORBIDDEN", "Insufficient permissions"],
    ["READ_ONLY", "Insufficient permissions"],
    ["IP_REFUSED", "This API key may not be used from this IP address"],
  ])("answers %s with a 403", async (code, message) => {
    const response = await callApp("/data/12", code);
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ success: false, message });
  });

  it("answers RATE_LIMITED with a 429, Retry-After and the rate-limit headers", async () => {
    const response = await callApp("/data/12", "RATE_LIMITED");
    expect(response.status).toBe(429);
    expect(await response.json()).toEqual({
      success: false,
      message: "Rate limit exceeded: the Professional plan allows 1000 requests per hour across all keys",
    });
    expect(response.headers.get("x-ratelimit-remaining")).toBe("0");
    const retryAfter = Number(response.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(100);
    expect(retryAfter).toBeLessThanOrEqual(121);
  });

  it("answers 503 when the portal is down, and passes with failOpen", async () => {
    const closed = await callApp("/data/12", "SLOW");
    expect(closed.status).toBe(503);
    expect(closed.headers.get("retry-after")).toBe("2");
    expect(await closed.json()).toEqual({
      success: false,
      message: "API key verification is unavailable; retry shortly",
    });
    const open = await callApp("/open", "SLOW");
    expect(open.status).toBe(200);
    expect(await open.json()).toEqual({ ok: true, key: null });
    // A wrong service token is a misconfiguration, not an outage: failOpen does not apply.
    expect((await callApp("/wrong-token", "VALID")).status).toBe(503);
  });

  it("knows every code of the contract", async () => {
    for (const code of CODES) expect((await callApp("/data/12", code)).status).not.toBe(503);
  });
});

describe("withApiKey for Next.js route handlers", () => {
  const options = () => ({ baseUrl: portalUrl, serviceToken: SERVICE_TOKEN, route: 12, ip: () => "198.51.100.4" });
  const request = (key: string | null, method = "GET") =>
    new Request("http://service.test/api/data", {
      method,
      headers: key === null ? {} : { "X-API-Key": `key-${key}`, "X-Username": "billing-svc" },
    });

  it("passes the key and Next's context to the handler and adds the rate-limit headers", async () => {
    let seen: unknown;
    const GET = withApiKey((_request, context: ApiKeyContext<{ params: Promise<{ id: string }> }>) => {
      seen = context;
      return Response.json({ ok: true });
    }, options());
    const params = Promise.resolve({ id: "12" });
    const response = await GET(request("VALID"), { params });
    expect(response.status).toBe(200);
    expect(seen).toEqual({ params, key: KEY });
    expect(response.headers.get("x-ratelimit-remaining")).toBe("958");
    expect(calls[0].body).toEqual({
      api_key: "key-VALID",
      username: "billing-svc",
      route: 12,
      method: "GET",
      ip: "198.51.100.4",
    });
  });

  it("adds the headers to a response whose headers are immutable", async () => {
    const GET = withApiKey(() => Response.redirect("http://service.test/elsewhere", 307), {
      verifier: createVerifier({ baseUrl: portalUrl, serviceToken: SERVICE_TOKEN }),
    });
    const response = await GET(request("VALID"), {});
    expect(response.status).toBe(307);
    expect(response.headers.get("location")).toBe("http://service.test/elsewhere");
    expect(response.headers.get("x-ratelimit-limit")).toBe("1000");
  });

  it.each([
    [null, 401],
    ["EXPIRED", 401],
    ["READ_ONLY", 403],
    ["RATE_LIMITED", 429],
    ["CRASH", 503],
  ])("answers %s with %i and never calls the handler", async (key, status) => {
    let called = false;
    const POST = withApiKey(() => {
      called = true;
      return new Response("ok");
    }, options());
    const response = await POST(request(key, "POST"), {});
    expect(response.status).toBe(status);
    expect((await response.json()).success).toBe(false);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(called).toBe(false);
  });
});

describe("the package's dist/", () => {
  it("is what src/ compiles to (npm run build -w @keyportal/verify)", () => {
    const build = path.join(import.meta.dirname, "../../packages/verify/build.mjs");
    const check = spawnSync(process.execPath, [build, "--check"], { encoding: "utf8" });
    expect(check.stderr).toBe("");
    expect(check.status).toBe(0);
  }, 60_000);
});
