import { recordAudit } from "../audit/audit-log";
import type { AuditContext } from "../audit/audit-actions";
import { db } from "../db/client";
import { hashPassword } from "./passwords";
import { endSessionsWrites } from "./session-revocation";
import { confirmPassword } from "./sign-in";

/**
 * Changes the account's password (PUT /api/account/password and the portal's account page). The
 * current password is checked within the sign-in budgets (a wrong one is a guess like any other),
 * then every other way into the account ends: every portal session (the session version moves on)
 * and every REST login but `keepFamily`, the caller's own (its refresh token and access tokens go
 * on), and every unused reset link. The portal's caller signs in again with the new password in the same step. Audited as
 * `account.password` with how many other logins ended; never the password.
 */
export async function changePassword(
  userId: number,
  input: { current_password: string; new_password: string },
  keepFamily: string | null,
  context: AuditContext,
): Promise<{ otherLoginsEnded: number }> {
  await confirmPassword(userId, input.current_password, context.ip ?? "unknown");
  const passwordHash = await hashPassword(input.new_password);
  const [, logins] = await db().$transaction([
    ...endSessionsWrites(userId, { user: { passwordHash }, keepFamily }),
    // A reset link issued before the change (perhaps to whoever the owner now shuts out) lapses.
    db().passwordReset.updateMany({ where: { userId, usedAt: null }, data: { usedAt: new Date() } }),
  ]);
  await recordAudit(userId, "account.password", context, { details: { other_logins_ended: logins.count } });
  return { otherLoginsEnded: logins.count };
}
