import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { GET as listOrgs, POST as createOrg } from "@/app/api/orgs/route";
import { db, dialect } from "@/lib/db/client";
import { isDomainError } from "@/lib/errors/domain-error";
import { createOrganization, FIRST_SHARED_ID, resolveOrganization } from "@/lib/orgs/organizations";
import { AUTH_ERROR, createAccount, expectError, noParams, readBody, request } from "./support";

// Organizations (issue 24), first part: every account has a personal one, an account may make
// one more Free organization, and a request's organization is resolved from X-Organization-Id.
const list = (token: string) => listOrgs(request("GET", "/api/orgs", { token }), noParams);
const create = (token: string, body: unknown) => createOrg(request("POST", "/api/orgs", { token, body }), noParams);

describe("organizations", () => {
  it("a new account has its personal organization, owned by it and named after its username", async () => {
    const account = await createAccount({ prefix: "org-personal", username: "org_personal" });
    const response = await list(account.token);
    expect(response.status).toBe(200);
    const { data } = await readBody(response);
    expect(data).toEqual([{ id: expect.any(Number), name: "org_personal", role: "owner", personal: true }]);
    // The personal organization has the account's id (lib/orgs/organizations.ts).
    expect(data[0].id).toBe(account.id);
    expect((await db().organization.findUnique({ where: { id: account.id } }))?.personalUserId).toBe(account.id);
  });

  it("POST /api/orgs makes one Free organization besides the personal one; the next is the 403 envelope", async () => {
    const account = await createAccount({ prefix: "org-create" });
    const made = await create(account.token, { name: "  Acme Engineering " });
    expect(made.status).toBe(201);
    const org = await readBody(made);
    expect(org).toEqual({ id: expect.any(Number), name: "Acme Engineering", role: "owner" });
    expect(org.id).toBeGreaterThanOrEqual(FIRST_SHARED_ID);
    await expectError(await create(account.token, { name: "Second" }), 403, /at most 1 Free organization/);
    const { data } = await readBody(await list(account.token));
    expect(data.map((row: { role: string; personal: boolean }) => [row.personal, row.role])).toEqual([
      [true, "owner"],
      [false, "owner"],
    ]);
    expect(data[1]).toEqual({ ...org, personal: false });
    const audit = await db().auditLog.findMany({ where: { ownerId: account.id, action: "org.created" } });
    expect(audit.map((row) => JSON.parse(row.details ?? "{}"))).toEqual([
      { organization_id: org.id, name: "Acme Engineering" },
    ]);
  });

  it("refuses a missing Bearer (401) and a bad name (400)", async () => {
    const account = await createAccount({ prefix: "org-bad" });
    expect(await readBody(await createOrg(request("POST", "/api/orgs", { body: { name: "x" } }), noParams))).toEqual(
      AUTH_ERROR,
    );
    await expectError(await create(account.token, {}), 400, /name/);
    await expectError(await create(account.token, { name: "x".repeat(101) }), 400, /name/);
  });
});

describe("the organization a request acts on", () => {
  it("is the personal one without X-Organization-Id, the named one for a member, else not found", async () => {
    const alice = await createAccount({ prefix: "org-alice" });
    const bob = await createAccount({ prefix: "org-bob" });
    const personal = await resolveOrganization(alice.id, null);
    expect(personal.role).toBe("owner");
    expect((await db().organization.findUnique({ where: { id: personal.id } }))?.personalUserId).toBe(alice.id);
    const team = await createOrganization(alice.id, "Alice's team");
    expect(await resolveOrganization(alice.id, ` ${team.id} `)).toEqual({ id: team.id, role: "owner" });
    // Bob is in neither: the same refusal for another's organization, an unknown one and a malformed header.
    const bobPersonal = await resolveOrganization(bob.id, "");
    for (const header of [String(team.id), String(personal.id), "999999999", "0", "abc", "1e3", "99999999999"]) {
      const refused = await resolveOrganization(bob.id, header).catch((error: unknown) => error);
      expect(isDomainError(refused, "organization_not_found"), header).toBe(true);
    }
    expect(await resolveOrganization(bob.id, String(bobPersonal.id))).toEqual({ id: bobPersonal.id, role: "owner" });
  });
});

describe("the migration that adds organizations", () => {
  it("gives every existing account a personal organization numbered like it, and its owner membership", async () => {
    const accounts = await Promise.all([1, 2, 3].map((n) => createAccount({ prefix: `org-migrated-${n}` })));
    await db().organization.deleteMany({});
    const provider = dialect() === "sqlite" ? "sqlite" : "postgresql";
    const sql = fs.readFileSync(`prisma/${provider}/migrations/20261207300000_organizations/migration.sql`, "utf8");
    const backfill = sql.slice(sql.indexOf("-- Every account's personal organization"));
    for (const statement of backfill.split(";").filter((part) => /INSERT|DELETE|setval/.test(part)))
      await db().$executeRawUnsafe(statement);

    const users = await db().user.findMany({ select: { id: true, username: true } });
    const orgs = await db().organization.findMany({ select: { id: true, name: true, personalUserId: true } });
    expect(orgs).toHaveLength(users.length);
    for (const user of users)
      expect(orgs).toContainEqual({ id: user.id, name: user.username, personalUserId: user.id });
    const memberships = await db().membership.findMany({ select: { organizationId: true, userId: true, role: true } });
    expect(memberships).toHaveLength(users.length);
    for (const account of accounts)
      expect(memberships).toContainEqual({ organizationId: account.id, userId: account.id, role: "owner" });
    // The organizations made after it take ids from the shared range, and accounts made after it
    // get theirs with their own id.
    const next = await createOrganization(accounts[0].id, "After the migration");
    expect(next.id).toBe(FIRST_SHARED_ID);
    const later = await createAccount({ prefix: "org-after-migration" });
    expect(await db().organization.findUnique({ where: { id: later.id } })).toMatchObject({ personalUserId: later.id });
  });
});
