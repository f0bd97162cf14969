import crypto from "node:crypto";
import { throttleStore } from "../limits/quota";
import { verifyCredentials, type PublicUser } from "./users";

/** Failed password attempts allowed per (email, IP) in a sliding 15 minutes. */
export const LOGIN_FAILURES_ALLOWED = 10;
export const LOGIN_WINDOW_MS = 15 * 60_000;

export type SignInResult = { ok: true; user: PublicUser } | { ok: false; throttled: boolean };

/**
 * The one password check for REST logins and portal sign-ins. Online guessing is slowed to
 * LOGIN_FAILURES_ALLOWED per window for each email from each IP; only failures count, so a
 * user who types the password right is never held back by earlier successes.
 */
export async function signInWithPassword(
  email: string,
  password: string,
  ip: string,
  now = Date.now(),
): Promise<SignInResult> {
  // Hashed: the key may be stored in a shared Redis, which has no business holding emails.
  const key = `login:${crypto.createHash("sha256").update(`${email}|${ip}`).digest("base64url")}`;
  if ((await throttleStore().peek(key, LOGIN_WINDOW_MS, now)) >= LOGIN_FAILURES_ALLOWED)
    return { ok: false, throttled: true };
  const user = await verifyCredentials(email, password);
  if (user) return { ok: true, user };
  await throttleStore().consume(key, LOGIN_FAILURES_ALLOWED, LOGIN_WINDOW_MS, now);
  return { ok: false, throttled: false };
}
