import { beforeAll, describe, expect, it } from "vitest";
import { DELETE as deleteKeyRoute, PATCH as patchKey } from "@/app/api/api-keys/[id]/route";
import { POST as rotate } from "@/app/api/api-keys/[id]/rotate/route";
import { GET as exportKeys } from "@/app/api/api-keys/export/route";
import { POST as reportLeak } from "@/app/api/api-keys/revoke/route";
import { GET as summary } from "@/app/api/api-usage-logs/summary/route";
import { GET as auditLogs } from "@/app/api/audit-logs/route";
import { POST as logout } from "@/app/api/auth/logout/route";
import { purgeExpiredAuditLogs } from "@/lib/audit/audit-log";
import { db } from "@/lib/db/client";
import { LEAK_REPORT_MESSAGE } from "@/lib/keys/key-commands";
import { consumeAnonymousQuota } from "@/lib/limits/quota";
import { ANONYMOUS_HOURLY_LIMIT } from "@/lib/limits/plans";
import { seedSampleRoutes } from "../helpers";
import {
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
} from "./support";

function report(body: unknown, ip = "198.51.100.23") {
  return reportLeak(request("POST", "/api/api-keys/revoke", { body, headers: { "x-forwarded-for": ip } }), noParams);
}

async function audit(token: string, query = "") {
  const response = await auditLogs(request("GET", `/api/audit-logs${query}`, { token }), noParams);
  return { response, body: await readBody(response.clone()) };
}

beforeAll(async () => {
  await seedSampleRoutes();
});

