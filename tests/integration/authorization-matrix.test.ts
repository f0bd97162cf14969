import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as logout } from "@/app/api/auth/logout/route";
import { signAccessToken } from "@/lib/auth/access-token";
import { db } from "@/lib/db/client";
import { AUTH_ERROR, createAccount, generateKey, type Account, type GeneratedKey } from "./support";
import { noParams, readBody, request } from "../helpers";

/**
 * Every /api route file, classified. A route added without a line here fails the first test,
 * so a new endpoint is in the matrix (or consciously public) the day it is added. Bearer routes
 * are then called with every method they export, by every kind of caller that must be refused,
 * and by another account, which must neither see nor change the victim's data.
 */
type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

const PUBLIC: Record<string, string> = {
  "app/api/[[...path]]/route.ts": "catch-all: the 404 envelope",
  "app/api/auth/[...nextauth]/route.ts": "next-auth's own sign-in (CSRF token + credentials)",
  "app/api/auth/login/route.ts": "credentials in the body",
  "app/api/auth/register/route.ts": "creates an account",
  "app/api/auth/reset-password/route.ts": "a reset link's token in the body",
  "app/api/auth/forgot-password/route.ts": "mails a reset link; the same answer for any email",
  "app/api/auth/refresh/route.ts": "the refresh token is the credential",
  "app/api/auth/logout/route.ts": "the refresh token is the credential",
  "app/api/api-routes-data/route.ts": "X-API-Key + X-Username (tests/integration/data-route.test.ts)",
  "app/api/health/route.ts": "for load balancers; tells nothing about accounts",
  "app/api/health/live/route.ts": "for process supervisors; tells nothing at all",
  "app/api/health/ready/route.ts": "for load balancers; tells nothing about accounts",
  "app/api/openapi.json/route.ts": "the API's own description; nothing about accounts",
  "app/api/api-keys/revoke/route.ts": "leak report: the reported key is the proof; same 202 whatever it finds",
  "app/api/bench/noop/route.ts": "bench only (BENCH_ROUTES), constant JSON",
  "app/api/bench/event-loop/route.ts": "bench only (BENCH_ROUTES), event-loop figures",
  "app/api/v1/keys/verify/route.ts": "a service token (tests/integration/verify-endpoint.test.ts)",
};

/**
 * Bearer routes: the path to call (with the victim's key id, or the victim's personal
 * organization) and, for another account, what it must get: 404 for a path naming the victim's
 * (`params`), else a success on its own data, or `other`.
 */
const WEBHOOK_ID = "999999";
const victimOrg = (more: Record<string, string> = {}) => ({ id: String(victim.id), ...more });
const BEARER: Record<
  string,
  { path: (keyId: number) => string; params?: (keyId: number) => Record<string, string>; other?: number }
> = {
  "app/api/api-keys/route.ts": { path: () => "/api/api-keys" },
  "app/api/api-keys/generate/route.ts": { path: () => "/api/api-keys/generate" },
  "app/api/api-keys/export/route.ts": { path: () => "/api/api-keys/export" },
  "app/api/api-keys/[id]/route.ts": { path: (id) => `/api/api-keys/${id}`, params: (id) => ({ id: String(id) }) },
  "app/api/api-keys/[id]/status/route.ts": {
    path: (id) => `/api/api-keys/${id}/status`,
    params: (id) => ({ id: String(id) }),
  },
  "app/api/api-keys/[id]/rotate/route.ts": {
    path: (id) => `/api/api-keys/${id}/rotate`,
    params: (id) => ({ id: String(id) }),
  },
  "app/api/audit-logs/route.ts": { path: () => "/api/audit-logs" },
  "app/api/api-usage-logs/route.ts": { path: () => "/api/api-usage-logs" },
  "app/api/api-usage-logs/summary/route.ts": { path: () => "/api/api-usage-logs/summary" },
  "app/api/account/working-hours/route.ts": { path: () => "/api/account/working-hours" },
  // The matrix's body has no current_password: refused before anything is read.
  "app/api/account/password/route.ts": { path: () => "/api/account/password", other: 400 },
  // The matrix's bodies have no current_password or code either.
  "app/api/account/2fa/route.ts": { path: () => "/api/account/2fa", other: 400 },
  "app/api/account/2fa/confirm/route.ts": { path: () => "/api/account/2fa/confirm", other: 400 },
  "app/api/orgs/route.ts": { path: () => "/api/orgs" },
  "app/api/orgs/[id]/route.ts": { path: () => `/api/orgs/${victim.id}`, params: () => victimOrg() },
  "app/api/orgs/[id]/members/route.ts": {
    path: () => `/api/orgs/${victim.id}/members`,
    params: () => victimOrg(),
  },
  "app/api/orgs/[id]/members/[user_id]/route.ts": {
    path: () => `/api/orgs/${victim.id}/members/${victim.id}`,
    params: () => victimOrg({ user_id: String(victim.id) }),
  },
  "app/api/orgs/[id]/invitations/route.ts": {
    path: () => `/api/orgs/${victim.id}/invitations`,
    params: () => victimOrg(),
  },
  "app/api/orgs/[id]/invitations/[invitation_id]/route.ts": {
    path: () => `/api/orgs/${victim.id}/invitations/1`,
    params: () => victimOrg({ invitation_id: "1" }),
  },
  "app/api/orgs/[id]/leave/route.ts": { path: () => `/api/orgs/${victim.id}/leave`, params: () => victimOrg() },
  "app/api/orgs/[id]/transfer/route.ts": {
    path: () => `/api/orgs/${victim.id}/transfer`,
    params: () => victimOrg(),
  },
  // No invitation has the body's token.
  "app/api/invitations/accept/route.ts": { path: () => "/api/invitations/accept", other: 404 },
  // Webhook endpoints: the attacker's own list, and its own new endpoint (BODIES.POST's url and
  // events); WEBHOOK_ID names no endpoint of theirs (an id of their own could equal a key id).
  "app/api/webhooks/route.ts": { path: () => "/api/webhooks" },
  "app/api/webhooks/[id]/route.ts": { path: () => `/api/webhooks/${WEBHOOK_ID}`, params: () => ({ id: WEBHOOK_ID }) },
  "app/api/webhooks/[id]/rotate-secret/route.ts": {
    path: () => `/api/webhooks/${WEBHOOK_ID}/rotate-secret`,
    params: () => ({ id: WEBHOOK_ID }),
  },
  "app/api/webhooks/[id]/deliveries/route.ts": {
    path: () => `/api/webhooks/${WEBHOOK_ID}/deliveries`,
    params: () => ({ id: WEBHOOK_ID }),
  },
  "app/api/webhooks/[id]/deliveries/[delivery_id]/redeliver/route.ts": {
    path: () => `/api/webhooks/${WEBHOOK_ID}/deliveries/1/redeliver`,
    params: () => ({ id: WEBHOOK_ID, delivery_id: "1" }),
  },
};

