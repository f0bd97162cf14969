import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as rotate } from "@/app/api/api-keys/[id]/rotate/route";
import { POST as generate } from "@/app/api/api-keys/generate/route";
import { publishInvalidation } from "@/lib/cache/invalidation";
import { isGatewayRequest, serveGatewayRequest } from "@/lib/data-api/fast-path";
import { db } from "@/lib/db/client";
import { flushUsage } from "@/lib/usage/usage-recorder";
import {
  AUTH_ERROR,
  callData,
  createAccount,
  ctx,
  FORBIDDEN_ERROR,
  noParams,
  readBody,
  request,
  setStatus,
  trialPortal,
  type Account,
} from "./support";
import { runKeyTrials } from "../shared/key-trials";

// The gateway (lib/data-api/serve-gateway.ts) behind a node:http server that does what
// scripts/server.mjs does before it (X-Forwarded-For from the socket), in front of a real local
// upstream. Requests are sent with node:http, which sends a path exactly as given (fetch would
// resolve "..").

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}
const seen: Seen[] = [];
/** Resolves when the upstream's answer to a path ending in `name` is closed (finished or cut off). */
const upstreamClosed = new Map<string, () => void>();
const whenUpstreamCloses = (name: string) => new Promise<void>((resolve) => upstreamClosed.set(name, resolve));

function upstreamHandler(req: http.IncomingMessage, res: http.ServerResponse) {
  seen.push({ method: req.method!, url: req.url!, headers: req.headers });
  const path = req.url!.split("?")[0];
  for (const [name, resolve] of upstreamClosed) if (path.endsWith(name)) res.once("close", resolve);
  if (path.endsWith("/halfway")) {
    // Headers and a tenth of the promised body, then the connection dropped.
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": "10000" });
    res.write(Buffer.alloc(1000), () => setTimeout(() => req.socket.destroy(), 50));
    return;
  }
  if (path.endsWith("/hold")) return; // answers nothing until the caller goes away
  if (path.endsWith("/endless")) {
    res.writeHead(200, { "content-type": "application/octet-stream" });
    const chunk = Buffer.alloc(64 * 1024);
    const timer = setInterval(() => res.write(chunk), 5);
    res.once("close", () => clearInterval(timer));
    return;
  }
  if (path.replace(/\/$/, "").endsWith("/fail")) {
    res.writeHead(500, { "content-type": "text/plain", "x-upstream": "yes" });
    res.end("upstream broke");
    return;
  }
  if (path.endsWith("/slow")) {
    setTimeout(() => res.writeHead(200).end("late"), 3_000).unref();
    return;
  }
  if (path.endsWith("/reset")) {
    req.socket.destroy();
    return;
  }
  if (path.endsWith("/json") || path === "/base/") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ hello: "upstream", path }));
    return;
  }
  if (path.replace(/\/$/, "").endsWith("/text")) {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("not json");
    return;
  }
  if (path.endsWith("/upload")) {
    const hash = createHash("sha256");
    let bytes = 0;
    req.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      hash.update(chunk);
    });
    req.on("end", () =>
      res
        .writeHead(201, { "content-type": "application/json" })
        .end(JSON.stringify({ bytes, sha256: hash.digest("hex") })),
    );
    return;
  }
  if (path.endsWith("/download")) {
    const size = Number(new URL(req.url!, "http://x").searchParams.get("bytes"));
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(size) });
    void writeChunks(res, size);
    return;
  }
  let body = "";
  req.setEncoding("utf8");
  req.on("data", (chunk: string) => (body += chunk));
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json", "set-cookie": "up=1", "x-upstream": "echo" });
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
  });
}

/** A deterministic stream of `size` bytes, 1 MiB at a time, honouring backpressure. */
async function writeChunks(stream: NodeJS.WritableStream, size: number, onChunk?: (chunk: Buffer) => void) {
  const block = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < block.length; i++) block[i] = (i * 31 + 7) & 0xff;
  let left = size;
  while (left > 0) {
    const chunk = left >= block.length ? block : block.subarray(0, left);
    left -= chunk.length;
    onChunk?.(chunk);
    if (!stream.write(chunk)) await new Promise((resolve) => stream.once("drain", resolve));
  }
  stream.end();
}

