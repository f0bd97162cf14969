import crypto from "node:crypto";
import { recordAudit } from "../audit/audit-log";
import { UNSPECIFIED, type AuditContext } from "../audit/audit-actions";
import { getConfig } from "../config/env";
import { db } from "../db/client";
import { isUniqueViolation } from "../db/errors";
import { DomainError } from "../errors/domain-error";
import { mailConfigured, sendMail } from "../mail/mailer";
import { refuseIfPersonal, type OrgActor } from "./members";
import { can, isOrgRole, type OrgRole } from "./permissions";

/**
 * Invitations into an organization (issue 24). The token is a bearer secret, shown once: only its
 * SHA-256 is stored (it is 256 random bits, so no pepper or slow hash is needed to make the
 * stored value useless), it is single use, lapses after INVITATION_DAYS and can be revoked.
 */
export const INVITATION_DAYS = 7;
const TOKEN_PREFIX = "inv_";

const digestOf = (token: string) => crypto.createHash("sha256").update(token).digest("hex");

/**
 * The link a member sends: the portal's public URL (NEXTAUTH_URL), never the request's Host. The
 * token travels in the fragment, which browsers do not send to servers, so it stays out of access
 * logs and Referer headers; the page reads it and posts it.
 */
const invitationUrl = (token: string) => `${getConfig().portalUrl}/invite#${token}`;

type InvitationStatus = "pending" | "accepted" | "revoked" | "expired";

export interface InvitationView {
  id: number;
  role: OrgRole;
  email: string | null;
  status: InvitationStatus;
  created_by: number;
  created_at: string;
  expires_at: string;
  accepted_by: number | null;
}

type InvitationRow = {
  id: number;
  role: string;
  email: string | null;
  createdById: number;
  createdAt: Date;
  expiresAt: Date;
  acceptedAt: Date | null;
  acceptedById: number | null;
  revokedAt: Date | null;
};

function statusOf(row: InvitationRow, now = Date.now()): InvitationStatus {
  if (row.acceptedAt) return "accepted";
  if (row.revokedAt) return "revoked";
  return row.expiresAt.getTime() <= now ? "expired" : "pending";
}

function toView(row: InvitationRow): InvitationView {
  return {
    id: row.id,
    role: isOrgRole(row.role) ? row.role : "viewer",
    email: row.email,
    status: statusOf(row),
    created_by: row.createdById,
    created_at: row.createdAt.toISOString(),
    expires_at: row.expiresAt.toISOString(),
    accepted_by: row.acceptedById,
  };
}

const invitationFields = {
  id: true,
  role: true,
  email: true,
  createdById: true,
  createdAt: true,
  expiresAt: true,
  acceptedAt: true,
  acceptedById: true,
  revokedAt: true,
} as const;

/** An invitation to the actor's organization: the token and link, shown this once. */
export async function createInvitation(
  actor: OrgActor,
  input: { role: OrgRole; email?: string },
  context: AuditContext = UNSPECIFIED,
): Promise<{ id: number; token: string; url: string; role: OrgRole; email: string | null; expires_at: string }> {
  await refuseIfPersonal(actor.organizationId, "shared; create an organization to share keys");
  if (input.role === "owner" && !can(actor.role, "owners.manage")) {
    throw new DomainError("owner_role_required", "Only an owner can grant or remove the owner role");
  }
  const token = `${TOKEN_PREFIX}${crypto.randomBytes(32).toString("base64url")}`;
  const email = input.email?.trim().toLowerCase() || null;
  const row = await db().invitation.create({
    data: {
      organizationId: actor.organizationId,
      role: input.role,
      email,
      digest: digestOf(token),
      createdById: actor.userId,
      expiresAt: new Date(Date.now() + INVITATION_DAYS * 86_400_000),
    },
    select: { id: true, expiresAt: true },
  });
  const url = invitationUrl(token);
  // With SMTP_URL set, an invitation for an email is also mailed there (the link is answered either way).
  const mailed = email !== null && (await mailInvitation(actor.organizationId, email, input.role, url, row.expiresAt));
  await recordAudit(actor.organizationId, "org.invitation_created", context, {
    details: { invitation_id: row.id, role: input.role, email, mailed },
  });
  return { id: row.id, token, url, role: input.role, email, expires_at: row.expiresAt.toISOString() };
}

