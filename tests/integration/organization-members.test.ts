import { beforeAll, describe, expect, it } from "vitest";
import { POST as generate } from "@/app/api/api-keys/generate/route";
import { GET as listKeys } from "@/app/api/api-keys/route";
import { GET as listAudit } from "@/app/api/audit-logs/route";
import { POST as accept } from "@/app/api/invitations/accept/route";
import { DELETE as revokeInvitation } from "@/app/api/orgs/[id]/invitations/[invitation_id]/route";
import { GET as listInvitations, POST as invite } from "@/app/api/orgs/[id]/invitations/route";
import { POST as leave } from "@/app/api/orgs/[id]/leave/route";
import { DELETE as removeMember, PATCH as changeRole } from "@/app/api/orgs/[id]/members/[user_id]/route";
import { GET as listMembers } from "@/app/api/orgs/[id]/members/route";
import { DELETE as deleteOrg, PATCH as renameOrg } from "@/app/api/orgs/[id]/route";
import { POST as transfer } from "@/app/api/orgs/[id]/transfer/route";
import { GET as listOrgs, POST as createOrg } from "@/app/api/orgs/route";
import { getConfig } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import type { OrgRole } from "@/lib/orgs/permissions";
import { runAdminCommand } from "@/scripts/admin-commands";
import { seedSampleRoutes } from "../helpers";
import { callData, createAccount, ctx, noParams, readBody, request, type Account } from "./support";

// Members, invitations and the organization itself (issue 24, REST): every endpoint x every role,
// cell by cell, each cell in a fresh organization (the calls change it); then the rules the
// matrix alone cannot say: the owner role, the last owner, single-use invitations, removal.
type Handler = (request: Request, context: { params: Promise<any> }) => Promise<Response>;

const ROLES: OrgRole[] = ["owner", "admin", "developer", "viewer"];

/** A shared organization with one member of each role, and a developer and an invitation to act on. */
interface Team {
  id: number;
  members: Record<OrgRole, Account>;
  target: Account;
  invitationId: number;
}

let pool: Account[] = [];
let next = 0;
/** Accounts are slow to make (bcrypt): a pool reused across teams, each team's members distinct. */
const account = () => pool[next++ % pool.length];

beforeAll(async () => {
  await seedSampleRoutes();
  pool = await Promise.all(Array.from({ length: 10 }, (_, i) => createAccount({ prefix: `member-${i}` })));
});

async function makeTeam(): Promise<Team> {
  const chosen = new Set<Account>();
  const pick = () => {
    let candidate = account();
    while (chosen.has(candidate)) candidate = account();
    chosen.add(candidate);
    return candidate;
  };
  const members = Object.fromEntries(ROLES.map((role) => [role, pick()])) as Record<OrgRole, Account>;
  const target = pick();
  const organization = await db().organization.create({ data: { name: "Matrix team", plan: "enterprise" } });
  for (const [role, member] of [...Object.entries(members), ["developer", target] as const]) {
    await db().membership.create({ data: { organizationId: organization.id, userId: member.id, role } });
  }
  const invitation = await invite(
    request("POST", `/api/orgs/${organization.id}/invitations`, {
      token: members.owner.token,
      body: { role: "developer" },
    }),
    ctx({ id: String(organization.id) }),
  );
  expect(invitation.status).toBe(201);
  return { id: organization.id, members, target, invitationId: (await readBody(invitation)).id };
}

const call = (
  handler: Handler,
  method: string,
  path: string,
  account: Account,
  params: Record<string, string>,
  body?: unknown,
) => handler(request(method, path, { token: account.token, ...(body === undefined ? {} : { body }) }), ctx(params));

interface Endpoint {
  name: string;
  /** Statuses for owner, admin, developer, viewer. */
  expected: [number, number, number, number];
  call: (team: Team, as: Account) => Promise<Response>;
}

const id = (team: Team) => ({ id: String(team.id) });
const onTarget = (team: Team) => ({ ...id(team), user_id: String(team.target.id) });

