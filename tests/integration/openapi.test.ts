import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as getDocument } from "@/app/api/openapi.json/route";
import { setRole } from "@/lib/auth/roles";
import { startTwoFactor } from "@/lib/auth/sign-in";
import { confirmEnrolment } from "@/lib/auth/two-factor";
import { createResetLink } from "@/lib/auth/password-reset";
import { generate as totpCode } from "otplib";
import { createServiceToken } from "@/lib/auth/service-tokens";
import { createRoute } from "@/lib/data-routes/route-commands";
import { db } from "@/lib/db/client";
import { createInvitation } from "@/lib/orgs/invitations";
import type { OrgRole } from "@/lib/orgs/permissions";
import { OPERATIONS, openApiDocument } from "@/lib/openapi/document";
import { ctx, readBody, request, seedSampleRoutes } from "../helpers";
import { callData, createAccount, generateKey, uniqueEmail, type Account, type GeneratedKey } from "./support";
import { createWebhook } from "@/lib/webhooks/webhook-endpoints";

/**
 * The OpenAPI document against the code: it must be a valid OpenAPI 3.1 document; every route
 * file under app/api must be in it; and every operation it lists is called through its route
 * module, each answer's status must be one it lists for that operation and each JSON body must
 * match the schema it gives. A new route, status or response field that the document does not
 * know fails here. What client generators need is held here too: an operationId and a tag on
 * every operation, and examples that fit their own schemas (and, for requests, the handlers'
 * parsing).
 */

const document = openApiDocument();
type Schema = Record<string, unknown>;

const METHODS = ["get", "post", "put", "patch", "delete"] as const;
type Method = (typeof METHODS)[number];

