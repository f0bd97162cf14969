import { beforeAll, describe, expect, it } from "vitest";
import { GET as listKeys } from "@/app/api/api-keys/route";
import { POST as generate } from "@/app/api/api-keys/generate/route";
import { GET as getKey } from "@/app/api/api-keys/[id]/route";
import { GET as usageLogs } from "@/app/api/api-usage-logs/route";
import { db } from "@/lib/db/client";
import { flushUsage } from "@/lib/usage/usage-recorder";
import { seedSampleRoutes } from "../helpers";
import { callData, createAccount, ctx, generateKey, noParams, readBody, request, type Account } from "./support";

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
