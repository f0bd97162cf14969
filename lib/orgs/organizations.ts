import { recordAudit } from "../audit/audit-log";
import { UNSPECIFIED, type AuditContext } from "../audit/audit-actions";
import { db } from "../db/client";
import { DomainError } from "../errors/domain-error";
import { isOrgRole, type OrgRole } from "./permissions";

/**
 * Organizations and memberships (issue 24). Every account has a personal organization, made with
 * the account (lib/auth/users.ts) and owned by it; an account may make others and be invited into
 * more. A request acts on one organization: the one its X-Organization-Id header names, when the
 * caller is a member of it, else the caller's personal one (resolveOrganization).
 */

/** Organizations a user may own besides the personal one, while they are on the Free plan. */
export const MAX_EXTRA_FREE_ORGANIZATIONS = 1;

export interface OrganizationView {
  id: number;
  name: string;
  role: OrgRole;
  personal: boolean;
}

function toView(row: { role: string; organization: { id: number; name: string; personalUserId: number | null } }) {
  const role = isOrgRole(row.role) ? row.role : "viewer";
  return {
    id: row.organization.id,
    name: row.organization.name,
    role,
    personal: row.organization.personalUserId !== null,
  } satisfies OrganizationView;
}

const withOrganization = { organization: { select: { id: true, name: true, personalUserId: true } } } as const;

/** The nested write that gives a new account its personal organization, named after its username. */
export function personalOrganizationFor(email: string, username: string) {
  return {
    create: { name: username, members: { create: { role: "owner", user: { connect: { email } } } } },
  };
}

/** The organizations the user belongs to, the personal one first, then by id. */
export async function listOrganizations(userId: number): Promise<OrganizationView[]> {
  const rows = await db().membership.findMany({
    where: { userId },
    select: { role: true, ...withOrganization },
    orderBy: { organizationId: "asc" },
  });
  const views = rows.map(toView);
  return [...views.filter((view) => view.personal), ...views.filter((view) => !view.personal)];
}

/** A new organization owned by the user. Refused past MAX_EXTRA_FREE_ORGANIZATIONS (every new one starts on Free). */
export async function createOrganization(
  userId: number,
  name: string,
  context: AuditContext = UNSPECIFIED,
): Promise<OrganizationView> {
  const owned = await db().membership.count({
    where: { userId, role: "owner", organization: { personalUserId: null } },
  });
  if (owned >= MAX_EXTRA_FREE_ORGANIZATIONS) {
    throw new DomainError(
      "organization_limit",
      `An account may own at most ${MAX_EXTRA_FREE_ORGANIZATIONS} Free organization besides its personal one`,
    );
  }
  const organization = await db().organization.create({
    data: { name, members: { create: { userId, role: "owner" } } },
    select: { id: true, name: true, personalUserId: true },
  });
  await recordAudit(userId, "org.created", context, { details: { organization_id: organization.id, name } });
  return toView({ role: "owner", organization });
}

/** The user's role in the organization, or null when they are not a member. */
async function roleIn(userId: number, organizationId: number): Promise<OrgRole | null> {
  const row = await db().membership.findUnique({
    where: { organizationId_userId: { organizationId, userId } },
    select: { role: true },
  });
  return row && isOrgRole(row.role) ? row.role : null;
}

const ORGANIZATION_ID = /^[1-9]\d{0,9}$/;

/**
 * The organization a request acts on, and the caller's role in it: the X-Organization-Id header's
 * when the caller is a member, else (no header) the caller's personal one. A header naming an
 * organization the caller is not in, or that does not exist, is the same not-found refusal: the
 * caller learns nothing of organizations they are not in.
 */
export async function resolveOrganization(
  userId: number,
  header: string | null,
): Promise<{ id: number; role: OrgRole }> {
  if (header === null || header.trim() === "") {
    const personal = await db().organization.findUnique({ where: { personalUserId: userId }, select: { id: true } });
    if (!personal) throw new DomainError("organization_not_found", "Organization not found");
    return { id: personal.id, role: "owner" };
  }
  const id = header.trim();
  const role = ORGANIZATION_ID.test(id) && Number(id) <= 2_147_483_647 ? await roleIn(userId, Number(id)) : null;
  if (!role) throw new DomainError("organization_not_found", "Organization not found");
  return { id: Number(id), role };
}
