import { verifyAccessToken } from "../auth/access-token";
import { bearerToken } from "../net/bearer-token";
import { familyRevoked } from "../auth/refresh-tokens";
import { roleOf } from "../auth/roles";
import { accountExists } from "../auth/users";
import { ORGANIZATION_HEADER, resolveOrganization } from "../orgs/organizations";
import { can, type OrgAction, type OrgRole } from "../orgs/permissions";
import { ApiError, apiErrorFor, forbidden, unauthenticated, unexpectedError } from "./errors";
import { errorResponse } from "./respond";

type RouteContext<P> = { params: Promise<P> };

/**
 * Every /api handler except next-auth's own actions goes through this: an ApiError becomes its
 * envelope, anything else unexpectedError's 503 or 500.
 */
export function apiHandler<P = unknown>(fn: (request: Request, context: RouteContext<P>) => Promise<Response>) {
  return async (request: Request, context: RouteContext<P>): Promise<Response> => {
    try {
      return await fn(request, context);
    } catch (error) {
      const failure =
        apiErrorFor(error) ?? unexpectedError(error, `${request.method} ${new URL(request.url).pathname}`);
      return errorResponse(failure);
    }
  };
}

/** The account id behind `Authorization: Bearer <token>`; 401 for anything missing or invalid. */
async function bearerClaims(request: Request): Promise<{ userId: number; familyId: string }> {
  const token = bearerToken(request.headers.get("authorization"));
  const claims = token ? await verifyAccessToken(token) : null;
  if (claims === null) throw unauthenticated();
  return claims;
}

export function withBearer<P = unknown>(
  /** familyId: the caller's login (its refresh-token family), which a password change keeps. */
  fn: (request: Request, auth: { userId: number; familyId: string; params: P }) => Promise<Response>,
) {
  return apiHandler<P>(async (request, context) => {
    const { userId, familyId } = await bearerClaims(request);
    // A well-signed token for an account that no longer exists, or of a login that signed out,
    // is as invalid as a forged one.
    const [exists, revoked] = await Promise.all([accountExists(userId), familyRevoked(familyId)]);
    if (!exists || revoked) throw unauthenticated();
    return fn(request, { userId, familyId, params: await context.params });
  });
}

/**
 * The operator API (/api/admin/…): a Bearer of an operator account. The role is read from the
 * database at each call, so a demotion takes effect at once: no Bearer is a 401, any other
 * account a 403.
 */
export function withOperator<P = unknown>(
  fn: (request: Request, auth: { userId: number; params: P }) => Promise<Response>,
) {
  return withBearer<P>(async (request, auth) => {
    if ((await roleOf(auth.userId)) !== "operator") throw forbidden();
    return fn(request, auth);
  });
}

type OrganizationHandler<P> = (
  request: Request,
  auth: { userId: number; organizationId: number; role: OrgRole; params: P },
) => Promise<Response>;

/** A Bearer, a member of the organization `named` names, whose role allows `action`. */
function withMembership<P>(
  action: OrgAction,
  named: (request: Request, params: P) => string | null,
  fn: OrganizationHandler<P>,
) {
  return withBearer<P>(async (request, auth) => {
    const { id, role } = await resolveOrganization(auth.userId, named(request, auth.params));
    if (!can(role, action)) throw forbidden();
    return fn(request, { ...auth, organizationId: id, role });
  });
}

/**
 * An organization's API (keys, usage, audit, its settings): a Bearer, and the organization the
 * X-Organization-Id header names (the caller's personal one without it, so the reference's
 * contract is unchanged). Not a member, or no such organization: the 404 envelope; a member whose
 * role does not allow `action`: 403. The membership and role are read at each call, so a removal
 * or a role change acts at the next request on every instance.
 */
export function withOrganization<P = unknown>(action: OrgAction, fn: OrganizationHandler<P>) {
  return withMembership<P>(action, (request) => request.headers.get(ORGANIZATION_HEADER), fn);
}

/**
 * An organization's own endpoints (/api/orgs/{id}/…): the organization is the path's, with the same
 * rules as withOrganization's header (not a member: 404; a role without `action`: 403).
 */
export function withOrganizationInPath<P extends { id: string }>(action: OrgAction, fn: OrganizationHandler<P>) {
  return withMembership<P>(action, (_request, params) => params.id, fn);
}

/** For /api paths nothing serves: the same envelope as every other error. */
export const notFoundHandler = apiHandler(async () => {
  throw new ApiError(404, "Not found");
});

/**
 * Exported by a route file for the verbs it does not serve: Next would answer those with an
 * empty 405, and every /api error must be the envelope.
 */
export function methodNotAllowed(...allowed: string[]) {
  return apiHandler(async () => {
    throw new ApiError(405, `Method not allowed; use ${allowed.join(" or ")}`, { Allow: allowed.join(", ") });
  });
}