let upstream: http.Server;
let gateway: http.Server;
let gatewayPort: number;
let upstreamBase: string;
let closedPort: number;
let account: Account;
let key: { id: number; api_key: string; user: string };

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

async function defineRoute(route: {
  id: number;
  slug: string;
  upstreamUrl?: string | null;
  payload?: object;
  methods?: string;
  timeoutMs?: number;
  minPlan?: string;
}) {
  const data = {
    slug: route.slug,
    name: route.slug,
    description: "gateway test",
    minPlan: route.minPlan ?? "free",
    upstreamUrl: route.upstreamUrl ?? null,
    payload: route.payload ? JSON.stringify(route.payload) : null,
    methods: route.methods ?? "GET,POST,PUT,DELETE,HEAD,OPTIONS",
    timeoutMs: route.timeoutMs ?? 5_000,
  };
  await db().apiRoute.upsert({ where: { id: route.id }, create: { id: route.id, ...data }, update: data });
  await publishInvalidation({ kind: "routes" });
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: () => any;
}

function call(
  method: string,
  path: string,
  options: { key?: string; username?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== undefined) headers["x-api-key"] = options.key;
  if (options.username !== undefined) headers["x-username"] = options.username;
  // node:http frames no body of a DELETE on its own.
  if (options.body !== undefined) headers["content-length"] = String(Buffer.byteLength(options.body));
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: gatewayPort, method, path, headers, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode!, headers: res.headers, text, json: () => JSON.parse(text) }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

const asKey = (extra: { key?: string; username?: string } = {}) => ({ key: key.api_key, username: key.user, ...extra });

async function generateWith(token: string, body: Record<string, unknown>) {
  const response = await generate(request("POST", "/api/api-keys/generate", { token, body }), noParams);
  const parsed = await readBody(response);
  expect(response.status, JSON.stringify(parsed)).toBe(201);
  return parsed as { id: number; api_key: string; user: string };
}

let keyCounter = 0;
const newKey = (body: Record<string, unknown> = {}) =>
  generateWith(account.token, { api_key_name: `gw-key-${++keyCounter}`, user: "gw_user", ...body });

beforeAll(async () => {
  upstream = http.createServer(upstreamHandler);
  const upstreamPort = await listen(upstream);
  upstreamBase = `http://127.0.0.1:${upstreamPort}/base`;
  const closed = http.createServer();
  closedPort = await listen(closed);
  await new Promise((resolve) => closed.close(resolve));
  gateway = http.createServer((req, res) => {
    // As scripts/server.mjs does with TRUST_PROXY off: the socket's address, whatever the client sent.
    req.headers["x-forwarded-for"] = req.socket.remoteAddress ?? "unknown";
    if (isGatewayRequest(req)) serveGatewayRequest(req, res);
    else res.writeHead(404).end();
  });
  gatewayPort = await listen(gateway);
  await defineRoute({ id: 9001, slug: "echo", upstreamUrl: upstreamBase });
  await defineRoute({ id: 9002, slug: "other", upstreamUrl: upstreamBase });
  await defineRoute({ id: 9003, slug: "gone", upstreamUrl: `http://127.0.0.1:${closedPort}/x` });
  await defineRoute({ id: 9004, slug: "slow", upstreamUrl: upstreamBase, timeoutMs: 300 });
  await defineRoute({ id: 9005, slug: "getonly", upstreamUrl: upstreamBase, methods: "GET" });
  await defineRoute({ id: 9006, slug: "payload", payload: { hello: "payload" }, methods: "GET,POST" });
  await defineRoute({ id: 9007, slug: "pro", upstreamUrl: upstreamBase, minPlan: "professional" });
  account = await createAccount({ prefix: "gateway", plan: "enterprise" });
  key = await newKey();
});

