import { recordAudit } from "../audit/audit-log";
import { UNSPECIFIED, type AuditContext } from "../audit/audit-actions";
import { db } from "../db/client";
import { DomainError } from "../errors/domain-error";
import { deleteKey } from "../keys/key-commands";
import { can, isOrgRole, type OrgRole } from "./permissions";

/**
 * An organization's members and the organization itself (issue 24): rename, delete, list,
 * change a role, remove, leave, transfer. The caller's role was read for this request
 * (resolveOrganization) and the route's action checked against the matrix; what depends on the
 * member acted on (the owner role, the last owner) is checked here, with the rows it depends on.
 */

/** The caller acting on an organization: who they are and their role there, read for this request. */
export interface OrgActor {
  userId: number;
  organizationId: number;
  role: OrgRole;
}

export interface MemberView {
  user_id: number;
  username: string;
  email: string;
  role: OrgRole;
  joined_at: string;
}

const LAST_OWNER = "An organization must keep at least one owner: make another member owner first";
const OWNER_ROLE = "Only an owner can grant or remove the owner role";

async function personalUserOf(organizationId: number): Promise<number | null> {
  const row = await db().organization.findUnique({ where: { id: organizationId }, select: { personalUserId: true } });
  return row?.personalUserId ?? null;
}

/** Personal organizations hold one account's own keys: they are never shared, left or deleted. */
export async function refuseIfPersonal(organizationId: number, what: string): Promise<void> {
  if ((await personalUserOf(organizationId)) !== null) {
    throw new DomainError("personal_organization", `A personal organization cannot be ${what}`);
  }
}

async function memberRole(organizationId: number, userId: number): Promise<OrgRole> {
  const row = await db().membership.findUnique({
    where: { organizationId_userId: { organizationId, userId } },
    select: { role: true },
  });
  if (!row || !isOrgRole(row.role)) throw new DomainError("member_not_found", "Member not found");
  return row.role;
}

function ownerCount(organizationId: number): Promise<number> {
  return db().membership.count({ where: { organizationId, role: "owner" } });
}

/** Whoever touches the owner role (granting it, or changing or removing an owner) must be an owner. */
function requireOwnerRights(actor: OrgActor, ...roles: OrgRole[]) {
  if (roles.includes("owner") && !can(actor.role, "owners.manage")) {
    throw new DomainError("owner_role_required", OWNER_ROLE);
  }
}

/** The members, owners first, then by when they joined. */
export async function listMembers(organizationId: number): Promise<MemberView[]> {
  const rows = await db().membership.findMany({
    where: { organizationId },
    select: { role: true, createdAt: true, user: { select: { id: true, username: true, email: true } } },
    orderBy: [{ createdAt: "asc" }, { userId: "asc" }],
  });
  const rank = (role: string) => (role === "owner" ? 0 : 1);
  return rows
    .filter((row) => isOrgRole(row.role))
    .sort((a, b) => rank(a.role) - rank(b.role))
    .map((row) => ({
      user_id: row.user.id,
      username: row.user.username,
      email: row.user.email,
      role: row.role as OrgRole,
      joined_at: row.createdAt.toISOString(),
    }));
}

async function memberView(organizationId: number, userId: number): Promise<MemberView> {
  const member = (await listMembers(organizationId)).find((row) => row.user_id === userId);
  if (!member) throw new DomainError("member_not_found", "Member not found");
  return member;
}

/**
 * Changes a member's role. Granting owner, or changing an owner's role, needs an owner; the last
 * owner cannot be demoted. A conditional write: two owners demoting each other at once cannot
 * leave none (the count is re-read in the same statement).
 */
export async function changeMemberRole(
  actor: OrgActor,
  userId: number,
  role: OrgRole,
  context: AuditContext = UNSPECIFIED,
): Promise<MemberView> {
  const before = await memberRole(actor.organizationId, userId);
  requireOwnerRights(actor, before, role);
  if (before !== role) {
    if (before === "owner") await demoteOwner(actor.organizationId, userId, role);
    else {
      await db().membership.updateMany({ where: { organizationId: actor.organizationId, userId }, data: { role } });
    }
    await recordAudit(actor.organizationId, "org.member_role", context, {
      details: { user_id: userId, before, after: role },
    });
  }
  return memberView(actor.organizationId, userId);
}

/**
 * Takes the owner role from a member (a new role, or none: removal), unless they are the last
 * owner. The organization's row is locked first (a no-op update), so on PostgreSQL two owners
 * demoting each other at once run one after the other, and the second statement's count sees the
 * first's write; SQLite runs write transactions one at a time anyway.
 */
async function demoteOwner(organizationId: number, userId: number, role: OrgRole | null): Promise<void> {
  const lock = db().$executeRaw`UPDATE organizations SET name = name WHERE id = ${organizationId}`;
  const write =
    role === null
      ? db().$executeRaw`
          DELETE FROM memberships WHERE organization_id = ${organizationId} AND user_id = ${userId}
            AND (SELECT COUNT(*) FROM memberships WHERE organization_id = ${organizationId} AND role = 'owner') > 1`
      : db().$executeRaw`
          UPDATE memberships SET role = ${role} WHERE organization_id = ${organizationId} AND user_id = ${userId}
            AND (SELECT COUNT(*) FROM memberships WHERE organization_id = ${organizationId} AND role = 'owner') > 1`;
  const [, changed] = await db().$transaction([lock, write]);
  if (changed === 0) {
    if ((await ownerCount(organizationId)) <= 1) throw new DomainError("last_owner", LAST_OWNER);
    throw new DomainError("member_not_found", "Member not found");
  }
}

