import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";

// The process-wide usage recorder flushes on an interval read at import time. Make it an hour
// here (below setTimeout's 2^31-1 ms ceiling), so nothing is written unless something flushes:
// flushUsage(), a full batch, or the shutdown hooks. Runs before the imports below.
vi.hoisted(() => {
  process.env.USAGE_FLUSH_INTERVAL_MS = String(3_600_000);
});

import { POST as generate } from "@/app/api/api-keys/generate/route";
import { batchWriter } from "@/lib/db/batch-write";
import { db, dialect } from "@/lib/db/client";
import { setPlan, setSubscription } from "@/lib/auth/users";
import { serveDataRequest, type DataRequest } from "@/lib/data-api/serve-data-request";
import { ANONYMOUS_HOURLY_LIMIT } from "@/lib/limits/plans";
import { purgeExpiredUsageLogs, RETENTION_BATCH } from "@/lib/usage/retention";
import { runShutdownHooks } from "@/lib/runtime/shutdown";
import { flushIntervalMs, UsageRecorder, flushUsage, usageRecorder } from "@/lib/usage/usage-recorder";
import type { UsageEntry } from "@/lib/usage/usage-batch";
import {
  AUTH_ERROR,
  FORBIDDEN_ERROR,
  callData,
  createAccount,
  expectError,
  generateKey,
  noParams,
  readBody,
  request,
  type GeneratedKey,
} from "./support";
import { seedSampleRoutes } from "../helpers";
import { log } from "@/lib/log/logger";

/**
 * Issue 4 against the real route handlers and a real SQLite database, in process.
 *
 * The rate-limit store is process-global and keyed by account id, so every test that counts
 * uses a fresh account. Unauthenticated calls share one per-IP budget (1,000/hour; the IP is
 * "unknown" for these requests): this file makes only a handful of them from "unknown", and
 * uses its own X-Forwarded-For address for the test that exhausts that budget.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

beforeAll(async () => {
  await seedSampleRoutes();
});

afterEach(() => {
  vi.restoreAllMocks();
});

async function accountWithKey(plan: "free" | "professional" | "enterprise" = "free", prefix = "limits") {
  const account = await createAccount({ prefix, plan });
  const key = await generateKey(account.token, `${prefix} key`, `${prefix}_user`);
  return { account, key };
}

function call(key: GeneratedKey, query = "?id=123", headers: Record<string, string> = {}) {
  return callData({ key: key.api_key, username: key.user, query, headers });
}

function concurrentCalls(key: GeneratedKey, count: number, query = "?id=123") {
  return Promise.all(Array.from({ length: count }, () => call(key, query)));
}

function generateRequest(token: string, name: string) {
  return generate(
    request("POST", "/api/api-keys/generate", {
      token,
      body: { api_key_name: name, user: `user_${name.replace(/\W/g, "_")}` },
    }),
    noParams,
  );
}

function countBy<T>(items: T[], key: (item: T) => string | number) {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

function rateHeaders(response: Response) {
  const h = response.headers;
  return {
    limit: h.get("x-ratelimit-limit"),
    remaining: h.get("x-ratelimit-remaining"),
    reset: h.get("x-ratelimit-reset"),
    policy: h.get("ratelimit-policy"),
    rateLimit: h.get("ratelimit"),
    retryAfter: h.get("retry-after"),
  };
}

/**
 * Checks every rate-limit header of a data-API response: X-RateLimit-* (Reset in epoch seconds,
 * in the future and at most `maxAheadSeconds` away), the draft's RateLimit-Policy and RateLimit
 * (r = remaining, t = seconds until reset), and Retry-After only on 429.
 */
function expectRateHeaders(
  response: Response,
  expected: { limit: number; remaining?: number; calledAt: number; maxAheadSeconds?: number },
) {
  const h = rateHeaders(response);
  const nowSeconds = expected.calledAt / 1000;
  expect(h.limit).toBe(String(expected.limit));
  expect(h.remaining).toMatch(/^\d+$/);
  if (expected.remaining !== undefined) expect(Number(h.remaining)).toBe(expected.remaining);
  expect(h.reset).toMatch(/^\d+$/);
  const reset = Number(h.reset);
  // Epoch seconds, not milliseconds and not a delta.
  expect(reset).toBeGreaterThan(nowSeconds);
  expect(reset).toBeLessThanOrEqual(nowSeconds + (expected.maxAheadSeconds ?? 3_600) + 2);
  expect(h.policy).toBe(`"hourly";q=${expected.limit};w=3600`);
  const match = /^"hourly";r=(\d+);t=(\d+)$/.exec(h.rateLimit ?? "");
  expect(match, `RateLimit header ${h.rateLimit}`).not.toBeNull();
  const [, r, t] = match!;
  expect(r).toBe(h.remaining);
  expect(Number(t)).toBeGreaterThan(0);
  // t counts the seconds to the same moment X-RateLimit-Reset names.
  expect(Math.abs(nowSeconds + Number(t) - reset)).toBeLessThanOrEqual(2);
  if (response.status === 429) {
    expect(h.retryAfter).toMatch(/^[1-9]\d*$/);
    expect(Number(t)).toBe(Number(h.retryAfter));
  } else {
    expect(h.retryAfter).toBeNull();
  }
  return h;
}

