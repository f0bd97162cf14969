import { expect } from "vitest";
import { POST as register } from "@/app/api/auth/register/route";
import { POST as login } from "@/app/api/auth/login/route";
import { POST as generate } from "@/app/api/api-keys/generate/route";
import { PUT as putStatus } from "@/app/api/api-keys/[id]/status/route";
import { POST as rotate } from "@/app/api/api-keys/[id]/rotate/route";
import { DELETE as deleteKey } from "@/app/api/api-keys/[id]/route";
import { GET as getData } from "@/app/api/api-routes-data/route";
import { setPlan } from "@/lib/auth/users";
import type { UsageEntry } from "@/lib/usage/usage-batch";
import { ctx, noParams, readBody, request } from "../helpers";
import type { TrialPortal } from "../shared/key-trials";

/** Shared by the integration test files (not a test file itself: vitest only collects *.test.ts). */

/** The reference's 401 body, byte for byte. */
export const AUTH_ERROR = { success: false, message: "Invalid or missing authentication" } as const;
/** The reference's 403 body. */
export const FORBIDDEN_ERROR = { success: false, message: "Insufficient permissions" } as const;

export const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
export const KEY_FORMAT = /^sk_live_[0-9A-Za-z]{38}$/;

let counter = 0;
/** A unique, lower-case email per call, so tests inside one file never collide. */
export function uniqueEmail(prefix = "user"): string {
  counter += 1;
  return `${prefix}-${counter}-${Math.random().toString(36).slice(2, 8)}@example.com`;
}

/** Asserts the error envelope: exact status, JSON content type, body exactly {success:false, message}. */
export async function expectError(
  response: Response,
  status: number,
  message?: string | RegExp,
): Promise<{ success: false; message: string }> {
  const body = await readBody(response);
  expect({ status: response.status, body }).toMatchObject({ status });
  expect(response.headers.get("content-type") ?? "").toMatch(/^application\/json/);
  expect(Object.keys(body).sort()).toEqual(["message", "success"]);
  expect(body.success).toBe(false);
  expect(typeof body.message).toBe("string");
  expect(body.message.length).toBeGreaterThan(0);
  if (typeof message === "string") expect(body.message).toBe(message);
  else if (message) expect(body.message).toMatch(message);
  return body;
}

/** Asserts the reference's exact 401 body. */
export async function expectUnauthenticated(response: Response): Promise<void> {
  expect(response.status).toBe(401);
  expect(response.headers.get("content-type") ?? "").toMatch(/^application\/json/);
  expect(await readBody(response)).toEqual(AUTH_ERROR);
}

export interface Account {
  id: number;
  email: string;
  password: string;
  username: string;
  token: string;
  refreshToken: string;
}

/** Registers and logs in a fresh account; `plan` lifts key-count limits for tests that make many keys. */
export async function createAccount(
  options: {
    prefix?: string;
    password?: string;
    username?: string;
    plan?: "free" | "professional" | "enterprise";
  } = {},
): Promise<Account> {
  const email = uniqueEmail(options.prefix);
  const password = options.password ?? `pw-${Math.random().toString(36).slice(2)}-Secret!`;
  const username = options.username ?? `u${counter}`;
  const registered = await register(
    request("POST", "/api/auth/register", { body: { email, password, username } }),
    noParams,
  );
  expect(registered.status).toBe(201);
  const user = await readBody(registered);
  if (options.plan && options.plan !== "free") await setPlan(email, options.plan);
  const loggedIn = await login(request("POST", "/api/auth/login", { body: { email, password } }), noParams);
  expect(loggedIn.status).toBe(200);
  const pair = await readBody(loggedIn);
  return { id: user.id, email, password, username, token: pair.token, refreshToken: pair.refresh_token };
}

export interface GeneratedKey {
  id: number;
  api_key_name: string;
  api_key: string;
  user: string;
  status: string;
  created_at: string;
  [extra: string]: unknown;
}

export async function generateKey(token: string, api_key_name: string, user: string): Promise<GeneratedKey> {
  const response = await generate(
    request("POST", "/api/api-keys/generate", { token, body: { api_key_name, user } }),
    noParams,
  );
  const body = await readBody(response);
  expect({ status: response.status, body }).toMatchObject({ status: 201 });
  return body;
}

export async function setStatus(token: string, id: number, status: string): Promise<Response> {
  return putStatus(request("PUT", `/api/api-keys/${id}/status`, { token, body: { status } }), ctx({ id: String(id) }));
}

/** Calls the data route the way the reference's examples do. Undefined headers are left out. */
export function callData(
  options: { key?: string; username?: string; query?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== undefined) headers["x-api-key"] = options.key;
  if (options.username !== undefined) headers["x-username"] = options.username;
  const query = options.query ?? "?id=123";
  return getData(request("GET", `/api/api-routes-data${query}`, { headers }), noParams);
}

/** The same key with one body character changed: the CRC32 checksum no longer matches. */
export function mistype(key: string, position = 12): string {
  const replacement = key[position] === "a" ? "b" : "a";
  return key.slice(0, position) + replacement + key.slice(position + 1);
}

export { ctx, noParams, readBody, request };

/** A small deterministic generator, so a failure can be replayed. */
export function random(seed: number) {
  // mulberry32: 32-bit integer arithmetic, so the sequence stays exact (a float LCG loses bits).
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** tests/shared/key-trials.ts's portal, through the route handlers: keys of `owner`, and of `free` for the limit. */
export function trialPortal(owner: Account, free: Account): TrialPortal {
  const ok = async (response: Response) => {
    const body = await readBody(response);
    expect(response.status, JSON.stringify(body)).toBeLessThan(300);
    return body;
  };
  return {
    generate: async (body, account) =>
      ok(
        await generate(
          request("POST", "/api/api-keys/generate", { token: account === "free" ? free.token : owner.token, body }),
          noParams,
        ),
      ),
    rotate: async (id, grace) =>
      ok(
        await rotate(
          request("POST", `/api/api-keys/${id}/rotate`, { token: owner.token, body: { grace_period_seconds: grace } }),
          ctx({ id: String(id) }),
        ),
      ),
    setStatus: async (id, status) => void (await ok(await setStatus(owner.token, id, status))),
    remove: async (id) =>
      void (await ok(
        await deleteKey(request("DELETE", `/api/api-keys/${id}`, { token: owner.token }), ctx({ id: String(id) })),
      )),
  };
}

/** A data call's usage row as the recorder takes it (tests that feed the recorder directly). */
export function usageEntry(ownerId: number, apiKeyId: number, userAgent: string): UsageEntry {
  return {
    ownerId,
    apiKeyId,
    apiKeyName: "test-key",
    touchKey: true,
    method: "GET",
    path: "/api/api-routes-data?id=123",
    statusCode: 200,
    ip: "198.51.100.60",
    userAgent,
    at: new Date(),
  };
}
