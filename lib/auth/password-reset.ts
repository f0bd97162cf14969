import crypto from "node:crypto";
import { recordAudit } from "../audit/audit-log";
import type { AuditContext } from "../audit/audit-actions";
import { getConfig } from "../config/env";
import { db, Prisma } from "../db/client";
import { DomainError } from "../errors/domain-error";
import { HOUR_MS } from "../format/time";
import { budgetIp } from "../limits/ip-budget";
import { throttleKeyPart, throttleStore } from "../limits/quota";
import { log } from "../log/logger";
import { mailConfigured, sendMail } from "../mail/mailer";
import { hashPassword } from "./passwords";
import { endSessionsWrites } from "./session-revocation";

/**
 * A way back into an account whose password is lost: a one-time link from the operator
 * (npm run admin -- reset-link) or, with SMTP_URL set, mailed from the "Forgot password?" form.
 * Only the token's SHA-256 is stored; it works once, for an hour. Using it sets the password and
 * ends every session and REST login; two-factor sign-in stays on (the code is still asked).
 */
const TOKEN_PREFIX = "rst_";
const VALID_MS = HOUR_MS;
/** Mails per email address, and per client address, per hour: "Forgot password?" must not flood mailboxes. */
const MAILS_PER_HOUR = 3;
const REQUESTS_PER_IP_PER_HOUR = 10;

const digestOf = (token: string) => crypto.createHash("sha256").update(token).digest("hex");

/**
 * The link: the portal's public URL (NEXTAUTH_URL), never a request's Host header (which a caller
 * sets); the token in the fragment, which browsers send to no server, so no access log keeps it.
 */
const resetUrl = (token: string) => `${getConfig().portalUrl}/reset-password#${token}`;

/** A new link for the account with this email, or null when there is none. */
export async function createResetLink(
  email: string,
  now = Date.now(),
): Promise<{ userId: number; url: string; expiresAt: Date } | null> {
  const user = await db().user.findUnique({ where: { email }, select: { id: true } });
  if (!user) return null;
  const token = `${TOKEN_PREFIX}${crypto.randomBytes(32).toString("base64url")}`;
  const expiresAt = new Date(now + VALID_MS);
  await db().passwordReset.create({ data: { userId: user.id, digest: digestOf(token), expiresAt } });
  return { userId: user.id, url: resetUrl(token), expiresAt };
}

/**
 * "Forgot password?": mails a link when mail is set up and the account exists, at most
 * MAILS_PER_HOUR an hour per email and REQUESTS_PER_IP_PER_HOUR per client. The caller answers
 * the same in every case, before this has run (startResetByMail), so neither the answer nor its
 * time tells whether the account exists.
 */
async function requestResetByMail(email: string, ip: string, now: number): Promise<void> {
  if (!mailConfigured()) return;
  const store = throttleStore();
  if (
    !(await store.consume(`reset-ip:${throttleKeyPart(budgetIp(ip))}`, REQUESTS_PER_IP_PER_HOUR, HOUR_MS, now)).allowed
  ) {
    return;
  }
  if (!(await store.consume(`reset-mail:${throttleKeyPart(email)}`, MAILS_PER_HOUR, HOUR_MS, now)).allowed) return;
  const link = await createResetLink(email, now);
  if (!link) return;
  await sendMail({
    to: email,
    subject: "Reset your Key Portal password",
    text: `Someone asked to reset the password of your Key Portal account.\n\nTo choose a new password, open this link within an hour (it works once):\n${link.url}\n\nIf it was not you, ignore this mail: your password stays as it is.`,
  });
}

/**
 * Sets a new password with a link's token: refused (400) when the token is unknown, used or
 * expired, all alike. The token is claimed in one conditional write, so two uses at once cannot
 * both succeed; every other unused link of the account lapses with it.
 */
export async function resetPassword(
  token: string,
  newPassword: string,
  context: AuditContext,
  now = Date.now(),
): Promise<void> {
  const digest = digestOf(token);
  const claimed = await db().$executeRaw(Prisma.sql`
    UPDATE password_resets SET used_at = ${new Date(now)}
    WHERE digest = ${digest} AND used_at IS NULL AND expires_at > ${new Date(now)}`);
  const row =
    claimed === 1 ? await db().passwordReset.findUnique({ where: { digest }, select: { userId: true } }) : null;
  if (!row)
    throw new DomainError("invalid_reset_link", "This reset link is invalid, used or expired; ask for a new one");
  const passwordHash = await hashPassword(newPassword);
  const [, logins] = await db().$transaction([
    ...endSessionsWrites(row.userId, { user: { passwordHash }, now: new Date(now) }),
    db().passwordReset.updateMany({ where: { userId: row.userId, usedAt: null }, data: { usedAt: new Date(now) } }),
  ]);
  await recordAudit(
    row.userId,
    "account.password_reset",
    { ...context, userId: row.userId },
    {
      details: { logins_ended: logins.count },
    },
  );
}

/** Starts "Forgot password?"'s work without waiting for it; a failure is logged (a mail is a courtesy). */
export function startResetByMail(email: string, ip: string, now = Date.now()): Promise<void> {
  return requestResetByMail(email, ip, now).catch((error: unknown) => {
    log().error({ err: error }, "[reset] could not mail a reset link");
  });
}