describe("max API keys per plan, checked by the insert itself", () => {
  async function generateConcurrently(plan: "free" | "professional" | "enterprise", attempts: number) {
    const account = await createAccount({ prefix: `maxkeys-${plan}`, plan });
    expect(await db().apiKey.count({ where: { ownerId: account.id } })).toBe(0);
    const responses = await Promise.all(
      Array.from({ length: attempts }, (_, i) => generateRequest(account.token, `${plan} concurrent ${i}`)),
    );
    const statuses = responses.map((r) => r.status);
    const created = statuses.filter((s) => s === 201).length;
    const rows = await db().apiKey.count({ where: { ownerId: account.id } });
    console.log(
      `[limits] ${plan}: keys created of ${attempts} concurrent generate requests: ${created} (rows in api_keys: ${rows})`,
    );
    return { account, responses, statuses, created, rows };
  }

  it("Free: 20 concurrent generate requests on an account with 0 keys create exactly 2; the rest get 403 naming the limit and the plan", async () => {
    const { responses, statuses, created, rows } = await generateConcurrently("free", 20);
    expect(countBy(statuses, (s) => s)).toEqual({ 201: 2, 403: 18 });
    expect(created).toBe(2);
    expect(rows).toBe(2);
    for (const response of responses.filter((r) => r.status === 403)) {
      const body = await expectError(response, 403);
      expect(body.message).toMatch(/\b2\b/);
      expect(body.message).toContain("Free");
    }
  });

  it("Professional: 20 concurrent generate requests create exactly 10; the rest get 403 naming 10 and Professional", async () => {
    const { responses, statuses, created, rows } = await generateConcurrently("professional", 20);
    expect(countBy(statuses, (s) => s)).toEqual({ 201: 10, 403: 10 });
    expect(created).toBe(10);
    expect(rows).toBe(10);
    for (const response of responses.filter((r) => r.status === 403)) {
      const body = await expectError(response, 403);
      expect(body.message).toMatch(/\b10\b/);
      expect(body.message).toContain("Professional");
    }
  });

  it("Enterprise: unlimited keys (20 of 20 concurrent requests succeed)", async () => {
    const { statuses, rows } = await generateConcurrently("enterprise", 20);
    expect(statuses.every((s) => s === 201)).toBe(true);
    expect(rows).toBe(20);
  });

  it("a Free account at its limit still gets 403 for a later, sequential request", async () => {
    const account = await createAccount({ prefix: "maxkeys-seq" });
    expect((await generateRequest(account.token, "one")).status).toBe(201);
    expect((await generateRequest(account.token, "two")).status).toBe(201);
    const body = await expectError(await generateRequest(account.token, "three"), 403);
    expect(body.message).toMatch(/\b2\b/);
    expect(body.message).toContain("Free");
    expect(await db().apiKey.count({ where: { ownerId: account.id } })).toBe(2);
  });
});

