/**
 * What the portal's sign-in form says for next-auth's error (shared by the server's authorize,
 * which throws THROTTLED_ERROR, and the client form, which has only the error's text).
 */

/** The error authorize throws for a throttled email/IP, followed by ":<seconds to wait>". */
export const THROTTLED_ERROR = "throttled";

/** The error authorize throws when the password was right and a two-factor code is wanted: ":required" or ":invalid". */
export const SECOND_FACTOR_ERROR = "second_factor";

/** Whether next-auth's error asks the form for its two-factor step. */
export function wantsSecondFactor(error: string | null | undefined): boolean {
  return (error ?? "").startsWith(`${SECOND_FACTOR_ERROR}:`);
}

export function signInErrorMessage(error: string | null | undefined): string {
  const [kind, seconds] = (error ?? "").split(":");
  if (kind === SECOND_FACTOR_ERROR) {
    return seconds === "invalid"
      ? "That code is not right, or was used already."
      : "Enter the code from your authenticator app, or a recovery code.";
  }
  if (kind === THROTTLED_ERROR) {
    const minutes = Math.max(1, Math.ceil(Number(seconds) / 60) || 1);
    return `Too many failed sign-ins. Wait ${minutes} minute${minutes === 1 ? "" : "s"} and try again.`;
  }
  return "Wrong email or password.";
}
