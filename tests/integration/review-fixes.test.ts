import { beforeAll, describe, expect, it } from "vitest";
import { POST as login } from "@/app/api/auth/login/route";
import { POST as register } from "@/app/api/auth/register/route";
import { GET as nextAuthGet, POST as nextAuthPost } from "@/app/api/auth/[...nextauth]/route";
import { GET as apiRoot } from "@/app/api/[[...path]]/route";
import { GET as usageLogs } from "@/app/api/api-usage-logs/route";
import { PUT as putWorkingHours } from "@/app/api/account/working-hours/route";
import { serveDataRequest } from "@/lib/data-api/serve-data-request";
import { db } from "@/lib/db/client";
import { clientIp } from "@/lib/net/client-ip";
import { ANONYMOUS_HOURLY_LIMIT } from "@/lib/limits/plans";
import { SIGN_IN_LIMITS } from "@/lib/auth/sign-in";
import { resetConfigForTests } from "@/lib/config/env";

const LOGIN_FAILURES_ALLOWED = SIGN_IN_LIMITS.perEmailAndIp.failures;
import { flushUsage } from "@/lib/usage/usage-recorder";
import { ctx, noParams, readBody, request, seedSampleRoutes } from "../helpers";
import { AUTH_ERROR, createAccount, expectError, generateKey, type Account } from "./support";

let account: Account;

beforeAll(async () => {
  await seedSampleRoutes();
  account = await createAccount({ prefix: "review", plan: "professional" });
});

describe("request bodies are capped at 64 KB", () => {
  it("refuses a declared large body before reading it, and a streamed one while reading", async () => {
    const big = JSON.stringify({ email: "a@b.co", password: "x".repeat(70_000) });
    await expectError(
      await register(
        request("POST", "/api/auth/register", { rawBody: big, headers: { "content-type": "application/json" } }),
        noParams,
      ),
      413,
      /too large/,
    );
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 100; i++) controller.enqueue(new TextEncoder().encode("x".repeat(1024)));
        controller.close();
      },
    });
    const streamed = new Request("http://localhost:3000/api/auth/register", {
      method: "POST",
      body: stream,
      duplex: "half",
    } as RequestInit);
    await expectError(await register(streamed, noParams), 413, /too large/);
  });
});

describe("password guessing is throttled per email and IP", () => {
  it(`allows ${LOGIN_FAILURES_ALLOWED} failures, then answers 429 even to the right password; another IP is unaffected`, async () => {
    const victim = await createAccount({ prefix: "throttle" });
    const attempt = (password: string, ip: string) =>
      login(
        request("POST", "/api/auth/login", {
          body: { email: victim.email, password },
          headers: { "x-forwarded-for": ip },
        }),
        noParams,
      );
    for (let i = 0; i < LOGIN_FAILURES_ALLOWED; i++) {
      const wrong = await attempt(`wrong-${i}`, "198.51.100.1");
      expect(wrong.status).toBe(401);
      expect(await readBody(wrong)).toEqual(AUTH_ERROR);
    }
    const blocked = await attempt(victim.password, "198.51.100.1");
    expect(blocked.status).toBe(429);
    // A lock-out of one email lasts minutes: until the sliding 5 minutes admit one more failure.
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(Number(blocked.headers.get("retry-after"))).toBeLessThanOrEqual(330);
    await expectError(blocked, 429, "Too many failed sign-in attempts; try again later");
    expect((await attempt(victim.password, "198.51.100.2")).status).toBe(200);
  });
});

describe("password spraying and sign-up floods are throttled per IP", () => {
  it(`one IP trying one password on many emails gets 429 after ${SIGN_IN_LIMITS.perIp.failures} failures, for any email`, async () => {
    const ip = "198.51.100.77";
    const attempt = (email: string, password = "Summer2026!") =>
      login(
        request("POST", "/api/auth/login", { body: { email, password }, headers: { "x-forwarded-for": ip } }),
        noParams,
      );
    for (let i = 0; i < SIGN_IN_LIMITS.perIp.failures; i++) {
      expect((await attempt(`sprayed-${i}@example.com`)).status).toBe(401);
    }
    const real = await createAccount({ prefix: "sprayed-real" });
    const blocked = await attempt(real.email, real.password);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(Number(blocked.headers.get("retry-after"))).toBeLessThanOrEqual(990);
    // Another address is not held back.
    const elsewhere = await login(
      request("POST", "/api/auth/login", {
        body: { email: real.email, password: real.password },
        headers: { "x-forwarded-for": "198.51.100.78" },
      }),
      noParams,
    );
    expect(elsewhere.status).toBe(200);
  });

  it("SIGNUPS_PER_IP_PER_HOUR accounts per address, then 429 before any password is hashed", async () => {
    process.env.SIGNUPS_PER_IP_PER_HOUR = "3";
    resetConfigForTests();
    try {
      const signUp = (i: number, ip = "203.0.113.90") =>
        register(
          request("POST", "/api/auth/register", {
            body: { email: `flood-${i}-${Date.now()}@example.com`, password: "flood-password" },
            headers: { "x-forwarded-for": ip },
          }),
          noParams,
        );
      for (let i = 0; i < 3; i++) expect((await signUp(i)).status).toBe(201);
      const refused = await signUp(3);
      await expectError(refused, 429, "Too many accounts created from this address; try again later");
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
      expect((await signUp(4, "203.0.113.91")).status).toBe(201);
    } finally {
      process.env.SIGNUPS_PER_IP_PER_HOUR = "1000000";
      resetConfigForTests();
    }
  });
});