// next-auth's own actions, the benchmark's routes (off unless BENCH_ROUTES) and the catch-all
// that answers the 404 envelope for unknown /api paths are not part of the API.
const UNDOCUMENTED = [/^\/api\/auth\/\[\.\.\.nextauth\]$/, /^\/api\/bench\//, /^\/api\/\[\[\.\.\.path\]\]$/];

/** app/api/api-keys/[id]/rotate/route.ts → /api/api-keys/{id}/rotate */
function routeFiles(): Map<string, string> {
  const root = path.resolve("app/api");
  const files = new Map<string, string>();
  for (const entry of fs.readdirSync(root, { recursive: true, encoding: "utf8" })) {
    if (path.basename(entry) !== "route.ts") continue;
    const route = `/api/${path.dirname(entry).split(path.sep).join("/")}`;
    if (UNDOCUMENTED.some((pattern) => pattern.test(route))) continue;
    files.set(route.replace(/\[(\w+)\]/g, "{$1}"), path.join(root, entry));
  }
  return files;
}
const files = routeFiles();

type Handler = (request: Request, context: { params: Promise<unknown> }) => Promise<Response>;
async function routeModule(template: string): Promise<Record<string, Handler | undefined>> {
  const file = files.get(template);
  if (!file) throw new Error(`no route file serves ${template}`);
  return import(file);
}

// ---------------------------------------------------------------------------------------------
// A small reader of the document's schemas: enough to hold a body to what the document promises.

function resolve<T>(node: T): T {
  let current: unknown = node;
  while (current && typeof current === "object" && "$ref" in current) {
    const pointer = String((current as { $ref: string }).$ref);
    current = pointer
      .replace(/^#\//, "")
      .split("/")
      .reduce<unknown>((at, part) => (at as Record<string, unknown>)[part], document);
  }
  return current as T;
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/** Where `value` breaks `schema`: types, required properties, enums and consts, date-times. */
function violations(value: unknown, schemaOrRef: Schema, at = "body"): string[] {
  const schema = resolve(schemaOrRef);
  if (Array.isArray(schema.anyOf)) {
    const ok = (schema.anyOf as Schema[]).some((branch) => violations(value, branch, at).length === 0);
    return ok ? [] : [`${at}: matches none of anyOf`];
  }
  const problems: string[] = [];
  if (schema.type !== undefined) {
    const types = ([] as unknown[]).concat(schema.type);
    const actual = typeOf(value);
    if (!types.includes(actual) && !(actual === "integer" && types.includes("number"))) {
      return [`${at}: ${actual} where ${types.join(" or ")} is documented`];
    }
  }
  if ("const" in schema && value !== schema.const) problems.push(`${at}: not ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value))
    problems.push(`${at}: ${JSON.stringify(value)} not in enum`);
  if (schema.format === "date-time" && typeof value === "string" && Number.isNaN(Date.parse(value))) {
    problems.push(`${at}: not a date-time`);
  }
  if (typeOf(value) === "object") {
    const object = value as Record<string, unknown>;
    for (const name of (schema.required as string[] | undefined) ?? []) {
      if (!(name in object)) problems.push(`${at}.${name}: required but missing`);
    }
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const [name, property] of Object.entries(properties)) {
      if (name in object) problems.push(...violations(object[name], property, `${at}.${name}`));
    }
    if (schema.additionalProperties === false) {
      for (const name of Object.keys(object)) if (!(name in properties)) problems.push(`${at}.${name}: not documented`);
    }
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((item, index) => problems.push(...violations(item, schema.items as Schema, `${at}[${index}]`)));
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// A realistic call for every operation the document lists.

interface Call {
  url: string;
  params?: Record<string, string>;
  token?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  status: number;
}

interface Fixture {
  account: Account;
  /** A second login of the account, and a third: refresh and logout each end one. */
  refreshTokens: string[];
  key: GeneratedKey;
  /** Keys that a scenario changes for good: deactivated, deleted, rotated, reported. */
  spare: Record<"status" | "delete" | "rotate" | "leak", GeneratedKey>;
  /** Read-only and limited to route 125. */
  readOnly: GeneratedKey;
  /** An operator account (npm run admin -- set-role) and two routes of its own, one to change and one to delete. */
  operator: Account;
  routes: Record<"change" | "delete", number>;
  /** A service token to revoke, and one to verify keys with. */
  serviceTokenId: number;
  verifyToken: string;
  /**
   * Organizations the operator owns (not the account's: its one Free organization is POST /api/orgs's
   * to make): one to change, one to transfer, one to delete, one to join; their members, and
   * invitations to revoke and accept.
   */
  orgs: Record<"team" | "transfer" | "doomed" | "join", number>;
  members: Record<"promote" | "remove" | "leave" | "heir", Account>;
  invitations: { revoke: number; accept: string; otherEmail: string; expired: string };
  /** Two-factor: an enrolment pending with a code from its secret, and one confirmed with its recovery codes. */
  twoFactor: { pending: Account; pendingCode: string; on: Account; recoveryCodes: string[] };
  /** A reset link's token for an account of its own. */
  resetToken: string;
  /** The account's webhook endpoints (one to keep, one to delete) and a delivery of the kept one. */
  webhooks: { keep: number; doomed: number; delivery: number };
}

const dataHeaders = (key: GeneratedKey) => ({ "x-api-key": key.api_key, "x-username": key.user });
const PASSWORD = "openapi-Secret-password-1";

/** A call of /api/orgs/{id}{path}[/{user_id}] as `account`. */
function org(
  id: number,
  account: Account,
  options: { path?: string; user?: Account; body?: unknown; status: number },
): Call {
  const userPart = options.user ? `/${options.user.id}` : "";
  return {
    url: `/api/orgs/${id}${options.path ?? ""}${userPart}`,
    params: { id: String(id), ...(options.user ? { user_id: String(options.user.id) } : {}) },
    token: account.token,
    ...(options.body === undefined ? {} : { body: options.body }),
    status: options.status,
  };
}

/** A call of /api/admin/organizations/{id} as the operator. */
const adminOrg = (f: Fixture, id: number, options: { body?: unknown; status: number }): Call => ({
  url: `/api/admin/organizations/${id}`,
  params: { id: String(id) },
  token: f.operator.token,
  ...(options.body === undefined ? {} : { body: options.body }),
  status: options.status,
});

/** A call of /api/admin/accounts/{id}{path} as the operator. */
const adminAccount = (f: Fixture, id: number, options: { path?: string; body?: unknown; status: number }): Call => ({
  url: `/api/admin/accounts/${id}${options.path ?? ""}`,
  params: { id: String(id) },
  token: f.operator.token,
  ...(options.body === undefined ? {} : { body: options.body }),
  status: options.status,
});

const invitation = (id: number, account: Account, invitationId: number, status: number): Call => ({
  url: `/api/orgs/${id}/invitations/${invitationId}`,
  params: { id: String(id), invitation_id: String(invitationId) },
  token: account.token,
  status,
});

/** A call of /api/webhooks{path} as the fixture's account. */
const webhook = (
  f: Fixture,
  path: string,
  options: { params?: Record<string, string>; body?: unknown; status: number },
): Call => ({
  url: `/api/webhooks${path}`,
  params: options.params ?? {},
  token: f.account.token,
  ...(options.body === undefined ? {} : { body: options.body }),
  status: options.status,
});

const SCENARIOS: Record<string, (f: Fixture) => Call[]> = {
  "GET /api/webhooks": (f) => [webhook(f, "", { status: 200 })],
  "POST /api/webhooks": (f) => [
    webhook(f, "", { body: { url: "https://93.184.216.34/oas-new", events: ["key.rotated"] }, status: 201 }),
    webhook(f, "", { body: { url: "http://127.0.0.1/hook", events: ["key.rotated"] }, status: 400 }),
  ],
  "GET /api/webhooks/{id}": (f) => [
    webhook(f, `/${f.webhooks.keep}`, { params: { id: String(f.webhooks.keep) }, status: 200 }),
    webhook(f, "/999999", { params: { id: "999999" }, status: 404 }),
  ],
  "PATCH /api/webhooks/{id}": (f) => [
    webhook(f, `/${f.webhooks.keep}`, {
      params: { id: String(f.webhooks.keep) },
      body: { description: "OAS" },
      status: 200,
    }),
    webhook(f, `/${f.webhooks.keep}`, { params: { id: String(f.webhooks.keep) }, body: {}, status: 400 }),
  ],
  "DELETE /api/webhooks/{id}": (f) => [
    webhook(f, `/${f.webhooks.doomed}`, { params: { id: String(f.webhooks.doomed) }, status: 200 }),
    webhook(f, `/${f.webhooks.doomed}`, { params: { id: String(f.webhooks.doomed) }, status: 404 }),
  ],
  "POST /api/webhooks/{id}/rotate-secret": (f) => [
    webhook(f, `/${f.webhooks.keep}/rotate-secret`, { params: { id: String(f.webhooks.keep) }, status: 200 }),
  ],
  "GET /api/webhooks/{id}/deliveries": (f) => [
    webhook(f, `/${f.webhooks.keep}/deliveries`, { params: { id: String(f.webhooks.keep) }, status: 200 }),
  ],
  "POST /api/webhooks/{id}/deliveries/{delivery_id}/redeliver": (f) => [
    webhook(f, `/${f.webhooks.keep}/deliveries/${f.webhooks.delivery}/redeliver`, {
      params: { id: String(f.webhooks.keep), delivery_id: String(f.webhooks.delivery) },
      status: 202,
    }),
  ],
  "POST /api/auth/register": () => [
    { url: "/api/auth/register", body: { email: uniqueEmail("oas"), password: PASSWORD }, status: 201 },
  ],
  "POST /api/auth/login": (f) => [
    { url: "/api/auth/login", body: { email: f.account.email, password: f.account.password }, status: 200 },
    { url: "/api/auth/login", body: { email: f.account.email, password: "not-the-password" }, status: 401 },
  ],
  "POST /api/auth/refresh": (f) => [
    { url: "/api/auth/refresh", body: { refresh_token: f.refreshTokens[0] }, status: 200 },
    { url: "/api/auth/refresh", body: { refresh_token: "rt_not-a-token" }, status: 401 },
  ],
  "POST /api/auth/reset-password": (f) => [
    { url: "/api/auth/reset-password", body: { token: f.resetToken, new_password: "reset-by-link-123" }, status: 200 },
    { url: "/api/auth/reset-password", body: { token: f.resetToken, new_password: "reset-by-link-123" }, status: 400 },
  ],
  "POST /api/auth/forgot-password": () => [
    { url: "/api/auth/forgot-password", body: { email: "nobody-oas@example.com" }, status: 200 },
    { url: "/api/auth/forgot-password", body: { email: "not-an-email" }, status: 400 },
  ],
  "POST /api/auth/logout": (f) => [
    { url: "/api/auth/logout", body: { refresh_token: f.refreshTokens[1] }, status: 200 },
  ],
  "GET /api/api-keys": (f) => [
    { url: "/api/api-keys?page=1&per_page=5&status=active&q=OAS", token: f.account.token, status: 200 },
    { url: "/api/api-keys?per_page=101", token: f.account.token, status: 400 },
  ],
  "POST /api/api-keys/generate": (f) => [
    {
      url: "/api/api-keys/generate",
      token: f.account.token,
      body: { api_key_name: "OAS generated", user: "oas_user", environment: "staging", expires_in_days: 30 },
      status: 201,
    },
    {
      url: "/api/api-keys/generate",
      token: f.account.token,
      body: { api_key_name: "OAS generated", user: "oas_user" },
      status: 409,
    },
  ],
  "GET /api/api-keys/{id}": (f) => [
    { url: `/api/api-keys/${f.key.id}`, params: { id: String(f.key.id) }, token: f.account.token, status: 200 },
    { url: "/api/api-keys/2147483647", params: { id: "2147483647" }, token: f.account.token, status: 404 },
  ],
  "PATCH /api/api-keys/{id}": (f) => [
    {
      url: `/api/api-keys/${f.key.id}`,
      params: { id: String(f.key.id) },
      token: f.account.token,
      body: { api_key_name: "OAS main key", ip_allowlist: null, read_only: false },
      status: 200,
    },
  ],
  "DELETE /api/api-keys/{id}": (f) => [
    {
      url: `/api/api-keys/${f.spare.delete.id}`,
      params: { id: String(f.spare.delete.id) },
      token: f.account.token,
      status: 200,
    },
  ],
  "PUT /api/api-keys/{id}/status": (f) => [
    {
      url: `/api/api-keys/${f.spare.status.id}/status`,
      params: { id: String(f.spare.status.id) },
      token: f.account.token,
      body: { status: "inactive" },
      status: 200,
    },
  ],
  "POST /api/api-keys/{id}/rotate": (f) => {
    const rotate = {
      url: `/api/api-keys/${f.spare.rotate.id}/rotate`,
      params: { id: String(f.spare.rotate.id) },
      token: f.account.token,
      body: { grace_period_seconds: 3600 },
    };
    return [
      { ...rotate, status: 201 },
      { ...rotate, status: 409 },
    ];
  },
  "POST /api/api-keys/revoke": (f) => [
    { url: "/api/api-keys/revoke", body: { api_key: f.spare.leak.api_key }, status: 202 },
    { url: "/api/api-keys/revoke", body: { api_key: "sk_live_not-a-key" }, status: 202 },
  ],
  "GET /api/api-keys/export": (f) => [
    { url: "/api/api-keys/export?status=active", token: f.account.token, status: 200 },
  ],
  "GET /api/api-usage-logs": (f) => [
    {
      url: `/api/api-usage-logs?per_page=10&api_key_id=${f.key.id}&status=success&from=2020-01-01`,
      token: f.account.token,
      status: 200,
    },
  ],
  "GET /api/api-usage-logs/summary": (f) => [
    { url: "/api/api-usage-logs/summary?range=7d", token: f.account.token, status: 200 },
  ],
  "GET /api/audit-logs": (f) => [{ url: "/api/audit-logs?action=key.generate", token: f.account.token, status: 200 }],
  "PUT /api/account/working-hours": (f) => [
    {
      url: "/api/account/working-hours",
      token: f.account.token,
      body: { time_zone: "Europe/Paris", work_start_hour: 9, work_end_hour: 17 },
      status: 200,
    },
  ],
  "PUT /api/account/password": (f) => [
    {
      url: "/api/account/password",
      token: f.members.heir.token,
      body: { current_password: f.members.heir.password, new_password: `${f.members.heir.password}-changed` },
      status: 200,
    },
    {
      url: "/api/account/password",
      token: f.account.token,
      body: { current_password: "not-the-password", new_password: "whatever-new-1" },
      status: 403,
    },
    { url: "/api/account/password", token: f.account.token, body: { current_password: "x" }, status: 400 },
  ],
  "POST /api/account/2fa": (f) => [
    { url: "/api/account/2fa", token: f.account.token, body: { current_password: "not-it" }, status: 403 },
    { url: "/api/account/2fa", token: f.account.token, body: { current_password: f.account.password }, status: 200 },
  ],
  "POST /api/account/2fa/confirm": (f) => [
    { url: "/api/account/2fa/confirm", token: f.twoFactor.pending.token, body: { code: "000000" }, status: 403 },
    { url: "/api/account/2fa/confirm", token: f.operator.token, body: { code: "123456" }, status: 409 },
    { url: "/api/account/2fa/confirm", token: f.twoFactor.pending.token, body: { code: "12" }, status: 400 },
    {
      url: "/api/account/2fa/confirm",
      token: f.twoFactor.pending.token,
      body: { code: f.twoFactor.pendingCode },
      status: 200,
    },
  ],
  "DELETE /api/account/2fa": (f) => [
    { url: "/api/account/2fa", token: f.twoFactor.on.token, body: { code: "000000" }, status: 403 },
    { url: "/api/account/2fa", token: f.twoFactor.on.token, body: { code: f.twoFactor.recoveryCodes[0] }, status: 200 },
    { url: "/api/account/2fa", token: f.twoFactor.on.token, body: { code: "000000" }, status: 409 },
  ],
  "GET /api/api-routes-data": (f) => [
    { url: "/api/api-routes-data?id=123", headers: dataHeaders(f.key), status: 200 },
    { url: "/api/api-routes-data?id=abc", headers: dataHeaders(f.key), status: 400 },
    { url: "/api/api-routes-data?id=99999", headers: dataHeaders(f.key), status: 404 },
    { url: "/api/api-routes-data?id=123", headers: dataHeaders(f.readOnly), status: 403 },
    { url: "/api/api-routes-data?id=123", status: 401 },
  ],
  "GET /api/health": () => [{ url: "/api/health", status: 200 }],
  "GET /api/health/live": () => [{ url: "/api/health/live", status: 200 }],
  "GET /api/health/ready": () => [{ url: "/api/health/ready", status: 200 }],
  "GET /api/openapi.json": () => [{ url: "/api/openapi.json", status: 200 }],
  "GET /api/admin/routes": (f) => [
    { url: "/api/admin/routes", token: f.operator.token, status: 200 },
    { url: "/api/admin/routes", token: f.account.token, status: 403 },
  ],
  "POST /api/admin/routes": (f) => [
    {
      url: "/api/admin/routes",
      token: f.operator.token,
      body: { slug: "oas-created", name: "OAS created", upstream_url: "https://upstream.test/v1", methods: ["GET"] },
      status: 201,
    },
    {
      url: "/api/admin/routes",
      token: f.operator.token,
      body: { slug: "sample", name: "x", payload: {} },
      status: 409,
    },
    { url: "/api/admin/routes", token: f.account.token, body: { slug: "x", name: "x", payload: {} }, status: 403 },
  ],
  "GET /api/admin/routes/{id}": (f) => [
    { url: "/api/admin/routes/123", params: { id: "123" }, token: f.operator.token, status: 200 },
    { url: "/api/admin/routes/2147483647", params: { id: "2147483647" }, token: f.operator.token, status: 404 },
  ],
  "PATCH /api/admin/routes/{id}": (f) => [
    {
      url: `/api/admin/routes/${f.routes.change}`,
      params: { id: String(f.routes.change) },
      token: f.operator.token,
      body: { name: "OAS changed", payload: { changed: true } },
      status: 200,
    },
    { url: "/api/admin/routes/123", params: { id: "123" }, token: f.operator.token, body: { name: "x" }, status: 409 },
  ],
  "POST /api/v1/keys/verify": (f) => [
    {
      url: "/api/v1/keys/verify",
      headers: { authorization: `Bearer ${f.verifyToken}` },
      body: { api_key: f.key.api_key, username: f.key.user, route: 123, ip: "203.0.113.5" },
      status: 200,
    },
    {
      url: "/api/v1/keys/verify",
      headers: { authorization: `Bearer ${f.verifyToken}` },
      body: { api_key: f.key.api_key, username: "not-the-user" },
      status: 200,
    },
    {
      url: "/api/v1/keys/verify",
      headers: { authorization: "Bearer kps_wrong" },
      body: { api_key: "x", username: "y" },
      status: 401,
    },
    {
      url: "/api/v1/keys/verify",
      headers: { authorization: `Bearer ${f.verifyToken}` },
      body: { api_key: "x" },
      status: 400,
    },
  ],
  "GET /api/orgs": (f) => [
    { url: "/api/orgs", token: f.account.token, status: 200 },
    { url: "/api/orgs", status: 401 },
  ],
  "POST /api/orgs": (f) => [
    { url: "/api/orgs", token: f.account.token, body: { name: "OAS team" }, status: 201 },
    { url: "/api/orgs", token: f.account.token, body: { name: "One too many" }, status: 403 },
    { url: "/api/orgs", token: f.account.token, body: { name: "" }, status: 400 },
  ],
  "PATCH /api/orgs/{id}": (f) => [
    org(f.orgs.team, f.operator, { body: { name: "OAS team renamed" }, status: 200 }),
    org(f.orgs.team, f.members.leave, { body: { name: "Not mine to name" }, status: 403 }),
    org(f.orgs.team, f.account, { body: { name: "Not mine at all" }, status: 404 }),
    org(f.orgs.team, f.operator, { body: { name: "" }, status: 400 }),
  ],
  "DELETE /api/orgs/{id}": (f) => [
    org(f.orgs.doomed, f.operator, { status: 200 }),
    org(f.orgs.team, f.members.remove, { status: 403 }),
    org(f.account.id, f.account, { status: 409 }),
    org(f.orgs.team, f.account, { status: 404 }),
  ],
  "GET /api/orgs/{id}/members": (f) => [
    org(f.orgs.team, f.members.leave, { path: "/members", status: 200 }),
    org(f.orgs.team, f.account, { path: "/members", status: 404 }),
  ],
  "PATCH /api/orgs/{id}/members/{user_id}": (f) => [
    org(f.orgs.team, f.operator, { path: "/members", user: f.members.promote, body: { role: "admin" }, status: 200 }),
    org(f.orgs.team, f.members.remove, {
      path: "/members",
      user: f.members.leave,
      body: { role: "admin" },
      status: 403,
    }),
    org(f.orgs.team, f.operator, { path: "/members", user: f.members.promote, body: { role: "boss" }, status: 400 }),
    org(f.orgs.team, f.operator, { path: "/members", user: f.account, body: { role: "viewer" }, status: 404 }),
    org(f.orgs.team, f.operator, { path: "/members", user: f.operator, body: { role: "viewer" }, status: 409 }),
  ],
  "DELETE /api/orgs/{id}/members/{user_id}": (f) => [
    org(f.orgs.team, f.members.remove, { path: "/members", user: f.members.leave, status: 403 }),
    org(f.orgs.team, f.operator, { path: "/members", user: f.members.remove, status: 200 }),
    org(f.orgs.team, f.operator, { path: "/members", user: f.members.remove, status: 404 }),
    org(f.orgs.team, f.operator, { path: "/members", user: f.operator, status: 409 }),
    {
      url: `/api/orgs/${f.orgs.team}/members/x`,
      params: { id: String(f.orgs.team), user_id: "x" },
      token: f.operator.token,
      status: 400,
    },
  ],
  "GET /api/orgs/{id}/invitations": (f) => [
    org(f.orgs.team, f.operator, { path: "/invitations", status: 200 }),
    org(f.orgs.team, f.members.leave, { path: "/invitations", status: 403 }),
  ],
  "POST /api/orgs/{id}/invitations": (f) => [
    org(f.orgs.team, f.operator, {
      path: "/invitations",
      body: { role: "developer", email: uniqueEmail("oas-invitee") },
      status: 201,
    }),
    org(f.orgs.team, f.operator, { path: "/invitations", body: { role: "boss" }, status: 400 }),
    org(f.orgs.team, f.members.leave, { path: "/invitations", body: { role: "viewer" }, status: 403 }),
    org(f.account.id, f.account, { path: "/invitations", body: { role: "viewer" }, status: 409 }),
  ],
  "DELETE /api/orgs/{id}/invitations/{invitation_id}": (f) => [
    invitation(f.orgs.team, f.operator, f.invitations.revoke, 200),
    invitation(f.orgs.team, f.members.leave, f.invitations.revoke, 403),
    invitation(f.orgs.team, f.operator, 999_999, 404),
  ],
  "POST /api/orgs/{id}/leave": (f) => [
    org(f.orgs.team, f.members.leave, { path: "/leave", status: 200 }),
    org(f.orgs.team, f.operator, { path: "/leave", status: 409 }),
    org(f.orgs.team, f.account, { path: "/leave", status: 404 }),
  ],
  "POST /api/orgs/{id}/transfer": (f) => [
    org(f.orgs.transfer, f.members.heir, { path: "/transfer", body: { user_id: f.operator.id }, status: 403 }),
    org(f.orgs.transfer, f.operator, { path: "/transfer", body: { user_id: "one" }, status: 400 }),
    org(f.orgs.transfer, f.operator, { path: "/transfer", body: { user_id: f.account.id }, status: 404 }),
    org(f.orgs.transfer, f.operator, { path: "/transfer", body: { user_id: f.members.heir.id }, status: 200 }),
  ],
  "POST /api/invitations/accept": (f) => [
    { url: "/api/invitations/accept", token: f.account.token, body: { token: f.invitations.accept }, status: 200 },
    { url: "/api/invitations/accept", token: f.account.token, body: { token: f.invitations.accept }, status: 409 },
    { url: "/api/invitations/accept", token: f.account.token, body: { token: "inv_nothing" }, status: 404 },
    { url: "/api/invitations/accept", token: f.account.token, body: { token: f.invitations.otherEmail }, status: 403 },
    { url: "/api/invitations/accept", token: f.account.token, body: { token: f.invitations.expired }, status: 410 },
    { url: "/api/invitations/accept", token: f.account.token, body: {}, status: 400 },
  ],
  "GET /api/admin/organizations": (f) => [
    { url: `/api/admin/organizations?q=${encodeURIComponent(f.account.email)}`, token: f.operator.token, status: 200 },
    { url: "/api/admin/organizations?plan=gold", token: f.operator.token, status: 400 },
    { url: "/api/admin/organizations", token: f.account.token, status: 403 },
  ],
  "GET /api/admin/organizations/{id}": (f) => [
    adminOrg(f, f.orgs.team, { status: 200 }),
    adminOrg(f, 999_999_999, { status: 404 }),
    { ...adminOrg(f, f.orgs.team, { status: 403 }), token: f.account.token },
    { ...adminOrg(f, f.orgs.team, { status: 400 }), url: "/api/admin/organizations/x", params: { id: "x" } },
  ],
  "PATCH /api/admin/organizations/{id}": (f) => [
    adminOrg(f, f.orgs.join, { body: { plan: "professional", rate_limit: null }, status: 200 }),
    adminOrg(f, f.orgs.join, { body: {}, status: 400 }),
    adminOrg(f, 999_999_999, { body: { subscription: "active" }, status: 404 }),
    { ...adminOrg(f, f.orgs.join, { body: { plan: "free" }, status: 403 }), token: f.account.token },
  ],
  "GET /api/admin/accounts": (f) => [
    { url: `/api/admin/accounts?q=${encodeURIComponent(f.account.email)}`, token: f.operator.token, status: 200 },
    { url: "/api/admin/accounts?per_page=0", token: f.operator.token, status: 400 },
    { url: "/api/admin/accounts", token: f.account.token, status: 403 },
  ],
  "GET /api/admin/accounts/{id}": (f) => [
    adminAccount(f, f.account.id, { status: 200 }),
    adminAccount(f, 2_147_483_647, { status: 404 }),
    { ...adminAccount(f, f.account.id, { status: 400 }), url: "/api/admin/accounts/x", params: { id: "x" } },
  ],
  "PATCH /api/admin/accounts/{id}": (f) => [
    adminAccount(f, f.members.promote.id, { body: { role: "user" }, status: 200 }),
    adminAccount(f, f.members.promote.id, { body: { role: "root" }, status: 400 }),
    adminAccount(f, 2_147_483_647, { body: { role: "user" }, status: 404 }),
    { ...adminAccount(f, f.account.id, { body: { role: "operator" }, status: 403 }), token: f.account.token },
  ],
  "POST /api/admin/accounts/{id}/sign-out": (f) => [
    adminAccount(f, f.members.remove.id, { path: "/sign-out", status: 200 }),
    adminAccount(f, 2_147_483_647, { path: "/sign-out", status: 404 }),
  ],
  "GET /api/admin/usage/summary": (f) => [
    { url: "/api/admin/usage/summary?range=7d", token: f.operator.token, status: 200 },
    { url: "/api/admin/usage/summary", token: f.operator.token, status: 200 },
    { url: "/api/admin/usage/summary?range=1y", token: f.operator.token, status: 400 },
    { url: "/api/admin/usage/summary", token: f.account.token, status: 403 },
  ],
  "GET /api/admin/service-tokens": (f) => [{ url: "/api/admin/service-tokens", token: f.operator.token, status: 200 }],
  "POST /api/admin/service-tokens": (f) => [
    { url: "/api/admin/service-tokens", token: f.operator.token, body: { name: "oas-service" }, status: 201 },
    { url: "/api/admin/service-tokens", token: f.operator.token, body: { name: "" }, status: 400 },
  ],
  "DELETE /api/admin/service-tokens/{id}": (f) => [
    {
      url: `/api/admin/service-tokens/${f.serviceTokenId}`,
      params: { id: String(f.serviceTokenId) },
      token: f.operator.token,
      status: 200,
    },
    { url: "/api/admin/service-tokens/2147483647", params: { id: "2147483647" }, token: f.operator.token, status: 404 },
  ],
  "DELETE /api/admin/routes/{id}": (f) => [
    {
      url: `/api/admin/routes/${f.routes.delete}`,
      params: { id: String(f.routes.delete) },
      token: f.operator.token,
      status: 200,
    },
    { url: "/api/admin/routes/124", params: { id: "124" }, token: f.operator.token, status: 409 },
  ],
};

// ---------------------------------------------------------------------------------------------

interface Operation {
  method: Method;
  template: string;
  responses: Record<string, Schema>;
  security: Array<Record<string, string[]>>;
  requestBody?: Schema;
}

const operations: Array<[string, Operation]> = Object.entries(document.paths ?? {}).flatMap(([template, item]) =>
  METHODS.flatMap((method) => {
    const operation = item[method];
    if (!operation) return [];
    return [
      [
        `${method.toUpperCase()} ${template}`,
        {
          method,
          template,
          responses: operation.responses as Record<string, Schema>,
          security: (operation.security ?? []) as Array<Record<string, string[]>>,
          requestBody: operation.requestBody as Schema | undefined,
        },
      ] as [string, Operation],
    ];
  }),
);

let fixture: Fixture;

beforeAll(async () => {
  await seedSampleRoutes();
  const account = await createAccount({ prefix: "oas", plan: "professional", password: PASSWORD });
  const refreshTokens = await Promise.all(
    [1, 2].map(async () => (await createAccountLogin(account)).refresh_token as string),
  );
  const spare = {
    status: await generateKey(account.token, "OAS status", "oas_user"),
    delete: await generateKey(account.token, "OAS delete", "oas_user"),
    rotate: await generateKey(account.token, "OAS rotate", "oas_user"),
    leak: await generateKey(account.token, "OAS leak", "oas_user"),
  };
  const { POST: generate } = await routeModule("/api/api-keys/generate");
  const readOnly = await readBody(
    await generate!(
      request("POST", "/api/api-keys/generate", {
        token: account.token,
        body: { api_key_name: "OAS read-only", user: "oas_reader", read_only: true, routes: [125] },
      }),
      ctx({}),
    ),
  );
  const key = await generateKey(account.token, "OAS main", "oas_user");
  // A call on record, so the usage list and summary have rows to hold to their schemas.
  expect((await callData({ key: key.api_key, username: key.user })).status).toBe(200);
  const operator = await createAccount({ prefix: "oas-operator" });
  await setRole(operator.email, "operator");
  const routes = {
    change: (await createRoute(operator.id, routeInput("oas-change"))).id,
    delete: (await createRoute(operator.id, routeInput("oas-delete"))).id,
  };
  const orgs = {
    team: await operatorOrganization(operator, "OAS shared team"),
    transfer: await operatorOrganization(operator, "OAS to transfer"),
    doomed: await operatorOrganization(operator, "OAS to delete"),
    join: await operatorOrganization(operator, "OAS to join"),
  };
  const members = {
    promote: await member(orgs.team, "developer"),
    remove: await member(orgs.team, "developer"),
    leave: await member(orgs.team, "viewer"),
    heir: await member(orgs.transfer, "admin"),
  };
  const invite = (organizationId: number, email?: string) =>
    createInvitation({ userId: operator.id, organizationId, role: "owner" }, { role: "viewer", email });
  const expired = await invite(orgs.join);
  await db().invitation.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
  const invitations = {
    revoke: (await invite(orgs.team)).id,
    accept: (await invite(orgs.join)).token,
    otherEmail: (await invite(orgs.join, "someone-else@example.com")).token,
    expired: expired.token,
  };
  const { row: serviceToken } = await createServiceToken(operator.id, "oas-revoke");
  const { token: verifyToken } = await createServiceToken(operator.id, "oas-verify");
  const pending = await createAccount({ prefix: "oas-2fa-pending" });
  const { secret } = await startTwoFactor(pending.id, pending.password, "203.0.113.1");
  const on = await createAccount({ prefix: "oas-2fa-on" });
  const { secret: onSecret } = await startTwoFactor(on.id, on.password, "203.0.113.1");
  const { recovery_codes } = await confirmEnrolment(on.id, await totpCode({ secret: onSecret }), {
    actor: "api",
    ip: null,
  });
  const twoFactor = { pending, pendingCode: await totpCode({ secret }), on, recoveryCodes: recovery_codes };
  const hook = (events: string[]) =>
    createWebhook(account.id, { url: "https://93.184.216.34/oas-hook", events: events as ["key.created"] });
  const keep = (await hook(["key.created"])).endpoint.id;
  const doomed = (await hook(["key.deleted"])).endpoint.id;
  // A key event after the endpoints exist: one delivery queued for the kept endpoint.
  await generateKey(account.token, "OAS webhook", "oas_user");
  const delivery = await db().webhookDelivery.findFirstOrThrow({ where: { endpointId: keep }, select: { id: true } });
  const resetAccount = await createAccount({ prefix: "oas-reset" });
  const resetLink = await createResetLink(resetAccount.email);
  fixture = {
    resetToken: resetLink!.url.slice(resetLink!.url.indexOf("#") + 1),
    twoFactor,
    account,
    refreshTokens,
    key,
    spare,
    readOnly,
    operator,
    routes,
    serviceTokenId: serviceToken.id,
    verifyToken,
    orgs,
    members,
    invitations,
    webhooks: { keep, doomed, delivery: delivery.id },
  };
});

/** An organization the operator owns, written directly: POST /api/orgs would count it against a Free limit. */
async function operatorOrganization(operator: Account, name: string): Promise<number> {
  const row = await db().organization.create({
    data: { name, plan: "enterprise", members: { create: { userId: operator.id, role: "owner" } } },
  });
  return row.id;
}

async function member(organizationId: number, role: OrgRole): Promise<Account> {
  const account = await createAccount({ prefix: `oas-${role}` });
  await db().membership.create({ data: { organizationId, userId: account.id, role } });
  return account;
}

const routeInput = (slug: string) => ({
  slug,
  name: slug,
  description: "",
  min_plan: "free" as const,
  upstream_url: null,
  payload: { slug },
  methods: ["GET" as const],
  timeout_ms: 10_000,
});

async function createAccountLogin(account: Account) {
  const { POST: login } = await routeModule("/api/auth/login");
  return readBody(
    await login!(
      request("POST", "/api/auth/login", { body: { email: account.email, password: account.password } }),
      ctx({}),
    ),
  );
}

async function call(operation: Operation, c: Omit<Call, "status">): Promise<Response> {
  const handler = (await routeModule(operation.template))[operation.method.toUpperCase()];
  expect(handler, `${operation.template} exports ${operation.method.toUpperCase()}`).toBeTypeOf("function");
  const req = request(operation.method.toUpperCase(), c.url, {
    token: c.token,
    body: c.body,
    rawBody: c.rawBody,
    headers: { ...c.headers, ...(c.rawBody ? { "content-type": "application/json" } : {}) },
  });
  return handler!(req, ctx(c.params ?? {}));
}

/** The answer against the document: a listed status, a listed media type and headers, a body that fits. */
async function expectDocumented(operation: Operation, response: Response, label: string): Promise<void> {
  const documented = operation.responses[String(response.status)];
  const body = await readBody(response);
  expect(
    documented,
    `${label}: status ${response.status} is not documented (body ${JSON.stringify(body)})`,
  ).toBeDefined();
  const described = resolve(documented) as {
    content?: Record<string, { schema: Schema }>;
    headers?: Record<string, unknown>;
  };
  const mediaType = (response.headers.get("content-type") ?? "").split(";")[0].trim();
  expect(Object.keys(described.content ?? {}), `${label}: media type`).toContain(mediaType);
  for (const name of Object.keys(described.headers ?? {})) {
    expect(response.headers.has(name), `${label}: documented header ${name}`).toBe(true);
  }
  if (mediaType === "application/json") {
    expect(violations(body, described.content![mediaType].schema), label).toEqual([]);
    // An empty page would hold no row to the schema: each list call is made to find some.
    if (response.ok && Array.isArray(body.data)) expect(body.data.length, `${label}: rows`).toBeGreaterThan(0);
  } else {
    expect(body, label).toBeTypeOf("string");
  }
}

// ---------------------------------------------------------------------------------------------
// Examples against their schemas: the whole of JSON Schema 2020-12 (OpenAPI 3.1's dialect), as a
// validating proxy or a mock server would apply it. ajv 8 and ajv-formats come with
// @seriousme/openapi-schema-validator (the top-level ajv is ESLint's ajv 6): loaded as that
// package loads them.

interface JsonSchemaValidator {
  addSchema(schema: object, key: string): unknown;
  validate(schema: object, data: unknown): boolean;
  errorsText(errors?: unknown): string;
  errors?: unknown;
}
const fromSchemaValidator = createRequire(
  createRequire(import.meta.url).resolve("@seriousme/openapi-schema-validator"),
);
const Ajv2020 = (fromSchemaValidator("ajv/dist/2020") as { default: new (options: object) => JsonSchemaValidator })
  .default;
const addFormats = (fromSchemaValidator("ajv-formats") as { default: (ajv: JsonSchemaValidator) => void }).default;

const pointer = (...parts: Array<string | number>) =>
  `#/${parts.map((part) => String(part).replaceAll("~", "~0").replaceAll("/", "~1")).join("/")}`;

interface Example {
  where: string;
  /** A JSON pointer into the document: the schema the example must fit. */
  schema: string;
  value: unknown;
}

/** Every example in the document: parameters', bodies', answers', and schemas' own `examples`. */
function documentExamples(): Example[] {
  const found: Example[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const at = [`paths`, path, method];
      const label = `${method.toUpperCase()} ${path}`;
      (operation.parameters ?? []).forEach((parameter, index) => {
        if ("$ref" in parameter || parameter.example === undefined) return;
        found.push({
          where: `${label} parameter ${parameter.name}`,
          schema: pointer(...at, "parameters", index, "schema"),
          value: parameter.example,
        });
      });
      const body = operation.requestBody && !("$ref" in operation.requestBody) ? operation.requestBody : undefined;
      for (const [mediaType, media] of Object.entries(body?.content ?? {})) {
        if (media.example === undefined) continue;
        found.push({
          where: `${label} request body`,
          schema: pointer(...at, "requestBody", "content", mediaType, "schema"),
          value: media.example,
        });
      }
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const content = (response as { content?: Record<string, { example?: unknown }> }).content ?? {};
        for (const [mediaType, media] of Object.entries(content)) {
          if (media.example === undefined) continue;
          found.push({
            where: `${label} ${status} response`,
            schema: pointer(...at, "responses", status, "content", mediaType, "schema"),
            value: media.example,
          });
        }
      }
    }
  }
  // A schema's `examples` keyword (isoTime's, Error's), wherever the schema sits.
  const visit = (node: unknown, parts: Array<string | number>) => {
    if (!node || typeof node !== "object") return;
    const schema = node as Record<string, unknown>;
    if (Array.isArray(schema.examples) && ("type" in schema || "anyOf" in schema || "$ref" in schema)) {
      schema.examples.forEach((value, index) =>
        found.push({ where: `${pointer(...parts)} examples[${index}]`, schema: pointer(...parts), value }),
      );
    }
    for (const [key, child] of Object.entries(schema)) visit(child, [...parts, key]);
  };
  visit(document.components, ["components"]);
  visit(document.paths, ["paths"]);
  return found;
}

// A 400 documented without a known message: the path's id is read as the organization (a 404
// when it names none), and the operation takes no other input.
const UNEXPLAINED_400 = new Set(["DELETE /api/orgs/{id}"]);

// Operations that take no input and no credentials, and so have no 4xx to document (redocly.yaml
// turns operation-4xx-response off for them; this test keeps it for every other operation).
const NO_CLIENT_ERRORS = new Set([
  "GET /api/health",
  "GET /api/health/live",
  "GET /api/health/ready",
  "GET /api/openapi.json",
]);

describe("the OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const result = await new Validator().validate(structuredClone(document) as unknown as Record<string, unknown>);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(document.openapi).toBe("3.1.0");
  });

  it("is served at GET /api/openapi.json, cacheable, and other verbs get the 405 envelope", async () => {
    const response = await getDocument(request("GET", "/api/openapi.json"), ctx({}));
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("public, max-age=300");
    expect(await readBody(response)).toEqual(JSON.parse(JSON.stringify(document)));
  });

  it("lists every route file under app/api, and nothing that no route file serves", () => {
    expect([...files.keys()].sort()).toEqual(Object.keys(document.paths ?? {}).sort());
    expect(files.size).toBeGreaterThanOrEqual(18);
  });

  it("lists every method a route file serves: each other method it exports answers 405 naming the listed ones", async () => {
    for (const [template, item] of Object.entries(document.paths ?? {})) {
      const listed = METHODS.filter((method) => item[method]).map((method) => method.toUpperCase());
      const exported = await routeModule(template);
      for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"].filter((m) => !listed.includes(m))) {
        const handler = exported[method];
        if (!handler) continue;
        const url = template.replace("{id}", "1");
        const response = await handler(request(method, url), ctx({ id: "1" }));
        expect(response.status, `${method} ${template} is served but not documented`).toBe(405);
        expect(response.headers.get("allow")?.split(", ").sort(), `${method} ${template}: Allow`).toEqual(
          [...listed].sort(),
        );
      }
    }
  });

  it("has a scenario below for every operation, and no scenario for an operation it lacks", () => {
    expect(Object.keys(SCENARIOS).sort()).toEqual(operations.map(([name]) => name).sort());
  });
});

