import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { AdminUsageError, runAdminCommand } from "@/scripts/admin-commands";
import { createAccount, type Account } from "./support";

/**
 * The admin CLI's commands (npm run admin): numbers read as REST reads them, every change
 * audited for the account as "admin-cli", and left in the invalidation table for running servers.
 */
let account: Account;
beforeAll(async () => {
  account = await createAccount({ prefix: "admin-cli" });
});

async function stored() {
  // The account's personal organization holds them, under the account's id.
  return db().organization.findUniqueOrThrow({
    where: { id: account.id },
    select: { plan: true, subscription: true, rateLimitPerHour: true },
  });
}

async function auditRows() {
  const rows = await db().auditLog.findMany({
    where: { ownerId: account.id, action: { startsWith: "account." } },
    orderBy: { id: "asc" },
  });
  return rows.map((r) => ({ action: r.action, actor: r.actor, ip: r.ip, details: JSON.parse(r.details ?? "null") }));
}

describe("admin CLI", () => {
  it.each(["0x10", "0b101", "1e3", "-1", "1.5", " 12 ", "12 ", "0", "", "Infinity"])(
    "set-rate-limit refuses %j: digits only, as REST reads integers",
    async (value) => {
      const run = runAdminCommand(["set-rate-limit", account.email, value]);
      await expect(run).rejects.toThrow(AdminUsageError);
      await expect(run).rejects.toThrow('limit must be a whole number of requests per hour or "default"');
      expect((await stored()).rateLimitPerHour).toBeNull();
    },
  );

  it("set-rate-limit refuses more than 1,000,000,000 an hour", async () => {
    await expect(runAdminCommand(["set-rate-limit", account.email, "1000000001"])).rejects.toThrow(
      "limit must be at most 1,000,000,000",
    );
  });

  it("set-rate-limit takes 5000 and default; each change is audited with before and after", async () => {
    const before = (await auditRows()).length;
    expect(await runAdminCommand(["set-rate-limit", account.email, "5000"])).toMatch(
      /5000 requests\/hour \(applies once the account is on the enterprise plan\)\. Takes effect on running servers within 1 s\.$/,
    );
    expect((await stored()).rateLimitPerHour).toBe(5000);
    expect(await runAdminCommand(["set-rate-limit", account.email, "default"])).toMatch(/default \d+ requests\/hour/);
    expect((await stored()).rateLimitPerHour).toBeNull();
    expect((await auditRows()).slice(before)).toEqual([
      { action: "account.rate_limit", actor: "admin-cli", ip: null, details: { before: null, after: 5000 } },
      { action: "account.rate_limit", actor: "admin-cli", ip: null, details: { before: 5000, after: null } },
    ]);
  });

  it("audits plan and subscription changes as admin-cli and leaves an invalidation for running servers", async () => {
    const before = (await auditRows()).length;
    const lastRow = (await db().cacheInvalidation.aggregate({ _max: { id: true } }))._max.id ?? 0;
    expect(await runAdminCommand(["set-plan", account.email, "professional"])).toMatch(
      /plan professional.*Takes effect on running servers within 1 s\.$/,
    );
    expect(await runAdminCommand(["set-subscription", account.email, "inactive"])).toMatch(
      /subscription inactive.*Takes effect on running servers within 1 s\.$/,
    );
    expect(await stored()).toMatchObject({ plan: "professional", subscription: "inactive" });
    expect((await auditRows()).slice(before)).toEqual([
      {
        action: "account.plan",
        actor: "admin-cli",
        ip: null,
        details: { before: "free", after: "professional" },
      },
      {
        action: "account.subscription",
        actor: "admin-cli",
        ip: null,
        details: { before: "active", after: "inactive" },
      },
    ]);
    // Without Redis the only way to a running server: one row per change.
    const rows = await db().cacheInvalidation.findMany({ where: { id: { gt: lastRow } }, orderBy: { id: "asc" } });
    expect(rows.map((row) => JSON.parse(row.payload))).toEqual([
      { kind: "owner", ownerId: account.id },
      { kind: "owner", ownerId: account.id },
    ]);
  });

  it("refuses an unknown plan or account without writing anything", async () => {
    const before = (await auditRows()).length;
    await expect(runAdminCommand(["set-plan", account.email, "platinum"])).rejects.toThrow(AdminUsageError);
    await expect(runAdminCommand(["set-plan", "nobody-here@example.com", "free"])).rejects.toThrow(
      "No account with email nobody-here@example.com",
    );
    expect((await auditRows()).length).toBe(before);
  });

  it("list-orgs finds by a member's email; show-org by id or email; sign-out ends the account's logins", async () => {
    const listed = await runAdminCommand(["list-orgs", `--q=${account.email.toUpperCase()}`]);
    expect(listed.split("\n")).toEqual([
      expect.stringMatching(new RegExp(`^#${account.id} .*\\(personal, owner ${account.email}\\) plan \\w+`)),
      "1 organization",
    ]);
    expect(await runAdminCommand(["list-orgs", "--q=no-such-organization-anywhere"])).toBe("0 organizations");
    await expect(runAdminCommand(["list-orgs", "extra"])).rejects.toThrow(AdminUsageError);

    const byEmail = await runAdminCommand(["show-org", account.email]);
    expect(byEmail).toContain(`Members: ${account.email} (owner)`);
    expect(byEmail).toMatch(/^Calls: 24 h \d+/m);
    expect(await runAdminCommand(["show-org", String(account.id)])).toBe(byEmail);
    await expect(runAdminCommand(["show-org", "2147483647"])).rejects.toThrow("No organization for 2147483647");
    await expect(runAdminCommand(["show-org", "nobody-here@example.com"])).rejects.toThrow(/No organization/);

    expect(await runAdminCommand(["sign-out", account.email])).toMatch(/ends at its next request/);
    const login = await db().refreshToken.findMany({ where: { userId: account.id } });
    expect(login.length).toBeGreaterThan(0);
    expect(login.every((row) => row.revokedAt !== null)).toBe(true);
    const [audit] = await db().auditLog.findMany({
      where: { ownerId: account.id, action: "auth.sign_out_everywhere" },
    });
    expect(audit).toMatchObject({ actor: "admin-cli" });
    await expect(runAdminCommand(["sign-out", "nobody-here@example.com"])).rejects.toThrow("No account with email");
  });
});
