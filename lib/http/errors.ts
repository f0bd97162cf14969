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
export const forbidden = (message = FORBIDDEN_MESSAGE) => new ApiError(403, message);
export const notFound = (message = "Not found") => new ApiError(404, message);
export const conflict = (message: string) => new ApiError(409, message);
