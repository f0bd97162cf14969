import { recordAudit } from "../audit/audit-log";
import { UNSPECIFIED, type AuditAction, type AuditContext } from "../audit/audit-actions";
import { publishInvalidation } from "../cache/invalidation";
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

/**
 * The writes that give the account with this email its personal organization, to run in the
 * transaction that creates the account. The organization has the account's id: what was written
 * per account before organizations existed (owner_id) names it unchanged, and an account's own
 * rows need no lookup to find it. Other organizations take ids from FIRST_SHARED_ID up (the
 * migration sets the sequence), a range no account id reaches.
 */
export function personalOrganizationWrites(email: string) {
  return [
    db().$executeRaw`
      INSERT INTO organizations (id, name, personal_user_id, created_at)
      SELECT id, username, id, created_at FROM users WHERE email = ${email}`,
    db().$executeRaw`
      INSERT INTO memberships (organization_id, user_id, role, created_at)
      SELECT id, id, 'owner', created_at FROM users WHERE email = ${email}`,
  ];
}

/** The first id of an organization made with POST /api/orgs (prisma/…/20261207300000_organizations). */
export const FIRST_SHARED_ID = 1_000_000_001;

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

/**
 * A new organization owned by the user. Refused past MAX_EXTRA_FREE_ORGANIZATIONS (every new one
 * starts on Free), also when requests race on several instances: each is written, then checked
 * under a lock on the user's personal organization row, and taken back if the user now owns more
 * than the limit. The checks run one at a time and each sees every creation checked before it
 * (inserted before its own check), so of any set of concurrent creations exactly the limit stay.
 */
export async function createOrganization(
  userId: number,
  name: string,
  context: AuditContext = UNSPECIFIED,
): Promise<OrganizationView> {
  const refusal = () =>
    new DomainError(
      "organization_limit",
      `An account may own at most ${MAX_EXTRA_FREE_ORGANIZATIONS} Free organization besides its personal one`,
    );
  const ownedFree = await db().membership.count({
    where: { userId, role: "owner", organization: { personalUserId: null, plan: "free" } },
  });
  if (ownedFree >= MAX_EXTRA_FREE_ORGANIZATIONS) throw refusal();
  const organization = await db().organization.create({
    data: { name, members: { create: { userId, role: "owner" } } },
    select: { id: true, name: true, personalUserId: true },
  });
  const [, takenBack] = await db().$transaction([
    // The personal organization has the account's id.
    db().$executeRaw`UPDATE organizations SET name = name WHERE id = ${userId}`,
    db().$executeRaw`
      DELETE FROM organizations WHERE id = ${organization.id} AND (
        SELECT COUNT(*) FROM memberships m JOIN organizations o ON o.id = m.organization_id
        WHERE m.user_id = ${userId} AND m.role = 'owner' AND o.personal_user_id IS NULL AND o.plan = 'free'
      ) > ${MAX_EXTRA_FREE_ORGANIZATIONS}`,
  ]);
  if (takenBack) throw refusal();
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

/** The request header that names the organization a call acts on (as OpenAI's OpenAI-Organization). */
export const ORGANIZATION_HEADER = "x-organization-id";

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
  // The personal organization has the account's id, and its owner is the account.
  if (header === null || header.trim() === "") return { id: userId, role: "owner" };
  const id = header.trim();
  const role = ORGANIZATION_ID.test(id) && Number(id) <= 2_147_483_647 ? await roleIn(userId, Number(id)) : null;
  if (!role) throw new DomainError("organization_not_found", "Organization not found");
  return { id: Number(id), role };
}

const settingsFields = {
  id: true,
  name: true,
  plan: true,
  subscription: true,
  rateLimitPerHour: true,
  timeZone: true,
  workStartHour: true,
  workEndHour: true,
} as const;

/** An organization's plan, limits and working hours (usage summary, alerts). */
export function getOrganizationSettings(id: number) {
  return db().organization.findUnique({ where: { id }, select: settingsFields });
}
export type OrganizationSettings = NonNullable<Awaited<ReturnType<typeof getOrganizationSettings>>>;

/**
 * Working hours decide when the off-hours alert fires, so a change can silence it: audited with
 * what they were and what they are. Null when there is no such organization.
 */
export async function updateWorkingHours(
  organizationId: number,
  settings: { time_zone: string; work_start_hour: number; work_end_hour: number },
  context: AuditContext = UNSPECIFIED,
): Promise<OrganizationSettings | null> {
  const before = await getOrganizationSettings(organizationId);
  if (!before) return null;
  const { count } = await db().organization.updateMany({
    where: { id: organizationId },
    data: {
      timeZone: settings.time_zone,
      workStartHour: settings.work_start_hour,
      workEndHour: settings.work_end_hour,
    },
  });
  const after = count ? await getOrganizationSettings(organizationId) : null;
  if (after) {
    const hours = (o: OrganizationSettings) => ({
      time_zone: o.timeZone,
      work_start_hour: o.workStartHour,
      work_end_hour: o.workEndHour,
    });
    await recordAudit(organizationId, "account.working_hours", context, {
      details: { before: hours(before), after: hours(after) },
    });
  }
  return after;
}

/** What only the operator changes on an organization (npm run admin), and the audit action of each. */
const LIMIT_ACTIONS = {
  plan: "account.plan",
  subscription: "account.subscription",
  rateLimitPerHour: "account.rate_limit",
} as const satisfies Record<string, AuditAction>;

/**
 * The operator's change of an organization's plan, subscription or Enterprise hourly limit
 * (`npm run admin -- set-plan org:<id> …`): running servers drop what they cached of it, and each
 * changed field is audited in the organization's log. Null when there is no such organization.
 */
export async function changeOrganizationLimits(
  id: number,
  data: { plan?: string; subscription?: string; rateLimitPerHour?: number | null },
  context: AuditContext = UNSPECIFIED,
): Promise<OrganizationSettings | null> {
  const before = await getOrganizationSettings(id);
  if (!before) return null;
  await db().organization.updateMany({ where: { id }, data });
  const after = await getOrganizationSettings(id);
  if (!after) return null;
  await publishInvalidation({ kind: "owner", ownerId: id });
  for (const field of Object.keys(LIMIT_ACTIONS) as Array<keyof typeof LIMIT_ACTIONS>) {
    if (before[field] === after[field]) continue;
    await recordAudit(id, LIMIT_ACTIONS[field], context, { details: { before: before[field], after: after[field] } });
  }
  return after;
}
