import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import express from "express";
import { closeNewKeyModal, generateKey, registerAccount, runAdmin, signIn, type Account } from "./support";

// The gateway, /gw/{slug}/…, on the shared production server (scripts/server.mjs's fast path) in
// front of a real Express upstream started here. Each control is checked at the very next call
// after the change that the operator or owner made. The tests run in order and share the route.

interface Echo {
  upstream: string;
  method: string;
  url: string;
  query: Record<string, unknown>;
  headers: Record<string, string | undefined>;
  hasApiKey: boolean;
  hasCookie: boolean;
}

const ECHOED = ["x-key-id", "x-key-name", "x-key-owner-id", "x-key-environment", "x-username", "x-request-id"];

/** An Express app on 127.0.0.1 that answers every request with what it received; `seen` keeps each one. */
async function startUpstream(name: string) {
  const seen: Echo[] = [];
  const app = express();
  app.use((req, res) => {
    const headers: Record<string, string | undefined> = {};
    for (const header of [...ECHOED, "x-forwarded-for"]) headers[header] = req.get(header);
    const echo: Echo = {
      upstream: name,
      method: req.method,
      url: req.originalUrl,
      query: req.query as Record<string, unknown>,
      headers,
      hasApiKey: req.get("x-api-key") !== undefined,
      hasCookie: req.get("cookie") !== undefined,
    };
    seen.push(echo);
    res.json(echo);
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      // The gateway's pooled keep-alive sockets too: a stopped upstream accepts nothing.
      server.closeAllConnections();
    });
  return { seen, base: `http://127.0.0.1:${port}/base`, stop };
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  json: any;
}

/**
 * One request to the production server on 127.0.0.1 (the allow-list's address) with node:http,
 * which sends the path exactly as given: fetch would resolve "%2e%2e" before sending it.
 */
function raw(port: number, method: string, path: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: "127.0.0.1", port, method, path, headers, agent: false }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (text += chunk));
      response.on("end", () => {
        let json: unknown = null;
        try {
          json = JSON.parse(text);
        } catch {
          // not JSON
        }
        resolve({ status: response.statusCode!, headers: response.headers, json });
      });
    });
    request.on("error", reject);
    request.end(method === "POST" ? '{"order":1}' : undefined);
  });
}

let serverPort = 0;
let first: Awaited<ReturnType<typeof startUpstream>>;
let second: Awaited<ReturnType<typeof startUpstream>>;
let operator: Account;
let token = "";
let route: { id: number; slug: string };

interface IssuedKey {
  id: number;
  api_key: string;
  user: string;
}

