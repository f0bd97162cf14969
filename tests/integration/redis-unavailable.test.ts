import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { POST as login } from "@/app/api/auth/login/route";
import * as statusRoute from "@/app/api/api-keys/[id]/status/route";
import { resetConfigForTests } from "@/lib/config/env";
import { resetRateLimitStoreForTests } from "@/lib/limits/quota";
import { disconnectRedis } from "@/lib/redis/shared";
import { seedSampleRoutes } from "../helpers";
import {
  callData,
  createAccount,
  ctx,
  generateKey,
  mistype,
  noParams,
  readBody,
  request,
  type Account,
} from "./support";
import { log } from "@/lib/log/logger";

/**
 * REDIS_URL set, Redis gone (nothing listens on port 1): authentication still fails closed,
 * limits count in this process (each budget's remaining share for one of
 * REDIS_FALLBACK_INSTANCES = 2 instances) with one warning, and no call waits long for Redis.
 */
let account: Account;
let key: Awaited<ReturnType<typeof generateKey>>;
const warn = vi.spyOn(log(), "warn").mockImplementation(() => {});
const logError = vi.spyOn(log(), "error").mockImplementation(() => {});

beforeAll(async () => {
  await seedSampleRoutes();
  account = await createAccount({ prefix: "redis-down" });
  key = await generateKey(account.token, "redis-down", "redis_down_user");
  process.env.REDIS_URL = "redis://127.0.0.1:1";
  resetConfigForTests();
  resetRateLimitStoreForTests();
});

afterAll(async () => {
  delete process.env.REDIS_URL;
  resetConfigForTests();
  resetRateLimitStoreForTests();
  await disconnectRedis();
  warn.mockRestore();
  logError.mockRestore();
});

describe("the data API with Redis unreachable", () => {
  it("still refuses a mistyped, an unknown-user and a deactivated key with the 401", async () => {
    expect((await callData({ key: mistype(key.api_key), username: key.user })).status).toBe(401);
    expect((await callData({ key: key.api_key, username: "someone_else" })).status).toBe(401);
    const off = await statusRoute.PUT(
      request("PUT", `/api/api-keys/${key.id}/status`, { token: account.token, body: { status: "inactive" } }),
      ctx({ id: String(key.id) }),
    );
    expect(off.status).toBe(200);
    expect((await callData({ key: key.api_key, username: key.user })).status).toBe(401);
    await statusRoute.PUT(
      request("PUT", `/api/api-keys/${key.id}/status`, { token: account.token, body: { status: "active" } }),
      ctx({ id: String(key.id) }),
    );
  });

  it("admits a valid key half the Free plan's 60/hour (never unlimited), one warning in all, each call answered quickly", async () => {
    const statuses: number[] = [];
    let slowest = 0;
    for (let i = 0; i < 70; i++) {
      const started = Date.now();
      const response = await callData({ key: key.api_key, username: key.user });
      slowest = Math.max(slowest, Date.now() - started);
      statuses.push(response.status);
    }
    // Failing open, all 70 were 200. This instance's share of an untouched hour: 60 / 2.
    expect(
      statuses.filter((s) => s === 200),
      JSON.stringify(statuses.slice(0, 5)),
    ).toHaveLength(30);
    expect(statuses.slice(30).every((s) => s === 429)).toBe(true);
    const warnings = warn.mock.calls.filter(([message]) => String(message).startsWith("Rate limiting counts in this"));
    expect(warnings).toHaveLength(1);
    expect(slowest).toBeLessThan(2_000);
  });

  it("keeps answering sign-ins: the right password works, the wrong one is refused", async () => {
    const ok = await login(
      request("POST", "/api/auth/login", { body: { email: account.email, password: account.password } }),
      noParams,
    );
    expect(ok.status).toBe(200);
    const wrong = await login(
      request("POST", "/api/auth/login", { body: { email: account.email, password: "wrong-password-1" } }),
      noParams,
    );
    expect(wrong.status).toBe(401);
    expect(await readBody(wrong)).toMatchObject({ success: false });
  });

  it("still throttles password guessing (counted in this process): past this instance's share (10 / 2), 429 even with the right password", async () => {
    const target = await createAccount({ prefix: "redis-down-guess" });
    const attempt = (password: string) =>
      login(request("POST", "/api/auth/login", { body: { email: target.email, password } }), noParams);
    for (let i = 0; i < 5; i++) expect((await attempt(`wrong-guess-${i}`)).status).toBe(401);
    expect((await attempt("wrong-guess-5")).status).toBe(429);
    expect((await attempt(target.password)).status).toBe(429);
  });
});