describe("hourly rate limit per account", () => {
  it("200 concurrent calls against a fresh Free account admit exactly 60; the other 140 are 429 with Retry-After", async () => {
    const { account, key } = await accountWithKey("free", "burst");
    const responses = await concurrentCalls(key, 200);
    const statuses = countBy(responses, (r) => r.status);
    console.log(`[limits] Free: calls admitted of 200 concurrent: ${statuses[200] ?? 0} (429: ${statuses[429] ?? 0})`);
    expect(statuses).toEqual({ 200: 60, 429: 140 });
    for (const response of responses.filter((r) => r.status === 429)) {
      expect(response.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
      expect(response.headers.get("x-ratelimit-remaining")).toBe("0");
      const body = await expectError(response, 429);
      expect(body.message).toMatch(/\b60\b/);
    }
    for (const response of responses.filter((r) => r.status === 200)) {
      expect((await readBody(response)).data.id).toBe(123);
    }
    // Every one of the 200 calls is in the usage log, the refused ones included.
    await flushUsage();
    const logged = await db().usageLog.groupBy({ by: ["statusCode"], where: { ownerId: account.id }, _count: true });
    expect(Object.fromEntries(logged.map((g) => [g.statusCode, g._count]))).toEqual({ 200: 60, 429: 140 });
  });

  it("all keys of one account share one budget: two keys, 60 calls in total", async () => {
    const account = await createAccount({ prefix: "shared" });
    const first = await generateKey(account.token, "First shared", "shared_one");
    const second = await generateKey(account.token, "Second shared", "shared_two");
    const responses = await Promise.all([
      ...Array.from({ length: 45 }, () => call(first)),
      ...Array.from({ length: 45 }, () => call(second)),
    ]);
    const statuses = countBy(responses, (r) => r.status);
    console.log(`[limits] Free, two keys: calls admitted of 90 concurrent: ${statuses[200] ?? 0}`);
    expect(statuses).toEqual({ 200: 60, 429: 30 });
    // Neither key has anything left.
    expect((await call(first)).status).toBe(429);
    expect((await call(second)).status).toBe(429);
  });

  it("accounts are independent: one exhausted account does not limit another", async () => {
    const exhausted = await accountWithKey("free", "exhausted");
    const other = await accountWithKey("free", "other");
    expect(countBy(await concurrentCalls(exhausted.key, 61), (r) => r.status)).toEqual({ 200: 60, 429: 1 });
    const response = await call(other.key);
    expect(response.status).toBe(200);
    expect(response.headers.get("x-ratelimit-remaining")).toBe("59");
  });

  it("Professional gets 5,000 per hour", async () => {
    const { key } = await accountWithKey("professional", "pro-limit");
    const calledAt = Date.now();
    const response = await call(key);
    expect(response.status).toBe(200);
    expectRateHeaders(response, { limit: 5_000, remaining: 4_999, calledAt });
  });

  it("Enterprise without a custom limit gets 100,000 per hour", async () => {
    const { key } = await accountWithKey("enterprise", "ent-default");
    const calledAt = Date.now();
    const response = await call(key);
    expect(response.status).toBe(200);
    expectRateHeaders(response, { limit: 100_000, remaining: 99_999, calledAt });
  });

  it("Enterprise with a custom limit gets that limit in the headers, and it is enforced", async () => {
    const { account, key } = await accountWithKey("enterprise", "ent-custom");
    await db().organization.update({ where: { id: account.id }, data: { rateLimitPerHour: 7 } });
    const calledAt = Date.now();
    const first = await call(key);
    expect(first.status).toBe(200);
    expectRateHeaders(first, { limit: 7, remaining: 6, calledAt });
    const rest = await concurrentCalls(key, 10);
    expect(countBy(rest, (r) => r.status)).toEqual({ 200: 6, 429: 4 });
    const refused = rest.find((r) => r.status === 429)!;
    const body = await expectError(refused, 429);
    expect(body.message).toMatch(/\b7\b/);
  });

  it("Enterprise with a large custom limit reports it", async () => {
    const { account, key } = await accountWithKey("enterprise", "ent-large");
    await db().organization.update({ where: { id: account.id }, data: { rateLimitPerHour: 250_000 } });
    const calledAt = Date.now();
    expectRateHeaders(await call(key), { limit: 250_000, remaining: 249_999, calledAt });
  });
});

describe("rate-limit headers", () => {
  it("on 200: X-RateLimit-Limit/Remaining/Reset, RateLimit-Policy and RateLimit; no Retry-After", async () => {
    const { key } = await accountWithKey("free", "headers-200");
    const calledAt = Date.now();
    const response = await call(key);
    expect(response.status).toBe(200);
    const h = expectRateHeaders(response, { limit: 60, remaining: 59, calledAt });
    expect(h.policy).toBe('"hourly";q=60;w=3600');
    expect(h.rateLimit).toMatch(/^"hourly";r=59;t=\d+$/);
  });

  it("remaining decrements by one per call", async () => {
    const { key } = await accountWithKey("free", "headers-dec");
    const seen: Array<[string | null, string | null]> = [];
    for (let i = 0; i < 6; i += 1) {
      const response = await call(key);
      expect(response.status).toBe(200);
      const h = rateHeaders(response);
      seen.push([h.remaining, /r=(\d+)/.exec(h.rateLimit ?? "")?.[1] ?? null]);
    }
    expect(seen).toEqual([
      ["59", "59"],
      ["58", "58"],
      ["57", "57"],
      ["56", "56"],
      ["55", "55"],
      ["54", "54"],
    ]);
  });

  it("on 429: remaining 0, Reset in the future, Retry-After a positive integer equal to RateLimit's t", async () => {
    const { key } = await accountWithKey("free", "headers-429");
    expect(countBy(await concurrentCalls(key, 60), (r) => r.status)).toEqual({ 200: 60 });
    const calledAt = Date.now();
    const response = await call(key);
    expect(response.status).toBe(429);
    // The window's 60 calls must age: at most the rest of this hour plus a minute of the next.
    const h = expectRateHeaders(response, { limit: 60, remaining: 0, calledAt, maxAheadSeconds: 3_600 + 60 });
    expect(Number(h.retryAfter)).toBeGreaterThan(0);
    expect(Number(h.retryAfter)).toBeLessThanOrEqual(3_660 + 1);
    expect(h.rateLimit).toMatch(/^"hourly";r=0;t=\d+$/);
    await expectError(response, 429);
  });

  it("on 401: the reference's exact body, with the per-IP budget's headers and no Retry-After", async () => {
    const { key } = await accountWithKey("free", "headers-401");
    const calledAt = Date.now();
    const response = await callData({ key: key.api_key, username: "not_the_user" });
    expect(response.status).toBe(401);
    expect(await response.clone().text()).toBe(JSON.stringify(AUTH_ERROR));
    expectRateHeaders(response, { limit: ANONYMOUS_HOURLY_LIMIT, calledAt });
    // A failed authentication is not charged to the key's account.
    const ok = await call(key);
    expect(ok.headers.get("x-ratelimit-remaining")).toBe("59");
  });

  it("on 400, 403 and 404 too: every data-API response carries the headers", async () => {
    const { key } = await accountWithKey("free", "headers-other");
    const calledAt = Date.now();
    const responses = [await call(key, "?id=abc"), await call(key, "?id=124"), await call(key, "?id=987654")];
    expect(responses.map((r) => r.status)).toEqual([400, 403, 404]);
    for (const response of responses) expectRateHeaders(response, { limit: 60, calledAt });
  });

  it("unauthenticated callers share one per-IP budget: 429 with Retry-After once it is used up", async () => {
    const ip = "192.0.2.77";
    const anonymous = () => callData({ headers: { "x-forwarded-for": ip } });
    const statuses: number[] = [];
    // In chunks of 100: the per-IP budget is the thing under test, not the event loop.
    for (let i = 0; i < ANONYMOUS_HOURLY_LIMIT; i += 100) {
      const chunk = await Promise.all(Array.from({ length: Math.min(100, ANONYMOUS_HOURLY_LIMIT - i) }, anonymous));
      statuses.push(...chunk.map((r) => r.status));
    }
    expect(countBy(statuses, (s) => s)).toEqual({ 401: ANONYMOUS_HOURLY_LIMIT });
    const calledAt = Date.now();
    const refused = await anonymous();
    expect(refused.status).toBe(429);
    expectRateHeaders(refused, { limit: ANONYMOUS_HOURLY_LIMIT, remaining: 0, calledAt, maxAheadSeconds: 3_600 + 60 });
    await expectError(refused, 429);
    expect((await Promise.all(Array.from({ length: 4 }, anonymous))).map((r) => r.status)).toEqual([
      429, 429, 429, 429,
    ]);
    // Another address still has its own budget.
    expect((await callData({ headers: { "x-forwarded-for": "192.0.2.78" } })).status).toBe(401);
    await flushUsage();
  });
});

describe("a 429 consumes no quota", () => {
  it("through the route: further refused calls keep X-RateLimit-Remaining at 0 and never admit", async () => {
    const { key } = await accountWithKey("free", "no-consume-route");
    expect(countBy(await concurrentCalls(key, 60), (r) => r.status)).toEqual({ 200: 60 });
    const refused = await concurrentCalls(key, 30);
    expect(refused.every((r) => r.status === 429)).toBe(true);
    expect(refused.every((r) => r.headers.get("x-ratelimit-remaining") === "0")).toBe(true);
  });

  describe("through serveDataRequest with a fake clock", () => {
    /** An hour boundary far from the real clock, so no real call shares these windows. */
    const T0 = new Date(Date.UTC(2031, 0, 1, 0, 0, 0)).getTime();

    function dataRequest(key: GeneratedKey, query = "?id=123"): DataRequest {
      return {
        method: "GET",
        url: `/api/api-routes-data${query}`,
        headers: new Headers({ "x-api-key": key.api_key, "x-username": key.user }),
        ip: "198.51.100.9",
      };
    }

    async function serveMany(key: GeneratedKey, count: number, at: number) {
      const responses = await Promise.all(
        Array.from({ length: count }, async () => serveDataRequest(dataRequest(key), new Date(at))),
      );
      return countBy(responses, (r) => r.status);
    }

    it("100 refused calls late in the hour do not shrink the next hour's budget (half-way: exactly 30)", async () => {
      const { key } = await accountWithKey("free", "fake-clock");
      expect(await serveMany(key, 60, T0 + 60_000)).toEqual({ 200: 60 });
      expect(await serveMany(key, 100, T0 + 45 * 60_000)).toEqual({ 429: 100 });
      // Half-way through the next hour the previous 60 weigh 30: exactly 30 more fit. Had the
      // 100 refusals counted, the previous hour would weigh 80 and nothing would be admitted.
      const next = await serveMany(key, 50, T0 + HOUR_MS + HOUR_MS / 2);
      console.log(
        `[limits] Free, fake clock: admitted half-way into the hour after 60 calls + 100 refusals: ${next[200] ?? 0} of 50`,
      );
      expect(next).toEqual({ 200: 30, 429: 20 });
    });

    it("25% into the next hour, 60 previous calls leave exactly 15", async () => {
      const { key } = await accountWithKey("free", "fake-clock-25");
      expect(await serveMany(key, 60, T0)).toEqual({ 200: 60 });
      expect(await serveMany(key, 40, T0 + HOUR_MS + HOUR_MS / 4)).toEqual({ 200: 15, 429: 25 });
    });

    it("Retry-After is honest: a call Retry-After seconds later is admitted, one a second earlier is not", async () => {
      const { key } = await accountWithKey("free", "fake-clock-retry");
      expect(await serveMany(key, 60, T0 + 10_000)).toEqual({ 200: 60 });
      const now = T0 + 20 * 60_000;
      const refused = await serveDataRequest(dataRequest(key), new Date(now));
      expect(refused.status).toBe(429);
      const retryAfter = Number(refused.headers["Retry-After"]);
      expect(refused.headers["Retry-After"]).toMatch(/^[1-9]\d*$/);
      // The rest of this hour (40 min) plus the minute it takes 60 * (1 - t) to drop to 59.
      expect(retryAfter).toBeGreaterThanOrEqual(41 * 60);
      expect(retryAfter).toBeLessThanOrEqual(41 * 60 + 1);
      expect(Number(refused.headers["X-RateLimit-Reset"])).toBe(Math.ceil(now / 1000) + retryAfter);
      expect((await serveDataRequest(dataRequest(key), new Date(now + (retryAfter - 1) * 1000))).status).toBe(429);
      expect((await serveDataRequest(dataRequest(key), new Date(now + retryAfter * 1000))).status).toBe(200);
    });

    it("X-RateLimit-Reset on an admitted call is the end of the current hour, in epoch seconds", async () => {
      const { key } = await accountWithKey("free", "fake-clock-reset");
      const response = await serveDataRequest(dataRequest(key), new Date(T0 + 17 * 60_000 + 123));
      expect(response.status).toBe(200);
      expect(response.headers["X-RateLimit-Reset"]).toBe(String((T0 + HOUR_MS) / 1000));
      expect(response.headers.RateLimit).toBe(`"hourly";r=59;t=${43 * 60}`);
    });
  });
});

describe('403 "Insufficient permissions"', () => {
  async function expectForbidden(response: Response) {
    expect(response.status).toBe(403);
    expect(response.headers.get("content-type") ?? "").toMatch(/^application\/json/);
    expect(await response.text()).toBe(JSON.stringify(FORBIDDEN_ERROR));
  }

  it("when the account's subscription is inactive (and 200 again once it is active)", async () => {
    const { account, key } = await accountWithKey("professional", "lapsed");
    await setSubscription(account.email, "inactive");
    await expectForbidden(await call(key));
    await expectForbidden(await call(key, "?id=124"));
    await setSubscription(account.email, "active");
    expect((await call(key)).status).toBe(200);
  });

  it("for route 124 on Free", async () => {
    const { key } = await accountWithKey("free", "free-124");
    await expectForbidden(await call(key, "?id=124"));
    // Route 123 stays open to Free.
    expect((await call(key)).status).toBe(200);
  });

  it("route 124 answers 200 for Professional and Enterprise", async () => {
    for (const plan of ["professional", "enterprise"] as const) {
      const { key } = await accountWithKey(plan, `${plan}-124`);
      const response = await call(key, "?id=124");
      expect({ plan, status: response.status }).toEqual({ plan, status: 200 });
      expect((await readBody(response)).data.id).toBe(124);
    }
  });

  it("a Free account upgraded to Professional gets route 124 on its next call", async () => {
    const { account, key } = await accountWithKey("free", "upgrade-124");
    await expectForbidden(await call(key, "?id=124"));
    await setPlan(account.email, "professional");
    expect((await call(key, "?id=124")).status).toBe(200);
  });
});

describe("usage logging loses nothing", () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  function entry(ownerId: number | null, apiKeyId: number | null, tag: string, at = new Date()): UsageEntry {
    return {
      ownerId,
      apiKeyId,
      apiKeyName: "recorder test",
      touchKey: apiKeyId !== null,
      method: "GET",
      path: "/api/api-routes-data?id=123",
      statusCode: 200,
      ip: "198.51.100.20",
      userAgent: tag,
      at,
    };
  }

  const rowsTagged = (tag: string) => db().usageLog.count({ where: { userAgent: tag } });

  it("N calls, then flushUsage(): exactly N new rows for the account", async () => {
    const { account, key } = await accountWithKey("free", "logged");
    const before = await db().usageLog.count({ where: { ownerId: account.id } });
    const queries = ["?id=123", "?id=124", "?id=abc", "?id=55555", "", "?id=123"];
    const n = 30;
    await Promise.all(Array.from({ length: n }, (_, i) => call(key, queries[i % queries.length])));
    await flushUsage();
    expect(await db().usageLog.count({ where: { ownerId: account.id } })).toBe(before + n);
    expect(usageRecorder().pending).toBe(0);
  });

  it("last_used_at and last_used_ip are set once the batch is flushed", async () => {
    const { key } = await accountWithKey("free", "last-used");
    const before = Date.now();
    expect((await call(key, "?id=123", { "x-forwarded-for": "203.0.113.7" })).status).toBe(200);
    await flushUsage();
    const row = await db().apiKey.findUnique({ where: { id: key.id }, select: { lastUsedAt: true, lastUsedIp: true } });
    expect(row?.lastUsedAt).toBeInstanceOf(Date);
    expect(row!.lastUsedAt!.getTime()).toBeGreaterThanOrEqual(before - 1_000);
    expect(row!.lastUsedAt!.getTime()).toBeLessThanOrEqual(Date.now() + 1_000);
    expect(row?.lastUsedIp).toBe("203.0.113.7");
  });

  it("the shutdown hooks flush what the process-wide recorder still holds", async () => {
    // This file set the process-wide recorder's interval to an hour (see the top).
    expect(flushIntervalMs()).toBe(3_600_000);
    const { account, key } = await accountWithKey("free", "shutdown");
    await flushUsage();
    const n = 7;
    for (let i = 0; i < n; i += 1) expect((await call(key)).status).toBe(200);
    // With this file's one-hour interval, nothing has been written yet.
    expect(usageRecorder().pending).toBeGreaterThanOrEqual(n);
    expect(await db().usageLog.count({ where: { ownerId: account.id } })).toBe(0);
    await runShutdownHooks();
    expect(usageRecorder().pending).toBe(0);
    expect(await db().usageLog.count({ where: { ownerId: account.id } })).toBe(n);
    const lastUsed = await db().apiKey.findUnique({ where: { id: key.id }, select: { lastUsedAt: true } });
    expect(lastUsed?.lastUsedAt).toBeInstanceOf(Date);
  });

  it("a UsageRecorder with a huge interval writes nothing until flushed, then everything", async () => {
    const { account, key } = await accountWithKey("free", "huge-interval");
    const recorder = new UsageRecorder(3_600_000);
    const tag = "recorder-huge-interval";
    for (let i = 0; i < 12; i += 1) recorder.record(entry(account.id, key.id, tag));
    await sleep(100);
    expect(recorder.pending).toBe(12);
    expect(await rowsTagged(tag)).toBe(0);
    await recorder.flush();
    expect(recorder.pending).toBe(0);
    expect(await rowsTagged(tag)).toBe(12);
  });

  it("a UsageRecorder hands its rows over at a call once the oldest has waited its interval, with no timer run (a busy event loop)", async () => {
    const { account, key } = await accountWithKey("free", "late-timer");
    const recorder = new UsageRecorder(5);
    const tag = "recorder-late-timer";
    const write = vi.spyOn(batchWriter(), "write");
    try {
      recorder.record(entry(account.id, key.id, tag));
      const until = Date.now() + 20;
      while (Date.now() < until); // the event loop held: no timer can run meanwhile
      expect(write).not.toHaveBeenCalled();
      recorder.record(entry(account.id, key.id, tag));
      expect(write).toHaveBeenCalledTimes(1); // by the call itself
      await recorder.flush();
      expect(await rowsTagged(tag)).toBe(2);
    } finally {
      write.mockRestore();
    }
  });

  it("a UsageRecorder queues up to four batches on SQLite's writer thread at once, one at a time on PostgreSQL", async () => {
    const { account, key } = await accountWithKey("free", "pipeline");
    const recorder = new UsageRecorder(3_600_000);
    const tag = "recorder-pipeline";
    const write = vi.spyOn(batchWriter(), "write");
    try {
      for (let i = 0; i < 2_500; i += 1) recorder.record(entry(account.id, key.id, tag));
      expect(write).toHaveBeenCalledTimes(dialect() === "sqlite" ? 4 : 1);
      expect(recorder.pending).toBe(2_500);
      await recorder.flush();
      expect(recorder.pending).toBe(0);
      expect(await rowsTagged(tag)).toBe(2_500);
    } finally {
      write.mockRestore();
    }
  });

  it("a UsageRecorder flushes on its interval without being asked", async () => {
    const { account, key } = await accountWithKey("free", "interval");
    const recorder = new UsageRecorder(100);
    const tag = "recorder-interval";
    for (let i = 0; i < 5; i += 1) recorder.record(entry(account.id, key.id, tag));
    const deadline = Date.now() + 3_000;
    while ((await rowsTagged(tag)) < 5 && Date.now() < deadline) await sleep(50);
    expect(await rowsTagged(tag)).toBe(5);
    expect(
      (await db().apiKey.findUnique({ where: { id: key.id }, select: { lastUsedAt: true } }))?.lastUsedAt,
    ).toBeInstanceOf(Date);
  });

  it("a full batch (500 rows) is written without waiting for the interval", async () => {
    const { account } = await accountWithKey("free", "full-batch");
    const recorder = new UsageRecorder(3_600_000);
    const tag = "recorder-full-batch";
    for (let i = 0; i < 500; i += 1) recorder.record(entry(account.id, null, tag));
    const deadline = Date.now() + 5_000;
    while ((await rowsTagged(tag)) < 500 && Date.now() < deadline) await sleep(50);
    expect(await rowsTagged(tag)).toBe(500);
  });

  /** The usage writer's batches fail, as on a locked database, until the spy is restored. */
  function failBatches(how: "once" | "always") {
    const locked = new Error("SQLITE_BUSY: database is locked (simulated)");
    const spy = vi.spyOn(batchWriter(), "write");
    return how === "once" ? spy.mockRejectedValueOnce(locked) : spy.mockRejectedValue(locked);
  }

  it("a batch that fails once is written row by row at once: every row lands exactly once", async () => {
    const { account, key } = await accountWithKey("free", "fails-once");
    const recorder = new UsageRecorder(100);
    const tag = "recorder-fails-once";
    const transaction = failBatches("once");
    for (let i = 0; i < 9; i += 1) recorder.record(entry(account.id, key.id, tag));
    await recorder.flush();
    expect(transaction).toHaveBeenCalled();
    transaction.mockRestore();
    expect(await rowsTagged(tag)).toBe(9);
    expect(recorder.pending).toBe(0);
  });

  it("while the database keeps failing, rows wait in memory and are written once it recovers", async () => {
    const { account, key } = await accountWithKey("free", "fails-for-a-while");
    const recorder = new UsageRecorder(100);
    const tag = "recorder-fails-for-a-while";
    const errors = vi.spyOn(log(), "error").mockImplementation(() => {});
    const transaction = failBatches("always");
    for (let i = 0; i < 9; i += 1) recorder.record(entry(account.id, key.id, tag));
    await recorder.flush();
    expect(errors).toHaveBeenCalled();
    // Nothing lost: the rows went back into the buffer...
    expect(recorder.pending).toBe(9);
    transaction.mockRestore();
    expect(await rowsTagged(tag)).toBe(0);
    // ...and the retry the recorder scheduled itself writes them, once.
    const deadline = Date.now() + 3_000;
    while ((await rowsTagged(tag)) < 9 && Date.now() < deadline) await sleep(50);
    expect(await rowsTagged(tag)).toBe(9);
    expect(recorder.pending).toBe(0);
    errors.mockRestore();
  });

  it("one unwritable row (owner 999999 does not exist) does not block the rows recorded with it or after it", async () => {
    const { account, key } = await accountWithKey("free", "poison");
    const recorder = new UsageRecorder(3_600_000);
    const tag = "recorder-poison";
    const errors = vi.spyOn(log(), "error").mockImplementation(() => {});
    for (let i = 0; i < 3; i += 1) recorder.record(entry(account.id, key.id, tag));
    recorder.record(entry(999_999, null, tag));
    for (let i = 0; i < 3; i += 1) recorder.record(entry(account.id, key.id, tag));
    await recorder.flush();
    // Give the recorder a few chances, as its interval would.
    for (let attempt = 0; attempt < 3 && recorder.pending > 0; attempt += 1) await recorder.flush();
    const goodRows = await db().usageLog.count({ where: { userAgent: tag, ownerId: account.id } });
    const badRows = await db().usageLog.count({ where: { userAgent: tag, ownerId: 999_999 } });
    console.log(
      `[limits] recorder with one row of a missing owner: good rows written ${goodRows} of 6, bad rows ${badRows}, still pending ${recorder.pending}, write errors logged ${errors.mock.calls.length}`,
    );
    // The six good rows are logged; the queue is not stuck on the bad one.
    expect(goodRows).toBe(6);
    expect(recorder.pending).toBe(0);
    // Rows recorded afterwards still get through.
    recorder.record(entry(account.id, key.id, `${tag}-after`));
    await recorder.flush();
    expect(await rowsTagged(`${tag}-after`)).toBe(1);
  });
});