/**
 * Operator routes (/api/admin/…): the same refused callers get the 401 body, and a valid Bearer of
 * an account that is not an operator the 403 body; the victim's data is not theirs to reach.
 */
const OPERATOR: Record<string, { path: string; params?: Record<string, string> }> = {
  "app/api/admin/routes/route.ts": { path: "/api/admin/routes" },
  "app/api/admin/routes/[id]/route.ts": { path: "/api/admin/routes/126", params: { id: "126" } },
  "app/api/admin/service-tokens/route.ts": { path: "/api/admin/service-tokens" },
  "app/api/admin/organizations/route.ts": { path: "/api/admin/organizations" },
  "app/api/admin/organizations/[id]/route.ts": { path: "/api/admin/organizations/1", params: { id: "1" } },
  "app/api/admin/service-tokens/[id]/route.ts": { path: "/api/admin/service-tokens/1", params: { id: "1" } },
  "app/api/admin/accounts/route.ts": { path: "/api/admin/accounts" },
  "app/api/admin/accounts/[id]/route.ts": { path: "/api/admin/accounts/1", params: { id: "1" } },
  "app/api/admin/accounts/[id]/sign-out/route.ts": { path: "/api/admin/accounts/1/sign-out", params: { id: "1" } },
  "app/api/admin/usage/summary/route.ts": { path: "/api/admin/usage/summary" },
};

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
const BODIES: Record<string, unknown> = {
  POST: {
    api_key_name: "matrix",
    user: "matrix_user",
    grace_period_seconds: 0,
    name: "matrix",
    role: "viewer",
    user_id: 1,
    token: "inv_matrix",
    // A public address literal: no DNS, and not refused as private.
    url: "https://93.184.216.34/matrix-hook",
    events: ["key.created"],
  },
  PUT: { status: "inactive", time_zone: "UTC", work_start_hour: 1, work_end_hour: 2 },
  PATCH: { api_key_name: "renamed", name: "renamed", role: "viewer", status: "disabled" },
};

const routeFiles = fs
  .readdirSync("app/api", { recursive: true })
  .map(String)
  .filter((file) => path.basename(file) === "route.ts")
  .map((file) => path.join("app/api", file))
  .sort();

let victim: Account;
let attacker: Account;
let victimKey: GeneratedKey;
let callers: Array<[string, Record<string, string>]>;

