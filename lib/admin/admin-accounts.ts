import type { AuditContext } from "../audit/audit-actions";
import { setRole, type Role } from "../auth/roles";
import { signOutEverywhere } from "../auth/session-revocation";
import { db, Prisma } from "../db/client";
import { containsText } from "../db/sql-dialect";

/**
 * The operator's accounts (issue 25): find one by email or username, see where it is a member and
 * when it last signed in, promote or demote it, and end all of its sessions. Operators only (the
 * handlers and the console's pages check the role per request).
 */

export interface AdminAccount {
  id: number;
  email: string;
  username: string;
  role: Role;
  organizations: Array<{ id: number; name: string; role: string; personal: boolean }>;
  /** Whether two-factor sign-in is on (never the secret). */
  two_factor: boolean;
  created_at: string;
  last_sign_in_at: string | null;
}

/** A page of accounts, newest first, whose email or username contains `q`, and how many match. */
export async function listAdminAccounts(query: {
  q?: string;
  page: number;
  per_page: number;
}): Promise<{ items: AdminAccount[]; total: number }> {
  const where = query.q ? containsText(["u.email", "u.username"], query.q) : Prisma.sql`true`;
  const [page, [count]] = await Promise.all([
    db().$queryRaw<Array<{ id: number | bigint }>>`
      SELECT u.id FROM users u WHERE ${where} ORDER BY u.id DESC
      LIMIT ${query.per_page} OFFSET ${(query.page - 1) * query.per_page}`,
    db().$queryRaw<Array<{ n: number | bigint }>>`SELECT COUNT(*) AS n FROM users u WHERE ${where}`,
  ]);
  return { items: await describeAccounts(page.map((row) => Number(row.id))), total: Number(count.n) };
}

export async function getAdminAccount(id: number): Promise<AdminAccount | null> {
  const [account] = await describeAccounts([id]);
  return account ?? null;
}

/** The account with this email, for the CLI (which names accounts by email). */
export async function accountIdByEmail(email: string): Promise<number | null> {
  const row = await db().user.findUnique({ where: { email }, select: { id: true } });
  return row?.id ?? null;
}

async function describeAccounts(ids: number[]): Promise<AdminAccount[]> {
  if (!ids.length) return [];
  const [users, memberships] = await Promise.all([
    db().user.findMany({
      where: { id: { in: ids } },
      select: {
        id: true,
        email: true,
        username: true,
        role: true,
        createdAt: true,
        lastSignInAt: true,
        totpSecret: true,
      },
    }),
    db().membership.findMany({
      where: { userId: { in: ids } },
      select: {
        userId: true,
        role: true,
        organization: { select: { id: true, name: true, personalUserId: true } },
      },
      orderBy: [{ createdAt: "asc" }, { organizationId: "asc" }],
    }),
  ]);
  const byId = new Map(users.map((user) => [user.id, user]));
  return ids.flatMap((id) => {
    const user = byId.get(id);
    if (!user) return [];
    return [
      {
        id,
        email: user.email,
        username: user.username,
        role: user.role as Role,
        organizations: memberships
          .filter((membership) => membership.userId === id)
          .map(({ role, organization }) => ({
            id: organization.id,
            name: organization.name,
            role,
            personal: organization.personalUserId !== null,
          })),
        two_factor: user.totpSecret !== null,
        created_at: user.createdAt.toISOString(),
        last_sign_in_at: user.lastSignInAt?.toISOString() ?? null,
      },
    ];
  });
}

/**
 * Promotes or demotes an account (audited on its personal organization as `account.role`); the
 * last operator cannot be demoted (DomainError last_operator, a 409). Null: no such account.
 */
export async function changeAccountRole(id: number, role: Role, context: AuditContext): Promise<AdminAccount | null> {
  const row = await db().user.findUnique({ where: { id }, select: { email: true } });
  if (!row || !(await setRole(row.email, role, context))) return null;
  return getAdminAccount(id);
}

/**
 * Ends every portal session and REST login of the account at once (audited on its personal
 * organization, with the operator as actor). False: no such account.
 */
export async function signOutAccount(id: number, context: AuditContext): Promise<boolean> {
  if (!(await db().user.count({ where: { id } }))) return false;
  await signOutEverywhere(id, context);
  return true;
}

/** Emails of accounts by id, for the console's audit lines (which operator or member acted). */
export async function accountEmails(ids: number[]): Promise<Map<number, string>> {
  if (!ids.length) return new Map();
  const rows = await db().user.findMany({
    where: { id: { in: [...new Set(ids)] } },
    select: { id: true, email: true },
  });
  return new Map(rows.map((row) => [row.id, row.email]));
}