describe("working hours take JSON numbers only", () => {
  it.each([
    [{ time_zone: "UTC", work_start_hour: null, work_end_hour: 20 }, "work_start_hour"],
    [{ time_zone: "UTC", work_start_hour: 8, work_end_hour: true }, "work_end_hour"],
    [{ time_zone: "UTC", work_start_hour: [9], work_end_hour: 20 }, "work_start_hour"],
    [{ time_zone: "UTC", work_start_hour: "9", work_end_hour: 20 }, "work_start_hour"],
    [{ time_zone: "UTC", work_start_hour: 8.5, work_end_hour: 20 }, "work_start_hour"],
  ])("%j → 400 naming %s", async (body, field) => {
    const response = await putWorkingHours(
      request("PUT", "/api/account/working-hours", { token: account.token, body }),
      noParams,
    );
    await expectError(response, 400, new RegExp(`^${field} must be a whole hour`));
  });
});

describe("every /api error is the envelope", () => {
  // (That next-auth still serves its own actions needs Next's request scope: the Playwright sign-in tests prove it.)
  it("an /api/auth path next-auth does not serve is a 404 envelope", async () => {
    await expectError(
      await nextAuthPost(request("POST", "/api/auth/logout"), ctx({ nextauth: ["logout"] })),
      404,
      "Not found",
    );
    await expectError(
      await nextAuthGet(request("GET", "/api/auth/whatever"), ctx({ nextauth: ["whatever"] })),
      404,
      "Not found",
    );
  });

  it("/api itself is a 404 envelope", async () => {
    await expectError(await apiRoot(request("GET", "/api"), ctx({})), 404, "Not found");
  });
});

describe("usage log date filters", () => {
  it("a date-only 'to' includes that whole day", async () => {
    const key = await generateKey(account.token, "dated", "dated_user");
    const at = (iso: string) => ({
      ownerId: account.id,
      apiKeyId: key.id,
      apiKeyName: "dated",
      method: "GET",
      path: "/api/api-routes-data?id=123",
      statusCode: 200,
      ip: "10.1.1.1",
      userAgent: "dated",
      createdAt: new Date(iso),
    });
    await db().usageLog.createMany({
      data: [at("2025-01-15T00:00:00Z"), at("2025-01-15T23:59:59Z"), at("2025-01-16T00:00:00Z")],
    });
    const response = await usageLogs(
      request("GET", `/api/api-usage-logs?api_key_id=${key.id}&from=2025-01-15&to=2025-01-15`, {
        token: account.token,
      }),
      noParams,
    );
    const body = await readBody(response);
    expect(body.data.map((log: any) => log.created_at)).toEqual([
      "2025-01-15T23:59:59.000Z",
      "2025-01-15T00:00:00.000Z",
    ]);
  });
});

describe("a flood of failures past the per-IP budget", () => {
  it("is counted per client and hour, not logged: not under the key's owner, not as a row at all", async () => {
    const key = await generateKey(account.token, "flooded", "flood_user");
    const ip = "192.0.2.77";
    const call = () =>
      serveDataRequest({
        method: "GET",
        url: "/api/api-routes-data?id=123",
        headers: new Headers({ "x-api-key": key.api_key, "x-username": "intruder" }),
        ip,
      });
    for (let i = 0; i < ANONYMOUS_HOURLY_LIMIT; i++) expect((await call()).status).toBe(401);
    const over = await call();
    expect(over.status).toBe(429);
    expect(Number(over.headers["Retry-After"])).toBeGreaterThan(0);
    await flushUsage();
    expect(await db().usageLog.count({ where: { ip, apiKeyId: key.id, statusCode: 401 } })).toBe(
      ANONYMOUS_HOURLY_LIMIT,
    );
    expect(await db().usageLog.count({ where: { ip, statusCode: 429 } })).toBe(0);
    expect((await db().refusedCall.findMany({ where: { ip } })).map((r) => r.count)).toEqual([1]);
  });
});

describe("client IP", () => {
  const headers = (xff?: string) => new Headers(xff ? { "x-forwarded-for": xff } : {});
  it("is the socket address our server writes, unless a proxy is trusted", () => {
    expect(clientIp(headers("203.0.113.9"), false)).toBe("203.0.113.9");
    expect(clientIp(headers(), false)).toBe("unknown");
  });
  it("behind a trusted proxy, is what that proxy saw, not what the client claims", () => {
    // "<client claim>, <seen by proxy>, <proxy socket appended by our server>"
    expect(clientIp(headers("6.6.6.6, 198.51.100.4, 10.0.0.2"), true)).toBe("198.51.100.4");
    expect(clientIp(headers("198.51.100.4, 10.0.0.2"), true)).toBe("198.51.100.4");
    expect(clientIp(headers("10.0.0.2"), true)).toBe("10.0.0.2");
  });
});
