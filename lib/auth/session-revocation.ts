import { recordAudit } from "../audit/audit-log";
import { UNSPECIFIED, type AuditContext } from "../audit/audit-actions";
import { backgroundDb, db } from "../db/client";

/**
 * Portal sessions are JWT cookies (next-auth); these make them end when the user says so. Each
 * carries, from sign-in, a random session id (`sid`) and the account's session version (`sv`):
 * signing out records the id as revoked, and "sign out everywhere" increments the version, so
 * a copied cookie stops working at once instead of living out its 24 hours.
 */

export async function sessionVersionOf(userId: number): Promise<number | null> {
  const user = await db().user.findUnique({ where: { id: userId }, select: { sessionVersion: true } });
  return user?.sessionVersion ?? null;
}

/** Whether this session was signed out. */
export async function sessionRevoked(sid: string): Promise<boolean> {
  return (await db().revokedSession.findUnique({ where: { sid }, select: { sid: true } })) !== null;
}

/** Whether a session of `userId` with this id and version is still good (account there, not signed out). */
export async function sessionIsCurrent(userId: number, sid: string, version: number): Promise<boolean> {
  const [current, revoked] = await Promise.all([sessionVersionOf(userId), sessionRevoked(sid)]);
  return current === version && !revoked;
}

/** Signed out: this session's cookie is refused until it would have expired anyway. */
export async function revokeSession(sid: string, expiresAt: Date): Promise<void> {
  await db().revokedSession.upsert({ where: { sid }, create: { sid, expiresAt }, update: {} });
}

/**
 * The two writes that end every portal session of the account (its session version) and every
 * REST login (refresh families and their access tokens; `keepFamily`'s excepted), for the
 * caller's transaction: sign out everywhere, a password change, a reset. `user` is written with
 * the version (a new password hash). The second write's count is how many logins ended.
 */
export function endSessionsWrites(
  userId: number,
  {
    user = {},
    keepFamily = null,
    now = new Date(),
  }: { user?: { passwordHash?: string }; keepFamily?: string | null; now?: Date } = {},
) {
  return [
    db().user.update({ where: { id: userId }, data: { ...user, sessionVersion: { increment: 1 } } }),
    db().refreshToken.updateMany({
      where: { userId, revokedAt: null, ...(keepFamily === null ? {} : { familyId: { not: keepFamily } }) },
      data: { revokedAt: now },
    }),
  ] as const;
}

/** Every portal session of the account ends, and every REST login (refresh family and its access tokens). */
export async function signOutEverywhere(userId: number, context: AuditContext = UNSPECIFIED): Promise<void> {
  const [, logins] = await db().$transaction([...endSessionsWrites(userId)]);
  await recordAudit(userId, "auth.sign_out_everywhere", context, {
    details: { refresh_tokens_revoked: logins.count },
  });
}

/** A signed-out session past its expiry could not be presented anyway. */
export async function purgeExpiredRevokedSessions(now = new Date()): Promise<number> {
  const { count } = await backgroundDb().revokedSession.deleteMany({ where: { expiresAt: { lt: now } } });
  return count;
}
