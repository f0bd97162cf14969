import { z } from "zod";
import { createServiceTokenSchema, serviceTokenIdParamsSchema } from "../auth/auth-schemas";
import type { ServiceTokenResponse } from "../auth/service-tokens";
import type { RouteResponse } from "../data-routes/route-commands";
import {
  EXACTLY_ONE,
  MAX_TIMEOUT_MS,
  MIN_TIMEOUT_MS,
  ROUTE_METHODS,
  createRouteSchema,
  routeIdParamsSchema,
  updateRouteSchema,
} from "../data-routes/route-schemas";
import { FORBIDDEN_MESSAGE } from "../http/errors";
import { PLANS } from "../limits/plans";
import type { AdminAccount } from "../admin/admin-accounts";
import {
  adminAccountChangesSchema,
  adminAccountsQuerySchema,
  adminUsageQuerySchema,
  USAGE_RANGES,
} from "../admin/admin-schemas";
import type { AdminOrganizationDetail, OutcomeTotals } from "../admin/organization-detail";
import { SECURITY_ACTIONS, type AdminUsageSummary } from "../admin/usage-overview";
import { ROLES } from "../auth/roles";
import type { AdminOrganization } from "../orgs/admin-organizations";
import { adminOrganizationChangesSchema, adminOrganizationsQuerySchema } from "../orgs/org-schemas";
import { idSchema } from "../validation/fields";
import { auditEntrySchema } from "./audit-operations";
import { documents, isoTime, paginationSchema, rowId, successMessageSchema } from "./common-schemas";
import { keySchema } from "./key-operations";
import { memberSchema } from "./organization-operations";
import { BEARER, badRequest, error, json, jsonBody, tooLarge, unauthenticated, unexpected } from "./operation-parts";
import { operation, type DocumentedOperation } from "./parameter-notes";

/** The "Operator" tag: what an operator account (npm run admin -- set-role) manages. */

const routeSchema = documents<RouteResponse>()(
  z
    .object({
      id: rowId.meta({ description: "The number the data API's ?id= names." }),
      slug: z.string().meta({ description: "The gateway's path segment: /gw/{slug}/…" }),
      name: z.string(),
      description: z.string(),
      min_plan: z.enum(PLANS).meta({ description: "The lowest plan whose keys may call it." }),
      upstream_url: z
        .string()
        .nullable()
        .meta({ description: "The http(s) base URL the gateway forwards to; null for a payload route." }),
      payload: z
        .record(z.string(), z.unknown())
        .nullable()
        .meta({ description: "The JSON object the data API answers with; null for an upstream route." }),
      methods: z.array(z.enum(ROUTE_METHODS)).meta({ description: "The methods the gateway passes on." }),
      timeout_ms: z.int().meta({ description: "How long the gateway waits for the upstream before a 504." }),
      built_in: z.boolean().meta({ description: "One of the reference's sample routes (123-125): read-only." }),
      created_at: isoTime,
      updated_at: isoTime,
    })
    .meta({ id: "Route", description: "A route the keys guard." }),
);

const serviceTokenSchema = documents<ServiceTokenResponse>()(
  z
    .object({
      id: rowId,
      name: z.string(),
      token_hint: z.string().meta({ description: "The prefix and last four characters; never the token." }),
      created_by: rowId.meta({ description: "The operator account that made it." }),
      created_at: isoTime,
      last_used_at: isoTime.nullable().meta({ description: "The latest verify call with it, to the minute." }),
    })
    .meta({ id: "ServiceToken", description: "A service token as listed: never the token itself." }),
);

const adminOrganizationSchema = documents<AdminOrganization>()(
  z
    .object({
      id: rowId,
      name: z.string(),
      personal: z.boolean().meta({ description: "An account's personal organization (its id is the account's)." }),
      owner_email: z.string().nullable().meta({ description: "Its first owner's email." }),
      plan: z.string(),
      subscription: z.string(),
      rate_limit: z.int().nullable().meta({ description: "Enterprise's custom hourly limit; null: the default." }),
      key_count: z.int().min(0),
      member_count: z.int().min(0),
      calls_24h: z.int().min(0).meta({ description: "Data API calls in the last 24 hours (hourly rollups)." }),
      created_at: isoTime,
    })
    .meta({ id: "AdminOrganization", description: "An organization as the operator sees it." }),
);

const outcomeTotalsSchema = documents<OutcomeTotals>()(
  z.object({
    calls: z.int().min(0),
    ok: z.int().min(0).meta({ description: "Answered 2xx." }),
    auth_failed: z.int().min(0).meta({ description: "Refused with 401 or 403." }),
    limited: z.int().min(0).meta({ description: "Refused with 429." }),
    other: z.int().min(0).meta({ description: "Any other answer (400, 404, 5xx)." }),
  }),
);