beforeAll(async () => {
  victim = await createAccount({ prefix: "matrix-victim", plan: "professional" });
  attacker = await createAccount({ prefix: "matrix-attacker", plan: "professional" });
  victimKey = await generateKey(victim.token, "victim-secret-name", "victim_user");
  const attackerKey = await generateKey(attacker.token, "attacker-key", "attacker_user");
  const signedOut = await createAccount({ prefix: "matrix-signed-out" });
  await logout(request("POST", "/api/auth/logout", { body: { refresh_token: signedOut.refreshToken } }), noParams);
  const [header, payload, signature] = victim.token.split(".");
  const forgedClaims = JSON.parse(Buffer.from(payload, "base64url").toString());
  forgedClaims.sub = String(attacker.id);
  callers = [
    ["no credentials", {}],
    [
      "an expired token",
      { authorization: `Bearer ${(await signAccessToken(victim.id, "f", Date.now() - 2 * 86_400_000)).token}` },
    ],
    [
      "a token signed with another secret",
      {
        authorization: `Bearer ${header}.${payload}.${Buffer.from("x".repeat(32)).toString("base64url")}`,
      },
    ],
    [
      "a token whose claims were changed",
      {
        authorization: `Bearer ${header}.${Buffer.from(JSON.stringify(forgedClaims)).toString("base64url")}.${signature}`,
      },
    ],
    ["a refresh token as the Bearer token", { authorization: `Bearer ${victim.refreshToken}` }],
    ["another account's API key as the Bearer token", { authorization: `Bearer ${attackerKey.api_key}` }],
    [
      "an API key in X-API-Key instead of a Bearer token",
      { "x-api-key": victimKey.api_key, "x-username": "victim_user" },
    ],
    ["a signed-out login's access token", { authorization: `Bearer ${signedOut.token}` }],
    ["a portal session cookie instead of a Bearer token", { cookie: "next-auth.session-token=forged.cookie.value" }],
  ];
});

async function call(file: string, method: string, headers: Record<string, string>) {
  const route = BEARER[file] ?? {
    path: () => OPERATOR[file].path,
    params: OPERATOR[file].params && (() => OPERATOR[file].params!),
  };
  const routeModule = (await import(/* @vite-ignore */ `@/${file.replace(/\.ts$/, "")}`)) as Record<string, Handler>;
  const handler = routeModule[method];
  if (!handler) return null;
  const body = BODIES[method];
  const response = await handler(
    request(method, route.path(victimKey.id), { headers, ...(body === undefined ? {} : { body }) }),
    { params: Promise.resolve(route.params?.(victimKey.id) ?? {}) },
  );
  return response;
}

describe("the route inventory", () => {
  it("classifies every /api route file as public or Bearer", () => {
    const unclassified = routeFiles.filter((file) => !(file in PUBLIC) && !(file in BEARER) && !(file in OPERATOR));
    expect(unclassified).toEqual([]);
    expect([...Object.keys(BEARER), ...Object.keys(OPERATOR)].filter((file) => !routeFiles.includes(file))).toEqual([]);
    expect(routeFiles.length).toBe(
      Object.keys(PUBLIC).length + Object.keys(BEARER).length + Object.keys(OPERATOR).length,
    );
  });
});

describe("every Bearer route × method × refused caller", () => {
  it("answers the reference's 401 body, and changes nothing", async () => {
    let checked = 0;
    for (const file of Object.keys(BEARER)) {
      for (const method of METHODS) {
        for (const [label, headers] of callers) {
          const response = await call(file, method, headers);
          if (!response) break; // the module does not export this method (Next answers 405)
          if (response.status === 405) break; // a verb the route refuses for everyone
          expect({ route: file, method, caller: label, status: response.status }).toEqual({
            route: file,
            method,
            caller: label,
            status: 401,
          });
          expect(await readBody(response)).toEqual(AUTH_ERROR);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(9 * 8);
    const key = await db().apiKey.findUniqueOrThrow({ where: { id: victimKey.id } });
    expect(key).toMatchObject({ status: "active", name: "victim-secret-name" });
  });
});

describe("every operator route × method", () => {
  it("answers each refused caller the 401 body, and an account that is not an operator the 403 body", async () => {
    let checked = 0;
    for (const file of Object.keys(OPERATOR)) {
      for (const method of METHODS) {
        for (const [label, headers] of [
          ...callers,
          ["a user's valid token", { authorization: `Bearer ${attacker.token}` }],
        ] as Array<[string, Record<string, string>]>) {
          const response = await call(file, method, headers);
          if (!response || response.status === 405) break;
          const expected = label === "a user's valid token" ? 403 : 401;
          expect({ route: file, method, caller: label, status: response.status }).toEqual({
            route: file,
            method,
            caller: label,
            status: expected,
          });
          expect((await readBody(response)).success).toBe(false);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(8 * 10);
    expect(await db().apiRoute.count({ where: { id: { gt: 125 } } })).toBe(0);
    expect(await db().serviceToken.count()).toBe(0);
  });
});

describe("another account's valid Bearer token", () => {
  it("never sees or changes the victim's key: 404 on its id, absent from every list and export", async () => {
    const headers = { authorization: `Bearer ${attacker.token}` };
    for (const file of Object.keys(BEARER)) {
      for (const method of METHODS) {
        const response = await call(file, method, headers);
        if (!response || response.status === 405) continue;
        const text = await response.text();
        expect(text, `${method} ${file}`).not.toContain("victim-secret-name");
        expect(text, `${method} ${file}`).not.toContain(victimKey.api_key.slice(8, 20));
        if (BEARER[file].params || BEARER[file].other) {
          const status = BEARER[file].other ?? 404;
          expect({ file, method, status: response.status }).toMatchObject({ status });
        } else expect(response.status, `${method} ${file}`).toBeLessThan(300);
      }
    }
    const key = await db().apiKey.findUniqueOrThrow({ where: { id: victimKey.id } });
    expect(key).toMatchObject({ status: "active", name: "victim-secret-name" });
  });
});
