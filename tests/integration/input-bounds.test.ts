import { beforeAll, describe, expect, it } from "vitest";
import { GET as listKeys } from "@/app/api/api-keys/route";
import { POST as generate } from "@/app/api/api-keys/generate/route";
import { GET as getKey } from "@/app/api/api-keys/[id]/route";
import { GET as usageLogs } from "@/app/api/api-usage-logs/route";
import { GET as auditLogs } from "@/app/api/audit-logs/route";
import { db } from "@/lib/db/client";
import { flushUsage } from "@/lib/usage/usage-recorder";
import { seedSampleRoutes } from "../helpers";
import {
  callData,
  createAccount,
  ctx,
  expectError,
  generateKey,
  noParams,
  readBody,
  request,
  type Account,
} from "./support";

/**
 * Input that one database accepts and the other refuses must be refused by validation (a 400
 * on both), and what is logged must be writable on both: PostgreSQL has 32-bit ids and text
 * without NUL, SQLite neither limit. This file runs on both (npm run test:scale).
 */
let account: Account;
beforeAll(async () => {
  await seedSampleRoutes();
  account = await createAccount({ prefix: "bounds" });
});

const TOO_BIG = "99999999999"; // over 2,147,483,647

describe("ids past the 32-bit range", () => {
  it("GET /api/api-keys/{id} answers 400, not a database error", async () => {
    const response = await getKey(
      request("GET", `/api/api-keys/${TOO_BIG}`, { token: account.token }),
      ctx({ id: TOO_BIG }),
    );
    expect(response.status).toBe(400);
    expect((await readBody(response)).message).toMatch(/id must be a positive integer up to 2147483647/);
  });

  it("api_key_id on the usage log answers 400", async () => {
    const response = await usageLogs(
      request("GET", `/api/api-usage-logs?api_key_id=${TOO_BIG}`, { token: account.token }),
      noParams,
    );
    expect(response.status).toBe(400);
  });

  it("the data API answers 400 naming the bound", async () => {
    const key = await generateKey(account.token, "bounds", "bounds_user");
    const response = await callData({ key: key.api_key, username: key.user, query: `?id=${TOO_BIG}` });
    expect(response.status).toBe(400);
    expect((await readBody(response)).message).toBe("id must be a positive integer up to 2147483647");
  });
});

describe("NUL characters", () => {
  it("in a key name: 400 naming the field", async () => {
    const response = await generate(
      request("POST", "/api/api-keys/generate", {
        token: account.token,
        body: { api_key_name: "a\u0000b", user: "nul_user" },
      }),
      noParams,
    );
    expect(response.status).toBe(400);
    expect((await readBody(response)).message).toMatch(/api_key_name must not contain NUL/);
  });

  it("in the key search: 400", async () => {
    const response = await listKeys(request("GET", "/api/api-keys?q=a%00b", { token: account.token }), noParams);
    expect(response.status).toBe(400);
  });

  it("in a logged path (?id=%00, no key needed): the row is written without it, and rows after it too", async () => {
    const key = await generateKey(account.token, "nul-log", "nul_log_user");
    await callData({
      key: key.api_key,
      username: key.user,
      query: "?id=%00",
      headers: { "user-agent": "nul-in-path" },
    });
    await callData({ key: key.api_key, username: key.user, headers: { "user-agent": "after-the-nul" } });
    await flushUsage();
    const rows = await db().usageLog.findMany({ where: { apiKeyId: key.id }, orderBy: { id: "asc" } });
    expect(rows.map((row) => [row.path, row.userAgent])).toEqual([
      ["/api/api-routes-data?id=", "nul-in-path"],
      ["/api/api-routes-data?id=123", "after-the-nul"],
    ]);
  });
});

describe("text that is not well-formed or carries control characters", () => {
  const generateNamed = (api_key_name: string, user = "text_user") =>
    generate(
      request("POST", "/api/api-keys/generate", { token: account.token, body: { api_key_name, user } }),
      noParams,
    );

  it("a lone UTF-16 surrogate in a key name: 400 naming the field, and nothing stored", async () => {
    const before = await db().apiKey.count({ where: { ownerId: account.id } });
    const response = await generateNamed("bad \ud800 name");
    expect(response.status).toBe(400);
    expect(await readBody(response)).toEqual({
      success: false,
      message: "api_key_name must be well-formed Unicode text",
    });
    expect(await db().apiKey.count({ where: { ownerId: account.id } })).toBe(before);
  });

  it.each([
    ["ESC", "evil\u001b[31mred"],
    ["RLO", "invoice\u202Etxt.exe"],
    ["a C1 control", "next\u0085line"],
    ["a line break", "two\nlines"],
    ["an isolate", "a\u2066b"],
  ])("%s in a key name: 400 naming the field", async (_what, name) => {
    const response = await generateNamed(name);
    expect(response.status).toBe(400);
    expect((await readBody(response)).message).toBe(
      "api_key_name must not contain control or bidirectional formatting characters",
    );
  });

  it("a paired surrogate (an emoji) and non-Latin names are fine", async () => {
    const pro = await createAccount({ prefix: "bounds-text", plan: "professional" });
    const response = await generate(
      request("POST", "/api/api-keys/generate", {
        token: pro.token,
        body: { api_key_name: "ключ 🔑 鍵", user: "text_user" },
      }),
      noParams,
    );
    expect(response.status).toBe(201);
    expect((await readBody(response)).api_key_name).toBe("ключ 🔑 鍵");
  });
});

