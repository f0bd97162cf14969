import { beforeAll, describe, expect, it } from "vitest";
import { serveDataRequest } from "@/lib/data-api/serve-data-request";
import { db } from "@/lib/db/client";
import { ANONYMOUS_HOURLY_LIMIT } from "@/lib/limits/plans";
import { flushUsage } from "@/lib/usage/usage-recorder";
import { seedSampleRoutes } from "../helpers";
import { createAccount, generateKey, type Account } from "./support";

let account: Account;

beforeAll(async () => {
  await seedSampleRoutes();
  account = await createAccount({ prefix: "review", plan: "professional" });
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