const ENDPOINTS: Endpoint[] = [
  {
    name: "PATCH /api/orgs/{id}",
    expected: [200, 200, 403, 403],
    call: (t, as) => call(renameOrg, "PATCH", `/api/orgs/${t.id}`, as, id(t), { name: "Renamed" }),
  },
  {
    name: "DELETE /api/orgs/{id}",
    expected: [200, 403, 403, 403],
    call: (t, as) => call(deleteOrg, "DELETE", `/api/orgs/${t.id}`, as, id(t)),
  },
  {
    name: "GET /api/orgs/{id}/members",
    expected: [200, 200, 200, 200],
    call: (t, as) => call(listMembers, "GET", `/api/orgs/${t.id}/members`, as, id(t)),
  },
  {
    name: "PATCH /api/orgs/{id}/members/{user_id}",
    expected: [200, 200, 403, 403],
    call: (t, as) =>
      call(changeRole, "PATCH", `/api/orgs/${t.id}/members/${t.target.id}`, as, onTarget(t), { role: "viewer" }),
  },
  {
    name: "DELETE /api/orgs/{id}/members/{user_id}",
    expected: [200, 200, 403, 403],
    call: (t, as) => call(removeMember, "DELETE", `/api/orgs/${t.id}/members/${t.target.id}`, as, onTarget(t)),
  },
  {
    name: "GET /api/orgs/{id}/invitations",
    expected: [200, 200, 403, 403],
    call: (t, as) => call(listInvitations, "GET", `/api/orgs/${t.id}/invitations`, as, id(t)),
  },
  {
    name: "POST /api/orgs/{id}/invitations",
    expected: [201, 201, 403, 403],
    call: (t, as) => call(invite, "POST", `/api/orgs/${t.id}/invitations`, as, id(t), { role: "viewer" }),
  },
  {
    name: "DELETE /api/orgs/{id}/invitations/{invitation_id}",
    expected: [200, 200, 403, 403],
    call: (t, as) =>
      call(revokeInvitation, "DELETE", `/api/orgs/${t.id}/invitations/${t.invitationId}`, as, {
        ...id(t),
        invitation_id: String(t.invitationId),
      }),
  },
  {
    // The only owner cannot leave (409); everyone else may.
    name: "POST /api/orgs/{id}/leave",
    expected: [409, 200, 200, 200],
    call: (t, as) => call(leave, "POST", `/api/orgs/${t.id}/leave`, as, id(t)),
  },
  {
    name: "POST /api/orgs/{id}/transfer",
    expected: [200, 403, 403, 403],
    call: (t, as) => call(transfer, "POST", `/api/orgs/${t.id}/transfer`, as, id(t), { user_id: t.target.id }),
  },
];

describe("every member endpoint x every role", () => {
  for (const endpoint of ENDPOINTS) {
    it(`${endpoint.name}: ${ROLES.map((role, i) => `${role} ${endpoint.expected[i]}`).join(", ")}`, async () => {
      const got: number[] = [];
      for (const role of ROLES) {
        const team = await makeTeam();
        const response = await endpoint.call(team, team.members[role]);
        got.push(response.status);
        if (response.status === 403) {
          expect(await readBody(response)).toEqual({ success: false, message: "Insufficient permissions" });
        }
      }
      expect(got).toEqual(endpoint.expected);
    });
  }

  it("refuses a caller who is not a member with the same 404 on every endpoint", async () => {
    const team = await makeTeam();
    const outsider = await createAccount({ prefix: "member-outsider" });
    for (const endpoint of ENDPOINTS) {
      const response = await endpoint.call(team, outsider);
      expect({ endpoint: endpoint.name, status: response.status }).toEqual({ endpoint: endpoint.name, status: 404 });
      expect(await readBody(response)).toEqual({ success: false, message: "Organization not found" });
    }
    expect(await db().membership.count({ where: { organizationId: team.id } })).toBe(5);
  });
});

const patchRole = (team: Team, as: Account, member: Account, role: string) =>
  call(
    changeRole,
    "PATCH",
    `/api/orgs/${team.id}/members/${member.id}`,
    as,
    { ...id(team), user_id: String(member.id) },
    {
      role,
    },
  );

