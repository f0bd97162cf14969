import { beforeAll, describe, expect, it } from "vitest";
import { PUT as changePassword } from "@/app/api/account/password/route";
import { GET as listKeys } from "@/app/api/api-keys/route";
import { POST as login } from "@/app/api/auth/login/route";
import { POST as refresh } from "@/app/api/auth/refresh/route";
import { POST as reset } from "@/app/api/auth/reset-password/route";
import { createResetLink } from "@/lib/auth/password-reset";
import { db } from "@/lib/db/client";
import { createAccount, noParams, readBody, request, type Account } from "./support";

// PUT /api/account/password (issue 26): the current password is required; every other login ends,
// the caller's goes on; audited without the password.

let account: Account;
beforeAll(async () => {
  account = await createAccount({ prefix: "password-change" });
});

const put = (token: string, body: unknown) =>
  changePassword(request("PUT", "/api/account/password", { token, body }), noParams);
const signIn = async (password: string) =>
  login(request("POST", "/api/auth/login", { body: { email: account.email, password } }), noParams);
const keys = (token: string) => listKeys(request("GET", "/api/api-keys", { token }), noParams);

describe("PUT /api/account/password", () => {
  it("refuses a wrong current password (403) and bad new ones (400), changing nothing", async () => {
    const wrong = await put(account.token, { current_password: "not-it", new_password: "a-new-password-1" });
    expect(wrong.status).toBe(403);
    expect(await readBody(wrong)).toEqual({
      success: false,
      message: "That password is not right; nothing was changed",
    });
    const short = await put(account.token, { current_password: account.password, new_password: "short" });
    expect(short.status).toBe(400);
    expect((await readBody(short)).message).toMatch(/new_password must be at least 8 characters/);
    const same = await put(account.token, { current_password: account.password, new_password: account.password });
    expect(same.status).toBe(400);
    expect((await readBody(same)).message).toMatch(/must differ/);
    expect((await signIn(account.password)).status).toBe(200);
  });

  it("changes it: the old one stops, every other login ends, this one goes on", async () => {
    const link = await createResetLink(account.email);
    const other = await readBody(await signIn(account.password));
    expect((await keys(other.token)).status).toBe(200);
    const newPassword = "brand-new-password-26";
    const changed = await put(account.token, { current_password: account.password, new_password: newPassword });
    expect(changed.status).toBe(200);
    expect(await readBody(changed)).toEqual({
      success: true,
      message: "Password changed; every other session has ended",
    });
    expect((await keys(account.token)).status).toBe(200);
    expect((await keys(other.token)).status).toBe(401);
    const refreshOther = await refresh(
      request("POST", "/api/auth/refresh", { body: { refresh_token: other.refresh_token } }),
      noParams,
    );
    expect(refreshOther.status).toBe(401);
    const refreshOwn = await refresh(
      request("POST", "/api/auth/refresh", { body: { refresh_token: account.refreshToken } }),
      noParams,
    );
    expect(refreshOwn.status).toBe(200);
    expect((await signIn(account.password)).status).toBe(401);
    expect((await signIn(newPassword)).status).toBe(200);
    // A reset link from before the change lapsed with it.
    const token = link!.url.slice(link!.url.indexOf("#") + 1);
    const late = await reset(
      request("POST", "/api/auth/reset-password", { body: { token, new_password: "taken-over-123" } }),
      noParams,
    );
    expect(late.status).toBe(400);

    const [audit] = await db().auditLog.findMany({ where: { ownerId: account.id, action: "account.password" } });
    expect(audit).toMatchObject({ actor: "api", actorUserId: account.id });
    expect(JSON.parse(audit!.details!)).toEqual({ other_logins_ended: expect.any(Number) });
    expect(audit!.details).not.toContain(newPassword);
    // Portal sessions end too: the session version moved on.
    const user = await db().user.findUniqueOrThrow({ where: { id: account.id }, select: { sessionVersion: true } });
    expect(user.sessionVersion).toBe(1);
  });
});
