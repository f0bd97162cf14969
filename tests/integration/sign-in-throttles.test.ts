import { describe, expect, it } from "vitest";
import { POST as login } from "@/app/api/auth/login/route";
import { POST as register } from "@/app/api/auth/register/route";
import { SIGN_IN_LIMITS } from "@/lib/limits/sign-in-limits";
import { resetConfigForTests } from "@/lib/config/env";

import { noParams, readBody, request } from "../helpers";
import { AUTH_ERROR, createAccount, expectError } from "./support";

const LOGIN_FAILURES_ALLOWED = SIGN_IN_LIMITS.perEmailAndIp.failures;

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
