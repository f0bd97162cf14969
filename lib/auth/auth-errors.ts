/**
 * Account writes the auth domain refuses for a reason the caller can act on. The domain says
 * what happened; the route edge (lib/http/errors.ts: apiErrorFor) gives it its status.
 */

/** An account with this email exists already (a 409). */
export class EmailTakenError extends Error {}

/** Too many sign-ups from one client address (a 429 with Retry-After). */
export class SignUpThrottledError extends Error {
  constructor(
    message: string,
    /** Whole seconds until one more sign-up would be admitted. */
    readonly retryAfterSeconds: string,
  ) {
    super(message);
  }
}