const adminOrganizationDetailSchema = documents<AdminOrganizationDetail>()(
  adminOrganizationSchema
    .extend({
      members: z.array(memberSchema),
      keys: z.array(keySchema).meta({ description: "Its newest 100 keys' metadata (key_count has them all)." }),
      usage: z.object({ "24h": outcomeTotalsSchema, "7d": outcomeTotalsSchema }),
      audit: z.array(auditEntrySchema).meta({ description: "Its newest 20 audit entries." }),
    })
    .meta({
      id: "AdminOrganizationDetail",
      description: "An organization with its members, keys, usage and audit trail.",
    }),
);

const adminAccountSchema = documents<AdminAccount>()(
  z
    .object({
      id: rowId,
      email: z.string(),
      username: z.string(),
      role: z.enum(ROLES),
      organizations: z.array(z.object({ id: rowId, name: z.string(), role: z.string(), personal: z.boolean() })),
      two_factor: z.boolean().meta({ description: "Whether two-factor sign-in is on." }),
      created_at: isoTime,
      last_sign_in_at: isoTime.nullable().meta({ description: "The last password sign-in, portal or REST." }),
    })
    .meta({ id: "AdminAccount", description: "An account as the operator sees it." }),
);

const organizationCallsSchema = z.object({
  organization_id: rowId,
  name: z.string().nullable(),
  calls: z.int().min(0),
  auth_failed: z.int().min(0),
});

const adminUsageSummarySchema = documents<AdminUsageSummary>()(
  z
    .object({
      range: z.enum(USAGE_RANGES),
      from: isoTime,
      to: isoTime,
      totals: outcomeTotalsSchema.extend({
        error_rate: z.number().min(0).max(1).meta({ description: "The share of calls not answered 2xx." }),
      }),
      hourly: z.array(
        z.object({
          hour: isoTime,
          ok: z.int().min(0),
          auth_failed: z.int().min(0),
          limited: z.int().min(0),
          other: z.int().min(0),
        }),
      ),
      top_by_calls: z.array(organizationCallsSchema).meta({ description: "At most 10." }),
      top_by_auth_failed: z.array(organizationCallsSchema).meta({ description: "At most 10, with any 401/403." }),
      refused_by_ip: z
        .array(z.object({ ip: z.string(), count: z.int().min(1) }))
        .meta({ description: "Calls refused past the per-IP budget for failed authentication (no account)." }),
      security_events: z
        .array(
          z.object({
            id: rowId,
            organization_id: rowId,
            organization_name: z.string().nullable(),
            action: z.string().meta({ description: `One of ${SECURITY_ACTIONS.join(", ")}.` }),
            actor: z.string(),
            api_key_name: z.string().nullable(),
            ip: z.string().nullable(),
            created_at: isoTime,
          }),
        )
        .meta({ description: "The newest 10 in the range." }),
    })
    .meta({ id: "AdminUsageSummary", description: "Usage across every organization, from the hourly rollups." }),
);

const operatorOnly = error("The account is not an operator.", undefined, FORBIDDEN_MESSAGE);
const routeNotFound = error("No route with this id.");
const readOnlyOrTaken = error("A sample route (read-only), or another route has this slug.");
const bodyNotes = `${EXACTLY_ONE}. slug: a-z first, then a-z, 0-9 and '-', at most 64 characters. upstream_url: http or https, no credentials, query or fragment. timeout_ms: ${MIN_TIMEOUT_MS}-${MAX_TIMEOUT_MS}.`;

