import { beforeAll, describe, expect, it } from "vitest";
import { GET as usageLogs } from "@/app/api/api-usage-logs/route";
import { db } from "@/lib/db/client";
import { noParams, readBody, request, seedSampleRoutes } from "../helpers";
import { createAccount, generateKey, type Account } from "./support";

let account: Account;

beforeAll(async () => {
  await seedSampleRoutes();
  account = await createAccount({ prefix: "review", plan: "professional" });
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