afterAll(async () => {
  await new Promise((resolve) => gateway?.close(resolve));
  upstream?.closeAllConnections();
  await new Promise((resolve) => upstream?.close(resolve));
});

describe("the gateway forwards", () => {
  it("method, path, query and body to {upstream_url}/{rest}?{query}", async () => {
    const answer = await call("POST", "/gw/echo/v1/items/a%20b?x=1&y=%2F", {
      ...asKey(),
      headers: { "content-type": "application/json" },
      body: '{"n":1}',
    });
    expect(answer.status).toBe(200);
    const echoed = answer.json();
    expect(echoed).toMatchObject({ method: "POST", url: "/base/v1/items/a%20b?x=1&y=%2F", body: '{"n":1}' });
    expect(echoed.headers["content-type"]).toBe("application/json");
  });

  it("with the key's identity, X-Forwarded-*, and without the key, cookies or hop-by-hop headers", async () => {
    const answer = await call("GET", "/gw/echo/h", {
      ...asKey(),
      headers: {
        cookie: "session=secret",
        connection: "keep-alive, x-hop",
        "x-hop": "1",
        "keep-alive": "timeout=5",
        "x-custom": "kept",
        "x-key-id": "999",
        "x-key-owner-id": "999",
        "x-key-environment": "forged",
        "x-forwarded-for": "6.6.6.6",
        "x-forwarded-host": "evil.example",
        host: "portal.example:8080",
      },
    });
    expect(answer.status).toBe(200);
    const headers = answer.json().headers as Record<string, string>;
    expect(headers["x-api-key"]).toBeUndefined();
    expect(headers.cookie).toBeUndefined();
    expect(headers["x-hop"]).toBeUndefined();
    expect(headers["keep-alive"]).toBeUndefined();
    expect(headers["x-custom"]).toBe("kept");
    expect(headers["x-key-id"]).toBe(String(key.id));
    expect(headers["x-key-owner-id"]).toBe(String(account.id));
    expect(headers["x-key-name"]).toBe("gw-key-1");
    expect(headers["x-key-environment"]).toBe("production");
    expect(headers["x-username"]).toBe("gw_user");
    expect(headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(headers["x-forwarded-proto"]).toBe("http");
    expect(headers["x-forwarded-host"]).toBe("portal.example:8080");
    expect(headers.host).toBe(new URL(upstreamBase).host);
    // The upstream's headers come back (Set-Cookie too), with the rate-limit headers added.
    expect(answer.headers["x-upstream"]).toBe("echo");
    expect(answer.headers["set-cookie"]).toEqual(["up=1"]);
    expect(answer.headers["x-ratelimit-limit"]).toBe("100000");
    expect(Number(answer.headers["x-ratelimit-remaining"])).toBeLessThan(100000);
    expect(answer.headers["ratelimit-policy"]).toBeDefined();
  });

  it("the client's X-Request-Id when it is a plain token, else a new one", async () => {
    const kept = await call("GET", "/gw/echo/r", { ...asKey(), headers: { "x-request-id": "req-1.2:3_x" } });
    expect(kept.json().headers["x-request-id"]).toBe("req-1.2:3_x");
    expect(kept.headers["x-request-id"]).toBe("req-1.2:3_x");
    const replaced = await call("GET", "/gw/echo/r", { ...asKey(), headers: { "x-request-id": "bad id/with spaces" } });
    const sent = replaced.json().headers["x-request-id"] as string;
    expect(sent).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
    expect(sent).not.toBe("bad id/with spaces");
    expect(replaced.headers["x-request-id"]).toBe(sent);
    const fresh = await call("GET", "/gw/echo/r", asKey());
    expect(fresh.json().headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("passes the upstream's own 500 through untouched", async () => {
    const answer = await call("GET", "/gw/echo/fail", asKey());
    expect(answer.status).toBe(500);
    expect(answer.text).toBe("upstream broke");
    expect(answer.headers["x-upstream"]).toBe("yes");
    expect(answer.headers["content-type"]).toBe("text/plain");
  });
});

describe("path escapes are refused with 400 and never reach the upstream", () => {
  for (const path of [
    "/gw/echo/../secret",
    "/gw/echo/a/../../secret",
    "/gw/echo/./x",
    "/gw/echo/%2e%2e/secret",
    "/gw/echo/%2E%2E",
    "/gw/echo/.%2e/x",
    "/gw/echo/%2e",
    "/gw/echo/a%2fb",
    "/gw/echo/a%2Fb",
    "/gw/echo/a%5cb",
    "/gw/echo/a\\b",
    "/gw/echo//evil.example/x",
    "/gw/echo//",
    "/gw/echo/%zz",
  ]) {
    it(path, async () => {
      const before = seen.length;
      const answer = await call("GET", path, asKey());
      expect(answer.status).toBe(400);
      expect(answer.json().success).toBe(false);
      expect(seen.length).toBe(before);
    });
  }

  it("keeps a base path and encoded characters that are not separators", async () => {
    const answer = await call("GET", "/gw/echo/a%3Fb/%25/c.d/..e", asKey());
    expect(answer.status).toBe(200);
    expect(answer.json().url).toBe("/base/a%3Fb/%25/c.d/..e");
  });
});

describe("the data API's rules", () => {
  it("refuses a missing or wrong key or username with the identical 401", async () => {
    for (const options of [
      { username: key.user },
      { key: key.api_key },
      asKey({ username: "someone" }),
      asKey({ key: "sk_live_x" }),
    ]) {
      const answer = await call("GET", "/gw/echo/x", options);
      expect(answer.status).toBe(401);
      expect(answer.json()).toEqual(AUTH_ERROR);
    }
  });

  it("answers 404 for an unknown slug, and 403 to a key limited to routes", async () => {
    const answer = await call("GET", "/gw/nope/x", asKey());
    expect(answer.status).toBe(404);
    expect(answer.json().success).toBe(false);
    const scoped = await newKey({ routes: [9002] });
    expect((await call("GET", "/gw/nope/x", { key: scoped.api_key, username: scoped.user })).status).toBe(403);
    expect((await call("GET", "/gw/echo/x", { key: scoped.api_key, username: scoped.user })).json()).toEqual(
      FORBIDDEN_ERROR,
    );
    expect((await call("GET", "/gw/other/x", { key: scoped.api_key, username: scoped.user })).status).toBe(200);
  });

  it("refuses a route above the account's plan", async () => {
    const free = await createAccount({ prefix: "gateway-free" });
    const freeKey = await generateWith(free.token, { api_key_name: "free", user: "free_user" });
    const answer = await call("GET", "/gw/pro/x", { key: freeKey.api_key, username: freeKey.user });
    expect(answer.status).toBe(403);
    expect((await call("GET", "/gw/echo/x", { key: freeKey.api_key, username: freeKey.user })).status).toBe(200);
  });

  it("refuses a read-only key on write methods with 403, not on GET, HEAD, OPTIONS", async () => {
    const readOnly = await newKey({ read_only: true });
    const as = { key: readOnly.api_key, username: readOnly.user };
    for (const method of ["POST", "PUT", "DELETE"]) {
      const before = seen.length;
      const answer = await call(method, "/gw/echo/w", { ...as, body: "x" });
      expect(answer.status).toBe(403);
      expect(answer.json()).toEqual(FORBIDDEN_ERROR);
      expect(seen.length).toBe(before);
    }
    for (const method of ["GET", "HEAD", "OPTIONS"]) expect((await call(method, "/gw/echo/w", as)).status).toBe(200);
  });

  it("refuses a call from outside the key's IP allow-list", async () => {
    const elsewhere = await newKey({ ip_allowlist: ["10.1.2.3"] });
    const answer = await call("GET", "/gw/echo/x", { key: elsewhere.api_key, username: elsewhere.user });
    expect(answer.status).toBe(403);
    expect(answer.json().message).toMatch(/IP address/);
    const here = await newKey({ ip_allowlist: ["127.0.0.1"] });
    expect((await call("GET", "/gw/echo/x", { key: here.api_key, username: here.user })).status).toBe(200);
  });

  it("refuses an expired key at the next call", async () => {
    const expiring = await newKey();
    const as = { key: expiring.api_key, username: expiring.user };
    expect((await call("GET", "/gw/echo/x", as)).status).toBe(200);
    await db().apiKey.update({ where: { id: expiring.id }, data: { expiresAt: new Date(Date.now() - 1_000) } });
    await publishInvalidation({ kind: "key", keyId: expiring.id });
    const answer = await call("GET", "/gw/echo/x", as);
    expect(answer.status).toBe(401);
    expect(answer.json()).toEqual(AUTH_ERROR);
  });

  it("lets a rotated key work during its grace, and not without one", async () => {
    const graced = await newKey();
    const rotated = await rotate(
      request("POST", `/api/api-keys/${graced.id}/rotate`, {
        token: account.token,
        body: { grace_period_seconds: 3600 },
      }),
      ctx({ id: String(graced.id) }),
    );
    expect(rotated.status).toBe(201);
    const successor = await readBody(rotated);
    expect((await call("GET", "/gw/echo/x", { key: graced.api_key, username: graced.user })).status).toBe(200);
    expect((await call("GET", "/gw/echo/x", { key: successor.api_key, username: successor.user })).status).toBe(200);
    const ungraced = await newKey();
    const cut = await rotate(
      request("POST", `/api/api-keys/${ungraced.id}/rotate`, {
        token: account.token,
        body: { grace_period_seconds: 0 },
      }),
      ctx({ id: String(ungraced.id) }),
    );
    expect(cut.status).toBe(201);
    expect((await call("GET", "/gw/echo/x", { key: ungraced.api_key, username: ungraced.user })).status).toBe(401);
  });

  it("refuses a revoked key at the next call", async () => {
    const revoked = await newKey();
    const as = { key: revoked.api_key, username: revoked.user };
    expect((await call("GET", "/gw/echo/x", as)).status).toBe(200);
    expect((await setStatus(account.token, revoked.id, "inactive")).status).toBe(200);
    expect((await call("GET", "/gw/echo/x", as)).status).toBe(401);
  });

  it("follows a route change at the next call", async () => {
    await defineRoute({ id: 9008, slug: "moving", upstreamUrl: upstreamBase });
    expect((await call("GET", "/gw/moving/x", asKey())).json().url).toBe("/base/x");
    await defineRoute({ id: 9008, slug: "moving", upstreamUrl: `${upstreamBase}/v2` });
    expect((await call("GET", "/gw/moving/x", asKey())).json().url).toBe("/base/v2/x");
    await defineRoute({ id: 9008, slug: "moved", upstreamUrl: upstreamBase });
    expect((await call("GET", "/gw/moving/x", asKey())).status).toBe(404);
    expect((await call("GET", "/gw/moved/x", asKey())).status).toBe(200);
  });

  it("answers 405 with Allow for a method the route does not pass on", async () => {
    const before = seen.length;
    const answer = await call("POST", "/gw/getonly/x", { ...asKey(), body: "x" });
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe("GET");
    expect(answer.json().success).toBe(false);
    expect(seen.length).toBe(before);
  });

  it("answers a payload route's payload to GET as the data API does, 405 otherwise", async () => {
    const got = await call("GET", "/gw/payload", asKey());
    expect(got.status).toBe(200);
    expect(got.json()).toEqual({ success: true, data: { id: 9006, hello: "payload" } });
    const posted = await call("POST", "/gw/payload", { ...asKey(), body: "x" });
    expect(posted.status).toBe(405);
    expect(posted.headers.allow).toBe("GET");
  });

  it("counts calls against the hourly limit with the data API's headers, then answers 429", async () => {
    const limited = await createAccount({ prefix: "gateway-limit" });
    const limitedKey = await generateWith(limited.token, { api_key_name: "limited", user: "limited_user" });
    const as = { key: limitedKey.api_key, username: limitedKey.user };
    let last: Answer | undefined;
    for (let i = 0; i < 60; i++) {
      last = await call("GET", "/gw/echo/x", as);
      expect(last.status).toBe(200);
    }
    expect(last!.headers["x-ratelimit-limit"]).toBe("60");
    expect(last!.headers["x-ratelimit-remaining"]).toBe("0");
    const before = seen.length;
    const refused = await call("GET", "/gw/echo/x", as);
    expect(refused.status).toBe(429);
    expect(refused.headers["retry-after"]).toBeDefined();
    expect(refused.headers["x-ratelimit-remaining"]).toBe("0");
    expect(seen.length).toBe(before);
  });
});

describe("GET /api/api-routes-data?id=N of an upstream route", () => {
  it("answers the upstream's GET {upstream_url}/ wrapped as the data API's body", async () => {
    const before = seen.length;
    const response = await callData({ key: key.api_key, username: key.user, query: "?id=9001" });
    expect(response.status).toBe(200);
    expect(await readBody(response)).toEqual({ success: true, data: { hello: "upstream", path: "/base/" } });
    expect(response.headers.get("x-ratelimit-limit")).toBe("100000");
    expect(seen.slice(before).map((call) => `${call.method} ${call.url}`)).toEqual(["GET /base/"]);
  });

  it("answers 502 for a body that is not JSON, an upstream error or a refused connection", async () => {
    await defineRoute({ id: 9010, slug: "text", upstreamUrl: `${upstreamBase}/text` });
    await defineRoute({ id: 9011, slug: "broken", upstreamUrl: `${upstreamBase}/fail` });
    for (const id of [9010, 9011, 9003]) {
      const response = await callData({ key: key.api_key, username: key.user, query: `?id=${id}` });
      expect(response.status).toBe(502);
      const body = await readBody(response);
      expect(Object.keys(body).sort()).toEqual(["message", "success"]);
      expect(body.success).toBe(false);
    }
  });

  it("keeps a payload route's answer", async () => {
    const response = await callData({ key: key.api_key, username: key.user, query: "?id=9006" });
    expect(await readBody(response)).toEqual({ success: true, data: { id: 9006, hello: "payload" } });
  });
});

describe("an upstream that fails", () => {
  it("refusing the connection: 502", async () => {
    const answer = await call("GET", "/gw/gone/x", asKey());
    expect(answer.status).toBe(502);
    expect(Object.keys(answer.json()).sort()).toEqual(["message", "success"]);
    expect(answer.headers["x-ratelimit-limit"]).toBeDefined();
  });

  it("not answering within timeout_ms: 504", async () => {
    const answer = await call("GET", "/gw/slow/slow", asKey());
    expect(answer.status).toBe(504);
    expect(answer.json().success).toBe(false);
  });

  it("resetting the connection: 502", async () => {
    const answer = await call("GET", "/gw/echo/reset", asKey());
    expect(answer.status).toBe(502);
    expect(answer.json().success).toBe(false);
  });

  it("is told apart in the usage log", async () => {
    await flushUsage();
    const rows = await db().usageLog.findMany({ where: { apiKeyId: key.id }, orderBy: { id: "asc" } });
    const byPath = (path: string) => rows.filter((row) => row.path === path).at(-1);
    expect(byPath("/gw/gone/x")).toMatchObject({ statusCode: 502, upstreamStatus: null, upstreamError: "refused" });
    expect(byPath("/gw/slow/slow")).toMatchObject({ statusCode: 504, upstreamStatus: null, upstreamError: "timeout" });
    expect(byPath("/gw/echo/reset")).toMatchObject({ statusCode: 502, upstreamStatus: null, upstreamError: "reset" });
    expect(byPath("/gw/echo/fail")).toMatchObject({ statusCode: 500, upstreamStatus: 500, upstreamError: null });
    const ok = byPath("/gw/echo/h")!;
    expect(ok).toMatchObject({ method: "GET", statusCode: 200, upstreamStatus: 200, upstreamError: null });
    expect(ok.latencyMs).toBeGreaterThanOrEqual(0);
    // The query is never stored; refusals before the upstream have no upstream columns.
    const gatewayRows = rows.filter((row) => row.path.startsWith("/gw/"));
    expect(gatewayRows.length).toBeGreaterThan(20);
    expect(gatewayRows.filter((row) => row.path.includes("?"))).toEqual([]);
    // A data-API call of an upstream route records its upstream too.
    expect(rows.find((row) => row.path === "/api/api-routes-data?id=9001")).toMatchObject({
      statusCode: 200,
      upstreamStatus: 200,
    });
    expect(byPath("/gw/nope/x")).toMatchObject({ statusCode: 404, upstreamStatus: null, latencyMs: null });
  });
});

/** Sends a GET through the gateway and hangs up when `leave` says so; resolves with what arrived. */
function leaveEarly(
  path: string,
  leave: (bytes: number) => boolean,
): Promise<{ status: number | null; bytes: number }> {
  return new Promise((resolve) => {
    let bytes = 0;
    let status: number | null = null;
    const outgoing = http.request(
      { host: "127.0.0.1", port: gatewayPort, method: "GET", path, headers: asKeyHeaders(), agent: false },
      (res) => {
        status = res.statusCode!;
        res.on("data", (chunk: Buffer) => {
          bytes += chunk.length;
          if (leave(bytes)) outgoing.destroy();
        });
        res.on("error", () => {});
      },
    );
    outgoing.on("error", () => {});
    outgoing.on("close", () => resolve({ status, bytes }));
    outgoing.end();
    if (leave(0)) setTimeout(() => outgoing.destroy(), 200);
  });
}
const asKeyHeaders = () => ({ "x-api-key": key.api_key, "x-username": key.user });

/** The newest usage row of a path, once written: the gateway records a cut-off call when its side closes, which may come after the client's. */
async function lastRowOf(path: string) {
  for (let attempt = 0; attempt < 40; attempt++) {
    await flushUsage();
    const row = await db().usageLog.findFirst({ where: { path }, orderBy: { id: "desc" } });
    if (row) return row;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return null;
}

describe("a call cut off midway", () => {
  it("by the upstream after its headers: the client's answer is cut off too, and usage says reset", async () => {
    const answer = await leaveEarly("/gw/echo/halfway", () => false);
    expect(answer.status).toBe(200);
    expect(answer.bytes).toBeLessThan(10_000);
    const row = await lastRowOf("/gw/echo/halfway");
    expect(row).toMatchObject({ statusCode: 200, upstreamStatus: 200, upstreamError: "reset" });
  });

  it("by the client before the upstream answers: the upstream call is cancelled, usage says 499", async () => {
    const closed = whenUpstreamCloses("/hold");
    const answer = await leaveEarly("/gw/echo/hold", (bytes) => bytes === 0);
    expect(answer.status).toBeNull();
    await closed; // never resolves if the gateway kept waiting on the upstream (the test times out)
    const row = await lastRowOf("/gw/echo/hold");
    expect(row).toMatchObject({ statusCode: 499, upstreamStatus: null, upstreamError: null });
  });

  it("by the client mid-body: the upstream's body stops, usage keeps the upstream's status without an error", async () => {
    const closed = whenUpstreamCloses("/endless");
    const answer = await leaveEarly("/gw/echo/endless", (bytes) => bytes > 256 * 1024);
    expect(answer.status).toBe(200);
    await closed; // the upstream would stream forever to a gateway that did not stop reading
    const row = await lastRowOf("/gw/echo/endless");
    expect(row).toMatchObject({ statusCode: 200, upstreamStatus: 200, upstreamError: null });
  });
});

describe("bodies are streamed both ways", () => {
  const SIZE = 100 * 1024 * 1024;

  /** Samples this process's RSS (gateway, upstream and client all run here) while `work` runs. */
  async function peakRss<T>(work: () => Promise<T>): Promise<{ result: T; baseline: number; growth: number }> {
    (globalThis as { gc?: () => void }).gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    try {
      const result = await work();
      return { result, baseline, growth: peak - baseline };
    } finally {
      clearInterval(timer);
    }
  }

  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

  it("a 100 MB upload arrives intact with bounded memory", { timeout: 120_000 }, async () => {
    const { result, baseline, growth } = await peakRss(
      () =>
        new Promise<{ status: number; body: string; sha256: string }>((resolve, reject) => {
          const hash = createHash("sha256");
          const req = http.request(
            {
              host: "127.0.0.1",
              port: gatewayPort,
              method: "POST",
              path: "/gw/echo/upload",
              headers: {
                ...{ "x-api-key": key.api_key, "x-username": key.user },
                "content-type": "application/octet-stream",
              },
              agent: false,
            },
            (res) => {
              let body = "";
              res.setEncoding("utf8");
              res.on("data", (chunk: string) => (body += chunk));
              res.on("end", () => resolve({ status: res.statusCode!, body, sha256: hash.digest("hex") }));
            },
          );
          req.on("error", reject);
          void writeChunks(req, SIZE, (chunk) => hash.update(chunk));
        }),
    );
    console.log(`100 MB upload through the gateway: RSS ${mb(baseline)} MB at start, peak growth ${mb(growth)} MB`);
    expect(result.status).toBe(201);
    expect(JSON.parse(result.body)).toEqual({ bytes: SIZE, sha256: result.sha256 });
    // Buffered anywhere, the body alone would add 100 MB.
    expect(growth).toBeLessThan(64 * 1024 * 1024);
  });

  it("a 100 MB download arrives intact with bounded memory", { timeout: 120_000 }, async () => {
    const expected = createHash("sha256");
    await writeChunks(
      { write: () => true, end: () => {}, once: () => {} } as unknown as NodeJS.WritableStream,
      SIZE,
      (chunk) => expected.update(chunk),
    );
    const { result, baseline, growth } = await peakRss(
      () =>
        new Promise<{ status: number; bytes: number; sha256: string }>((resolve, reject) => {
          const req = http.request(
            {
              host: "127.0.0.1",
              port: gatewayPort,
              method: "GET",
              path: `/gw/echo/download?bytes=${SIZE}`,
              headers: { "x-api-key": key.api_key, "x-username": key.user },
              agent: false,
            },
            (res) => {
              const hash = createHash("sha256");
              let bytes = 0;
              res.on("data", (chunk: Buffer) => {
                bytes += chunk.length;
                hash.update(chunk);
              });
              res.on("end", () => resolve({ status: res.statusCode!, bytes, sha256: hash.digest("hex") }));
              res.on("error", reject);
            },
          );
          req.on("error", reject);
          req.end();
        }),
    );
    console.log(`100 MB download through the gateway: RSS ${mb(baseline)} MB at start, peak growth ${mb(growth)} MB`);
    expect(result).toEqual({ status: 200, bytes: SIZE, sha256: expected.digest("hex") });
    expect(growth).toBeLessThan(64 * 1024 * 1024);
  });
});

describe("keys made and changed in the portal act at the gateway's next call", () => {
  it("scope, allow-list, read-only, expiry, grace, the hourly limit, revocation", async () => {
    const owner = await createAccount({ prefix: "gw-trials", plan: "enterprise" });
    const free = await createAccount({ prefix: "gw-trials-free" });
    await runKeyTrials({
      portal: trialPortal(owner, free),
      routeId: 9001,
      otherRouteId: 9002,
      label: "gateway",
      protectedCall: async (trialKey, method = "GET") =>
        (
          await call(method, "/gw/echo/trial", {
            key: trialKey.api_key,
            username: trialKey.user,
            ...(method === "POST" ? { body: "{}" } : {}),
          })
        ).status,
    });
  });
});
