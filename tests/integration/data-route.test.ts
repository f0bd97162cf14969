import { beforeAll, describe, expect, it } from "vitest";
import { GET as getKey, DELETE as deleteKey } from "@/app/api/api-keys/[id]/route";
import { GET as usageLogs } from "@/app/api/api-usage-logs/route";
import { publishInvalidation } from "@/lib/cache/invalidation";
import { db } from "@/lib/db/client";
import { flushUsage } from "@/lib/usage/usage-recorder";
import { generateKeySecret, hasValidKeyFormat } from "@/lib/keys/secret";
import { setPlan, setSubscription } from "@/lib/auth/users";
import {
  AUTH_ERROR,
  FORBIDDEN_ERROR,
  ISO_8601,
  callData,
  createAccount,
  ctx,
  expectError,
  generateKey,
  mistype,
  noParams,
  readBody,
  request,
  setStatus,
  type Account,
  type GeneratedKey,
} from "./support";
import { seedSampleRoutes } from "../helpers";

let account: Account;
let key: GeneratedKey;

beforeAll(async () => {
  await seedSampleRoutes();
  account = await createAccount({ prefix: "data", plan: "enterprise" });
  key = await generateKey(account.token, "Data route key", "api_user_prod");
});

async function expect401(response: Response) {
  expect(response.status).toBe(401);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  expect(await response.text()).toBe(JSON.stringify(AUTH_ERROR));
}

/** Usage rows are written in batches: flush before reading the table directly. */
async function logCount() {
  await flushUsage();
  return db().usageLog.count();
}

async function latestLog() {
  await flushUsage();
  return db().usageLog.findFirst({ orderBy: { id: "desc" } });
}

