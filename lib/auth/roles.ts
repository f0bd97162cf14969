import { recordAudit } from "../audit/audit-log";
import { UNSPECIFIED, type AuditContext } from "../audit/audit-actions";
import { db, Prisma } from "../db/client";
import { lockRows, serializedWrite } from "../db/sql-dialect";
import { DomainError } from "../errors/domain-error";

/**
 * Accounts are users (their own keys and usage) or operators (also the routes the keys guard and
 * the service tokens that verify keys). The role is read from the database at every request
 * that needs it, never carried in a token: a demotion takes effect at the operator's next call.
 */
export const ROLES = ["user", "operator"] as const;
export type Role = (typeof ROLES)[number];

/** The account's role, or null when the account does not exist. */
export async function roleOf(userId: number): Promise<Role | null> {
  const row = await db().user.findUnique({ where: { id: userId }, select: { role: true } });
  return row ? (row.role as Role) : null;
}

/**
 * Sets an account's role, audited as `account.role`. The last operator cannot be demoted: with
 * none left, nobody could manage routes or service tokens (nor promote anyone from the portal).
 * One statement, serialized with other role changes on PostgreSQL, so two operators demoting
 * each other at the same moment cannot both succeed. Null when no account has this email.
 */
export async function setRole(
  email: string,
  role: Role,
  context: AuditContext = UNSPECIFIED,
): Promise<{ id: number; email: string; role: Role } | null> {
  const before = await db().user.findUnique({ where: { email }, select: { id: true, role: true } });
  if (!before) return null;
  const changed = await serializedWrite(
    lockRows(Prisma.sql`SELECT id FROM users WHERE role = 'operator'`),
    Prisma.sql`UPDATE users SET role = ${role} WHERE email = ${email}
      AND (${role} = 'operator' OR role <> 'operator'
        OR (SELECT COUNT(*) FROM users WHERE role = 'operator') > 1)`,
  );
  if (!changed) throw new DomainError("last_operator", "The last operator cannot be demoted; promote another first");
  if (before.role !== role) {
    await recordAudit(before.id, "account.role", context, { details: { before: before.role, after: role } });
  }
  return { id: before.id, email, role };
}
