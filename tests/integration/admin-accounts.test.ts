import { beforeAll, describe, expect, it } from "vitest";
import { GET as getAccount, PATCH as patchAccount } from "@/app/api/admin/accounts/[id]/route";
import { POST as signOut } from "@/app/api/admin/accounts/[id]/sign-out/route";
import { GET as listAccounts } from "@/app/api/admin/accounts/route";
import { GET as getOrganization } from "@/app/api/admin/organizations/[id]/route";
import { GET as usageSummary } from "@/app/api/admin/usage/summary/route";
import { GET as listKeys } from "@/app/api/api-keys/route";
import { POST as login } from "@/app/api/auth/login/route";
import { POST as refresh } from "@/app/api/auth/refresh/route";
import { POST as createOrganization } from "@/app/api/orgs/route";
import { setRole } from "@/lib/auth/roles";
import { confirmPassword } from "@/lib/auth/sign-in";
import { db } from "@/lib/db/client";
import { flushUsage } from "@/lib/usage/usage-recorder";
import { seedSampleRoutes } from "../helpers";
import {
  callData,
  createAccount,
  ctx,
  FORBIDDEN_ERROR,
  generateKey,
  noParams,
  readBody,
  request,
  type Account,
  type GeneratedKey,
} from "./support";

// The operator's accounts API, one organization's detail and the usage across everyone (issue 25).

let operator: Account;
let member: Account;
let key: GeneratedKey;
let teamId: number;

beforeAll(async () => {
  await seedSampleRoutes();
  operator = await createAccount({ prefix: "accounts-operator" });
  await setRole(operator.email, "operator");
  member = await createAccount({ prefix: "accounts-member", username: "findable_member" });
  key = await generateKey(member.token, "accounts-key", "accounts_user");
  const created = await createOrganization(
    request("POST", "/api/orgs", { token: member.token, body: { name: "Accounts Team" } }),
    noParams,
  );
  teamId = (await readBody(created)).id;
});

const list = (token: string, query: string) =>
  listAccounts(request("GET", `/api/admin/accounts?${query}`, { token }), noParams);
const one = (token: string, id: number) =>
  getAccount(request("GET", `/api/admin/accounts/${id}`, { token }), ctx({ id: String(id) }));
const changeRole = (token: string, id: number, body: unknown) =>
  patchAccount(request("PATCH", `/api/admin/accounts/${id}`, { token, body }), ctx({ id: String(id) }));
const endSessions = (token: string, id: number) =>
  signOut(request("POST", `/api/admin/accounts/${id}/sign-out`, { token }), ctx({ id: String(id) }));
const summary = (token: string, query = "") =>
  usageSummary(request("GET", `/api/admin/usage/summary${query}`, { token }), noParams);
const audits = (ownerId: number, action: string) =>
  db().auditLog.findMany({ where: { ownerId, action }, orderBy: { id: "asc" } });

describe("operator accounts", () => {
  it("finds an account by username, with its organizations and last sign-in", async () => {
    const response = await list(operator.token, "q=FINDABLE_MEMBER");
    expect(response.status).toBe(200);
    const body = await readBody(response);
    expect(body.pagination).toMatchObject({ page: 1, total: 1 });
    const [account] = body.data;
    expect(account).toMatchObject({ id: member.id, email: member.email, role: "user", two_factor: false });
    expect(account.organizations).toEqual([
      { id: member.id, name: expect.any(String), role: "owner", personal: true },
      { id: teamId, name: "Accounts Team", role: "owner", personal: false },
    ]);
    // createAccount logged in through POST /api/auth/login a moment ago.
    expect(Date.now() - Date.parse(account.last_sign_in_at)).toBeLessThan(60_000);
    expect((await readBody(await one(operator.token, member.id))).email).toBe(member.email);
    expect((await one(operator.token, 2_147_483_647)).status).toBe(404);
    expect((await readBody(await list(operator.token, "q=no-such-account-anywhere"))).data).toEqual([]);
  });

  it("promotes and demotes at the account's next request, audited as the operator's; the last operator stays", async () => {
    expect((await list(member.token, "")).status).toBe(403);
    const promoted = await changeRole(operator.token, member.id, { role: "operator" });
    expect(promoted.status).toBe(200);
    expect((await readBody(promoted)).role).toBe("operator");
    expect((await list(member.token, "")).status).toBe(200);
    expect((await changeRole(operator.token, member.id, { role: "user" })).status).toBe(200);
    const refused = await list(member.token, "");
    expect(refused.status).toBe(403);
    expect(await readBody(refused)).toEqual(FORBIDDEN_ERROR);
    expect((await audits(member.id, "account.role")).map((row) => [row.actor, row.actorUserId, row.details])).toEqual([
      ["operator", operator.id, JSON.stringify({ before: "user", after: "operator" })],
      ["operator", operator.id, JSON.stringify({ before: "operator", after: "user" })],
    ]);

    await db().user.updateMany({ where: { id: { not: operator.id } }, data: { role: "user" } });
    const last = await changeRole(operator.token, operator.id, { role: "user" });
    expect(last.status).toBe(409);
    expect((await readBody(last)).message).toMatch(/last operator/);
    expect((await changeRole(operator.token, member.id, { role: "root" })).status).toBe(400);
    expect((await changeRole(operator.token, 2_147_483_647, { role: "user" })).status).toBe(404);
  });

  it("signs an account out everywhere: its access and refresh tokens stop at once", async () => {
    const fresh = await readBody(
      await login(
        request("POST", "/api/auth/login", { body: { email: member.email, password: member.password } }),
        noParams,
      ),
    );
    const listed = () => listKeys(request("GET", "/api/api-keys", { token: fresh.token }), noParams);
    expect((await listed()).status).toBe(200);
    expect((await endSessions(member.token, member.id)).status).toBe(403);
    const ended = await endSessions(operator.token, member.id);
    expect(await readBody(ended)).toEqual({ success: true, message: "Every session of the account has ended" });
    expect((await listed()).status).toBe(401);
    const refreshed = await refresh(
      request("POST", "/api/auth/refresh", { body: { refresh_token: fresh.refresh_token } }),
      noParams,
    );
    expect(refreshed.status).toBe(401);
    const [row] = await audits(member.id, "auth.sign_out_everywhere");
    expect(row).toMatchObject({ actor: "operator", actorUserId: operator.id });
    expect((await endSessions(operator.token, 2_147_483_647)).status).toBe(404);
    // The key itself is not a session: it keeps working.
    expect((await callData({ key: key.api_key, username: key.user })).status).toBe(200);
  });
});

