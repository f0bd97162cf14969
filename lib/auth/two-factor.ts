import crypto from "node:crypto";
import { generateSecret, generateURI, verify } from "otplib";
import { recordAudit } from "../audit/audit-log";
import type { AuditContext } from "../audit/audit-actions";
import { getConfig } from "../config/env";
import { db, Prisma } from "../db/client";
import { DomainError } from "../errors/domain-error";
import { MINUTE_MS } from "../format/time";
import { throttleStore } from "../limits/quota";
import { retryAfterSeconds } from "../limits/rate-limiter";

/**
 * Two-factor sign-in with TOTP (RFC 6238, through otplib: the maintained implementation, with
 * constant-time comparison and the time step of a match for replay protection). The secret is
 * stored encrypted; recovery codes only as digests. Code guesses are capped per account, whatever
 * the address (a distributed guesser gets no more), and a code's time step is accepted once.
 */

const ISSUER = "Key Portal";
const TWO_FACTOR_ON = "Two-factor sign-in is on; turn it off with a code first to set up a new authenticator";
/** 5 wrong codes per account per 15 minutes. */
const CODE_GUESSES = { failures: 5, windowMs: 15 * MINUTE_MS } as const;
const RECOVERY_CODES = 10;
// One step either side: an authenticator's clock a little off still works.
const TOLERANCE_SECONDS = 30;

function keyFor(purpose: string): Buffer {
  return crypto.createHmac("sha256", getConfig().keyPepper).update(purpose).digest();
}

/** AES-256-GCM: a database dump alone does not give anyone the accounts' second factors. */
function seal(secret: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv("aes-256-gcm", keyFor("totp-secret-encryption"), iv);
  const sealed = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
  return `v1.${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString("base64url")}`;
}

function open(stored: string): string {
  const raw = Buffer.from(stored.slice(3), "base64url");
  const decipher = crypto.createDecipheriv("aes-256-gcm", keyFor("totp-secret-encryption"), raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
}

const recoveryDigest = (code: string) =>
  crypto.createHmac("sha256", keyFor("recovery-code")).update(code.replace(/[\s-]/g, "").toLowerCase()).digest("hex");

/** Ten codes of 10 base32 characters (50 bits each), shown as xxxxx-xxxxx. */
function newRecoveryCodes(): string[] {
  const alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  return Array.from({ length: RECOVERY_CODES }, () => {
    const chars = Array.from(crypto.randomBytes(10), (byte) => alphabet[byte % 32]).join("");
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

export async function twoFactorEnabled(userId: number): Promise<boolean> {
  const row = await db().user.findUnique({ where: { id: userId }, select: { totpSecret: true } });
  return Boolean(row?.totpSecret);
}

/**
 * Starts an enrolment (its callers check the current password first: lib/auth/sign-in.ts's
 * startTwoFactor): a new secret, kept as pending until a code from it is confirmed; 2FA, if on,
 * stays as it was until then.
 */
export async function startEnrolment(userId: number): Promise<{ secret: string; otpauth_url: string }> {
  const user = await db().user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, totpSecret: true } });
  // Replacing a second factor must take that factor: with the password alone, someone holding a
  // session and the password could swap in their own authenticator. Turning it off takes a code.
  if (user.totpSecret) throw new DomainError("two_factor_on", TWO_FACTOR_ON);
  const secret = generateSecret();
  await db().user.update({ where: { id: userId }, data: { totpPendingSecret: seal(secret) } });
  return { secret, otpauth_url: generateURI({ issuer: ISSUER, label: user.email, secret }) };
}

/** Counts a guess against the account's cap before it is checked; a right one is given back. */
async function guarded<T>(userId: number, check: () => Promise<T | null>, now: number): Promise<T | null> {
  const key = `second-factor:${userId}`;
  const store = throttleStore();
  const decision = await store.consume(key, CODE_GUESSES.failures, CODE_GUESSES.windowMs, now);
  if (!decision.allowed) {
    throw new DomainError(
      "second_factor_throttled",
      "Too many wrong codes; try again later",
      Number(retryAfterSeconds(decision)),
    );
  }
  const result = await check();
  if (result !== null) await store.release(key, CODE_GUESSES.windowMs, now);
  return result;
}

/**
 * A TOTP code against `sealed`: the step it matched, or null. `afterStep`: steps up to it were
 * used already. The step is then claimed in one conditional write, so the same code sent twice
 * at once is accepted once.
 */
async function acceptTotp(
  userId: number,
  sealed: string,
  code: string,
  afterStep: number | null,
  now: number,
): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  const epoch = Math.floor(now / 1000);
  // A step past the next one was claimed on an instance whose clock runs ahead: no code of this
  // clock's window can follow it (and otplib refuses such an afterTimeStep with an error).
  if (afterStep !== null && afterStep > Math.floor(epoch / 30) + 1) return null;
  const result = await verify({
    secret: open(sealed),
    token: code,
    epoch,
    epochTolerance: TOLERANCE_SECONDS,
    ...(afterStep === null ? {} : { afterTimeStep: afterStep }),
  });
  if (!result.valid) return null;
  // The matching period: the current one, `delta` periods away (30-second periods, otplib's default).
  const step = Math.floor(epoch / 30) + result.delta;
  const claimed = await db().$executeRaw(Prisma.sql`
    UPDATE users SET totp_last_step = ${step}
    WHERE id = ${userId} AND (totp_last_step IS NULL OR totp_last_step < ${step})`);
  return claimed === 1 ? step : null;
}