describe("the owner role", () => {
  it("an admin can neither grant nor take it, nor invite an owner", async () => {
    const team = await makeTeam();
    const { admin, owner } = team.members;
    const refusals = [
      await patchRole(team, admin, team.target, "owner"),
      await patchRole(team, admin, owner, "viewer"),
      await call(removeMember, "DELETE", `/api/orgs/${team.id}/members/${owner.id}`, admin, {
        ...id(team),
        user_id: String(owner.id),
      }),
      await call(invite, "POST", `/api/orgs/${team.id}/invitations`, admin, id(team), { role: "owner" }),
    ];
    for (const response of refusals) {
      expect(response.status).toBe(403);
      expect(await readBody(response)).toEqual({
        success: false,
        message: "Only an owner can grant or remove the owner role",
      });
    }
    const roles = await db().membership.findMany({ where: { organizationId: team.id }, select: { role: true } });
    expect(roles.filter((row) => row.role === "owner")).toHaveLength(1);
  });

  it("keeps at least one owner: the last cannot be demoted, removed or leave", async () => {
    const team = await makeTeam();
    const { owner } = team.members;
    const responses = [
      await patchRole(team, owner, owner, "admin"),
      await call(removeMember, "DELETE", `/api/orgs/${team.id}/members/${owner.id}`, owner, {
        ...id(team),
        user_id: String(owner.id),
      }),
      await call(leave, "POST", `/api/orgs/${team.id}/leave`, owner, id(team)),
    ];
    for (const response of responses) {
      expect(response.status).toBe(409);
      expect((await readBody(response)).message).toMatch(/at least one owner/);
    }
  });

  it("two owners demoting each other at once leave one owner", async () => {
    const team = await makeTeam();
    const { owner, admin } = team.members;
    expect((await patchRole(team, owner, admin, "owner")).status).toBe(200);
    const [a, b] = await Promise.all([patchRole(team, owner, admin, "admin"), patchRole(team, admin, owner, "admin")]);
    // The first to land wins; the other is refused as the last owner (409) or, when the first
    // demotion landed before its role was read, as no longer an owner (403).
    expect([a.status, b.status].filter((status) => status === 200)).toHaveLength(1);
    expect([a.status, b.status].find((status) => status !== 200)).toBeOneOf([403, 409]);
    expect(await db().membership.count({ where: { organizationId: team.id, role: "owner" } })).toBe(1);
  });

  it("a transfer makes the member an owner and the caller an admin", async () => {
    const team = await makeTeam();
    const response = await call(transfer, "POST", `/api/orgs/${team.id}/transfer`, team.members.owner, id(team), {
      user_id: team.target.id,
    });
    expect(response.status).toBe(200);
    const roles = Object.fromEntries(
      (await readBody(response)).data.map((m: { user_id: number; role: string }) => [m.user_id, m.role]),
    );
    expect(roles[team.target.id]).toBe("owner");
    expect(roles[team.members.owner.id]).toBe("admin");
  });
});

async function inviteAs(team: Team, as: Account, body: unknown) {
  const response = await call(invite, "POST", `/api/orgs/${team.id}/invitations`, as, id(team), body);
  expect(response.status).toBe(201);
  return (await readBody(response)) as { id: number; token: string; url: string; role: string; expires_at: string };
}

const acceptAs = (as: Account, token: unknown) =>
  accept(request("POST", "/api/invitations/accept", { token: as.token, body: { token } }), noParams);

