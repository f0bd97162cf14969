import { beforeAll, describe, expect, it } from "vitest";
import { POST as login } from "@/app/api/auth/login/route";
import { db } from "@/lib/db/client";
import { SIGN_IN_LIMITS } from "@/lib/limits/sign-in-limits";
import { flushRateLimitCounters, resetRateLimitStoreForTests } from "@/lib/limits/quota";
import { PersistentRateLimitStore } from "@/lib/limits/persistent-store";
import { noParams, request, seedSampleRoutes } from "../helpers";
import { callData, createAccount, generateKey } from "./support";

/**
 * Without Redis the limiters count in memory and write their counters behind to the database:
 * a restart (here: the stores dropped and made again, as a new process would) reads them back,
 * so it hands no account a fresh hour and no password guesser a fresh throttle.
 */
beforeAll(async () => {
  await seedSampleRoutes();
});

describe("limits survive a restart", () => {
  it("a Free account that spent its 60 calls is still refused after a restart", async () => {
    const account = await createAccount({ prefix: "restart-quota" });
    const key = await generateKey(account.token, "restart", "restart_user");
    for (let i = 0; i < 60; i++) {
      expect((await callData({ key: key.api_key, username: "restart_user" })).status).toBe(200);
    }
    expect((await callData({ key: key.api_key, username: "restart_user" })).status).toBe(429);
    await flushRateLimitCounters();
    expect(await db().rateLimitCounter.count({ where: { key: `account:${account.id}` } })).toBe(1);

    resetRateLimitStoreForTests(); // a new process: nothing in memory
    const after = await callData({ key: key.api_key, username: "restart_user" });
    expect(after.status).toBe(429);
    expect(after.headers.get("x-ratelimit-remaining")).toBe("0");
  });

  it("a password guesser stays throttled after a restart", async () => {
    const victim = await createAccount({ prefix: "restart-throttle" });
    const attempt = (password: string) =>
      login(
        request("POST", "/api/auth/login", {
          body: { email: victim.email, password },
          headers: { "x-forwarded-for": "198.51.100.140" },
        }),
        noParams,
      );
    for (let i = 0; i < SIGN_IN_LIMITS.perEmailAndIp.failures; i++)
      expect((await attempt(`nope-${i}`)).status).toBe(401);
    await flushRateLimitCounters();
    resetRateLimitStoreForTests();
    expect((await attempt(victim.password)).status).toBe(429);
  });

  it("without the counters written, a restart would have forgotten them (the test can fail)", async () => {
    const account = await createAccount({ prefix: "restart-unflushed" });
    const key = await generateKey(account.token, "unflushed", "unflushed_user");
    for (let i = 0; i < 60; i++) await callData({ key: key.api_key, username: "unflushed_user" });
    await db().rateLimitCounter.deleteMany({ where: { key: `account:${account.id}` } });
    resetRateLimitStoreForTests();
    expect((await callData({ key: key.api_key, username: "unflushed_user" })).status).toBe(200);
  });

  it("counts from before the window turned are written too, not only the current window's", async () => {
    const windowMs = 60_000;
    const start = Math.floor(Date.now() / windowMs) * windowMs;
    const key = `test-turn:${start}:${Math.random()}`;
    const before = new PersistentRateLimitStore();
    for (let i = 0; i < 8; i++) await before.consume(key, 10, windowMs, start + windowMs - 100);
    await before.consume(key, 10, windowMs, start + windowMs + 10); // the window turns, nothing written yet
    await before.flush();

    const after = new PersistentRateLimitStore(); // a new process
    // 10 ms into the new window the previous one still weighs almost fully: 8 × 0.99 + 1 → 9.
    expect(await after.peek(key, windowMs, start + windowMs + 600)).toBe(9);
  });

  it("flush() waits for a write the timer already began", async () => {
    const windowMs = 60_000;
    const key = `test-inflight:${Math.random()}`;
    const store = new PersistentRateLimitStore();
    await store.consume(key, 100, windowMs, Date.now());
    let firstLanded = false;
    const first = store.flush().then(() => (firstLanded = true)); // in flight, as the timer's would be
    await store.flush(); // nothing new to write, but it must not return before the write above
    expect(firstLanded).toBe(true);
    expect((await db().rateLimitCounter.findMany({ where: { key } })).map((r) => r.count)).toEqual([1]);
    await first;
  });
});