/** Confirms the pending enrolment with a code from it: 2FA is on, and the recovery codes (shown once) are new. */
export async function confirmEnrolment(
  userId: number,
  code: string,
  context: AuditContext,
  now = Date.now(),
): Promise<{ recovery_codes: string[] }> {
  const user = await db().user.findUniqueOrThrow({
    where: { id: userId },
    select: { totpPendingSecret: true, totpSecret: true },
  });
  if (user.totpSecret) throw new DomainError("two_factor_on", TWO_FACTOR_ON);
  if (!user.totpPendingSecret) {
    throw new DomainError("no_enrolment", "Start two-factor enrolment first (POST /api/account/2fa)");
  }
  const pending = user.totpPendingSecret;
  // A new secret starts its own steps: earlier ones were another secret's.
  const step = await guarded(userId, () => acceptTotp(userId, pending, code, null, now), now);
  if (step === null) {
    await recordAudit(userId, "auth.second_factor_failed", context, { details: { during: "enrolment" } });
    throw new DomainError("invalid_second_factor", "That code is not right");
  }
  const codes = newRecoveryCodes();
  await db().$transaction([
    db().user.update({
      where: { id: userId },
      data: { totpSecret: pending, totpPendingSecret: null, totpLastStep: step },
    }),
    db().recoveryCode.deleteMany({ where: { userId } }),
    db().recoveryCode.createMany({ data: codes.map((value) => ({ userId, digest: recoveryDigest(value) })) }),
  ]);
  await recordAudit(userId, "account.two_factor_enabled", context);
  return { recovery_codes: codes };
}

/**
 * The second factor of a sign-in or of turning 2FA off: a TOTP code (each time step once) or an
 * unused recovery code (then used up). Wrong ones count against the account's cap and are
 * audited. Throws invalid_second_factor or second_factor_throttled.
 */
export async function checkSecondFactor(
  userId: number,
  factor: { totp_code?: string; recovery_code?: string },
  context: AuditContext,
  now = Date.now(),
): Promise<void> {
  const user = await db().user.findUniqueOrThrow({
    where: { id: userId },
    select: { totpSecret: true, totpLastStep: true },
  });
  const sealed = user.totpSecret;
  if (!sealed) return;
  const accepted = await guarded(
    userId,
    async () => {
      if (factor.totp_code !== undefined) {
        return acceptTotp(userId, sealed, factor.totp_code, user.totpLastStep, now);
      }
      if (factor.recovery_code !== undefined) {
        const { count } = await db().recoveryCode.updateMany({
          where: { userId, digest: recoveryDigest(factor.recovery_code), usedAt: null },
          data: { usedAt: new Date(now) },
        });
        return count === 1 ? "recovery" : null;
      }
      return null;
    },
    now,
  );
  if (accepted === null) {
    await recordAudit(userId, "auth.second_factor_failed", context, {
      details: { kind: factor.recovery_code !== undefined ? "recovery_code" : "totp_code" },
    });
    throw new DomainError("invalid_second_factor", "That code is not right");
  }
  if (accepted === "recovery") await recordAudit(userId, "auth.recovery_code_used", context);
}

/** Turns 2FA off with a TOTP or recovery code; the recovery codes go with it. */
export async function disableTwoFactor(
  userId: number,
  code: string,
  context: AuditContext,
  now = Date.now(),
): Promise<void> {
  if (!(await twoFactorEnabled(userId))) throw new DomainError("no_enrolment", "Two-factor sign-in is not on");
  const factor = /^\d{6}$/.test(code) ? { totp_code: code } : { recovery_code: code };
  await checkSecondFactor(userId, factor, context, now);
  await db().$transaction([
    db().user.update({
      where: { id: userId },
      data: { totpSecret: null, totpPendingSecret: null, totpLastStep: null },
    }),
    db().recoveryCode.deleteMany({ where: { userId } }),
  ]);
  await recordAudit(userId, "account.two_factor_disabled", context);
}