describe("leak response: POST /api/api-keys/revoke", () => {
  let owner: Account;
  beforeAll(async () => {
    owner = await createAccount({ prefix: "leak", plan: "professional" });
  });

  it("deactivates an existing key at once (reason reported_leak), with an alert and an audit entry for its owner", async () => {
    const key = await generateKey(owner.token, "leaky", "leak_svc");
    expect((await callData({ key: key.api_key, username: "leak_svc" })).status).toBe(200);

    const response = await report({ api_key: key.api_key });
    expect(response.status).toBe(202);
    expect(await readBody(response)).toEqual({ success: true, message: LEAK_REPORT_MESSAGE });

    // Refused on the very next call, with the same 401 as any bad key.
    await expectError(await callData({ key: key.api_key, username: "leak_svc" }), 401);
    const { body: entries } = await audit(owner.token, `?action=key.leak_report&api_key_id=${key.id}`);
    expect(entries.data).toHaveLength(1);
    expect(entries.data[0]).toMatchObject({
      action: "key.leak_report",
      actor: "reporter",
      ip: "198.51.100.23",
      api_key_id: key.id,
      api_key_name: "leaky",
      details: { previous_status: "active", reason: "reported_leak" },
    });
    const stored = await db().apiKey.findUniqueOrThrow({ where: { id: key.id } });
    expect({ status: stored.status, reason: stored.statusReason }).toEqual({
      status: "inactive",
      reason: "reported_leak",
    });

    const sum = await readBody(
      await summary(request("GET", "/api/api-usage-logs/summary", { token: owner.token }), noParams),
    );
    const alert = sum.alerts.find((a: { type: string }) => a.type === "leak_reported");
    expect(alert).toMatchObject({ api_key_id: key.id, api_key_name: "leaky" });
    expect(alert.message).toContain("198.51.100.23");

    // A second report of the key, now off, changes and records nothing.
    expect((await report({ api_key: key.api_key })).status).toBe(202);
    expect((await audit(owner.token, `?action=key.leak_report&api_key_id=${key.id}`)).body.data).toHaveLength(1);

    // The owner turning it back on clears the reason.
    const reactivated = await readBody(await setStatus(owner.token, key.id, "active"));
    expect(reactivated).toMatchObject({ status: "active", status_reason: null });
  });

  it("answers the same 202 for a missing key and a malformed one, so it is no oracle", async () => {
    const live = await generateKey(owner.token, "not-reported", "nr_svc");
    const unknown = (await generateKey(owner.token, "deleted-soon", "ds_svc")).api_key;
    const deleted = await db().apiKey.findFirstOrThrow({ where: { ownerId: owner.id, name: "deleted-soon" } });
    await db().apiKey.delete({ where: { id: deleted.id } });
    const bodies = [];
    for (const api_key of [unknown, mistype(live.api_key), "sk_live_short", "not a key at all"]) {
      const response = await report({ api_key });
      expect(response.status).toBe(202);
      bodies.push(await response.text());
    }
    expect(new Set(bodies).size).toBe(1);
    // The live key was not touched by any of it.
    expect((await callData({ key: live.api_key, username: "nr_svc" })).status).toBe(200);
  });

  it("refuses a body without a key with 400", async () => {
    for (const body of [{}, { api_key: 5 }, { api_key: "" }, { api_key: "x".repeat(201) }]) {
      await expectError(await report(body), 400);
    }
  });

  it("is limited per IP like failed authentication: past the budget, 429 with Retry-After", async () => {
    const ip = "198.51.100.99";
    const now = Date.now();
    for (let i = 0; i < ANONYMOUS_HOURLY_LIMIT - 1; i++) await consumeAnonymousQuota(ip, now);
    expect((await report({ api_key: "sk_live_whatever" }, ip)).status).toBe(202);
    const limited = await report({ api_key: "sk_live_whatever" }, ip);
    await expectError(limited, 429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    // Another address is not affected.
    expect((await report({ api_key: "sk_live_whatever" }, "198.51.100.100")).status).toBe(202);
  });
});

describe("audit log: GET /api/audit-logs", () => {
  let owner: Account;
  let other: Account;
  let secrets: string[];
  beforeAll(async () => {
    owner = await createAccount({ prefix: "audit", plan: "professional" });
    other = await createAccount({ prefix: "audit-other", plan: "professional" });
    const key = await generateKey(owner.token, "audited", "audit_svc");
    const headers = { "x-forwarded-for": "192.0.2.44" };
    const id = String(key.id);
    await patchKey(
      request("PATCH", `/api/api-keys/${id}`, { token: owner.token, body: { api_key_name: "audited-2" }, headers }),
      ctx({ id }),
    );
    await patchKey(
      request("PATCH", `/api/api-keys/${id}`, {
        token: owner.token,
        body: { routes: [123], read_only: true },
        headers,
      }),
      ctx({ id }),
    );
    await setStatus(owner.token, key.id, "inactive");
    const rotated = await readBody(
      await rotate(
        request("POST", `/api/api-keys/${id}/rotate`, {
          token: owner.token,
          body: { grace_period_seconds: 0 },
          headers,
        }),
        ctx({ id }),
      ),
    );
    await exportKeys(request("GET", "/api/api-keys/export?status=active", { token: owner.token, headers }), noParams);
    await deleteKeyRoute(request("DELETE", `/api/api-keys/${id}`, { token: owner.token, headers }), ctx({ id }));
    await report({ api_key: rotated.api_key });
    await logout(
      request("POST", "/api/auth/logout", { body: { refresh_token: owner.refreshToken }, headers }),
      noParams,
    );
    secrets = [key.api_key, rotated.api_key];
  });

  it("records every key action and sign-in/out with who, when, where and what changed", async () => {
    // Read from the table: the logout above ended the token GET /api/audit-logs would need.
    const rows = await db().auditLog.findMany({ where: { ownerId: owner.id }, orderBy: { id: "asc" } });
    expect(rows.map((r) => r.action)).toEqual([
      // createAccount moved it to the professional plan (as the admin CLI would).
      "account.plan",
      "auth.sign_in",
      "key.generate",
      "key.rename",
      "key.update",
      "key.status",
      "key.rotate",
      "key.export",
      "key.delete",
      "key.leak_report",
      "auth.sign_out",
    ]);
    const byAction = Object.fromEntries(rows.map((r) => [r.action, r]));
    expect(JSON.parse(byAction["key.rename"].details!)).toEqual({ from: "audited", to: "audited-2" });
    expect(JSON.parse(byAction["key.update"].details!)).toEqual({
      before: { routes: null, read_only: false },
      after: { routes: [123], read_only: true },
    });
    expect(JSON.parse(byAction["key.status"].details!)).toEqual({ from: "active", to: "inactive" });
    expect(JSON.parse(byAction["key.rotate"].details!)).toMatchObject({ grace_period_seconds: 0 });
    expect(JSON.parse(byAction["key.export"].details!)).toEqual({ q: null, status: "active" });
    expect(byAction["key.rename"]).toMatchObject({ actor: "api", ip: "192.0.2.44" });
    expect(byAction["key.leak_report"]).toMatchObject({ actor: "reporter", ip: "198.51.100.23" });
    expect(byAction["auth.sign_out"]).toMatchObject({ actor: "api", ip: "192.0.2.44" });
  });

  it("never holds a secret or a digest", async () => {
    const keys = await db().apiKey.findMany({ select: { digest: true } });
    const revoked = await db().revokedKey.findMany({ select: { digest: true } });
    const all = JSON.stringify(await db().auditLog.findMany());
    for (const secret of secrets) expect(all).not.toContain(secret);
    expect(all).not.toMatch(/sk_live_[0-9A-Za-z]{20,}/);
    for (const { digest } of [...keys, ...revoked]) expect(all).not.toContain(digest);
  });

  it("lists the caller's entries only, newest first, paginated, filtered by key and action", async () => {
    const signedIn = await createAccount({ prefix: "audit-list", plan: "professional" });
    const a = await generateKey(signedIn.token, "a", "a_svc");
    const b = await generateKey(signedIn.token, "b", "b_svc");
    await setStatus(signedIn.token, a.id, "inactive");
    await setStatus(signedIn.token, a.id, "active");

    const { response, body } = await audit(signedIn.token, "?per_page=2");
    expect(response.status).toBe(200);
    // The plan change of createAccount, the sign-in, two generations, two status changes.
    expect(body.pagination).toEqual({ page: 1, per_page: 2, total: 6 });
    expect(body.data.map((e: { action: string }) => e.action)).toEqual(["key.status", "key.status"]);
    expect(Object.keys(body.data[0]).sort()).toEqual(
      ["action", "actor", "actor_user_id", "api_key_id", "api_key_name", "created_at", "details", "id", "ip"].sort(),
    );
    expect(
      (await audit(signedIn.token, `?api_key_id=${b.id}`)).body.data.map((e: { action: string }) => e.action),
    ).toEqual(["key.generate"]);
    expect((await audit(signedIn.token, "?action=key.generate")).body.pagination.total).toBe(2);
    // Another account sees none of it, even naming the key.
    expect((await audit(other.token, `?api_key_id=${a.id}`)).body.pagination.total).toBe(0);
    await expectError((await audit(signedIn.token, "?action=key.explode")).response, 400);
    await expectError((await audit(signedIn.token, "?per_page=1e2")).response, 400);
    await expectError((await audit("nope")).response, 401);
  });

  it("is purged with the plan's usage retention", async () => {
    const free = await createAccount({ prefix: "audit-retention" });
    const old = new Date(Date.now() - 31 * 86_400_000);
    await db().auditLog.create({ data: { ownerId: free.id, action: "key.generate", actor: "api", createdAt: old } });
    const before = await db().auditLog.count({ where: { ownerId: free.id } });
    expect(await purgeExpiredAuditLogs()).toBeGreaterThanOrEqual(1);
    expect(await db().auditLog.count({ where: { ownerId: free.id } })).toBe(before - 1);
  });
});
