import { generate } from "otplib";
import { describe, expect, it } from "vitest";
import { POST as confirm } from "@/app/api/account/2fa/confirm/route";
import { DELETE as disable, POST as start } from "@/app/api/account/2fa/route";
import { POST as login } from "@/app/api/auth/login/route";
import { db } from "@/lib/db/client";
import { createAccount, noParams, readBody, request, type Account } from "./support";

// Two-factor sign-in with TOTP (issue 26): enrolment behind the password, a code to confirm, ten
// single-use recovery codes, a login that asks for the code, replays and old codes refused, and a
// per-account cap on code guesses whatever the address.

const PERIOD_S = 30;
const code = (secret: string, offsetPeriods = 0) =>
  generate({ secret, epoch: Math.floor(Date.now() / 1000) + offsetPeriods * PERIOD_S });

const post = (handler: typeof start, url: string, token: string, body: unknown) =>
  handler(request("POST", url, { token, body }), noParams);
const signIn = (account: Account, extra: Record<string, string> = {}, ip = "203.0.113.9") =>
  login(
    request("POST", "/api/auth/login", {
      body: { email: account.email, password: account.password, ...extra },
      headers: { "x-forwarded-for": ip },
    }),
    noParams,
  );

/** An account with two-factor sign-in on: its secret and recovery codes. */
async function enrolled(prefix: string) {
  const account = await createAccount({ prefix });
  const started = await readBody(
    await post(start, "/api/account/2fa", account.token, { current_password: account.password }),
  );
  const confirmed = await readBody(
    await post(confirm, "/api/account/2fa/confirm", account.token, { code: await code(started.secret) }),
  );
  return { account, secret: started.secret as string, recoveryCodes: confirmed.recovery_codes as string[] };
}

describe("two-factor enrolment", () => {
  it("needs the password, then a code from the new secret; recovery codes are shown once, kept as digests", async () => {
    const account = await createAccount({ prefix: "tfa-enrol" });
    const wrong = await post(start, "/api/account/2fa", account.token, { current_password: "not-it" });
    expect(wrong.status).toBe(403);
    const early = await post(confirm, "/api/account/2fa/confirm", account.token, { code: "123456" });
    expect(early.status).toBe(409);

    const started = await post(start, "/api/account/2fa", account.token, { current_password: account.password });
    expect(started.status).toBe(200);
    const { secret, otpauth_url } = await readBody(started);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(otpauth_url).toMatch(/^otpauth:\/\/totp\/Key%20Portal:.+\?.*secret=[A-Z2-7]{32}/);
    // Until confirmed, sign-in is as before.
    expect((await signIn(account)).status).toBe(200);

    const bad = await post(confirm, "/api/account/2fa/confirm", account.token, { code: "000000" });
    expect(bad.status).toBe(403);
    expect(await readBody(bad)).toEqual({ success: false, message: "That code is not right" });
    expect((await post(confirm, "/api/account/2fa/confirm", account.token, { code: "12ab" })).status).toBe(400);

    const confirmed = await post(confirm, "/api/account/2fa/confirm", account.token, { code: await code(secret) });
    expect(confirmed.status).toBe(200);
    const { recovery_codes } = await readBody(confirmed);
    expect(recovery_codes).toHaveLength(10);
    expect(new Set(recovery_codes).size).toBe(10);
    for (const value of recovery_codes) expect(value).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/);

    const stored = await db().user.findUniqueOrThrow({ where: { id: account.id } });
    expect(stored.totpSecret).toMatch(/^v1\./);
    expect(stored.totpSecret).not.toContain(secret);
    const digests = await db().recoveryCode.findMany({ where: { userId: account.id } });
    expect(digests).toHaveLength(10);
    for (const row of digests) expect(recovery_codes).not.toContain(row.digest);
    // With it on, a new enrolment would swap the factor on the password alone: refused.
    const again = await post(start, "/api/account/2fa", account.token, { current_password: account.password });
    expect(again.status).toBe(409);
    expect((await readBody(again)).message).toMatch(/turn it off with a code first/);
    const actions = (await db().auditLog.findMany({ where: { ownerId: account.id } })).map((row) => row.action);
    expect(actions).toContain("account.two_factor_enabled");
    expect(actions).toContain("auth.second_factor_failed");
  });
});

