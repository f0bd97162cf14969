import { beforeAll, describe, expect, it, vi } from "vitest";
import * as keyRoute from "@/app/api/api-keys/[id]/route";
import { setPlan, setSubscription } from "@/lib/auth/users";
import { db } from "@/lib/db/client";
import { serveDataRequest } from "@/lib/data-api/serve-data-request";
import { keyCacheStats } from "@/lib/keys/key-cache";
import { flushUsage } from "@/lib/usage/usage-recorder";
import { generateKeySecret } from "@/lib/keys/secret";
import { seedSampleRoutes } from "../helpers";
import { callData, createAccount, ctx, generateKey, setStatus, request, type Account } from "./support";

/**
 * The verification cache: a hit costs no database query, and every write that changes what
 * verification decides (status, delete, plan, subscription) is seen at the very next call.
 */
let account: Account;
beforeAll(async () => {
  await seedSampleRoutes();
  account = await createAccount({ prefix: "key-cache" });
});

/** Database round trips made while `fn` runs (verification uses one raw query per lookup). */
async function queriesDuring(fn: () => Promise<unknown>): Promise<number> {
  const raw = vi.spyOn(db(), "$queryRaw");
  try {
    await fn();
    return raw.mock.calls.length;
  } finally {
    raw.mockRestore();
  }
}

describe("key cache", () => {
  it("serves a repeated key from memory: the second call reads no key from the database", async () => {
    const key = await generateKey(account.token, "cached", "cached_user");
    const first = await queriesDuring(async () =>
      expect((await callData({ key: key.api_key, username: key.user })).status).toBe(200),
    );
    const before = keyCacheStats();
    const second = await queriesDuring(async () =>
      expect((await callData({ key: key.api_key, username: key.user })).status).toBe(200),
    );
    expect(first).toBe(1);
    expect(second).toBe(0);
    expect(keyCacheStats().hits).toBe(before.hits + 1);
  });

  it("answers a cached key at once, with no promise; a key not in memory yet is a promise", async () => {
    const own = await createAccount({ prefix: "key-cache-sync" }); // the shared account's plan has few keys
    const key = await generateKey(own.token, "synchronous", "sync_user");
    const headers = new Headers({ "x-api-key": key.api_key, "x-username": key.user });
    const call = () => serveDataRequest({ method: "GET", url: "/api/api-routes-data?id=123", headers, ip: "10.1.2.3" });
    const first = call();
    expect(first).toBeInstanceOf(Promise);
    expect((await first).status).toBe(200);
    const second = call();
    expect(second).not.toBeInstanceOf(Promise);
    expect(second).toMatchObject({ status: 200, body: { success: true, data: { id: 123 } } });
    // Refused from memory as well: a well-formed unknown key, once its miss is remembered.
    const unknown = new Headers({ "x-api-key": generateKeySecret(), "x-username": "nobody" });
    const miss = () =>
      serveDataRequest({ method: "GET", url: "/api/api-routes-data?id=123", headers: unknown, ip: "10.1.2.3" });
    expect((await miss()).status).toBe(401);
    expect(miss()).toMatchObject({ status: 401 });
    expect(miss()).not.toBeInstanceOf(Promise);
  });

  it("sees a deactivation, a re-activation and a deletion at the very next call", async () => {
    const key = await generateKey(account.token, "revoked", "revoked_user");
    const call = async () => (await callData({ key: key.api_key, username: key.user })).status;
    expect(await call()).toBe(200);
    expect(await call()).toBe(200); // cached now
    expect((await setStatus(account.token, key.id, "inactive")).status).toBe(200);
    expect(await call()).toBe(401);
    expect((await setStatus(account.token, key.id, "active")).status).toBe(200);
    expect(await call()).toBe(200);
    const deleted = await keyRoute.DELETE(
      request("DELETE", `/api/api-keys/${key.id}`, { token: account.token }),
      ctx({ id: String(key.id) }),
    );
    expect(deleted.status).toBe(200);
    expect(await call()).toBe(401);
  });

  it("sees the owner's plan and subscription change at the very next call", async () => {
    const owner = await createAccount({ prefix: "key-cache-plan" });
    const key = await generateKey(owner.token, "plan", "plan_user");
    const pro = async () => (await callData({ key: key.api_key, username: key.user, query: "?id=124" })).status;
    expect(await pro()).toBe(403); // Free may not read route 124
    expect(await pro()).toBe(403); // cached with the Free plan
    await setPlan(owner.email, "professional");
    expect(await pro()).toBe(200);
    await setSubscription(owner.email, "inactive");
    expect(await pro()).toBe(403);
    await setSubscription(owner.email, "active");
    expect(await pro()).toBe(200);
  });

  it("remembers a well-formed unknown key briefly: a flood of it costs one key lookup and one tombstone lookup", async () => {
    const unknown = generateKeySecret();
    const before = keyCacheStats();
    const lookups = await queriesDuring(async () => {
      for (let i = 0; i < 20; i++) expect((await callData({ key: unknown, username: "nobody" })).status).toBe(401);
    });
    expect(lookups).toBe(1);
    expect(keyCacheStats().misses - before.misses).toBe(1); // the tombstone lookup rides on that one miss
    expect(keyCacheStats().hits - before.hits).toBe(19);
  });

  it("remembers a deleted key's tombstone with it: later tries still reach the former owner's log", async () => {
    const key = await generateKey(account.token, "tombstoned", "tombstoned_user");
    const deleted = await keyRoute.DELETE(
      request("DELETE", `/api/api-keys/${key.id}`, { token: account.token }),
      ctx({ id: String(key.id) }),
    );
    expect(deleted.status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await callData({ key: key.api_key, username: key.user })).status).toBe(401);
    await flushUsage();
    const rows = await db().usageLog.findMany({ where: { apiKeyId: key.id, statusCode: 401 } });
    expect(rows.map((row) => row.ownerId)).toEqual([account.id, account.id, account.id]);
  });

  it("does not keep a row read while an invalidation arrived (it may predate the write)", async () => {
    const key = await generateKey(account.token, "racing", "racing_user");
    const original = db().$queryRaw.bind(db());
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // The lookup reads the row while the key is still active, then is held until the key has
    // been deactivated (and the invalidation delivered).
    const raw = vi.spyOn(db(), "$queryRaw").mockImplementationOnce(((...args: Parameters<typeof original>) => {
      const row = Promise.resolve(original(...args)); // a PrismaPromise runs only once awaited: start it now
      return gate.then(() => row);
    }) as typeof original);
    try {
      const inFlight = callData({ key: key.api_key, username: key.user });
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect((await setStatus(account.token, key.id, "inactive")).status).toBe(200);
      release();
      expect((await inFlight).status).toBe(200); // it was active when that call began
    } finally {
      raw.mockRestore();
    }
    expect((await callData({ key: key.api_key, username: key.user })).status).toBe(401);
  });
});
