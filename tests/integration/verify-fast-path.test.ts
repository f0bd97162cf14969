import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as verifyRoute } from "@/app/api/v1/keys/verify/route";
import { setRole } from "@/lib/auth/roles";
import { createServiceToken } from "@/lib/auth/service-tokens";
import { isVerifyRequest, serveVerifyRequest } from "@/lib/data-api/fast-path";
import { AUTH_ERROR, createAccount, generateKey, noParams, readBody, request, type GeneratedKey } from "./support";

// The production server answers POST /api/v1/keys/verify on its fast path (lib/data-api/fast-path.ts),
// reading the body from the socket itself: each answer here must be the App Router route's,
// status and body, with the fast path's headers, for well-formed calls and every kind of bad one.
let server: http.Server;
let base: string;
let key: GeneratedKey;
let serviceToken: string;

beforeAll(async () => {
  const operator = await createAccount({ prefix: "fast-verify-operator" });
  await setRole(operator.email, "operator");
  serviceToken = (await createServiceToken(operator.id, "fast-verify")).token;
  const owner = await createAccount({ prefix: "fast-verify-owner", plan: "professional" });
  key = await generateKey(owner.token, "fast-verified", "fast_user");
  server = http.createServer((req, res) => {
    if (isVerifyRequest(req)) serveVerifyRequest(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const headersFor = (token: string | null) => ({
  "content-type": "application/json",
  ...(token ? { authorization: `Bearer ${token}` } : {}),
});

async function viaFastPath(rawBody: string | ReadableStream<Uint8Array>, token: string | null = serviceToken) {
  const response = await fetch(`${base}/api/v1/keys/verify`, {
    method: "POST",
    headers: headersFor(token),
    body: rawBody,
    duplex: "half",
  } as RequestInit);
  expect(response.headers.get("x-data-path")).toBe("fast");
  expect(response.headers.get("cache-control")).toBe("no-store");
  expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
  return { status: response.status, body: await response.json() };
}

async function viaRoute(rawBody: string, token: string | null = serviceToken) {
  const response = await verifyRoute(
    request("POST", "/api/v1/keys/verify", { rawBody, headers: headersFor(token) }),
    noParams,
  );
  return { status: response.status, body: await readBody(response) };
}

/** The quota's remaining count moves with every counted call: compared apart from the rest. */
function withoutRemaining(answer: { status: number; body: Record<string, unknown> }) {
  const { ratelimit, ...rest } = answer.body as { ratelimit?: Record<string, unknown> | null };
  return { status: answer.status, body: { ...rest, ratelimit: ratelimit && { ...ratelimit, remaining: 0 } } };
}

describe("POST /api/v1/keys/verify on the fast path", () => {
  it("answers as the route does: valid, unknown key, bad token, bad JSON, bad fields", async () => {
    const cases: [string, string | null][] = [
      [JSON.stringify({ api_key: key.api_key, username: "fast_user" }), serviceToken],
      [JSON.stringify({ api_key: key.api_key, username: "someone_else" }), serviceToken],
      [JSON.stringify({ api_key: key.api_key, username: "fast_user", route: "no-such-route" }), serviceToken],
      [JSON.stringify({ api_key: key.api_key, username: "fast_user" }), null],
      [JSON.stringify({ api_key: key.api_key, username: "fast_user" }), "kps_not-a-real-token"],
      ["{not json", serviceToken],
      ["", serviceToken],
      [JSON.stringify({ api_key: key.api_key }), serviceToken],
      [JSON.stringify({ api_key: key.api_key, username: "u", ip: "not-an-ip" }), serviceToken],
    ];
    for (const [body, token] of cases) {
      const fast = await viaFastPath(body, token);
      expect(withoutRemaining(fast)).toEqual(withoutRemaining(await viaRoute(body, token)));
    }
    expect((await viaFastPath(cases[0][0])).body).toMatchObject({ valid: true, code: "VALID", key: { id: key.id } });
    expect(await viaFastPath(cases[3][0], null)).toEqual({ status: 401, body: AUTH_ERROR });
  });

  it("refuses a body over 64 KB, declared or streamed, with the route's 413", async () => {
    const big = JSON.stringify({ api_key: key.api_key, username: "x".repeat(70_000) });
    const declared = await viaFastPath(big);
    expect(declared).toEqual(await viaRoute(big));
    expect(declared.status).toBe(413);
    // Chunked, no Content-Length: refused while reading, once the 64 KB are passed.
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 100; i++) controller.enqueue(new TextEncoder().encode("x".repeat(1024)));
        controller.close();
      },
    });
    expect(await viaFastPath(chunks)).toEqual({ status: 413, body: declared.body });
    // The server is still answering.
    expect((await viaFastPath(JSON.stringify({ api_key: key.api_key, username: "fast_user" }))).status).toBe(200);
  });
});