describe("retention: purgeExpiredUsageLogs(now)", () => {
  const baseRow = {
    apiKeyId: null,
    apiKeyName: null,
    method: "GET",
    path: "/api/api-routes-data?id=123",
    statusCode: 200,
    ip: "198.51.100.30",
  };

  function rows(ownerId: number | null, ages: number[], tag: string, now: number) {
    return ages.map((days) => ({
      ...baseRow,
      ownerId,
      userAgent: `${tag} ${days}d`,
      createdAt: new Date(now - days * DAY_MS),
    }));
  }

  async function agesLeft(ownerId: number | null, tag: string) {
    const left = await db().usageLog.findMany({
      where: { ownerId, userAgent: { startsWith: `${tag} ` } },
      select: { userAgent: true },
    });
    return left.map((r) => Number(/ (\d+)d$/.exec(r.userAgent)![1])).sort((a, b) => a - b);
  }

  it("keeps each plan's window: Free 30 days, Professional 90, Enterprise forever, rows without an owner 30", async () => {
    const now = Date.now();
    const free = await createAccount({ prefix: "ret-free" });
    const pro = await createAccount({ prefix: "ret-pro", plan: "professional" });
    const ent = await createAccount({ prefix: "ret-ent", plan: "enterprise" });
    await flushUsage();
    await purgeExpiredUsageLogs(new Date(now)); // anything already expired is not this test's
    const tag = "retention-plans";
    await db().usageLog.createMany({
      data: [
        ...rows(free.id, [0, 1, 29, 31, 89, 91, 400], tag, now),
        ...rows(pro.id, [0, 29, 31, 89, 91, 400], tag, now),
        ...rows(ent.id, [0, 29, 31, 89, 91, 400, 3650], tag, now),
        ...rows(null, [0, 29, 31, 89, 91, 400], tag, now),
      ],
    });
    const deleted = await purgeExpiredUsageLogs(new Date(now));
    expect({
      free: await agesLeft(free.id, tag),
      professional: await agesLeft(pro.id, tag),
      enterprise: await agesLeft(ent.id, tag),
      noOwner: await agesLeft(null, tag),
    }).toEqual({
      free: [0, 1, 29],
      professional: [0, 29, 31, 89],
      enterprise: [0, 29, 31, 89, 91, 400, 3650],
      noOwner: [0, 29],
    });
    // Free 4 (31, 89, 91, 400) + Professional 2 (91, 400) + no owner 4 (31, 89, 91, 400).
    expect(deleted).toBe(10);
    // A second run finds nothing more.
    expect(await purgeExpiredUsageLogs(new Date(now))).toBe(0);
  });

  it("a plan change moves the window: a Professional account downgraded to Free loses its 31–90-day rows", async () => {
    const now = Date.now();
    const account = await createAccount({ prefix: "ret-downgrade", plan: "professional" });
    const tag = "retention-downgrade";
    await db().usageLog.createMany({ data: rows(account.id, [10, 45, 80], tag, now) });
    await purgeExpiredUsageLogs(new Date(now));
    expect(await agesLeft(account.id, tag)).toEqual([10, 45, 80]);
    await setPlan(account.email, "free");
    await purgeExpiredUsageLogs(new Date(now));
    expect(await agesLeft(account.id, tag)).toEqual([10]);
  });

  it("deletes more than one batch of expired rows, all of them, and returns the exact count", async () => {
    const now = Date.now();
    const free = await createAccount({ prefix: "ret-batch-free" });
    const pro = await createAccount({ prefix: "ret-batch-pro", plan: "professional" });
    await flushUsage();
    await purgeExpiredUsageLogs(new Date(now));
    const tag = "retention-batch";
    const many = (ownerId: number | null, count: number, days: number) =>
      Array.from({ length: count }, () => ({
        ...baseRow,
        ownerId,
        userAgent: `${tag} ${days}d`,
        createdAt: new Date(now - days * DAY_MS),
      }));
    // 2,345 expired Free rows (several batches), 1,200 expired Professional rows, exactly one
    // batch of expired rows without an owner; plus rows inside each window that must stay.
    const data = [
      ...many(free.id, 2_345, 45),
      ...many(free.id, 10, 5),
      ...many(pro.id, 1_200, 120),
      ...many(pro.id, 10, 60),
      ...many(null, RETENTION_BATCH, 31),
      ...many(null, 10, 2),
    ];
    for (let i = 0; i < data.length; i += 500) await db().usageLog.createMany({ data: data.slice(i, i + 500) });

    const deleted = await purgeExpiredUsageLogs(new Date(now));
    console.log(
      `[limits] retention: deleted ${deleted} of ${2_345 + 1_200 + RETENTION_BATCH} expired rows in one purge`,
    );
    expect(deleted).toBe(2_345 + 1_200 + RETENTION_BATCH);
    expect(await db().usageLog.count({ where: { ownerId: free.id, userAgent: { startsWith: tag } } })).toBe(10);
    expect(await db().usageLog.count({ where: { ownerId: pro.id, userAgent: { startsWith: tag } } })).toBe(10);
    expect(await db().usageLog.count({ where: { ownerId: null, userAgent: { startsWith: tag } } })).toBe(10);
  });

  it("the data API keeps answering while a purge runs", async () => {
    const now = Date.now();
    const { account, key } = await accountWithKey("free", "ret-live");
    const tag = "retention-live";
    const data = Array.from({ length: 3_000 }, () => ({
      ...baseRow,
      ownerId: account.id,
      userAgent: `${tag} 40d`,
      createdAt: new Date(now - 40 * DAY_MS),
    }));
    for (let i = 0; i < data.length; i += 500) await db().usageLog.createMany({ data: data.slice(i, i + 500) });
    const purge = purgeExpiredUsageLogs(new Date(now));
    const response = await call(key);
    expect(response.status).toBe(200);
    expect(await purge).toBeGreaterThanOrEqual(3_000);
    expect(await db().usageLog.count({ where: { ownerId: account.id, userAgent: { startsWith: tag } } })).toBe(0);
  });
});
