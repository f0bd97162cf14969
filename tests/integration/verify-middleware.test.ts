import http from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVerifier, expressMiddleware } from "@keyportal/verify";
import { POST as verify } from "@/app/api/v1/keys/verify/route";
import { setRole } from "@/lib/auth/roles";
import { createServiceToken } from "@/lib/auth/service-tokens";
import { seedSampleRoutes } from "../helpers";
import {
  AUTH_ERROR,
  createAccount,
  generateKey,
  noParams,
  setStatus,
  trialPortal,
  type Account,
  type GeneratedKey,
} from "./support";
import { runKeyTrials } from "../shared/key-trials";

/**
 * @keyportal/verify against the real verify endpoint, over HTTP: an Express service protected by
 * the middleware, with keys made through the API. A revocation acts on the very next call.
 */
const servers: http.Server[] = [];
let portal: string;
let service: string;
let serviceToken: string;
let owner: Account;
let key: GeneratedKey;

function listen(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

/** The portal's verify route handler behind a plain HTTP server, as Next serves it. */
async function answerVerify(req: http.IncomingMessage, res: http.ServerResponse) {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
  const response = await verify(
    new Request(`http://localhost${req.url}`, { method: req.method, headers, body: Buffer.concat(chunks) }),
    noParams,
  );
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
}

beforeAll(async () => {
  await seedSampleRoutes();
  const operator = await createAccount({ prefix: "mw-operator" });
  await setRole(operator.email, "operator");
  const { token } = await createServiceToken(operator.id, "express-service");
  serviceToken = token;
  owner = await createAccount({ prefix: "mw-owner", plan: "professional" });
  key = await generateKey(owner.token, "express-key", "express_user");

  portal = await listen((req, res) => void answerVerify(req, res));

  const app = express();
  const verifier = createVerifier({ baseUrl: portal, serviceToken: token });
  app.get(
    "/reports/:id",
    expressMiddleware<express.Request>(verifier, { route: (req) => String(req.params.id), ip: () => "203.0.113.20" }),
    (req, res) => {
      res.json({ report: req.params.id, key: (req as unknown as { apiKey: { name: string } }).apiKey.name });
    },
  );
  service = await listen(app);
});

afterAll(() => Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))));

const get = (path: string, headers: Record<string, string>) => fetch(`${service}${path}`, { headers });

describe("an Express service behind @keyportal/verify", () => {
  it("serves a valid key with the rate-limit headers, refuses a missing one with the reference's 401", async () => {
    const ok = await get("/reports/123", { "x-api-key": key.api_key, "x-username": "express_user" });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ report: "123", key: "express-key" });
    expect(Number(ok.headers.get("x-ratelimit-limit"))).toBe(5000);
    expect(ok.headers.get("x-ratelimit-remaining")).not.toBeNull();

    const missing = await get("/reports/123", {});
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual(AUTH_ERROR);
    const wrongUser = await get("/reports/123", { "x-api-key": key.api_key, "x-username": "someone" });
    expect(wrongUser.status).toBe(401);
    expect(await wrongUser.json()).toEqual(AUTH_ERROR);
  });

  it("a route above the plan is 403; a deactivated key is refused at its next call", async () => {
    const free = await createAccount({ prefix: "mw-free" });
    const freeKey = await generateKey(free.token, "free-key", "free_user");
    const above = await get("/reports/124", { "x-api-key": freeKey.api_key, "x-username": "free_user" });
    expect(above.status).toBe(403);

    const revoked = await generateKey(owner.token, "revoked-key", "express_user");
    const headers = { "x-api-key": revoked.api_key, "x-username": "express_user" };
    expect((await get("/reports/123", headers)).status).toBe(200);
    expect((await setStatus(owner.token, revoked.id, "inactive")).status).toBe(200);
    const after = await get("/reports/123", headers);
    expect(after.status).toBe(401);
    expect(await after.json()).toEqual(AUTH_ERROR);
  });
});

describe("keys made and changed in the portal act at the protected service's next call", () => {
  it("scope, allow-list, read-only, expiry, grace, the hourly limit, revocation", async () => {
    // The README's example: the caller's address is the socket's (127.0.0.1 here).
    const app = express();
    const guard = expressMiddleware(createVerifier({ baseUrl: portal, serviceToken }), { route: 123 });
    app.get("/trial", guard, (_req, res) => void res.json({ ok: true }));
    app.post("/trial", guard, (_req, res) => void res.json({ ok: true }));
    const trialService = await listen(app);
    const trialOwner = await createAccount({ prefix: "mw-trials", plan: "professional" });
    const free = await createAccount({ prefix: "mw-trials-free" });
    await runKeyTrials({
      portal: trialPortal(trialOwner, free),
      routeId: 123,
      otherRouteId: 125,
      label: "middleware",
      protectedCall: async (trialKey, method = "GET") =>
        (
          await fetch(`${trialService}/trial`, {
            method,
            headers: { "x-api-key": trialKey.api_key, "x-username": trialKey.user },
          })
        ).status,
    });
  });
});