describe("GET /api/api-routes-data with X-API-Key and X-Username", () => {
  it("answers 200 {success: true, data: {id: 123, ...}}", async () => {
    const response = await callData({ key: key.api_key, username: key.user });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const body = await readBody(response);
    expect(Object.keys(body).sort()).toEqual(["data", "success"]);
    expect(body.success).toBe(true);
    expect(body.data.id).toBe(123);
    expect(typeof body.data.id).toBe("number");
    // The seeded sample route's payload comes through.
    expect(body.data).toMatchObject({ name: "Sample route" });
  });

  it("does not let a caller cache the answer", async () => {
    const response = await callData({ key: key.api_key, username: key.user });
    expect(response.headers.get("cache-control") ?? "").toContain("no-store");
  });

  describe("answers the identical 401 body", () => {
    it("for a missing key", async () => {
      await expect401(await callData({ username: key.user }));
    });

    it("for an empty key", async () => {
      await expect401(await callData({ key: "", username: key.user }));
    });

    it("for a missing username", async () => {
      await expect401(await callData({ key: key.api_key }));
    });

    it("for both missing", async () => {
      await expect401(await callData({}));
    });

    it("for a mistyped key (one character changed, so the checksum fails)", async () => {
      const typo = mistype(key.api_key);
      expect(typo).not.toBe(key.api_key);
      expect(hasValidKeyFormat(typo)).toBe(false);
      await expect401(await callData({ key: typo, username: key.user }));
    });

    it("for a truncated key and a key with an extra character", async () => {
      await expect401(await callData({ key: key.api_key.slice(0, -1), username: key.user }));
      await expect401(await callData({ key: key.api_key + "a", username: key.user }));
    });

    it("for the reference's example key", async () => {
      await expect401(await callData({ key: "sk_live_aBcDeFgHiJkLmNoPqRsTuVwXyZ123456", username: key.user }));
    });

    it("for a well-formed key that was never issued", async () => {
      const unknown = generateKeySecret();
      expect(hasValidKeyFormat(unknown)).toBe(true);
      await expect401(await callData({ key: unknown, username: key.user }));
    });

    it("for a wrong username", async () => {
      await expect401(await callData({ key: key.api_key, username: "someone_else" }));
    });

    it("for the username in another letter case", async () => {
      await expect401(await callData({ key: key.api_key, username: key.user.toUpperCase() }));
    });

    it("for the account's own username instead of the key's user", async () => {
      await expect401(await callData({ key: key.api_key, username: account.username }));
    });

    it("for a Bearer token instead of an API key", async () => {
      await expect401(await callData({ username: key.user, headers: { authorization: `Bearer ${account.token}` } }));
    });

    it("for another key's user", async () => {
      const second = await generateKey(account.token, "Second key", "second_user");
      await expect401(await callData({ key: key.api_key, username: second.user }));
      await expect401(await callData({ key: second.api_key, username: key.user }));
      expect((await callData({ key: second.api_key, username: second.user })).status).toBe(200);
    });

    it("for an inactive key", async () => {
      const inactive = await generateKey(account.token, "Inactive key", "inactive_user");
      expect((await setStatus(account.token, inactive.id, "inactive")).status).toBe(200);
      await expect401(await callData({ key: inactive.api_key, username: inactive.user }));
    });

    it("for a deleted key", async () => {
      const deleted = await generateKey(account.token, "Deleted key", "deleted_user");
      expect((await callData({ key: deleted.api_key, username: deleted.user })).status).toBe(200);
      const response = await deleteKey(
        request("DELETE", `/api/api-keys/${deleted.id}`, { token: account.token }),
        ctx({ id: String(deleted.id) }),
      );
      expect(response.status).toBe(200);
      await expect401(await callData({ key: deleted.api_key, username: deleted.user }));
    });

    it("before looking at the id: a bad id with a bad key is still 401", async () => {
      await expect401(await callData({ key: mistype(key.api_key), username: key.user, query: "?id=abc" }));
    });
  });

  it("refuses a key past its expiry time (room for expiring keys) and accepts one before it", async () => {
    const expiring = await generateKey(account.token, "Expiring key", "expiring_user");
    await db().apiKey.update({ where: { id: expiring.id }, data: { expiresAt: new Date(Date.now() + 60_000) } });
    expect((await callData({ key: expiring.api_key, username: expiring.user })).status).toBe(200);
    await db().apiKey.update({ where: { id: expiring.id }, data: { expiresAt: new Date(Date.now() - 1_000) } });
    // Every write path publishes an invalidation for the key cache; this direct write does the same.
    await publishInvalidation({ kind: "key", keyId: expiring.id });
    await expect401(await callData({ key: expiring.api_key, username: expiring.user }));
  });

  it("applies a deactivation on the very next request, and a re-activation restores 200", async () => {
    const toggled = await generateKey(account.token, "Toggled key", "toggled_user");
    expect((await callData({ key: toggled.api_key, username: toggled.user })).status).toBe(200);

    expect((await setStatus(account.token, toggled.id, "inactive")).status).toBe(200);
    await expect401(await callData({ key: toggled.api_key, username: toggled.user }));

    expect((await setStatus(account.token, toggled.id, "active")).status).toBe(200);
    const restored = await callData({ key: toggled.api_key, username: toggled.user });
    expect(restored.status).toBe(200);
    expect((await readBody(restored)).data.id).toBe(123);
  });

  it("answers 404 for an unknown route id", async () => {
    await expectError(await callData({ key: key.api_key, username: key.user, query: "?id=999999" }), 404);
  });

  it.each(["abc", "0", "1.5", "-1", "12abc", "1e2", ""])("answers 400 naming id for the bad id %j", async (id) => {
    await expectError(await callData({ key: key.api_key, username: key.user, query: `?id=${id}` }), 400, /\bid\b/);
  });

  it("answers 400 naming id when id is missing", async () => {
    await expectError(await callData({ key: key.api_key, username: key.user, query: "" }), 400, /\bid\b/);
  });

  describe("plans and subscriptions (the reference's 403)", () => {
    it("answers 403 for a route above the account's plan, and 200 once the plan allows it", async () => {
      const payer = await createAccount({ prefix: "plan" });
      const payerKey = await generateKey(payer.token, "Plan key", "plan_user");
      const denied = await callData({ key: payerKey.api_key, username: payerKey.user, query: "?id=124" });
      expect(denied.status).toBe(403);
      expect(await readBody(denied)).toEqual(FORBIDDEN_ERROR);
      await setPlan(payer.email, "professional");
      const allowed = await callData({ key: payerKey.api_key, username: payerKey.user, query: "?id=124" });
      expect(allowed.status).toBe(200);
      expect((await readBody(allowed)).data.id).toBe(124);
    });

    it("answers 403 when the account's subscription is inactive", async () => {
      const lapsed = await createAccount({ prefix: "lapsed" });
      const lapsedKey = await generateKey(lapsed.token, "Lapsed key", "lapsed_user");
      await setSubscription(lapsed.email, "inactive");
      const response = await callData({ key: lapsedKey.api_key, username: lapsedKey.user });
      expect(response.status).toBe(403);
      expect(await readBody(response)).toEqual(FORBIDDEN_ERROR);
    });
  });
});