describe("invitations", () => {
  it("show the token once, link from NEXTAUTH_URL whatever the Host, and last seven days", async () => {
    const team = await makeTeam();
    const response = await invite(
      request("POST", `/api/orgs/${team.id}/invitations`, {
        token: team.members.admin.token,
        headers: { host: "evil.example", "x-forwarded-host": "evil.example" },
        body: { role: "developer" },
      }),
      ctx(id(team)),
    );
    const created = await readBody(response);
    expect(created.url).toBe(`${getConfig().portalUrl}/invite#${created.token}`);
    expect(created.token).toMatch(/^inv_[A-Za-z0-9_-]{43}$/);
    const days = (Date.parse(created.expires_at) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThanOrEqual(7);
    const listed = await readBody(
      await call(listInvitations, "GET", `/api/orgs/${team.id}/invitations`, team.members.owner, id(team)),
    );
    expect(JSON.stringify(listed)).not.toContain(created.token);
    expect(listed.data.find((row: { id: number }) => row.id === created.id)).toMatchObject({
      status: "pending",
      role: "developer",
      created_by: team.members.admin.id,
    });
    const stored = await db().invitation.findUniqueOrThrow({ where: { id: created.id } });
    expect(JSON.stringify(stored)).not.toContain(created.token.slice(4));
  });

  it("are single use, even when two accept at once", async () => {
    const team = await makeTeam();
    const { token } = await inviteAs(team, team.members.owner, { role: "viewer" });
    const [a, b] = [await createAccount({ prefix: "invitee-a" }), await createAccount({ prefix: "invitee-b" })];
    const responses = await Promise.all([acceptAs(a, token), acceptAs(b, token)]);
    expect(responses.map((r) => r.status).sort()).toEqual([200, 409]);
    const joined = await readBody(responses.find((r) => r.status === 200)!);
    expect(joined).toEqual({ organization_id: team.id, name: "Matrix team", role: "viewer" });
    const newMembers = await db().membership.count({
      where: { organizationId: team.id, userId: { in: [a.id, b.id] } },
    });
    expect(newMembers).toBe(1);
  });

  it("bound to an email, revoked, expired, unknown or for a member: refused, and nothing joins", async () => {
    const team = await makeTeam();
    const invitee = await createAccount({ prefix: "invitee" });
    const bound = await inviteAs(team, team.members.owner, { role: "viewer", email: "Somebody.Else@Example.com" });
    const revoked = await inviteAs(team, team.members.owner, { role: "viewer" });
    await call(revokeInvitation, "DELETE", `/api/orgs/${team.id}/invitations/${revoked.id}`, team.members.owner, {
      ...id(team),
      invitation_id: String(revoked.id),
    });
    const expired = await inviteAs(team, team.members.owner, { role: "viewer" });
    await db().invitation.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 1) } });
    const forMember = await inviteAs(team, team.members.owner, { role: "viewer" });
    const cases: Array<[Account, string, number]> = [
      [invitee, bound.token, 403],
      [invitee, revoked.token, 404],
      [invitee, expired.token, 410],
      [invitee, "inv_unknown", 404],
      [invitee, "not-even-a-token", 404],
      [team.members.viewer, forMember.token, 409],
    ];
    for (const [as, token, status] of cases) {
      const response = await acceptAs(as, token);
      expect({ token: token.slice(0, 12), status: response.status }).toEqual({ token: token.slice(0, 12), status });
      expect((await readBody(response)).success).toBe(false);
    }
    expect(await db().membership.count({ where: { organizationId: team.id, userId: invitee.id } })).toBe(0);
    // The invitation for someone already a member is still usable by someone else.
    expect((await acceptAs(invitee, forMember.token)).status).toBe(200);
  });

  it("an email-bound invitation admits that account, case aside", async () => {
    const team = await makeTeam();
    const invitee = await createAccount({ prefix: "bound-invitee" });
    const bound = await inviteAs(team, team.members.admin, { role: "developer", email: invitee.email.toUpperCase() });
    expect((await acceptAs(invitee, bound.token)).status).toBe(200);
  });

  it("a personal organization cannot be shared, left or deleted", async () => {
    const solo = await createAccount({ prefix: "solo" });
    const personal = { id: String(solo.id) };
    const responses = [
      await call(invite, "POST", `/api/orgs/${solo.id}/invitations`, solo, personal, { role: "viewer" }),
      await call(leave, "POST", `/api/orgs/${solo.id}/leave`, solo, personal),
      await call(deleteOrg, "DELETE", `/api/orgs/${solo.id}`, solo, personal),
    ];
    expect(responses.map((r) => r.status)).toEqual([409, 409, 409]);
  });
});

