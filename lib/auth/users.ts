import { recordAudit } from "../audit/audit-log";
import { UNSPECIFIED, type AuditAction, type AuditContext } from "../audit/audit-actions";
import { publishInvalidation } from "../cache/invalidation";
import type { Plan } from "../limits/plans";
import { db, Prisma } from "../db/client";
import { personalOrganizationWrites } from "../orgs/organizations";
import { isUniqueViolation } from "../db/errors";
import { DomainError } from "../errors/domain-error";
import { hashPassword, verifyPassword } from "./passwords";

export const SUBSCRIPTIONS = ["active", "inactive"] as const;
export type Subscription = (typeof SUBSCRIPTIONS)[number];

/**
 * An account as the API shows it, with its personal organization's plan and subscription (since
 * organizations hold them: lib/orgs/organizations.ts).
 */
export interface PublicUser {
  id: number;
  email: string;
  username: string;
  plan: string;
  subscription: string;
  createdAt: Date;
}

/** The account and its personal organization's limits and monitoring settings (plan page, usage summary). */
export interface Account extends PublicUser {
  rateLimitPerHour: number | null;
  timeZone: string;
  workStartHour: number;
  workEndHour: number;
}

const userFields = { id: true, email: true, username: true, createdAt: true } as const;
const organizationSettings = {
  plan: true,
  subscription: true,
  rateLimitPerHour: true,
  timeZone: true,
  workStartHour: true,
  workEndHour: true,
} as const;
const accountFields = { ...userFields, personalOrg: { select: organizationSettings } } as const;

/** The account row and its personal organization's settings, as one record. */
function toAccount<R extends Prisma.UserGetPayload<{ select: typeof accountFields }>>(
  row: R,
): Account & Omit<R, "personalOrg"> {
  const { personalOrg, ...user } = row;
  // Made with the account in one transaction and deleted with it: never missing.
  if (!personalOrg) throw new Error(`account ${row.id} has no personal organization`);
  return { ...user, ...personalOrg };
}

function toPublicUser(account: Account): PublicUser {
  const { id, email, username, plan, subscription, createdAt } = account;
  return { id, email, username, plan, subscription, createdAt };
}

export async function createUser(input: { email: string; password: string; username?: string }): Promise<PublicUser> {
  const passwordHash = await hashPassword(input.password);
  // Default username: the email's local part, trimmed to what X-Username allows.
  const username =
    input.username ??
    (input.email
      .split("@")[0]
      .replace(/[^A-Za-z0-9._@-]/g, "")
      .slice(0, 64) ||
      "user");
  try {
    // With its personal organization, in the same transaction: no account is ever without one.
    const [user] = await db().$transaction([
      db().user.create({ data: { email: input.email, username, passwordHash }, select: userFields }),
      ...personalOrganizationWrites(input.email),
    ]);
    // A new organization's plan and subscription (the schema's defaults).
    return { ...user, plan: "free", subscription: "active" };
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new DomainError("email_taken", "An account with this email already exists");
    }
    throw error;
  }
}

/** The user for a correct email + password, else null; same cost either way. */
/**
 * The account when the password is right; else which account the email names (null: none), so
 * a failed sign-in can be written to that account's audit log. The caller never tells the two
 * failures apart in its answer.
 */
export async function checkCredentials(
  email: string,
  password: string,
): Promise<{ user: PublicUser; accountId: number } | { user: null; accountId: number | null }> {
  const row = await db().user.findUnique({ where: { email }, select: { ...accountFields, passwordHash: true } });
  const ok = await verifyPassword(password, row?.passwordHash);
  if (!row) return { user: null, accountId: null };
  if (!ok) return { user: null, accountId: row.id };
  return { user: toPublicUser(toAccount(row)), accountId: row.id };
}

/** When the account last signed in with its password: the operator's accounts list shows it. */
export async function recordSignIn(userId: number, at: Date): Promise<void> {
  await db().user.updateMany({ where: { id: userId }, data: { lastSignInAt: at } });
}

export async function emailOf(userId: number): Promise<string | null> {
  const row = await db().user.findUnique({ where: { id: userId }, select: { email: true } });
  return row?.email ?? null;
}

export async function accountExists(id: number): Promise<boolean> {
  return (await db().user.count({ where: { id } })) > 0;
}

export function countUsers(): Promise<number> {
  return db().user.count();
}

/**
 * Cached key records carry the owner's plan, subscription and limit: drop them everywhere, then
 * record the change in the account's audit log.
 */
async function ownerChanged(
  ownerId: number,
  action: AuditAction,
  context: AuditContext,
  details: { before: unknown; after: unknown },
): Promise<void> {
  await publishInvalidation({ kind: "owner", ownerId });
  await recordAudit(ownerId, action, context, { details });
}

/** Changes the personal organization of the account with this email: null when there is none. */
async function changeOrganizationOf(
  email: string,
  data: { plan?: string; subscription?: string; rateLimitPerHour?: number | null },
): Promise<{ before: Account; after: Account } | null> {
  const row = await db().user.findUnique({ where: { email }, select: accountFields });
  if (!row) return null;
  const before = toAccount(row);
  const { count } = await db().organization.updateMany({ where: { personalUserId: before.id }, data });
  const after = count ? await getAccount(before.id) : null;
  return after && { before, after };
}

export async function setPlan(
  email: string,
  plan: Plan,
  context: AuditContext = UNSPECIFIED,
): Promise<PublicUser | null> {
  const changed = await changeOrganizationOf(email, { plan });
  if (!changed) return null;
  const { before, after } = changed;
  await ownerChanged(after.id, "account.plan", context, { before: before.plan, after: after.plan });
  return toPublicUser(after);
}

export async function setSubscription(
  email: string,
  subscription: Subscription,
  context: AuditContext = UNSPECIFIED,
): Promise<PublicUser | null> {
  const changed = await changeOrganizationOf(email, { subscription });
  if (!changed) return null;
  const { before, after } = changed;
  await ownerChanged(after.id, "account.subscription", context, {
    before: before.subscription,
    after: after.subscription,
  });
  return toPublicUser(after);
}

/** The account with its limits and monitoring settings (plan page, usage summary). */
async function getAccount(id: number): Promise<Account | null> {
  const row = await db().user.findUnique({ where: { id }, select: accountFields });
  return row && toAccount(row);
}

/** The account with its session version (lib/auth/session-revocation.ts), in one query. */
export async function getAccountWithSessionVersion(id: number): Promise<(Account & { sessionVersion: number }) | null> {
  const row = await db().user.findUnique({ where: { id }, select: { ...accountFields, sessionVersion: true } });
  return row && toAccount(row);
}

/** Enterprise only: a custom hourly limit; null restores the default. */
export async function setRateLimit(
  email: string,
  perHour: number | null,
  context: AuditContext = UNSPECIFIED,
): Promise<Account | null> {
  const changed = await changeOrganizationOf(email, { rateLimitPerHour: perHour });
  if (!changed) return null;
  const { before, after } = changed;
  await ownerChanged(after.id, "account.rate_limit", context, {
    before: before.rateLimitPerHour,
    after: after.rateLimitPerHour,
  });
  return after;
}

export function toUserResponse(user: PublicUser) {
  return {
    id: user.id,
    email: user.email,
    username: user.username,
    plan: user.plan,
    created_at: user.createdAt.toISOString(),
  };
}