/** A REST call to the shared server with the operator's Bearer token. */
async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`http://127.0.0.1:${serverPort}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

async function issueKey(name: string, controls: Record<string, unknown> = {}): Promise<IssuedKey> {
  const generated = await api("POST", "/api/api-keys/generate", { api_key_name: name, user: "gw_user", ...controls });
  expect(generated.status, JSON.stringify(generated.json)).toBe(201);
  return generated.json;
}

const gateway = (key: { api_key: string; user: string }, rest = "/a/b?x=1", method = "GET", extra = {}) =>
  raw(serverPort, method, `/gw/${route.slug}${rest}`, {
    "x-api-key": key.api_key,
    "x-username": key.user,
    ...(method === "POST" ? { "content-type": "application/json" } : {}),
    ...extra,
  });

test.describe.serial("the gateway on the production server", () => {
  test.beforeAll(async ({ browser }, testInfo) => {
    serverPort = Number(new URL(testInfo.project.use.baseURL!).port);
    first = await startUpstream("first");
    second = await startUpstream("second");
    const context = await browser.newContext({ baseURL: testInfo.project.use.baseURL });
    try {
      operator = await registerAccount(context.request);
    } finally {
      await context.close();
    }
    runAdmin("set-role", operator.email, "operator");
    // More keys than Free's two: one per control below.
    runAdmin("set-plan", operator.email, "professional");
    const login = await fetch(`http://127.0.0.1:${serverPort}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(operator),
    });
    token = ((await login.json()) as { token: string }).token;
    const slug = `gw-${Date.now().toString(36)}`;
    const created = await api("POST", "/api/admin/routes", {
      slug,
      name: "Orders",
      upstream_url: first.base,
      methods: ["GET", "POST"],
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    route = created.json;
  });

  test.afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
  });

  test("a key made in the portal reaches the upstream under the route's base, as the key's caller", async ({
    page,
  }) => {
    await signIn(page, operator);
    const secret = await generateKey(page, "gateway-portal", "gw_user");
    await closeNewKeyModal(page);
    const key = { api_key: secret, user: "gw_user" };

    const answer = await gateway(key, "/a/b?x=1", "GET", {
      cookie: "next-auth.session-token=stolen",
      "x-request-id": "e2e-trace-1",
      // Sent by the client, replaced by the gateway.
      "x-forwarded-for": "203.0.113.9",
      "x-key-id": "999999",
    });
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    expect(first.seen).toHaveLength(1);
    const echo = answer.json as Echo;
    expect(echo).toEqual(first.seen[0]);
    expect(echo).toMatchObject({ upstream: "first", method: "GET", url: "/base/a/b?x=1", query: { x: "1" } });
    expect(echo.hasApiKey).toBe(false);
    expect(echo.hasCookie).toBe(false);
    expect(echo.headers["x-username"]).toBe("gw_user");
    expect(echo.headers["x-key-name"]).toBe("gateway-portal");
    expect(echo.headers["x-key-id"]).toMatch(/^\d+$/);
    expect(echo.headers["x-key-id"]).not.toBe("999999");
    expect(echo.headers["x-key-owner-id"]).toMatch(/^\d+$/);
    expect(echo.headers["x-key-environment"]).toMatch(/^(production|staging|development)$/);
    expect(echo.headers["x-request-id"]).toBe("e2e-trace-1");
    expect(echo.headers["x-forwarded-for"]).toBe("127.0.0.1");

    expect(answer.headers["x-request-id"]).toBe("e2e-trace-1");
    expect(answer.headers["x-ratelimit-limit"]).toBe("5000");
    expect(Number(answer.headers["x-ratelimit-remaining"])).toBeLessThan(5000);
    expect(Number(answer.headers["x-ratelimit-reset"])).toBeGreaterThan(Date.now() / 1000);

    // A request id that is not a plain token is replaced by a new one, the same on both sides.
    const renamed = await gateway(key, "/c", "POST", { "x-request-id": "not a token!" });
    expect(renamed.status).toBe(200);
    expect(renamed.json).toMatchObject({ method: "POST", url: "/base/c" });
    expect(renamed.json.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(renamed.headers["x-request-id"]).toBe(renamed.json.headers["x-request-id"]);
  });

  test("route scopes, the allow-list and read-only keys are refused before the upstream", async () => {
    const cases: [string, Record<string, unknown>, string, number][] = [
      ["scoped to this route", { routes: [route.id] }, "GET", 200],
      ["scoped to another route", { routes: [123] }, "GET", 403],
      ["allowed from 127.0.0.1", { ip_allowlist: ["127.0.0.1"] }, "GET", 200],
      ["allowed from elsewhere only", { ip_allowlist: ["192.0.2.0/24"] }, "GET", 403],
      ["read-only, reading", { read_only: true }, "GET", 200],
      ["read-only, writing", { read_only: true }, "POST", 403],
    ];
    for (const [label, controls, method, expected] of cases) {
      const key = await issueKey(`gw-${label.replace(/\W+/g, "-")}`, controls);
      const before = first.seen.length;
      const answer = await gateway(key, "/orders", method);
      expect(answer.status, label).toBe(expected);
      if (expected === 200) {
        expect(first.seen.length, label).toBe(before + 1);
        expect(answer.json.headers["x-key-id"], label).toBe(String(key.id));
      } else {
        expect(first.seen.length, label).toBe(before);
        expect(answer.json, label).toMatchObject({ success: false, message: expect.any(String) });
      }
    }
  });

  test("a key deactivated by its owner is refused at its next gateway call", async () => {
    const key = await issueKey("gw-deactivated");
    expect((await gateway(key)).status).toBe(200);
    const deactivated = await api("PUT", `/api/api-keys/${key.id}/status`, { status: "inactive" });
    expect(deactivated.status).toBe(200);
    const before = first.seen.length;
    const refused = await gateway(key);
    expect(refused.status).toBe(401);
    expect(refused.json).toMatchObject({ success: false });
    expect(first.seen.length).toBe(before);
  });

  test("a path that would climb out of the base is a 400 and never reaches the upstream", async () => {
    const key = await issueKey("gw-escape");
    const before = first.seen.length;
    for (const rest of ["/%2e%2e/x", "/a/%2E%2E/%2e%2e/x", "/a%2Fb", "//evil.example/x"]) {
      const answer = await gateway(key, rest);
      expect(answer.status, rest).toBe(400);
      expect(answer.json, rest).toMatchObject({ success: false, message: expect.any(String) });
    }
    expect(first.seen.length).toBe(before);
  });

  test("an upstream_url changed by the operator is followed at the next call; a stopped upstream is a 502", async () => {
    const key = await issueKey("gw-moved");
    expect((await gateway(key)).json.upstream).toBe("first");
    const patched = await api("PATCH", `/api/admin/routes/${route.id}`, { upstream_url: second.base });
    expect(patched.status, JSON.stringify(patched.json)).toBe(200);
    const moved = await gateway(key, "/moved?y=2");
    expect(moved.status).toBe(200);
    expect(moved.json).toMatchObject({ upstream: "second", url: "/base/moved?y=2" });

    await second.stop();
    const down = await gateway(key);
    expect(down.status).toBe(502);
    expect(down.json).toEqual({ success: false, message: expect.any(String) });
    expect(down.headers["x-request-id"]).toBeTruthy();
    expect(down.headers["x-ratelimit-limit"]).toBe("5000");
  });
});
