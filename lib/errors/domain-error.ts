/**
 * What a domain refuses for a reason the caller can act on, as one type: the domain says what
 * happened (a code and a message safe to show); the edge (lib/http/errors.ts: apiErrorFor) alone
 * decides the HTTP status and headers. Anything that is not a DomainError is unexpected.
 */
export type DomainErrorCode =
  /** A webhook URL that must not be called (a private or local address, or not http(s)). */
  | "webhook_target_refused"
  /** Two rotations of one webhook secret at once: the other one won. */
  | "webhook_rotated_concurrently"
  /** Another key of the account has this name, case aside. */
  | "key_name_taken"
  /** The plan's key limit is reached (the reference's message). */
  | "key_limit_reached"
  /** The key was rotated already: only its replacement can be rotated. */
  | "key_already_rotated"
  /** An account with this email exists already. */
  | "email_taken"
  /** Too many sign-ups from one client address; `retryAfterSeconds` says when to try again. */
  | "sign_up_throttled"
  /** The last operator would be left with none. */
  | "last_operator"
  /** Another route has this slug. */
  | "route_slug_taken"
  /** The reference's sample routes are read-only. */
  | "route_built_in"
  /** A route change the schema alone cannot judge (it depends on the stored route). */
  | "invalid_route"
  /** The account owns as many Free organizations as it may. */
  | "organization_limit"
  /** No such organization, or the caller is not a member of it (the two are not told apart). */
  | "organization_not_found"
  /** A personal organization is never shared, left or deleted. */
  | "personal_organization"
  /** No such member in the organization. */
  | "member_not_found"
  /** Granting, changing or removing the owner role takes an owner. */
  | "owner_role_required"
  /** The change would leave the organization with no owner. */
  | "last_owner"
  /** The member named cannot take this change (transferring to oneself). */
  | "invalid_member"
  /** No invitation has this token, or it was revoked. */
  | "invitation_not_found"
  /** The invitation was accepted already (single use). */
  | "invitation_used"
  /** The invitation lapsed (seven days). */
  | "invitation_expired"
  /** The invitation names another email address. */
  | "invitation_email_mismatch"
  /** The caller is a member of the organization already. */
  | "already_member"
  /** A sensitive act asked for the password again, and it was wrong (or guessed too often). */
  | "reauthentication_failed"
  /** Sudo mode: the portal session entered no password (or code) within the window; ask, then retry. */
  | "reauthentication_required"
  /** A two-factor code (TOTP or recovery) that is wrong, used already, or of a used time step. */
  | "invalid_second_factor"
  /** Too many wrong two-factor codes for the account; `retryAfterSeconds` says when to try again. */
  | "second_factor_throttled"
  /** No two-factor enrolment to confirm, or none to turn off. */
  | "no_enrolment"
  /** Two-factor sign-in is on: a new enrolment would replace it without a code (turn it off first). */
  | "two_factor_on"
  /** A password reset token that is unknown, used or expired (not told apart). */
  | "invalid_reset_link";

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** Whole seconds until the refused action would be admitted, where waiting helps. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

/** Whether `error` is the domain's refusal with this code. */
export const isDomainError = (error: unknown, code: DomainErrorCode): error is DomainError =>
  error instanceof DomainError && error.code === code;
