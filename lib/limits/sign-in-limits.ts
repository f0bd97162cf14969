import { HOUR_MS, MINUTE_MS } from "../format/time";

/**
 * Online guessing limits (numbers in the README):
 * - per email and client IP: 10 failed passwords in a sliding 5 minutes. Short on purpose:
 *   whoever shares the victim's IP (an office, a carrier NAT) can lock that email out, but
 *   only for minutes.
 * - per client IP across all emails: 30 failed passwords in a sliding 15 minutes, so spraying
 *   one common password over many accounts is slowed as much as guessing one account's.
 * Only failures count: a user who types the password right is never held back by successes.
 */
export const SIGN_IN_LIMITS = {
  perEmailAndIp: { failures: 10, windowMs: 5 * MINUTE_MS },
  perIp: { failures: 30, windowMs: 15 * MINUTE_MS },
} as const;

/** Sign-ups per client address are counted over this window (SIGNUPS_PER_IP_PER_HOUR). */
export const SIGN_UP_WINDOW_MS = HOUR_MS;