describe("signing in with two-factor sign-in on", () => {
  it("asks for the code after the right password, takes each code once, refuses old ones", async () => {
    const { account, secret } = await enrolled("tfa-login");
    const missing = await signIn(account);
    expect(missing.status).toBe(401);
    expect(await readBody(missing)).toEqual({ success: false, message: "Two-factor code required" });
    // A wrong password says nothing about the second factor.
    const wrongPassword = await login(
      request("POST", "/api/auth/login", { body: { email: account.email, password: "nope-nope" } }),
      noParams,
    );
    expect(await readBody(wrongPassword)).toEqual({ success: false, message: "Invalid or missing authentication" });

    const wrong = await signIn(account, { totp_code: "000000" });
    expect(wrong.status).toBe(401);
    expect(await readBody(wrong)).toEqual({ success: false, message: "Invalid two-factor code" });
    // Two periods old: outside the one-period tolerance.
    expect((await signIn(account, { totp_code: await code(secret, -2) })).status).toBe(401);

    // The enrolment used this period's step: the next period's code is the next one accepted.
    const next = await code(secret, 1);
    const ok = await signIn(account, { totp_code: next });
    expect(ok.status).toBe(200);
    expect(await readBody(ok)).toMatchObject({ token: expect.any(String), refresh_token: expect.any(String) });
    const replayed = await signIn(account, { totp_code: next });
    expect(replayed.status).toBe(401);
    // This period's step is before the last one used: refused as well.
    expect((await signIn(account, { totp_code: await code(secret) })).status).toBe(401);
    const both = await signIn(account, { totp_code: "123456", recovery_code: "abcde-fghij" });
    expect(both.status).toBe(400);
  });

  it("refuses, as a wrong code and not an error, a code after a step claimed by a clock running ahead", async () => {
    const { account, secret } = await enrolled("tfa-skew");
    await db().user.update({
      where: { id: account.id },
      data: { totpLastStep: Math.floor(Date.now() / 30_000) + 5 },
    });
    const refused = await signIn(account, { totp_code: await code(secret, 1) });
    expect(refused.status).toBe(401);
    expect(await readBody(refused)).toEqual({ success: false, message: "Invalid two-factor code" });
  });

  it("takes each recovery code once", async () => {
    const { account, recoveryCodes } = await enrolled("tfa-recovery");
    const [first] = recoveryCodes;
    expect((await signIn(account, { recovery_code: first!.toUpperCase() })).status).toBe(200);
    expect((await signIn(account, { recovery_code: first! })).status).toBe(401);
    expect(await db().recoveryCode.count({ where: { userId: account.id, usedAt: { not: null } } })).toBe(1);
  });

  it("caps code guesses per account at 5 per 15 minutes, from any address; the right code waits too", async () => {
    const { account, secret } = await enrolled("tfa-cap");
    for (let i = 0; i < 5; i++) {
      const response = await signIn(account, { totp_code: String(100000 + i) }, `198.51.100.${i + 1}`);
      expect(response.status).toBe(401);
    }
    const capped = await signIn(account, { totp_code: await code(secret, 1) }, "198.51.100.99");
    expect(capped.status).toBe(429);
    expect(Number(capped.headers.get("retry-after"))).toBeGreaterThan(0);
    const failures = await db().auditLog.count({ where: { ownerId: account.id, action: "auth.second_factor_failed" } });
    expect(failures).toBe(5);
  });
});

describe("turning two-factor sign-in off", () => {
  it("takes a TOTP or recovery code; afterwards the password alone signs in", async () => {
    const { account, recoveryCodes } = await enrolled("tfa-off");
    const del = (body: unknown) =>
      disable(request("DELETE", "/api/account/2fa", { token: account.token, body }), noParams);
    expect((await del({ code: "000000" })).status).toBe(403);
    const off = await del({ code: recoveryCodes[3] });
    expect(off.status).toBe(200);
    expect(await readBody(off)).toEqual({ success: true, message: "Two-factor sign-in is off" });
    expect((await signIn(account)).status).toBe(200);
    expect(await db().recoveryCode.count({ where: { userId: account.id } })).toBe(0);
    expect((await del({ code: "123456" })).status).toBe(409);
  });
});
