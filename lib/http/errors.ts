import { isDatabaseUnavailable } from "../db/errors";
import { DomainError, type DomainErrorCode } from "../errors/domain-error";
import { log } from "../log/logger";
import { metrics } from "../metrics/metrics";

/** An error whose message is safe to show the caller; anything else becomes a generic 500. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

// The reference's exact bodies. One message for every authentication failure, so the API is
// not an oracle for which keys, users or tokens exist.
export const UNAUTHENTICATED_MESSAGE = "Invalid or missing authentication";
export const FORBIDDEN_MESSAGE = "Insufficient permissions";

export const badRequest = (message: string) => new ApiError(400, message);
export const unauthenticated = () => new ApiError(401, UNAUTHENTICATED_MESSAGE);
export const forbidden = () => new ApiError(403, FORBIDDEN_MESSAGE);
export const notFound = (message = "Not found") => new ApiError(404, message);

/** The status each domain refusal answers with: the one place a domain code meets HTTP. */
const DOMAIN_STATUS: Record<DomainErrorCode, number> = {
  webhook_target_refused: 400,
  webhook_rotated_concurrently: 409,
  key_name_taken: 409,
  key_already_rotated: 409,
  email_taken: 409,
  // The reference answers a reached key limit with a 403.
  key_limit_reached: 403,
  sign_up_throttled: 429,
  last_operator: 409,
  route_slug_taken: 409,
  route_built_in: 409,
  invalid_route: 400,
  organization_limit: 403,
  organization_not_found: 404,
  personal_organization: 409,
  member_not_found: 404,
  owner_role_required: 403,
  last_owner: 409,
  invalid_member: 400,
  invitation_not_found: 404,
  invitation_used: 409,
  // Gone: the token was real, and asking again will not help; a new invitation will.
  invitation_expired: 410,
  invitation_email_mismatch: 403,
  already_member: 409,
  reauthentication_failed: 403,
  reauthentication_required: 401,
  invalid_second_factor: 403,
  second_factor_throttled: 429,
  no_enrolment: 409,
  two_factor_on: 409,
  invalid_reset_link: 400,
};

/** What the caller is told for an error it can act on (a domain error of the data layer included); null for anything else. */
export function apiErrorFor(error: unknown): ApiError | null {
  if (error instanceof ApiError) return error;
  if (error instanceof DomainError) {
    const headers: Record<string, string> =
      error.retryAfterSeconds === undefined ? {} : { "Retry-After": String(error.retryAfterSeconds) };
    return new ApiError(DOMAIN_STATUS[error.code], error.message, headers);
  }
  return null;
}

/**
 * Anything else thrown while answering, as the caller sees it: a 503 to retry while the database
 * cannot serve (locked, full, unreachable), else a bare 500. Logged for the operator (with keys
 * and digests taken out); the caller learns nothing about internals. `where` names the request.
 */
export function unexpectedError(error: unknown, where: string): ApiError {
  if (isDatabaseUnavailable(error)) {
    metrics().databaseErrors.inc({ operation: "request" });
    log().error({ err: error }, `[api] ${where}: database unavailable`);
    return new ApiError(503, "The database is busy or unavailable; retry shortly", { "Retry-After": "2" });
  }
  log().error({ err: error }, `[api] ${where} failed`);
  return new ApiError(500, "Internal server error");
}