describe("what client generators need", () => {
  const named = operations.map(([name]) => {
    const [method, template] = name.split(" ");
    return { name, operation: document.paths![template][method.toLowerCase() as Method]! };
  });

  it("gives every operation a unique camelCase operationId, a summary and a described tag", () => {
    const ids = named.map(({ name, operation }) => {
      expect(operation.operationId, `${name}: operationId`).toMatch(/^[a-z][a-zA-Z0-9]+$/);
      expect(operation.summary, `${name}: summary`).toBeTruthy();
      expect(operation.tags?.length, `${name}: tags`).toBeGreaterThan(0);
      for (const tag of operation.tags ?? []) {
        expect(document.tags?.find((t) => t.name === tag)?.description, `${name}: tag ${tag}`).toBeTruthy();
      }
      return operation.operationId;
    });
    expect(new Set(ids).size).toBe(ids.length);
    expect(document.servers).toEqual([expect.objectContaining({ url: "/" })]);
  });

  it("gives every operation an example of its success answer and of an error, and a 4xx where a client can err", () => {
    for (const { name, operation } of named) {
      const responses = Object.entries(operation.responses ?? {}) as Array<
        [string, { content?: Record<string, { example?: unknown }> }]
      >;
      const examples = (prefix: string) =>
        responses.filter(
          ([status, response]) =>
            status.startsWith(prefix) && Object.values(response.content ?? {}).some((m) => m.example !== undefined),
        );
      const successes = responses.filter(([status]) => status.startsWith("2"));
      expect(successes.length, `${name}: a 2xx`).toBeGreaterThan(0);
      expect(examples("2").length, `${name}: every 2xx has an example`).toBe(successes.length);
      expect(examples("4").length + examples("5").length, `${name}: an error example`).toBeGreaterThan(0);
      if (!NO_CLIENT_ERRORS.has(name)) {
        expect(examples("4").length, `${name}: a 4xx with an example`).toBeGreaterThan(0);
      }
      // Each 400 shows the message its schema gives (operation-parts.ts: invalid), so an example
      // input that stops being refused is named here.
      if (operation.responses?.["400"] && !UNEXPLAINED_400.has(name)) {
        expect(examples("400").length, `${name}: a 400 example`).toBe(1);
      }
    }
  });

  it("gives a request example to every operation that takes a body or path parameters", () => {
    for (const { name, operation } of named) {
      const body = operation.requestBody as { content: Record<string, { example?: unknown }> } | undefined;
      if (body) expect(body.content["application/json"].example, `${name}: body example`).toBeDefined();
      for (const parameter of operation.parameters ?? []) {
        if ("$ref" in parameter || parameter.in !== "path") continue;
        expect(parameter.example, `${name}: example of ${parameter.name}`).toBeDefined();
      }
    }
  });

  it("has examples that fit their own schemas (JSON Schema 2020-12, formats asserted)", () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(structuredClone(document), "openapi.json");
    const examples = documentExamples();
    expect(examples.length).toBeGreaterThan(150);
    const misfits = examples.flatMap(({ where, schema, value }) =>
      ajv.validate({ $ref: `openapi.json${schema}` }, value) ? [] : [`${where}: ${ajv.errorsText(ajv.errors)}`],
    );
    expect(misfits).toEqual([]);
  });

  it("has examples that show the refusal they document: ids and bounds are schema keywords", () => {
    const ajv = new Ajv2020({ strict: false });
    addFormats(ajv);
    ajv.addSchema(structuredClone(document), "openapi.json");
    const parameter = (name: string, template: string, method: Method) => {
      const index = (document.paths![template][method]!.parameters ?? []).findIndex(
        (p) => !("$ref" in p) && p.name === name,
      );
      return { $ref: `openapi.json${pointer("paths", template, method, "parameters", index, "schema")}` };
    };
    const perPage = parameter("per_page", "/api/api-keys", "get");
    expect([ajv.validate(perPage, 100), ajv.validate(perPage, 101), ajv.validate(perPage, 0)]).toEqual([
      true,
      false,
      false,
    ]);
    const keyId = parameter("id", "/api/api-keys/{id}", "get");
    expect([ajv.validate(keyId, 1), ajv.validate(keyId, 0), ajv.validate(keyId, "1")]).toEqual([true, false, false]);
    const from = parameter("from", "/api/api-usage-logs", "get");
    expect(
      ["2025-01-15", "2025-01-15T10:30:00Z", "2025-02-30", "yesterday"].map((value) => ajv.validate(from, value)),
    ).toEqual([true, true, false, false]);
  });

  it("has request examples that the handlers' own schemas accept", () => {
    for (const { config } of OPERATIONS) {
      const name = `${config.method.toUpperCase()} ${config.path}`;
      const documented = document.paths![config.path][config.method]!;
      const examples = (where: "path" | "query") =>
        Object.fromEntries(
          (documented.parameters ?? []).flatMap((p) =>
            "$ref" in p || p.in !== where || p.example === undefined ? [] : [[p.name, String(p.example)]],
          ),
        );
      const { params, query, body } = config.request ?? {};
      if (params) expect(params.safeParse(examples("path")).error, `${name}: path example`).toBeUndefined();
      if (query) expect(query.safeParse(examples("query")).error, `${name}: query example`).toBeUndefined();
      const media = body?.content["application/json"];
      if (media) {
        const schema = media.schema as { safeParse(value: unknown): { error?: unknown } };
        expect(schema.safeParse(media.example).error, `${name}: body example`).toBeUndefined();
      }
    }
  });
});

describe("every documented operation, called through its route module", () => {
  it.each(operations)("%s answers only documented statuses and bodies", async (name, operation) => {
    const calls = SCENARIOS[name]?.(fixture);
    expect(calls, `no scenario for ${name}`).toBeDefined();
    for (const [index, c] of calls!.entries()) {
      const response = await call(operation, c);
      expect(response.status, `${name} call ${index + 1}`).toBe(c.status);
      await expectDocumented(operation, response, `${name} call ${index + 1}`);
    }

    // The failures every operation of its kind has: no token, a body that is not JSON.
    const [first] = calls!;
    if (operation.security.some((requirement) => "BearerAuth" in requirement)) {
      const response = await call(operation, { ...first, token: undefined });
      expect(response.status, `${name} without a token`).toBe(401);
      await expectDocumented(operation, response, `${name} without a token`);
    }
    if (operation.requestBody) {
      const response = await call(operation, { ...first, body: undefined, rawBody: "{not json" });
      expect(response.status, `${name} with a broken body`).toBe(400);
      await expectDocumented(operation, response, `${name} with a broken body`);
    }
  });
});
