import crypto from "node:crypto";
import { generate } from "otplib";
import { describe, expect, it } from "vitest";
import { POST as confirm } from "@/app/api/account/2fa/confirm/route";
import { POST as start } from "@/app/api/account/2fa/route";
import {
  purgeStaleReauthentications,
  reauthenticate,
  recentlyAuthenticated,
  type SessionProof,
} from "@/lib/auth/reauthentication";
import { db } from "@/lib/db/client";
import { isDomainError } from "@/lib/errors/domain-error";
import { createAccount, noParams, readBody, request } from "./support";

// Sudo mode (issue 26, item 3): a portal session may generate, rotate, delete and reactivate a
// leaked key only within REAUTH_WINDOW_SECONDS (600 by default) of signing in or of entering its
// password (or a two-factor code) again. The portal's dialog and retry are in e2e/hardening.spec.ts.

const WINDOW_MS = 600_000;
const context = { actor: "portal" as const, ip: "203.0.113.40", userId: null };
const session = (authTime?: number): SessionProof => ({ sid: crypto.randomUUID(), authTime });
const seconds = (ms: number) => Math.floor(ms / 1000);

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).not.toBeNull();
  return error;
}

describe("sudo mode's window", () => {
  it("counts from sign-in: inside the window a session may act, past it it may not", async () => {
    const now = Date.now();
    expect(await recentlyAuthenticated(session(seconds(now - 60_000)), now)).toBe(true);
    expect(await recentlyAuthenticated(session(seconds(now - WINDOW_MS + 5_000)), now)).toBe(true);
    expect(await recentlyAuthenticated(session(seconds(now - WINDOW_MS - 1_000)), now)).toBe(false);
    // A cookie issued before sign-in times were recorded proves nothing by itself.
    expect(await recentlyAuthenticated(session(undefined), now)).toBe(false);
  });

  it("the password entered again opens it for that session only, and for the window only", async () => {
    const account = await createAccount({ prefix: "sudo-password" });
    const now = Date.now();
    const stale = session(seconds(now - 2 * WINDOW_MS));
    const other = session(seconds(now - 2 * WINDOW_MS));
    expect(await recentlyAuthenticated(stale, now)).toBe(false);

    await reauthenticate(account.id, stale, { password: account.password }, context, now);
    expect(await recentlyAuthenticated(stale, now + 1_000)).toBe(true);
    expect(await recentlyAuthenticated(other, now + 1_000)).toBe(false);
    expect(await recentlyAuthenticated(stale, now + WINDOW_MS + 1_000)).toBe(false);

    // The hourly purge drops rows past their window, and only those.
    const fresh = session(undefined);
    await reauthenticate(account.id, fresh, { password: account.password }, context, now + WINDOW_MS);
    await purgeStaleReauthentications(new Date(now + WINDOW_MS + 1_000));
    expect(await db().sessionReauthentication.findUnique({ where: { sid: stale.sid } })).toBeNull();
    expect(await db().sessionReauthentication.findUnique({ where: { sid: fresh.sid } })).not.toBeNull();
  });

  it("a wrong password opens nothing, is audited as a failed sign-in, and counts toward the throttle", async () => {
    const account = await createAccount({ prefix: "sudo-wrong" });
    const stale = session(undefined);
    const ip = `198.51.100.${crypto.randomInt(1, 250)}`;
    const error = await refusal(
      reauthenticate(account.id, stale, { password: "not-the-password" }, { ...context, ip }),
    );
    expect(isDomainError(error, "reauthentication_failed")).toBe(true);
    expect(await recentlyAuthenticated(stale)).toBe(false);
    const failures = await db().auditLog.count({ where: { ownerId: account.id, action: "auth.sign_in_failed" } });
    expect(failures).toBe(1);
    // Guessing from the dialog is guessing at sign-in: past the budget even the right one is refused.
    for (let guess = 0; guess < 10; guess++) {
      await reauthenticate(account.id, stale, { password: `guess-${guess}` }, { ...context, ip }).catch(() => null);
    }
    const throttled = await refusal(
      reauthenticate(account.id, stale, { password: account.password }, { ...context, ip }),
    );
    expect((throttled as Error).message).toMatch(/^Too many wrong passwords; try again in \d+ s/);
    expect(await recentlyAuthenticated(stale)).toBe(false);
  });

  it("a two-factor code opens it when two-factor sign-in is on, and only then", async () => {
    const account = await createAccount({ prefix: "sudo-code" });
    const stale = session(undefined);
    const off = await refusal(reauthenticate(account.id, stale, { code: "123456" }, context));
    expect((off as Error).message).toBe("Two-factor sign-in is off: enter your password");

    const started = await readBody(
      await start(
        request("POST", "/api/account/2fa", { token: account.token, body: { current_password: account.password } }),
        noParams,
      ),
    );
    const epoch = Math.floor(Date.now() / 1000);
    const enrolCode = await generate({ secret: started.secret, epoch: epoch - 30 });
    const confirmed = await confirm(
      request("POST", "/api/account/2fa/confirm", { token: account.token, body: { code: enrolCode } }),
      noParams,
    );
    expect(confirmed.status).toBe(200);

    const wrong = await refusal(reauthenticate(account.id, stale, { code: "000000" }, context));
    expect(isDomainError(wrong, "invalid_second_factor")).toBe(true);
    expect(await recentlyAuthenticated(stale)).toBe(false);
    await reauthenticate(account.id, stale, { code: await generate({ secret: started.secret, epoch }) }, context);
    expect(await recentlyAuthenticated(stale)).toBe(true);
  });
});