describe("one organization, in detail", () => {
  it("has its members, its keys' metadata (no secret), its usage and its audit trail", async () => {
    await callData({ key: key.api_key, username: key.user });
    await callData({ key: key.api_key, username: "not_the_user" });
    await flushUsage();
    const response = await getOrganization(
      request("GET", `/api/admin/organizations/${member.id}`, { token: operator.token }),
      ctx({ id: String(member.id) }),
    );
    expect(response.status).toBe(200);
    const body = await readBody(response);
    expect(body.members.map((row: { user_id: number; role: string }) => [row.user_id, row.role])).toEqual([
      [member.id, "owner"],
    ]);
    expect(body.keys.map((row: { id: number }) => row.id)).toEqual([key.id]);
    const text = JSON.stringify(body);
    expect(text).not.toContain(key.api_key);
    expect(text).not.toContain(key.api_key.slice(-16));
    expect(body.usage["24h"].calls).toBe(body.calls_24h);
    expect(body.usage["24h"]).toMatchObject({ ok: expect.any(Number), auth_failed: expect.any(Number) });
    expect(body.usage["24h"].ok).toBeGreaterThanOrEqual(2);
    expect(body.usage["24h"].auth_failed).toBeGreaterThanOrEqual(1);
    expect(body.usage["7d"].calls).toBeGreaterThanOrEqual(body.usage["24h"].calls);
    const actions = body.audit.map((row: { action: string }) => row.action);
    expect(actions).toContain("key.generate");
    expect(actions).toContain("auth.sign_out_everywhere");
  });
});

describe("usage across organizations", () => {
  it("sums calls per hour, ranks organizations, and lists refused clients and security events", async () => {
    const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
    await db().refusedCall.create({ data: { ip: "198.51.100.7", hour, count: 42 } });
    await login(
      request("POST", "/api/auth/login", { body: { email: member.email, password: "wrong-password-here" } }),
      noParams,
    );
    const response = await summary(operator.token, "?range=7d");
    expect(response.status).toBe(200);
    const body = await readBody(response);
    expect(body.range).toBe("7d");
    expect(Date.parse(body.to) - Date.parse(body.from)).toBe(7 * 24 * 3_600_000);
    const hourly = body.hourly.reduce(
      (total: number, row: { ok: number; auth_failed: number; limited: number; other: number }) =>
        total + row.ok + row.auth_failed + row.limited + row.other,
      0,
    );
    expect(body.totals.calls).toBe(hourly);
    expect(body.totals.calls).toBeGreaterThanOrEqual(3);
    expect(body.totals.error_rate).toBeCloseTo((body.totals.calls - body.totals.ok) / body.totals.calls);
    expect(body.top_by_calls).toContainEqual(
      expect.objectContaining({ organization_id: member.id, name: expect.any(String) }),
    );
    expect(body.top_by_auth_failed.map((row: { organization_id: number }) => row.organization_id)).toContain(member.id);
    expect(body.refused_by_ip).toContainEqual({ ip: "198.51.100.7", count: 42 });
    expect(body.security_events[0]).toMatchObject({
      organization_id: member.id,
      action: "auth.sign_in_failed",
    });

    expect((await readBody(await summary(operator.token))).range).toBe("24h");
    expect((await summary(operator.token, "?range=30d")).status).toBe(400);
    expect((await summary(member.token)).status).toBe(401);
  });
});

describe("re-authentication before the console's sensitive acts", () => {
  it("takes the account's own password, counts wrong ones as guesses, and starts no session", async () => {
    const account = await createAccount({ prefix: "reauth" });
    const before = await db().user.findUniqueOrThrow({ where: { id: account.id }, select: { lastSignInAt: true } });
    await expect(confirmPassword(account.id, account.password, "203.0.113.50")).resolves.toBeUndefined();
    await expect(confirmPassword(account.id, operator.password, "203.0.113.50")).rejects.toMatchObject({
      code: "reauthentication_failed",
      message: "That password is not right; nothing was changed",
    });
    const after = await db().user.findUniqueOrThrow({ where: { id: account.id }, select: { lastSignInAt: true } });
    expect(after.lastSignInAt).toEqual(before.lastSignInAt);
    expect(await audits(account.id, "auth.sign_in")).toHaveLength(1);
    expect(await audits(account.id, "auth.sign_in_failed")).toHaveLength(1);
    // The sign-in budget (10 failures per email and address): the right password is refused too.
    for (let i = 0; i < 10; i++) await confirmPassword(account.id, "wrong", "203.0.113.51").catch(() => undefined);
    await expect(confirmPassword(account.id, "wrong", "203.0.113.51")).rejects.toMatchObject({
      message: expect.stringMatching(/^Too many wrong passwords; try again in \d+ s/),
    });
    await expect(confirmPassword(account.id, account.password, "203.0.113.51")).rejects.toMatchObject({
      code: "reauthentication_failed",
    });
  });
});
