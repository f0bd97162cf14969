import { describe, expect, it } from "vitest";
import { PUT as putWorkingHours } from "@/app/api/account/working-hours/route";
import { POST as login } from "@/app/api/auth/login/route";
import { POST as refresh } from "@/app/api/auth/refresh/route";
import { signOutEverywhere } from "@/lib/auth/session-revocation";
import { db } from "@/lib/db/client";
import { createAccount, noParams, request } from "./support";

/** Every change of who may get in, or of what raises an alert, leaves an audit row. */
const rows = (ownerId: number, action: string) =>
  db().auditLog.findMany({ where: { ownerId, action }, orderBy: { id: "asc" } });
const details = (row: { details: string | null }) => JSON.parse(row.details ?? "{}") as Record<string, unknown>;

describe("audit of what changes access", () => {
  it("a working-hours change (it can silence the off-hours alert) with who, where, before and after", async () => {
    const account = await createAccount({ prefix: "hours" });
    const response = await putWorkingHours(
      request("PUT", "/api/account/working-hours", {
        token: account.token,
        body: { time_zone: "Asia/Tokyo", work_start_hour: 0, work_end_hour: 24 },
        headers: { "x-forwarded-for": "192.0.2.81" },
      }),
      noParams,
    );
    expect(response.status).toBe(200);
    const [row] = await rows(account.id, "account.working_hours");
    expect(row).toMatchObject({ actor: "api", ip: "192.0.2.81" });
    expect(details(row)).toEqual({
      before: { time_zone: "UTC", work_start_hour: 8, work_end_hour: 20 },
      after: { time_zone: "Asia/Tokyo", work_start_hour: 0, work_end_hour: 24 },
    });
  });

  it("failed sign-ins: one row per email, address and window with the count, not a row per guess", async () => {
    const account = await createAccount({ prefix: "failed" });
    const guess = (ip: string) =>
      login(
        request("POST", "/api/auth/login", {
          body: { email: account.email, password: "not-the-password" },
          headers: { "x-forwarded-for": ip },
        }),
        noParams,
      );
    for (let i = 0; i < 7; i++) expect((await guess("192.0.2.90")).status).toBe(401);
    for (let i = 0; i < 2; i++) expect((await guess("192.0.2.91")).status).toBe(401);
    const failed = await rows(account.id, "auth.sign_in_failed");
    // A run straddling a 5-minute boundary may be split in two rows; the counts still add up.
    const from = (ip: string) => failed.filter((r) => r.ip === ip);
    expect(from("192.0.2.90").length).toBeLessThanOrEqual(2);
    expect(from("192.0.2.90").reduce((n, r) => n + Number(details(r).failures), 0)).toBe(7);
    expect(from("192.0.2.91").reduce((n, r) => n + Number(details(r).failures), 0)).toBe(2);
    expect(failed.every((r) => r.actor === "api")).toBe(true);
    // An email no account has leaves nothing (there is no account to write to) and still answers 401.
    const unknown = await login(
      request("POST", "/api/auth/login", { body: { email: "nobody-here@example.com", password: "x-password" } }),
      noParams,
    );
    expect(unknown.status).toBe(401);
  });

  it("a refresh token reused: the family revoked, and the account's log says so with the reuser's address", async () => {
    const account = await createAccount({ prefix: "reuse" });
    const use = (ip: string) =>
      refresh(
        request("POST", "/api/auth/refresh", {
          body: { refresh_token: account.refreshToken },
          headers: { "x-forwarded-for": ip },
        }),
        noParams,
      );
    expect((await use("192.0.2.100")).status).toBe(200);
    // Past the 10 s retry grace, as a thief replaying a stolen token would be.
    await db().refreshToken.updateMany({
      where: { userId: account.id, usedAt: { not: null } },
      data: { usedAt: new Date(Date.now() - 60_000) },
    });
    expect((await use("203.0.113.66")).status).toBe(401);
    const [row] = await rows(account.id, "auth.refresh_reuse");
    expect(row).toMatchObject({ actor: "system", ip: "203.0.113.66" });
    expect(details(row).refresh_tokens_revoked).toBe(2);
    // Once revoked, another replay revokes nothing new and adds no row.
    expect((await use("203.0.113.66")).status).toBe(401);
    expect(await rows(account.id, "auth.refresh_reuse")).toHaveLength(1);
  });

  it("sign out everywhere, with who and where", async () => {
    const account = await createAccount({ prefix: "everywhere" });
    await signOutEverywhere(account.id, { actor: "portal", ip: "192.0.2.110" });
    const [row] = await rows(account.id, "auth.sign_out_everywhere");
    expect(row).toMatchObject({ actor: "portal", ip: "192.0.2.110" });
    expect(details(row)).toEqual({ refresh_tokens_revoked: 1 });
  });
});