export const adminOperations: DocumentedOperation[] = [
  operation({
    method: "get",
    path: "/api/admin/routes",
    tags: ["Operator"],
    summary: "List routes",
    description: "Every route, by id, the sample routes included.",
    security: BEARER,
    responses: {
      200: json(z.object({ data: z.array(routeSchema) }).meta({ id: "RouteList" }), "The routes."),
      401: unauthenticated,
      403: operatorOnly,
      ...unexpected,
    },
  }),
  operation({
    method: "post",
    path: "/api/admin/routes",
    tags: ["Operator"],
    summary: "Create a route",
    description:
      "A payload route answers the data API with its payload; an upstream route is served by the gateway (and the data API answers with the upstream's GET /). Takes effect at the next call on every instance.",
    security: BEARER,
    request: { body: jsonBody(createRouteSchema.meta({ id: "CreateRouteRequest" }), bodyNotes) },
    responses: {
      201: json(routeSchema, "The new route."),
      400: badRequest,
      401: unauthenticated,
      403: operatorOnly,
      409: error("Another route has this slug."),
      413: tooLarge,
      ...unexpected,
    },
  }),
  operation({
    method: "get",
    path: "/api/admin/routes/{id}",
    tags: ["Operator"],
    summary: "Get a route",
    security: BEARER,
    request: { params: routeIdParamsSchema },
    responses: {
      200: json(routeSchema, "The route."),
      400: badRequest,
      401: unauthenticated,
      403: operatorOnly,
      404: routeNotFound,
      ...unexpected,
    },
  }),
  operation({
    method: "patch",
    path: "/api/admin/routes/{id}",
    tags: ["Operator"],
    summary: "Change a route",
    description:
      "Any of the fields. The route as changed must still have exactly one of upstream_url and payload: to switch, send the new one and null for the other.",
    security: BEARER,
    request: {
      params: routeIdParamsSchema,
      body: jsonBody(updateRouteSchema.meta({ id: "UpdateRouteRequest" }), bodyNotes),
    },
    responses: {
      200: json(routeSchema, "The route as changed."),
      400: badRequest,
      401: unauthenticated,
      403: operatorOnly,
      404: routeNotFound,
      409: readOnlyOrTaken,
      413: tooLarge,
      ...unexpected,
    },
  }),
  operation({
    method: "delete",
    path: "/api/admin/routes/{id}",
    tags: ["Operator"],
    summary: "Delete a route",
    description: "Calls to it fail from the next call on; keys limited to it keep the id, which matches nothing.",
    security: BEARER,
    request: { params: routeIdParamsSchema },
    responses: {
      200: json(successMessageSchema, "Deleted."),
      400: badRequest,
      401: unauthenticated,
      403: operatorOnly,
      404: routeNotFound,
      409: error("A sample route: read-only."),
      ...unexpected,
    },
  }),
  operation({
    method: "get",
    path: "/api/admin/service-tokens",
    tags: ["Operator"],
    summary: "List service tokens",
    description: "The tokens services present to POST /api/v1/keys/verify, every operator's.",
    security: BEARER,
    responses: {
      200: json(z.object({ data: z.array(serviceTokenSchema) }).meta({ id: "ServiceTokenList" }), "The tokens."),
      401: unauthenticated,
      403: operatorOnly,
      ...unexpected,
    },
  }),
  operation({
    method: "post",
    path: "/api/admin/service-tokens",
    tags: ["Operator"],
    summary: "Create a service token",
    description: "The token is in this response only: only its digest is stored.",
    security: BEARER,
    request: {
      body: jsonBody(createServiceTokenSchema.meta({ id: "CreateServiceTokenRequest" }), "A name, 1-100 characters."),
    },
    responses: {
      201: json(
        z
          .object({ id: rowId, name: z.string(), token: z.string().meta({ examples: ["kps_..."] }) })
          .meta({ id: "CreatedServiceToken" }),
        "The new token, with the secret in token.",
      ),
      400: badRequest,
      401: unauthenticated,
      403: operatorOnly,
      413: tooLarge,
      ...unexpected,
    },
  }),
  operation({
    method: "delete",
    path: "/api/admin/service-tokens/{id}",
    tags: ["Operator"],
    summary: "Revoke a service token",
    description: "Verify calls with it fail from the next one.",
    security: BEARER,
    request: { params: serviceTokenIdParamsSchema },
    responses: {
      200: json(successMessageSchema, "Revoked."),
      400: badRequest,
      401: unauthenticated,
      403: operatorOnly,
      404: error("No service token with this id."),
      ...unexpected,
    },
  }),
  operation(
    {
      method: "get",
      path: "/api/admin/organizations",
      tags: ["Operator"],
      summary: "List organizations",
      description:
        "Every organization, newest first (operators only). q matches the name or any member's email or username, case-insensitively.",
      security: BEARER,
      request: { query: adminOrganizationsQuerySchema },
      responses: {
        200: json(
          z.object({ data: z.array(adminOrganizationSchema), pagination: paginationSchema }).meta({
            id: "AdminOrganizationList",
          }),
          "A page of organizations.",
        ),
        400: badRequest,
        401: unauthenticated,
        403: operatorOnly,
        ...unexpected,
      },
    },
    { q: "Case-insensitive search in organization names and members' emails and usernames (at most 100 characters)." },
  ),
  operation(
    {
      method: "get",
      path: "/api/admin/organizations/{id}",
      tags: ["Operator"],
      summary: "Get an organization",
      security: BEARER,
      request: { params: z.object({ id: idSchema }) },
      responses: {
        200: json(adminOrganizationDetailSchema, "The organization, its members, keys, usage and audit trail."),
        400: badRequest,
        401: unauthenticated,
        403: operatorOnly,
        404: error("No organization with this id."),
        ...unexpected,
      },
    },
    { id: "The organization's id." },
  ),
  operation(
    {
      method: "patch",
      path: "/api/admin/organizations/{id}",
      tags: ["Operator"],
      summary: "Change an organization's plan, subscription or limit",
      description:
        "Effective at the data API's next call on every instance; audited on the organization with actor operator, so its owners see it. rate_limit is Enterprise's custom hourly limit (null: the plan's default).",
      security: BEARER,
      request: {
        params: z.object({ id: idSchema }),
        body: jsonBody(
          adminOrganizationChangesSchema.meta({ id: "AdminOrganizationChanges" }),
          "At least one of plan, subscription, rate_limit.",
        ),
      },
      responses: {
        200: json(adminOrganizationSchema, "The organization as changed."),
        400: badRequest,
        401: unauthenticated,
        403: operatorOnly,
        404: error("No organization with this id."),
        413: tooLarge,
        ...unexpected,
      },
    },
    { id: "The organization's id." },
  ),
  operation(
    {
      method: "get",
      path: "/api/admin/accounts",
      tags: ["Operator"],
      summary: "List accounts",
      description: "Every account, newest first (operators only). q matches the email or username, case-insensitively.",
      security: BEARER,
      request: { query: adminAccountsQuerySchema },
      responses: {
        200: json(
          z
            .object({ data: z.array(adminAccountSchema), pagination: paginationSchema })
            .meta({ id: "AdminAccountList" }),
          "A page of accounts.",
        ),
        400: badRequest,
        401: unauthenticated,
        403: operatorOnly,
        ...unexpected,
      },
    },
    { q: "Case-insensitive search in emails and usernames (at most 100 characters)." },
  ),
  operation(
    {
      method: "get",
      path: "/api/admin/accounts/{id}",
      tags: ["Operator"],
      summary: "Get an account",
      security: BEARER,
      request: { params: z.object({ id: idSchema }) },
      responses: {
        200: json(adminAccountSchema, "The account."),
        400: badRequest,
        401: unauthenticated,
        403: operatorOnly,
        404: error("No account with this id."),
        ...unexpected,
      },
    },
    { id: "The account's id." },
  ),
  operation(
    {
      method: "patch",
      path: "/api/admin/accounts/{id}",
      tags: ["Operator"],
      summary: "Change an account's role",
      description:
        "Operators manage routes, service tokens, organizations and accounts. The role is read at the account's next request; audited on its personal organization with actor operator.",
      security: BEARER,
      request: {
        params: z.object({ id: idSchema }),
        body: jsonBody(adminAccountChangesSchema.meta({ id: "AdminAccountChanges" }), "The new role."),
      },
      responses: {
        200: json(adminAccountSchema, "The account as changed."),
        400: badRequest,
        401: unauthenticated,
        403: operatorOnly,
        404: error("No account with this id."),
        409: error("The last operator cannot be demoted."),
        413: tooLarge,
        ...unexpected,
      },
    },
    { id: "The account's id." },
  ),
  operation(
    {
      method: "post",
      path: "/api/admin/accounts/{id}/sign-out",
      tags: ["Operator"],
      summary: "End every session of an account",
      description:
        "Every portal session and REST login (refresh family and its access tokens) of the account ends at its next request; audited on its personal organization with actor operator.",
      security: BEARER,
      request: { params: z.object({ id: idSchema }) },
      responses: {
        200: json(successMessageSchema, "Signed out everywhere."),
        400: badRequest,
        401: unauthenticated,
        403: operatorOnly,
        404: error("No account with this id."),
        ...unexpected,
      },
    },
    { id: "The account's id." },
  ),
  operation(
    {
      method: "get",
      path: "/api/admin/usage/summary",
      tags: ["Operator"],
      summary: "Usage across organizations",
      description:
        "Calls per hour for everyone, error rates, the top organizations by calls and by failed authentication, refused calls from unknown clients by IP, and the newest security events, from the hourly rollups.",
      security: BEARER,
      request: { query: adminUsageQuerySchema },
      responses: {
        200: json(adminUsageSummarySchema, "The summary."),
        400: badRequest,
        401: unauthenticated,
        403: operatorOnly,
        ...unexpected,
      },
    },
    { range: "24h (the default) or 7d, whole UTC hours up to the current one." },
  ),
];