describe("keys outlive people; organizations do not outlive their deletion", () => {
  it("removing a member refuses their next request; their key keeps working; the log names each actor", async () => {
    const team = await makeTeam();
    const made = await generate(
      request("POST", "/api/api-keys/generate", {
        token: team.target.token,
        headers: { "x-organization-id": String(team.id) },
        body: { api_key_name: "by-target", user: "target_user" },
      }),
      noParams,
    );
    const key = await readBody(made);
    const removed = await call(
      removeMember,
      "DELETE",
      `/api/orgs/${team.id}/members/${team.target.id}`,
      team.members.admin,
      onTarget(team),
    );
    expect(removed.status).toBe(200);
    const refused = await listKeys(
      request("GET", "/api/api-keys", { token: team.target.token, headers: { "x-organization-id": String(team.id) } }),
      noParams,
    );
    expect(refused.status).toBe(404);
    expect((await callData({ key: key.api_key, username: "target_user" })).status).toBe(200);
    // The data API ignores X-Organization-Id: a key knows its organization, whatever a caller names.
    for (const named of [String(team.id), "999999", "abc"]) {
      const answer = await callData({
        key: key.api_key,
        username: "target_user",
        headers: { "x-organization-id": named },
      });
      expect({ named, status: answer.status }).toEqual({ named, status: 200 });
    }
    // The owner finds what removed members made (and only that), or one member's keys.
    const ownKey = await generate(
      request("POST", "/api/api-keys/generate", {
        token: team.members.owner.token,
        headers: { "x-organization-id": String(team.id) },
        body: { api_key_name: "by-owner", user: "owner_user" },
      }),
      noParams,
    );
    expect(ownKey.status).toBe(201);
    const listed = async (query: string) => {
      const response = await listKeys(
        request("GET", `/api/api-keys?${query}`, {
          token: team.members.owner.token,
          headers: { "x-organization-id": String(team.id) },
        }),
        noParams,
      );
      const body = await readBody(response);
      return response.status === 200 ? body.data.map((row: { api_key_name: string }) => row.api_key_name) : body;
    };
    expect(await listed("created_by=removed")).toEqual(["by-target"]);
    expect(await listed("created_by=removed&q=owner")).toEqual([]);
    expect(await listed(`created_by=${team.members.owner.id}`)).toEqual(["by-owner"]);
    expect(await listed("created_by=someone")).toEqual({
      success: false,
      message: 'created_by must be a user id or "removed"',
    });
    const trail = await readBody(
      await listAudit(
        request("GET", "/api/audit-logs", {
          token: team.members.viewer.token,
          headers: { "x-organization-id": String(team.id) },
        }),
        noParams,
      ),
    );
    const actors = trail.data.map((row: { action: string; actor_user_id: number }) => [row.action, row.actor_user_id]);
    expect(actors).toContainEqual(["org.member_removed", team.members.admin.id]);
    expect(actors).toContainEqual(["key.generate", team.target.id]);
    expect(actors).toContainEqual(["org.invitation_created", team.members.owner.id]);
  });

  it("deleting an organization stops its keys at once and leaves the owner's log a record", async () => {
    const team = await makeTeam();
    const made = await readBody(
      await generate(
        request("POST", "/api/api-keys/generate", {
          token: team.members.developer.token,
          headers: { "x-organization-id": String(team.id) },
          body: { api_key_name: "doomed", user: "doomed_user" },
        }),
        noParams,
      ),
    );
    expect((await callData({ key: made.api_key, username: "doomed_user" })).status).toBe(200);
    const owner = team.members.owner;
    expect((await call(deleteOrg, "DELETE", `/api/orgs/${team.id}`, owner, id(team))).status).toBe(200);
    expect((await callData({ key: made.api_key, username: "doomed_user" })).status).toBe(401);
    expect(await db().organization.count({ where: { id: team.id } })).toBe(0);
    const personalLog = await db().auditLog.findMany({ where: { ownerId: owner.id, action: "org.deleted" } });
    expect(personalLog.map((row) => JSON.parse(row.details ?? "{}").organization_id)).toContain(team.id);
  });

  it("a member who leaves no longer lists the organization", async () => {
    const team = await makeTeam();
    const { viewer } = team.members;
    expect((await call(leave, "POST", `/api/orgs/${team.id}/leave`, viewer, id(team))).status).toBe(200);
    const orgs = await readBody(await listOrgs(request("GET", "/api/orgs", { token: viewer.token }), noParams));
    expect(orgs.data.map((o: { id: number }) => o.id)).not.toContain(team.id);
  });
});

describe("Free organizations", () => {
  it("10 concurrent creations make exactly one", async () => {
    const founder = await createAccount({ prefix: "racer" });
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        createOrg(request("POST", "/api/orgs", { token: founder.token, body: { name: `Race ${i}` } }), noParams),
      ),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([201, ...Array(9).fill(403)]);
    const owned = await db().membership.count({
      where: { userId: founder.id, role: "owner", organization: { personalUserId: null } },
    });
    expect(owned).toBe(1);
  });

  it("one Free organization besides the personal one; only the operator changes its plan, and then another fits", async () => {
    const founder = await createAccount({ prefix: "founder" });
    const make = (name: string) =>
      createOrg(request("POST", "/api/orgs", { token: founder.token, body: { name } }), noParams);
    const first = await make("First");
    expect(first.status).toBe(201);
    const second = await make("Second");
    expect(second.status).toBe(403);
    expect((await readBody(second)).message).toMatch(/at most 1 Free organization/);
    const { id: firstId } = await readBody(first);
    expect(await runAdminCommand(["set-plan", `org:${firstId}`, "professional"])).toMatch(
      new RegExp(`organization #${firstId} First \\(plan professional`),
    );
    expect((await make("Second")).status).toBe(201);
    const audit = await db().auditLog.findMany({ where: { ownerId: firstId, action: "account.plan" } });
    expect(audit.map((row) => [row.actor, JSON.parse(row.details ?? "{}")])).toEqual([
      ["admin-cli", { before: "free", after: "professional" }],
    ]);
    expect(await runAdminCommand(["set-subscription", "--org", String(firstId), "inactive"])).toMatch(
      /subscription inactive/,
    );
    await expect(runAdminCommand(["set-plan", "org:999999999", "free"])).rejects.toThrow(
      "No organization with id 999999999",
    );
  });
});