async function removeMembership(organizationId: number, userId: number, role: OrgRole): Promise<void> {
  if (role === "owner") return demoteOwner(organizationId, userId, null);
  const { count } = await db().membership.deleteMany({ where: { organizationId, userId } });
  if (!count) throw new DomainError("member_not_found", "Member not found");
}

/**
 * Removes a member: their next request naming the organization is refused, on every instance (the
 * membership is read per request). The keys they made stay: keys belong to the organization.
 */
export async function removeMember(actor: OrgActor, userId: number, context: AuditContext = UNSPECIFIED) {
  const role = await memberRole(actor.organizationId, userId);
  requireOwnerRights(actor, role);
  await removeMembership(actor.organizationId, userId, role);
  await recordAudit(actor.organizationId, "org.member_removed", context, { details: { user_id: userId, role } });
}

/** The caller leaves the organization (not their personal one; not as its last owner). */
export async function leaveOrganization(actor: OrgActor, context: AuditContext = UNSPECIFIED): Promise<void> {
  await refuseIfPersonal(actor.organizationId, "left");
  await removeMembership(actor.organizationId, actor.userId, actor.role);
  await recordAudit(actor.organizationId, "org.member_left", context, {
    details: { user_id: actor.userId, role: actor.role },
  });
}

/**
 * Hands the organization to another member: they become an owner and the caller an admin. The
 * new owner is made first, so at no moment is there none.
 */
export async function transferOrganization(
  actor: OrgActor,
  userId: number,
  context: AuditContext = UNSPECIFIED,
): Promise<MemberView[]> {
  if (userId === actor.userId) throw new DomainError("invalid_member", "Name another member to transfer to");
  const before = await memberRole(actor.organizationId, userId);
  await db().$transaction([
    db().membership.updateMany({ where: { organizationId: actor.organizationId, userId }, data: { role: "owner" } }),
    db().membership.updateMany({
      where: { organizationId: actor.organizationId, userId: actor.userId },
      data: { role: "admin" },
    }),
  ]);
  await recordAudit(actor.organizationId, "org.transferred", context, {
    details: { from_user_id: actor.userId, to_user_id: userId, to_role_before: before },
  });
  return listMembers(actor.organizationId);
}

export async function renameOrganization(
  actor: OrgActor,
  name: string,
  context: AuditContext = UNSPECIFIED,
): Promise<{ id: number; name: string; role: OrgRole }> {
  const before = await db().organization.findUnique({ where: { id: actor.organizationId }, select: { name: true } });
  await db().organization.updateMany({ where: { id: actor.organizationId }, data: { name } });
  if (before && before.name !== name) {
    await recordAudit(actor.organizationId, "org.renamed", context, { details: { before: before.name, after: name } });
  }
  return { id: actor.organizationId, name, role: actor.role };
}

/**
 * Deletes a shared organization with everything it holds. Its keys are revoked first, one by one
 * through the one delete path, so each stops working at its next request on every instance (the
 * key caches are told). The record of the deletion stays in the owner's personal audit log.
 */
export async function deleteOrganization(actor: OrgActor, context: AuditContext = UNSPECIFIED): Promise<number> {
  await refuseIfPersonal(actor.organizationId, "deleted");
  const organization = await db().organization.findUnique({
    where: { id: actor.organizationId },
    select: { name: true },
  });
  const keys = await db().apiKey.findMany({ where: { ownerId: actor.organizationId }, select: { id: true } });
  for (const { id } of keys) await deleteKey(actor.organizationId, id, context);
  await db().organization.deleteMany({ where: { id: actor.organizationId } });
  await recordAudit(actor.userId, "org.deleted", context, {
    details: { organization_id: actor.organizationId, name: organization?.name ?? null, keys_revoked: keys.length },
  });
  return keys.length;
}

/** How the portal names an account in an organization's pages: a member, a former member, or gone. */
export interface MemberName {
  label: string;
  /** Still a member of the organization (false: removed, left, or the account was deleted). */
  member: boolean;
}

/**
 * Names for the accounts that made keys or acted in the audit log, members or not: keys and
 * their history outlive the people who made them (issue 24, part 5).
 */
export async function memberNames(
  organizationId: number,
  userIds: Array<number | null>,
): Promise<Map<number, MemberName>> {
  const ids = [...new Set(userIds.filter((id): id is number => id !== null))];
  if (ids.length === 0) return new Map();
  const [users, memberships] = await Promise.all([
    db().user.findMany({ where: { id: { in: ids } }, select: { id: true, email: true } }),
    db().membership.findMany({ where: { organizationId, userId: { in: ids } }, select: { userId: true } }),
  ]);
  const emails = new Map(users.map((user) => [user.id, user.email]));
  const current = new Set(memberships.map((row) => row.userId));
  return new Map(
    ids.map((id) => {
      const email = emails.get(id);
      const member = current.has(id);
      const label = email === undefined ? `deleted account #${id}` : member ? email : `${email} (removed)`;
      return [id, { label, member }];
    }),
  );
}