async function mailInvitation(organizationId: number, to: string, role: OrgRole, url: string, expiresAt: Date) {
  if (!mailConfigured()) return false;
  const organization = await db().organization.findUnique({ where: { id: organizationId }, select: { name: true } });
  const name = organization?.name ?? "an organization";
  return sendMail({
    to,
    subject: `You are invited to ${name} on Key Portal`,
    text: [
      `You have been invited to join ${name} as ${role}.`,
      "",
      `Open this link to accept (it works once, until ${expiresAt.toISOString()}):`,
      url,
      "",
      "If you did not expect this, ignore this mail.",
    ].join("\n"),
  });
}

/** The organization's invitations, newest first, with their status (never their tokens). */
export async function listInvitations(organizationId: number): Promise<InvitationView[]> {
  const rows = await db().invitation.findMany({
    where: { organizationId },
    select: invitationFields,
    orderBy: { id: "desc" },
    take: 200,
  });
  return rows.map(toView);
}

/** Revokes a pending invitation (an owner's, for an owner invitation). Null when there is no such invitation here. */
export async function revokeInvitation(
  actor: OrgActor,
  invitationId: number,
  context: AuditContext = UNSPECIFIED,
): Promise<InvitationView | null> {
  const row = await db().invitation.findFirst({
    where: { id: invitationId, organizationId: actor.organizationId },
    select: invitationFields,
  });
  if (!row) return null;
  if (row.role === "owner" && !can(actor.role, "owners.manage")) {
    throw new DomainError("owner_role_required", "Only an owner can grant or remove the owner role");
  }
  if (row.acceptedAt) throw new DomainError("invitation_used", "This invitation has been accepted already");
  if (!row.revokedAt) {
    await db().invitation.updateMany({
      where: { id: invitationId, acceptedAt: null, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    await recordAudit(actor.organizationId, "org.invitation_revoked", context, {
      details: { invitation_id: invitationId, role: row.role, email: row.email },
    });
  }
  const after = await db().invitation.findUnique({ where: { id: invitationId }, select: invitationFields });
  return after && toView(after);
}

export interface JoinedMembership {
  organization_id: number;
  name: string;
  role: OrgRole;
}

/**
 * The caller accepts an invitation with its token and becomes a member with its role. Single use
 * even when two accept at once: the invitation is marked first, conditionally, and the membership
 * is made from the mark in the same transaction (the second caller's mark matches no row, so its
 * insert copies nothing). Already a member: refused, and the invitation stays usable.
 */
export async function acceptInvitation(
  userId: number,
  token: string,
  context: AuditContext = UNSPECIFIED,
): Promise<JoinedMembership> {
  const row = token.startsWith(TOKEN_PREFIX)
    ? await db().invitation.findUnique({
        where: { digest: digestOf(token) },
        select: { ...invitationFields, organizationId: true, organization: { select: { name: true } } },
      })
    : null;
  if (!row || row.revokedAt) throw new DomainError("invitation_not_found", "Invitation not found or revoked");
  if (row.acceptedAt) throw new DomainError("invitation_used", "This invitation has been used");
  if (row.expiresAt.getTime() <= Date.now()) {
    throw new DomainError("invitation_expired", "This invitation has expired; ask for a new one");
  }
  if (row.email) {
    const user = await db().user.findUnique({ where: { id: userId }, select: { email: true } });
    if (user?.email.toLowerCase() !== row.email) {
      throw new DomainError("invitation_email_mismatch", "This invitation is for another email address");
    }
  }
  const role = isOrgRole(row.role) ? row.role : "viewer";
  const isMember = async () =>
    (await db().membership.count({ where: { organizationId: row.organizationId, userId } })) > 0;
  const alreadyMember = () => new DomainError("already_member", "You are a member of this organization already");
  if (await isMember()) throw alreadyMember();
  try {
    const [marked] = await db().$transaction([
      db().invitation.updateMany({
        where: { id: row.id, acceptedAt: null, revokedAt: null },
        data: { acceptedAt: new Date(), acceptedById: userId },
      }),
      db().$executeRaw`
        INSERT INTO memberships (organization_id, user_id, role, created_at)
        SELECT organization_id, accepted_by_id, role, accepted_at FROM invitations
        WHERE id = ${row.id} AND accepted_by_id = ${userId}`,
    ]);
    if (marked.count === 0) throw new DomainError("invitation_used", "This invitation has been used");
  } catch (error) {
    // Joined by another invitation in the meantime: the insert broke the membership's key and
    // the transaction, the mark included, was rolled back.
    if (isUniqueViolation(error) || (await isMember())) throw alreadyMember();
    throw error;
  }
  await recordAudit(
    row.organizationId,
    "org.member_joined",
    { ...context, userId },
    {
      details: { user_id: userId, role, invitation_id: row.id },
    },
  );
  return { organization_id: row.organizationId, name: row.organization.name, role };
}