describe("strict integers and real dates in queries", () => {
  it.each(["1e2", "0x10", "1.0", "+5", " 7", "0", "-1", "10abc"])("per_page=%j: 400", async (value) => {
    const response = await listKeys(
      request("GET", `/api/api-keys?per_page=${encodeURIComponent(value)}`, { token: account.token }),
      noParams,
    );
    expect(response.status).toBe(400);
    expect((await readBody(response)).message).toMatch(/^per_page must be/);
  });

  it("page=2 and per_page=100 are fine", async () => {
    const response = await listKeys(
      request("GET", "/api/api-keys?page=2&per_page=100", { token: account.token }),
      noParams,
    );
    expect(response.status).toBe(200);
    expect((await readBody(response)).pagination).toMatchObject({ page: 2, per_page: 100 });
  });

  it.each([
    "2025-02-30",
    "2025-02-29",
    "2025-13-01",
    "2025-04-31T10:00:00Z",
    "2025-01-15T24:00:00Z",
    "2025-01-15T10:60:00Z",
    "2025-01-15T10:00:61Z",
    "2025-01-15T10:00:00+25:00",
  ])("from=%s: 400, not a rolled-over date", async (value) => {
    const response = await usageLogs(
      request("GET", `/api/api-usage-logs?from=${encodeURIComponent(value)}`, { token: account.token }),
      noParams,
    );
    expect(response.status).toBe(400);
    expect((await readBody(response)).message).toMatch(/^from must be an ISO 8601 date/);
  });

  it.each(["2024-02-29", "2025-01-15T23:59:59.999Z", "2025-06-30T12:00:00+05:30"])(
    "from=%s is accepted",
    async (value) => {
      const response = await usageLogs(
        request("GET", `/api/api-usage-logs?from=${encodeURIComponent(value)}`, { token: account.token }),
        noParams,
      );
      expect(response.status).toBe(200);
    },
  );
});

describe("page numbers whose offset is past a safe integer", () => {
  const PAGE_BOUND = "page must be a positive integer up to 1000000";
  const lists = {
    "/api/api-keys": listKeys,
    "/api/api-keys?q=a": listKeys,
    "/api/api-keys?status=active": listKeys,
    "/api/api-usage-logs": usageLogs,
    "/api/api-usage-logs?status=failed&from=2025-01-01": usageLogs,
    "/api/audit-logs": auditLogs,
  } as const;
  const withPage = (path: string, page: string) => `${path}${path.includes("?") ? "&" : "?"}page=${page}`;

  it.each(Object.keys(lists))("%s with page=2^53-1: 400 naming the bound", async (path) => {
    const list = lists[path as keyof typeof lists];
    for (const page of ["9007199254740991", "1000001", "99999999999999999999"]) {
      const response = await list(request("GET", withPage(path, page), { token: account.token }), noParams);
      await expectError(response, 400, PAGE_BOUND);
    }
  });

  it.each(Object.keys(lists))("%s with page=1000000 and per_page=100: 200, an empty page", async (path) => {
    const list = lists[path as keyof typeof lists];
    const response = await list(
      request("GET", `${withPage(path, "1000000")}&per_page=100`, { token: account.token }),
      noParams,
    );
    expect(response.status).toBe(200);
    expect((await readBody(response)).data).toEqual([]);
  });
});

describe("dates a database cannot hold", () => {
  it.each([
    ["to", "9999-12-31T20:00:00-05:00"],
    ["from", "9999-12-31T23:00:00-01:00"],
    ["to", "0000-12-31"],
    ["from", "0000-01-01T00:00:00Z"],
    ["from", "0001-01-01T00:30:00+01:00"],
  ])("%s=%s: 400 naming the range", async (field, value) => {
    const response = await usageLogs(
      request("GET", `/api/api-usage-logs?${field}=${encodeURIComponent(value)}`, { token: account.token }),
      noParams,
    );
    await expectError(response, 400, `${field} must be between 0001-01-01 and 9999-12-31`);
  });

  it.each(["10000-01-01", "+010000-01-01T00:00:00Z"])("a year past 9999 (%s): 400", async (value) => {
    const response = await usageLogs(
      request("GET", `/api/api-usage-logs?to=${encodeURIComponent(value)}`, { token: account.token }),
      noParams,
    );
    expect(response.status).toBe(400);
  });

  it.each([
    ["from", "0001-01-01"],
    ["to", "9999-12-31"],
    ["to", "9999-12-31T23:59:59.999Z"],
    ["from", "9999-12-31T23:30:00Z"],
  ])("%s=%s at either end of the range: 200", async (field, value) => {
    const response = await usageLogs(
      request("GET", `/api/api-usage-logs?${field}=${encodeURIComponent(value)}`, { token: account.token }),
      noParams,
    );
    expect(response.status).toBe(200);
  });
});
