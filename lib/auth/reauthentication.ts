import { getConfig } from "../config/env";
import { backgroundDb, db } from "../db/client";
import { DomainError } from "../errors/domain-error";
import type { AuditContext } from "../audit/audit-actions";
import { confirmPassword } from "./sign-in";
import { checkSecondFactor, twoFactorEnabled } from "./two-factor";

/**
 * Sudo mode (GitHub's name): the portal's most sensitive acts — generate, rotate, delete a key,
 * change the status of one reported leaked, invite a member or change a member's role — want the
 * password (or a two-factor code) entered within the last REAUTH_WINDOW_SECONDS of that session,
 * so a session left open on a shared screen, or a stolen cookie, cannot mint or destroy
 * credentials, nor bring in an account that would. Signing in counts (its time is in the session's
 * signed cookie); entering the password again later is a row per session here, in the database
 * so that every instance sees it. REST is not affected: the reference lets a Bearer token do these.
 */

/** A portal session as its cookie names it: its id and when it signed in (epoch seconds; absent on older cookies). */
export interface SessionProof {
  sid: string;
  authTime?: number;
}

/** Whether the session signed in, or proved its account again, within the window. */
export async function recentlyAuthenticated(session: SessionProof, now = Date.now()): Promise<boolean> {
  const since = now - getConfig().reauthWindowMs;
  if (session.authTime !== undefined && session.authTime * 1000 > since) return true;
  const row = await db().sessionReauthentication.findUnique({
    where: { sid: session.sid },
    select: { confirmedAt: true },
  });
  return row !== null && row.confirmedAt.getTime() > since;
}

/** What the dialog sends: the password, or a code of the authenticator app (with two-factor sign-in on). */
export type Proof = { password: string } | { code: string };

/**
 * Checks the proof and opens the window for this session. A wrong password counts against the
 * sign-in budgets and a wrong code against the account's two-factor cap, as at sign-in, so the
 * dialog is no oracle for guessing either.
 */
export async function reauthenticate(
  userId: number,
  session: SessionProof,
  proof: Proof,
  context: AuditContext,
  now = Date.now(),
): Promise<void> {
  if ("password" in proof) {
    await confirmPassword(userId, proof.password, context.ip ?? "unknown", now);
  } else {
    // Without two-factor sign-in there is no code to check (checkSecondFactor would let it by).
    if (!(await twoFactorEnabled(userId))) {
      throw new DomainError("reauthentication_failed", "Two-factor sign-in is off: enter your password");
    }
    await checkSecondFactor(userId, { totp_code: proof.code }, context, now);
  }
  await recordReauthentication(session.sid, now);
}

/** The session proved its account: its window starts now. */
async function recordReauthentication(sid: string, now = Date.now()): Promise<void> {
  const confirmedAt = new Date(now);
  await db().sessionReauthentication.upsert({ where: { sid }, create: { sid, confirmedAt }, update: { confirmedAt } });
}

/** Rows whose window has passed prove nothing any more; the hourly purge takes them. */
export async function purgeStaleReauthentications(now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - getConfig().reauthWindowMs);
  const { count } = await backgroundDb().sessionReauthentication.deleteMany({ where: { confirmedAt: { lt: before } } });
  return count;
}
