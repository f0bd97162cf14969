import { beforeAll, describe, expect, it } from "vitest";
import { GET as usageLogs } from "@/app/api/api-usage-logs/route";
import { generateKeySecret } from "@/lib/keys/secret";
import { flushUsage, usageRecorder } from "@/lib/usage/usage-recorder";
import {
  ISO_8601,
  callData,
  createAccount,
  expectError,
  generateKey,
  noParams,
  readBody,
  request,
  type Account,
  type GeneratedKey,
} from "./support";
import { seedSampleRoutes } from "../helpers";

const LOG_FIELDS = [
  "api_key_id",
  "api_key_name",
  "created_at",
  "id",
  "ip",
  "method",
  "path",
  "status_code",
  "user_agent",
];

async function logs(token: string, query = "") {
  const response = await usageLogs(request("GET", `/api/api-usage-logs${query}`, { token }), noParams);
  return { response, body: await readBody(response) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let account: Account;
let stranger: Account;
let first: GeneratedKey;
let second: GeneratedKey;
/** Between the first batch of calls and the second. */
let midpoint: Date;
let startedAt: Date;
let endedAt: Date;

beforeAll(async () => {
  await seedSampleRoutes();
  account = await createAccount({ prefix: "logs", plan: "enterprise" });
  stranger = await createAccount({ prefix: "logs-stranger", plan: "enterprise" });
  first = await generateKey(account.token, "First key", "first_user");
  second = await generateKey(account.token, "Second key", "second_user");

  startedAt = new Date(Date.now() - 5);
  // Batch one: three calls of the first key (200, 400, 401 for a wrong username).
  await callData({ key: first.api_key, username: first.user, headers: { "user-agent": "batch-one/1.0" } });
  await callData({
    key: first.api_key,
    username: first.user,
    query: "?id=abc",
    headers: { "user-agent": "batch-one/1.0" },
  });
  await callData({ key: first.api_key, username: "wrong_user", headers: { "user-agent": "batch-one/1.0" } });
  await sleep(30);
  midpoint = new Date();
  await sleep(30);
  // Batch two: two calls of the second key (200, 404).
  await callData({ key: second.api_key, username: second.user, headers: { "user-agent": "batch-two/1.0" } });
  await callData({
    key: second.api_key,
    username: second.user,
    query: "?id=777777",
    headers: { "user-agent": "batch-two/1.0" },
  });
  // A call no account can be tied to: no one sees it.
  await callData({ key: generateKeySecret(), username: first.user });
  endedAt = new Date(Date.now() + 5);
});

describe("GET /api/api-usage-logs", () => {
  it("answers {data, pagination} with the documented fields for every call of the account's keys", async () => {
    const { response, body } = await logs(account.token);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(Object.keys(body).sort()).toEqual(["data", "pagination"]);
    expect(body.pagination).toEqual({ page: 1, per_page: 20, total: 5 });
    expect(body.data).toHaveLength(5);
    for (const log of body.data) {
      expect(Object.keys(log).sort()).toEqual(LOG_FIELDS);
      expect(Number.isInteger(log.id)).toBe(true);
      expect([first.id, second.id]).toContain(log.api_key_id);
      expect(log.api_key_name).toBe(log.api_key_id === first.id ? "First key" : "Second key");
      expect(log.method).toBe("GET");
      expect(log.path).toMatch(/^\/api\/api-routes-data\?id=/);
      expect(Number.isInteger(log.status_code)).toBe(true);
      expect(typeof log.ip).toBe("string");
      expect(log.user_agent).toMatch(/^batch-(one|two)\/1\.0$/);
      expect(log.created_at).toMatch(ISO_8601);
    }
  });

  it("records each call's path and status code", async () => {
    const { body } = await logs(account.token);
    const summary = body.data.map((l: any) => [l.api_key_id, l.path, l.status_code]).sort();
    expect(summary).toEqual(
      [
        [first.id, "/api/api-routes-data?id=123", 200],
        [first.id, "/api/api-routes-data?id=abc", 400],
        [first.id, "/api/api-routes-data?id=123", 401],
        [second.id, "/api/api-routes-data?id=123", 200],
        [second.id, "/api/api-routes-data?id=777777", 404],
      ].sort(),
    );
  });

  it("filters by api_key_id", async () => {
    const one = await logs(account.token, `?api_key_id=${first.id}`);
    expect(one.body.pagination.total).toBe(3);
    expect(one.body.data.every((l: any) => l.api_key_id === first.id)).toBe(true);
    const two = await logs(account.token, `?api_key_id=${second.id}`);
    expect(two.body.pagination.total).toBe(2);
    expect(two.body.data.every((l: any) => l.api_key_id === second.id)).toBe(true);
  });

  it("answers an empty list for a key id with no calls", async () => {
    const { response, body } = await logs(account.token, "?api_key_id=999999");
    expect(response.status).toBe(200);
    expect(body).toEqual({ data: [], pagination: { page: 1, per_page: 20, total: 0 } });
  });

  it("filters by from", async () => {
    const { body } = await logs(account.token, `?from=${midpoint.toISOString()}`);
    expect(body.pagination.total).toBe(2);
    expect(body.data.every((l: any) => l.api_key_id === second.id)).toBe(true);
    for (const log of body.data) expect(Date.parse(log.created_at)).toBeGreaterThanOrEqual(midpoint.getTime());
  });

  it("filters by to", async () => {
    const { body } = await logs(account.token, `?to=${midpoint.toISOString()}`);
    expect(body.pagination.total).toBe(3);
    expect(body.data.every((l: any) => l.api_key_id === first.id)).toBe(true);
    for (const log of body.data) expect(Date.parse(log.created_at)).toBeLessThanOrEqual(midpoint.getTime());
  });

  it("filters by from and to together, and with api_key_id", async () => {
    const all = await logs(account.token, `?from=${startedAt.toISOString()}&to=${endedAt.toISOString()}`);
    expect(all.body.pagination.total).toBe(5);
    const none = await logs(
      account.token,
      `?from=${endedAt.toISOString()}&to=${new Date(endedAt.getTime() + 60_000).toISOString()}`,
    );
    expect(none.body.pagination.total).toBe(0);
    const combined = await logs(account.token, `?api_key_id=${first.id}&from=${midpoint.toISOString()}`);
    expect(combined.body.pagination.total).toBe(0);
  });

  it("accepts a plain date and a date-time with an offset", async () => {
    const since2000 = await logs(account.token, "?from=2000-01-01");
    expect(since2000.response.status).toBe(200);
    expect(since2000.body.pagination.total).toBe(5);
    const before2000 = await logs(account.token, `?to=${encodeURIComponent("1999-12-31T23:00:00+02:00")}`);
    expect(before2000.response.status).toBe(200);
    expect(before2000.body.pagination.total).toBe(0);
  });

  it("paginates, newest first, without overlap", async () => {
    const pageOne = await logs(account.token, "?per_page=2&page=1");
    const pageTwo = await logs(account.token, "?per_page=2&page=2");
    const pageThree = await logs(account.token, "?per_page=2&page=3");
    expect(pageOne.body.pagination).toEqual({ page: 1, per_page: 2, total: 5 });
    expect(pageThree.body.pagination).toEqual({ page: 3, per_page: 2, total: 5 });
    const ids = [...pageOne.body.data, ...pageTwo.body.data, ...pageThree.body.data].map((l: any) => l.id);
    expect(ids).toHaveLength(5);
    expect(new Set(ids).size).toBe(5);
    const times = [...pageOne.body.data, ...pageTwo.body.data, ...pageThree.body.data].map((l: any) =>
      Date.parse(l.created_at),
    );
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it("shows another account none of them, even when it asks for the key id", async () => {
    const mine = await logs(stranger.token);
    expect(mine.response.status).toBe(200);
    expect(mine.body).toEqual({ data: [], pagination: { page: 1, per_page: 20, total: 0 } });
    const probing = await logs(stranger.token, `?api_key_id=${first.id}`);
    expect(probing.body).toEqual({ data: [], pagination: { page: 1, per_page: 20, total: 0 } });
  });

  it("shows a call tied to no account to no one", async () => {
    const { body } = await logs(account.token, "?per_page=100");
    expect(body.data.some((l: any) => l.api_key_id === null)).toBe(false);
  });

  it("stores a call's free text cleaned: keys redacted, NUL dropped, lone surrogates replaced, pairs kept, cut to size", async () => {
    const secret = generateKeySecret();
    usageRecorder().record({
      ownerId: account.id,
      apiKeyId: first.id,
      apiKeyName: "clean\ud800name",
      touchKey: false,
      method: "GET",
      path: `/api/api-routes-data?id=${secret}`,
      statusCode: 200,
      ip: "10.9.9.\u00009",
      userAgent: `agent ${secret} \0nul \ud83d\ude00 lone \udc00 ${"x".repeat(600)}`,
      at: new Date(),
    });
    await flushUsage();
    const { body } = await logs(account.token, `?api_key_id=${first.id}&per_page=100`);
    const row = body.data.find((l: { ip: string }) => l.ip === "10.9.9.9");
    expect(row.path).toBe("/api/api-routes-data?id=sk_live_[redacted]");
    expect(row.api_key_name).toBe("clean\ufffdname");
    expect(row.user_agent.startsWith("agent sk_live_[redacted] nul \ud83d\ude00 lone \ufffd xxx")).toBe(true);
    expect(row.user_agent).toHaveLength(512);
    expect(JSON.stringify(body)).not.toContain(secret);
  });

  it("contains no key material", async () => {
    const response = await usageLogs(
      request("GET", "/api/api-usage-logs?per_page=100", { token: account.token }),
      noParams,
    );
    const text = await response.text();
    for (const key of [first, second]) {
      expect(text).not.toContain(key.api_key);
      expect(text).not.toContain(key.api_key.slice("sk_live_".length));
    }
    expect(text).not.toMatch(/digest/i);
  });

  it.each([
    ["from=yesterday", "?from=yesterday", /\bfrom\b/],
    ["from=2025-13-45", "?from=2025-13-45", /\bfrom\b/],
    ["to=tomorrow", "?to=tomorrow", /\bto\b/],
    ["from after to", "?from=2025-02-01&to=2025-01-01", /\bfrom\b/],
    ["api_key_id=abc", "?api_key_id=abc", /\bapi_key_id\b/],
    ["api_key_id=0", "?api_key_id=0", /\bapi_key_id\b/],
    ["per_page=101", "?per_page=101", /\bper_page\b/],
    ["page=0", "?page=0", /\bpage\b/],
  ])("answers 400 naming the parameter for %s", async (_label, query, field) => {
    const response = await usageLogs(request("GET", `/api/api-usage-logs${query}`, { token: account.token }), noParams);
    await expectError(response, 400, field);
  });
});
