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

const publicUser = { id: true, email: true, username: true, plan: true, subscription: true, createdAt: true } as const;
export type PublicUser = Prisma.UserGetPayload<{ select: typeof publicUser }>;

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
      db().user.create({ data: { email: input.email, username, passwordHash }, select: publicUser }),
      ...personalOrganizationWrites(input.email),
    ]);
    return user;
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
  const user = await db().user.findUnique({ where: { email }, select: { ...publicUser, passwordHash: true } });
  const ok = await verifyPassword(password, user?.passwordHash);
  if (!user) return { user: null, accountId: null };
  if (!ok) return { user: null, accountId: user.id };
  const { passwordHash: _ignored, ...rest } = user;
  return { user: rest, accountId: user.id };
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

export async function setPlan(
  email: string,
  plan: Plan,
  context: AuditContext = UNSPECIFIED,
): Promise<PublicUser | null> {
  const before = await db().user.findUnique({ where: { email }, select: { plan: true } });
  if (!before) return null;
  const { count } = await db().user.updateMany({ where: { email }, data: { plan } });
  const user = count ? await db().user.findUnique({ where: { email }, select: publicUser }) : null;
  if (user) await ownerChanged(user.id, "account.plan", context, { before: before.plan, after: user.plan });
  return user;
}

export async function setSubscription(
  email: string,
  subscription: Subscription,
  context: AuditContext = UNSPECIFIED,
): Promise<PublicUser | null> {
  const before = await db().user.findUnique({ where: { email }, select: { subscription: true } });
  if (!before) return null;
  const { count } = await db().user.updateMany({ where: { email }, data: { subscription } });
  const user = count ? await db().user.findUnique({ where: { email }, select: publicUser }) : null;
  if (user) {
    await ownerChanged(user.id, "account.subscription", context, {
      before: before.subscription,
      after: user.subscription,
    });
  }
  return user;
}

const accountFields = {
  ...publicUser,
  rateLimitPerHour: true,
  timeZone: true,
  workStartHour: true,
  workEndHour: true,
} as const;
export type Account = Prisma.UserGetPayload<{ select: typeof accountFields }>;

/** The account with its limits and monitoring settings (plan page, usage summary). */
export function getAccount(id: number): Promise<Account | null> {
  return db().user.findUnique({ where: { id }, select: accountFields });
}

/** The account with its session version (lib/auth/session-revocation.ts), in one query. */
export function getAccountWithSessionVersion(id: number): Promise<(Account & { sessionVersion: number }) | null> {
  return db().user.findUnique({ where: { id }, select: { ...accountFields, sessionVersion: true } });
}

/**
 * Working hours decide when the off-hours alert fires, so a change can silence it: audited with
 * what they were and what they are.
 */
export async function updateWorkingHours(
  id: number,
  settings: { time_zone: string; work_start_hour: number; work_end_hour: number },
  context: AuditContext = UNSPECIFIED,
): Promise<Account | null> {
  const before = await getAccount(id);
  if (!before) return null;
  const { count } = await db().user.updateMany({
    where: { id },
    data: {
      timeZone: settings.time_zone,
      workStartHour: settings.work_start_hour,
      workEndHour: settings.work_end_hour,
    },
  });
  const after = count ? await getAccount(id) : null;
  if (after) {
    const hours = (a: Account) => ({
      time_zone: a.timeZone,
      work_start_hour: a.workStartHour,
      work_end_hour: a.workEndHour,
    });
    await recordAudit(id, "account.working_hours", context, {
      details: { before: hours(before), after: hours(after) },
    });
  }
  return after;
}

/** Enterprise only: a custom hourly limit; null restores the default. */
export async function setRateLimit(
  email: string,
  perHour: number | null,
  context: AuditContext = UNSPECIFIED,
): Promise<Account | null> {
  const before = await db().user.findUnique({ where: { email }, select: { rateLimitPerHour: true } });
  if (!before) return null;
  const { count } = await db().user.updateMany({ where: { email }, data: { rateLimitPerHour: perHour } });
  const account = count ? await db().user.findUnique({ where: { email }, select: accountFields }) : null;
  if (account) {
    await ownerChanged(account.id, "account.rate_limit", context, {
      before: before.rateLimitPerHour,
      after: account.rateLimitPerHour,
    });
  }
  return account;
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
