import { beforeAll, describe, expect, it } from "vitest";
import { roleOf } from "@/lib/auth/roles";
import { db } from "@/lib/db/client";
import { AdminUsageError, runAdminCommand } from "@/scripts/admin-commands";
import { createAccount, type Account } from "./support";

/** `npm run admin -- set-role`: audited, read per request, and never leaving the portal without an operator. */
let first: Account;
let second: Account;
beforeAll(async () => {
  first = await createAccount({ prefix: "role-a" });
  second = await createAccount({ prefix: "role-b" });
});

const roleAudits = (ownerId: number) =>
  db()
    .auditLog.findMany({ where: { ownerId, action: "account.role" }, orderBy: { id: "asc" } })
    .then((rows) => rows.map((r) => ({ actor: r.actor, details: JSON.parse(r.details ?? "null") })));

describe("set-role", () => {
  it("promotes an account to operator, audited with before and after", async () => {
    expect(await roleOf(first.id)).toBe("user");
    expect(await runAdminCommand(["set-role", first.email, "operator"])).toMatch(/role operator/);
    expect(await roleOf(first.id)).toBe("operator");
    expect(await roleAudits(first.id)).toEqual([
      { actor: "admin-cli", details: { before: "user", after: "operator" } },
    ]);
  });

  it("refuses an unknown role and an unknown email", async () => {
    await expect(runAdminCommand(["set-role", first.email, "admin"])).rejects.toThrow(AdminUsageError);
    await expect(runAdminCommand(["set-role", "nobody@example.com", "user"])).rejects.toThrow(/No account/);
  });

  it("cannot demote the last operator", async () => {
    await db().user.updateMany({ where: { id: { not: first.id } }, data: { role: "user" } });
    await expect(runAdminCommand(["set-role", first.email, "user"])).rejects.toMatchObject({
      code: "last_operator",
    });
    expect(await roleOf(first.id)).toBe("operator");
  });

  it("two operators demoting each other at once: one stays", async () => {
    await runAdminCommand(["set-role", second.email, "operator"]);
    const results = await Promise.allSettled([
      runAdminCommand(["set-role", first.email, "user"]),
      runAdminCommand(["set-role", second.email, "user"]),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await db().user.count({ where: { role: "operator" } })).toBe(1);
  });
});
