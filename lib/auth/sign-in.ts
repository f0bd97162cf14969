import { getConfig } from "../config/env";
import { throttleKeyPart, throttleStore } from "../limits/quota";
import { retryAfterSeconds } from "../limits/rate-limiter";
import { SIGN_IN_LIMITS, SIGN_UP_WINDOW_MS } from "../limits/sign-in-limits";
import { recordAudit } from "../audit/audit-log";
import type { AuditActor } from "../audit/audit-actions";
import { recordFailedSignIn } from "../audit/failed-sign-ins";
import { DomainError } from "../errors/domain-error";
import { budgetIp } from "../limits/ip-budget";
import { checkSecondFactor, startEnrolment, twoFactorEnabled } from "./two-factor";
import { checkCredentials, createUser, emailOf, recordSignIn, type PublicUser } from "./users";

export type SignInResult =
  | { ok: true; user: PublicUser }
  /** secondFactor: the password was right, and two-factor sign-in wants a code (required) or got a wrong one. */
  | { ok: false; throttled: false; secondFactor?: "required" | "invalid" }
  | { ok: false; throttled: true; retryAfterSeconds: number };

/** With two-factor sign-in on: a TOTP code, or a recovery code. */
export interface SecondFactor {
  totp_code?: string;
  recovery_code?: string;
}

/**
 * The one password check for REST logins and portal sign-ins. A failure is reserved in each
 * budget before the password is hashed, atomically in the store (check and count are one step),
 * so N parallel guesses get at most `failures` hashes between them, not N: with a peek before
 * the hash and the count after it, 60 parallel logins all passed the peek. The right password
 * gives its reservation back; sent once the budget is spent, it is refused like any guess.
 */
export async function signInWithPassword(
  email: string,
  password: string,
  ip: string,
  now = Date.now(),
  actor: AuditActor = "api",
  factor: SecondFactor = {},
): Promise<SignInResult> {
  const result = await checkPasswordWithinBudget(email, password, ip, now, actor);
  if (result.ok && (await twoFactorEnabled(result.user.id))) {
    if (factor.totp_code === undefined && factor.recovery_code === undefined) {
      return { ok: false, throttled: false, secondFactor: "required" };
    }
    try {
      await checkSecondFactor(result.user.id, factor, { actor, ip, userId: result.user.id }, now);
    } catch (error) {
      if (error instanceof DomainError && error.code === "second_factor_throttled") {
        return { ok: false, throttled: true, retryAfterSeconds: error.retryAfterSeconds ?? 900 };
      }
      if (error instanceof DomainError && error.code === "invalid_second_factor") {
        return { ok: false, throttled: false, secondFactor: "invalid" };
      }
      throw error;
    }
  }
  if (result.ok) {
    await Promise.all([
      recordSignIn(result.user.id, new Date(now)),
      recordAudit(result.user.id, "auth.sign_in", { actor, ip, userId: result.user.id }),
    ]);
  }
  return result;
}

/**
 * Re-authentication before an operator's most sensitive acts in the portal (a role change, a
 * suspension, ending someone's sessions): the signed-in account's password, checked within the
 * sign-in budgets (a wrong one counts as a guess, and is audited as one), so a session left open
 * on a shared screen cannot do them, nor guess its way there. Not a sign-in: no session starts.
 */
export async function confirmPassword(userId: number, password: string, ip: string, now = Date.now()): Promise<void> {
  const email = await emailOf(userId);
  const result = email ? await checkPasswordWithinBudget(email, password, ip, now, "portal") : null;
  if (result?.ok && result.user.id === userId) return;
  const wait = result && !result.ok && result.throttled ? result.retryAfterSeconds : undefined;
  throw new DomainError(
    "reauthentication_failed",
    wait === undefined
      ? "That password is not right; nothing was changed"
      : `Too many wrong passwords; try again in ${wait} s. Nothing was changed`,
  );
}

async function checkPasswordWithinBudget(
  email: string,
  password: string,
  ip: string,
  now: number,
  actor: AuditActor,
): Promise<SignInResult> {
  const client = budgetIp(ip);
  const limits = [
    { key: `login:${throttleKeyPart(`${email}|${client}`)}`, ...SIGN_IN_LIMITS.perEmailAndIp },
    { key: `login-ip:${throttleKeyPart(client)}`, ...SIGN_IN_LIMITS.perIp },
  ];
  const store = throttleStore();
  const reserved: typeof limits = [];
  for (const limit of limits) {
    const decision = await store.consume(limit.key, limit.failures, limit.windowMs, now);
    if (!decision.allowed) {
      // Not tried, so not a failure: the budgets reserved before this one are given back.
      for (const taken of reserved) await store.release(taken.key, taken.windowMs, now);
      return { ok: false, throttled: true, retryAfterSeconds: Number(retryAfterSeconds(decision)) };
    }
    reserved.push(limit);
  }
  const checked = await checkCredentials(email, password);
  if (checked.user) {
    for (const limit of limits) await store.release(limit.key, limit.windowMs, now);
    return { ok: true, user: checked.user };
  }
  if (checked.accountId !== null) await recordFailedSignIn(checked.accountId, { actor, ip }, now);
  return { ok: false, throttled: false };
}

/**
 * Creates an account, at most SIGNUPS_PER_IP_PER_HOUR per client IP: each costs a bcrypt hash,
 * and a flood of them is both a denial of service and a spam source. Counted before hashing.
 */
export async function signUp(input: Parameters<typeof createUser>[0], ip: string, now = Date.now()) {
  const limit = getConfig().signUpsPerIpPerHour;
  const decision = await throttleStore().consume(
    `signup:${throttleKeyPart(budgetIp(ip))}`,
    limit,
    SIGN_UP_WINDOW_MS,
    now,
  );
  if (!decision.allowed) {
    throw new DomainError(
      "sign_up_throttled",
      "Too many accounts created from this address; try again later",
      Number(retryAfterSeconds(decision)),
    );
  }
  return createUser(input);
}

/** POST /api/account/2fa and the account page: the current password, then a new pending secret. */
export async function startTwoFactor(userId: number, currentPassword: string, ip: string) {
  await confirmPassword(userId, currentPassword, ip);
  return startEnrolment(userId);
}
