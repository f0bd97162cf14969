import { generate } from "otplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as listKeys } from "@/app/api/api-keys/route";
import { POST as forgot } from "@/app/api/auth/forgot-password/route";
import { POST as login } from "@/app/api/auth/login/route";
import { POST as reset } from "@/app/api/auth/reset-password/route";
import { startTwoFactor } from "@/lib/auth/sign-in";
import { confirmEnrolment } from "@/lib/auth/two-factor";
import { getConfig, resetConfigForTests } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import { createResetLink } from "@/lib/auth/password-reset";
import { runAdminCommand } from "@/scripts/admin-commands";
import { startSmtpServer } from "./smtp";
import { createAccount, noParams, readBody, request, type Account } from "./support";

// Recovery (issue 26): a one-time reset link from the operator's CLI or, with SMTP_URL set, by
// mail from "Forgot password?"; an hour, single use; it ends every session and keeps 2FA on.

let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
const saved = process.env.SMTP_URL;

beforeAll(async () => {
  smtp = await startSmtpServer();
});

afterAll(async () => {
  await smtp.close();
  if (saved === undefined) delete process.env.SMTP_URL;
  else process.env.SMTP_URL = saved;
  resetConfigForTests();
});

const tokenOf = (url: string) => url.slice(url.indexOf("#") + 1);
const post = (token: string, new_password: string) =>
  reset(request("POST", "/api/auth/reset-password", { body: { token, new_password } }), noParams);
const signIn = (account: Account, password: string, extra: Record<string, string> = {}) =>
  login(request("POST", "/api/auth/login", { body: { email: account.email, password, ...extra } }), noParams);

describe("a reset link from the admin CLI", () => {
  it("is printed once, built from NEXTAUTH_URL; it sets the password once and ends every session", async () => {
    const account = await createAccount({ prefix: "reset-cli" });
    const printed = await runAdminCommand(["reset-link", account.email]);
    const url = printed.split("\n").at(-1)!;
    expect(url.startsWith(`${getConfig().portalUrl}/reset-password#rst_`)).toBe(true);
    expect(printed).toMatch(/valid until \d{4}-\d{2}-\d{2}T.*single use/);
    const token = tokenOf(url);
    const stored = await db().passwordReset.findMany({ where: { userId: account.id } });
    expect(stored).toHaveLength(1);
    expect(stored[0]!.digest).not.toContain(token);

    expect((await post("rst_not-a-token", "new-password-123")).status).toBe(400);
    expect((await post(token, "short")).status).toBe(400);
    const done = await post(token, "new-password-123");
    expect(done.status).toBe(200);
    expect(await readBody(done)).toEqual({ success: true, message: "Password changed; sign in with the new one" });
    const again = await post(token, "another-password-1");
    expect(again.status).toBe(400);
    expect(await readBody(again)).toEqual({
      success: false,
      message: "This reset link is invalid, used or expired; ask for a new one",
    });
    expect((await listKeys(request("GET", "/api/api-keys", { token: account.token }), noParams)).status).toBe(401);
    expect((await signIn(account, account.password)).status).toBe(401);
    expect((await signIn(account, "new-password-123")).status).toBe(200);
    const audit = await db().auditLog.findFirstOrThrow({
      where: { ownerId: account.id, action: "account.password_reset" },
    });
    expect(JSON.parse(audit.details!)).toEqual({ logins_ended: expect.any(Number) });
    await expect(runAdminCommand(["reset-link", "nobody-here@example.com"])).rejects.toThrow("No account with email");
  });

  it("lapses after an hour, and a reset keeps two-factor sign-in on", async () => {
    const account = await createAccount({ prefix: "reset-2fa" });
    const old = await createResetLink(account.email, Date.now() - 61 * 60_000);
    expect((await post(tokenOf(old!.url), "new-password-456")).status).toBe(400);

    const { secret } = await startTwoFactor(account.id, account.password, "203.0.113.2");
    await confirmEnrolment(account.id, await generate({ secret }), { actor: "api", ip: null });
    const fresh = await createResetLink(account.email);
    expect((await post(tokenOf(fresh!.url), "new-password-456")).status).toBe(200);
    const withoutCode = await signIn(account, "new-password-456");
    expect(await readBody(withoutCode)).toEqual({ success: false, message: "Two-factor code required" });
  });
});

describe("Forgot password? with SMTP_URL", () => {
  it("mails a working link to an account, answers the same for an unknown email, and mails nothing then", async () => {
    process.env.SMTP_URL = smtp.url;
    resetConfigForTests();
    const account = await createAccount({ prefix: "reset-mail" });
    const ask = (email: string) => forgot(request("POST", "/api/auth/forgot-password", { body: { email } }), noParams);
    const known = await ask(account.email);
    const unknown = await ask("nobody-at-all@example.com");
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(200);
    expect(await readBody(known)).toEqual(await readBody(unknown));
    // The mail goes out after the answer.
    for (let waited = 0; smtp.received.length === 0 && waited < 10_000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(smtp.received.map((mail) => mail.to)).toEqual([[account.email]]);
    const link = /https?:\/\/\S+\/reset-password#rst_[\w-]+/.exec(smtp.received[0]!.body.replace(/=\r?\n/g, ""))?.[0];
    expect(link?.startsWith(getConfig().portalUrl)).toBe(true);
    expect((await post(tokenOf(link!), "mailed-password-789")).status).toBe(200);
    expect((await signIn(account, "mailed-password-789")).status).toBe(200);
  });
});
