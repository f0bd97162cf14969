/**
 * Key writes the data layer refuses for a reason the caller can fix. The data layer says what
 * happened; the route edge (lib/http/errors.ts: apiErrorFor) gives it its status and envelope.
 */

/** Another key of the account has this name, case aside (a 409). */
export class KeyNameTakenError extends Error {}

/** The plan's key limit is reached (a 403, with the reference's message). */
export class KeyLimitError extends Error {}

/** The key was rotated already: only its replacement can be rotated (a 409). */
export class KeyAlreadyRotatedError extends Error {}