describe("usage logging on the data route", () => {
  it("writes exactly one usage-log row per call, good or bad", async () => {
    const inactive = await generateKey(account.token, "Logged inactive", "logged_inactive");
    await setStatus(account.token, inactive.id, "inactive");
    const deleted = await generateKey(account.token, "Logged deleted", "logged_deleted");
    await deleteKey(
      request("DELETE", `/api/api-keys/${deleted.id}`, { token: account.token }),
      ctx({ id: String(deleted.id) }),
    );

    const scenarios: Array<[string, () => Promise<Response>, number]> = [
      ["success", () => callData({ key: key.api_key, username: key.user }), 200],
      ["missing key", () => callData({ username: key.user }), 401],
      ["missing username", () => callData({ key: key.api_key }), 401],
      ["mistyped key", () => callData({ key: mistype(key.api_key), username: key.user }), 401],
      ["unknown key", () => callData({ key: generateKeySecret(), username: key.user }), 401],
      ["wrong username", () => callData({ key: key.api_key, username: "nobody" }), 401],
      ["inactive key", () => callData({ key: inactive.api_key, username: inactive.user }), 401],
      ["deleted key", () => callData({ key: deleted.api_key, username: deleted.user }), 401],
      ["unknown route", () => callData({ key: key.api_key, username: key.user, query: "?id=424242" }), 404],
      ["bad id", () => callData({ key: key.api_key, username: key.user, query: "?id=abc" }), 400],
      ["missing id", () => callData({ key: key.api_key, username: key.user, query: "" }), 400],
    ];
    for (const [label, call, status] of scenarios) {
      const before = await logCount();
      const response = await call();
      expect({ label, status: response.status }).toEqual({ label, status });
      expect({ label, rows: await logCount() }).toEqual({ label, rows: before + 1 });
      const row = await latestLog();
      expect({ label, logged: row?.statusCode, method: row?.method }).toEqual({ label, logged: status, method: "GET" });
      expect(row?.path.startsWith("/api/api-routes-data")).toBe(true);
    }
  });

  it("attributes a call to its key, visible in GET /api/api-usage-logs", async () => {
    const logged = await generateKey(account.token, "Attributed key", "attributed_user");
    const response = await callData({
      key: logged.api_key,
      username: logged.user,
      headers: { "user-agent": "integration-test/1.0" },
    });
    expect(response.status).toBe(200);
    const logs = await readBody(
      await usageLogs(
        request("GET", `/api/api-usage-logs?api_key_id=${logged.id}`, { token: account.token }),
        noParams,
      ),
    );
    expect(logs.pagination.total).toBe(1);
    expect(logs.data[0]).toMatchObject({
      api_key_id: logged.id,
      api_key_name: "Attributed key",
      method: "GET",
      path: "/api/api-routes-data?id=123",
      status_code: 200,
      user_agent: "integration-test/1.0",
    });
  });

  it("logs a failed call of a known key (wrong username) under that key", async () => {
    const logged = await generateKey(account.token, "Failed attempts key", "failed_user");
    expect((await callData({ key: logged.api_key, username: "intruder" })).status).toBe(401);
    const logs = await readBody(
      await usageLogs(
        request("GET", `/api/api-usage-logs?api_key_id=${logged.id}`, { token: account.token }),
        noParams,
      ),
    );
    expect(logs.data.map((l: any) => l.status_code)).toEqual([401]);
  });

  it("logs a call made with a deleted key for its former owner, and still refuses it", async () => {
    const gone = await generateKey(account.token, "Deleted but still used", "gone_user");
    await deleteKey(
      request("DELETE", `/api/api-keys/${gone.id}`, { token: account.token }),
      ctx({ id: String(gone.id) }),
    );
    await expect401(await callData({ key: gone.api_key, username: gone.user }));
    const logs = await readBody(
      await usageLogs(request("GET", `/api/api-usage-logs?api_key_id=${gone.id}`, { token: account.token }), noParams),
    );
    expect(logs.data.map((l: any) => [l.api_key_name, l.status_code])).toEqual([["Deleted but still used", 401]]);
    // The tombstone holds a digest only: deleting the key again is still a 404.
    const again = await deleteKey(
      request("DELETE", `/api/api-keys/${gone.id}`, { token: account.token }),
      ctx({ id: String(gone.id) }),
    );
    expect(again.status).toBe(404);
  });

  it("sets last_used_at after a call", async () => {
    const fresh = await generateKey(account.token, "Last used key", "last_used_user");
    const read = async () =>
      // last_used_at follows the batched usage write: flush it, as the flush interval would.
      (
        await flushUsage(),
        readBody(
          await getKey(
            request("GET", `/api/api-keys/${fresh.id}`, { token: account.token }),
            ctx({ id: String(fresh.id) }),
          ),
        )
      );
    expect((await read()).last_used_at).toBeNull();
    const before = Date.now();
    expect((await callData({ key: fresh.api_key, username: fresh.user })).status).toBe(200);
    const lastUsed = (await read()).last_used_at;
    expect(lastUsed).toMatch(ISO_8601);
    expect(Date.parse(lastUsed)).toBeGreaterThanOrEqual(before - 1_000);
    expect(Date.parse(lastUsed)).toBeLessThanOrEqual(Date.now() + 1_000);
  });

  it("never logs the key, even when it is sent in the User-Agent or the query string", async () => {
    const secret = key.api_key;
    const secretBody = secret.slice("sk_live_".length);
    const before = await logCount();
    const calls = [
      callData({ key: secret, username: key.user, headers: { "user-agent": `my-script/1.0 (key ${secret})` } }),
      callData({ key: secret, username: key.user, query: `?id=123&api_key=${secret}` }),
      callData({ key: secret, username: key.user, query: `?api_key=${secret}&id=123` }),
      callData({ key: secret, username: key.user, query: `?id=${secret}` }),
      callData({ key: secret, username: key.user, query: `?id=${encodeURIComponent(secret)}&x=${secretBody}` }),
      callData({ key: secret, username: key.user, headers: { "user-agent": secret } }),
      callData({ username: key.user, query: `?id=123&key=${secret}`, headers: { "user-agent": `curl ${secret}` } }),
    ];
    for (const call of calls) await call;
    expect(await logCount()).toBe(before + calls.length);
    const rows = await db().usageLog.findMany({
      where: { id: { gt: 0 } },
      orderBy: { id: "desc" },
      take: calls.length,
    });
    for (const row of rows) {
      for (const cell of [row.path, row.userAgent, row.apiKeyName ?? "", row.ip]) {
        expect(cell).not.toContain(secret);
        expect(cell).not.toContain(secretBody);
        expect(cell).not.toContain(secretBody.slice(0, 16));
      }
    }
    const listed = await usageLogs(
      request("GET", "/api/api-usage-logs?per_page=100", { token: account.token }),
      noParams,
    );
    const text = await listed.text();
    expect(text).not.toContain(secret);
    expect(text).not.toContain(secretBody);
  });
});
