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
import { AUDIT_ENTRY_EXAMPLE, auditEntrySchema } from "./audit-operations";
import { documents, isoTime, paginationSchema, rowId, successMessageSchema } from "./common-schemas";
import { KEY_EXAMPLE, keySchema } from "./key-operations";
import { MEMBER_EXAMPLES, memberSchema } from "./organization-operations";
import { BEARER, error, invalid, json, jsonBody, tooLarge, unauthenticated, unexpected } from "./operation-parts";
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
const routeNotFound = error("No route with this id.", undefined, "Route not found");
const readOnlyOrTaken = error("A sample route (read-only), or another route has this slug.");
const bodyNotes = `${EXACTLY_ONE}. slug: a-z first, then a-z, 0-9 and '-', at most 64 characters. upstream_url: http or https, no credentials, query or fragment. timeout_ms: ${MIN_TIMEOUT_MS}-${MAX_TIMEOUT_MS}.`;
const accountNotFound = error("No account with this id.", undefined, "Account not found");
const organizationNotFound = error("No organization with this id.", undefined, "Organization not found");
const idParams = z.object({ id: idSchema });

const SAMPLE_ROUTE: RouteResponse = {
  id: 123,
  slug: "sample",
  name: "Sample route",
  description: "Open to every plan: the route the reference's examples call.",
  min_plan: "free",
  upstream_url: null,
  payload: { name: "Sample route", description: "Hello from the data API", items: [1, 2, 3] },
  methods: ["GET"],
  timeout_ms: 10_000,
  built_in: true,
  created_at: "2025-01-01T00:00:00.000Z",
  updated_at: "2025-01-01T00:00:00.000Z",
};
const UPSTREAM_ROUTE: RouteResponse = {
  id: 126,
  slug: "weather",
  name: "Weather",
  description: "Forecasts from the weather service.",
  min_plan: "professional",
  upstream_url: "https://weather.internal.example/v1",
  payload: null,
  methods: ["GET"],
  timeout_ms: 10_000,
  built_in: false,
  created_at: "2025-01-18T12:00:00.000Z",
  updated_at: "2025-01-18T12:00:00.000Z",
};

const SERVICE_TOKEN: ServiceTokenResponse = {
  id: 5,
  name: "edge-gateway",
  token_hint: "kps_…Xy9z",
  created_by: 1,
  created_at: "2025-01-10T08:00:00.000Z",
  last_used_at: "2025-01-20T08:12:00.000Z",
};

const ADMIN_ORGANIZATION: AdminOrganization = {
  id: 1_000_000_001,
  name: "Payments team",
  personal: false,
  owner_email: "ada@example.com",
  plan: "professional",
  subscription: "active",
  rate_limit: null,
  key_count: 1,
  member_count: 2,
  calls_24h: 121,
  created_at: "2025-01-15T10:30:00.000Z",
};

const OUTCOMES_24H = { calls: 121, ok: 118, auth_failed: 2, limited: 0, other: 1 };

const ADMIN_ACCOUNT: AdminAccount = {
  id: 7,
  email: "ada@example.com",
  username: "ada",
  role: "user",
  organizations: [
    { id: 7, name: "ada", role: "owner", personal: true },
    { id: ADMIN_ORGANIZATION.id, name: ADMIN_ORGANIZATION.name, role: "owner", personal: false },
  ],
  two_factor: true,
  created_at: "2025-01-15T10:30:00.000Z",
  last_sign_in_at: "2025-01-20T07:55:00.000Z",
};

const ROUTE_PARAMETERS = { notes: { id: "The route's id." }, examples: { id: SAMPLE_ROUTE.id } };
const ORGANIZATION_PARAMETERS = { notes: { id: "The organization's id." }, examples: { id: ADMIN_ORGANIZATION.id } };
const ACCOUNT_PARAMETERS = { notes: { id: "The account's id." }, examples: { id: ADMIN_ACCOUNT.id } };

export const adminOperations: DocumentedOperation[] = [
  operation({
    method: "get",
    path: "/api/admin/routes",
    operationId: "listRoutes",
    tags: ["Operator"],
    summary: "List routes",
    description: "Every route, by id, the sample routes included.",
    security: BEARER,
    responses: {
      200: json(z.object({ data: z.array(routeSchema) }).meta({ id: "RouteList" }), "The routes.", {
        data: [SAMPLE_ROUTE, UPSTREAM_ROUTE],
      }),
      401: unauthenticated,
      403: operatorOnly,
      ...unexpected,
    },
  }),
  operation({
    method: "post",
    path: "/api/admin/routes",
    operationId: "createRoute",
    tags: ["Operator"],
    summary: "Create a route",
    description:
      "A payload route answers the data API with its payload; an upstream route is served by the gateway (and the data API answers with the upstream's GET /). Takes effect at the next call on every instance.",
    security: BEARER,
    request: {
      body: jsonBody(createRouteSchema.meta({ id: "CreateRouteRequest" }), bodyNotes, {
        slug: UPSTREAM_ROUTE.slug,
        name: UPSTREAM_ROUTE.name,
        description: UPSTREAM_ROUTE.description,
        min_plan: "professional",
        upstream_url: UPSTREAM_ROUTE.upstream_url,
        methods: ["GET"],
      }),
    },
    responses: {
      201: json(routeSchema, "The new route.", UPSTREAM_ROUTE),
      400: invalid(createRouteSchema, { slug: "Weather", name: UPSTREAM_ROUTE.name }),
      401: unauthenticated,
      403: operatorOnly,
      409: error(
        "Another route has this slug.",
        undefined,
        `A route with the slug "${UPSTREAM_ROUTE.slug}" already exists; choose another.`,
      ),
      413: tooLarge,
      ...unexpected,
    },
  }),
  operation(
    {
      method: "get",
      path: "/api/admin/routes/{id}",
      operationId: "getRoute",
      tags: ["Operator"],
      summary: "Get a route",
      security: BEARER,
      request: { params: routeIdParamsSchema },
      responses: {
        200: json(routeSchema, "The route.", SAMPLE_ROUTE),
        400: invalid(routeIdParamsSchema, { id: "sample" }),
        401: unauthenticated,
        403: operatorOnly,
        404: routeNotFound,
        ...unexpected,
      },
    },
    ROUTE_PARAMETERS,
  ),
  operation(
    {
      method: "patch",
      path: "/api/admin/routes/{id}",
      operationId: "updateRoute",
      tags: ["Operator"],
      summary: "Change a route",
      description:
        "Any of the fields. The route as changed must still have exactly one of upstream_url and payload: to switch, send the new one and null for the other.",
      security: BEARER,
      request: {
        params: routeIdParamsSchema,
        body: jsonBody(updateRouteSchema.meta({ id: "UpdateRouteRequest" }), bodyNotes, { timeout_ms: 30_000 }),
      },
      responses: {
        200: json(routeSchema, "The route as changed.", {
          ...UPSTREAM_ROUTE,
          timeout_ms: 30_000,
          updated_at: "2025-01-19T09:00:00.000Z",
        }),
        400: invalid(updateRouteSchema, { timeout_ms: 10 }),
        401: unauthenticated,
        403: operatorOnly,
        404: routeNotFound,
        409: readOnlyOrTaken,
        413: tooLarge,
        ...unexpected,
      },
    },
    { ...ROUTE_PARAMETERS, examples: { id: UPSTREAM_ROUTE.id } },
  ),
  operation(
    {
      method: "delete",
      path: "/api/admin/routes/{id}",
      operationId: "deleteRoute",
      tags: ["Operator"],
      summary: "Delete a route",
      description: "Calls to it fail from the next call on; keys limited to it keep the id, which matches nothing.",
      security: BEARER,
      request: { params: routeIdParamsSchema },
      responses: {
        200: json(successMessageSchema, "Deleted.", {
          success: true,
          message: "Route deleted; calls to it fail from the next call on",
        }),
        400: invalid(routeIdParamsSchema, { id: "0" }),
        401: unauthenticated,
        403: operatorOnly,
        404: routeNotFound,
        409: error(
          "A sample route: read-only.",
          undefined,
          `Route ${SAMPLE_ROUTE.id} is one of the reference's sample routes and cannot be changed.`,
        ),
        ...unexpected,
      },
    },
    { ...ROUTE_PARAMETERS, examples: { id: UPSTREAM_ROUTE.id } },
  ),
  operation({
    method: "get",
    path: "/api/admin/service-tokens",
    operationId: "listServiceTokens",
    tags: ["Operator"],
    summary: "List service tokens",
    description: "The tokens services present to POST /api/v1/keys/verify, every operator's.",
    security: BEARER,
    responses: {
      200: json(z.object({ data: z.array(serviceTokenSchema) }).meta({ id: "ServiceTokenList" }), "The tokens.", {
        data: [SERVICE_TOKEN],
      }),
      401: unauthenticated,
      403: operatorOnly,
      ...unexpected,
    },
  }),
  operation({
    method: "post",
    path: "/api/admin/service-tokens",
    operationId: "createServiceToken",
    tags: ["Operator"],
    summary: "Create a service token",
    description: "The token is in this response only: only its digest is stored.",
    security: BEARER,
    request: {
      body: jsonBody(createServiceTokenSchema.meta({ id: "CreateServiceTokenRequest" }), "A name, 1-100 characters.", {
        name: SERVICE_TOKEN.name,
      }),
    },
    responses: {
      201: json(
        z
          .object({ id: rowId, name: z.string(), token: z.string().meta({ examples: ["kps_..."] }) })
          .meta({ id: "CreatedServiceToken" }),
        "The new token, with the secret in token.",
        { id: SERVICE_TOKEN.id, name: SERVICE_TOKEN.name, token: "kps_EXAMPLE_PLACEHOLDER_NOT_A_TOKEN" },
      ),
      400: invalid(createServiceTokenSchema, { name: "" }),
      401: unauthenticated,
      403: operatorOnly,
      413: tooLarge,
      ...unexpected,
    },
  }),
  operation(
    {
      method: "delete",
      path: "/api/admin/service-tokens/{id}",
      operationId: "deleteServiceToken",
      tags: ["Operator"],
      summary: "Revoke a service token",
      description: "Verify calls with it fail from the next one.",
      security: BEARER,
      request: { params: serviceTokenIdParamsSchema },
      responses: {
        200: json(successMessageSchema, "Revoked.", {
          success: true,
          message: "Service token revoked; verify calls with it fail from the next one",
        }),
        400: invalid(serviceTokenIdParamsSchema, { id: "abc" }),
        401: unauthenticated,
        403: operatorOnly,
        404: error("No service token with this id.", undefined, "Service token not found"),
        ...unexpected,
      },
    },
    { notes: { id: "The service token's id." }, examples: { id: SERVICE_TOKEN.id } },
  ),
  operation(
    {
      method: "get",
      path: "/api/admin/organizations",
      operationId: "listAdminOrganizations",
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
          { data: [ADMIN_ORGANIZATION], pagination: { page: 1, per_page: 20, total: 1 } },
        ),
        400: invalid(adminOrganizationsQuerySchema, { plan: "gold" }),
        401: unauthenticated,
        403: operatorOnly,
        ...unexpected,
      },
    },
    {
      notes: { q: "Case-insensitive search in organization names and members' emails and usernames." },
      examples: { q: "payments", plan: "professional" },
    },
  ),
  operation(
    {
      method: "get",
      path: "/api/admin/organizations/{id}",
      operationId: "getAdminOrganization",
      tags: ["Operator"],
      summary: "Get an organization",
      security: BEARER,
      request: { params: idParams },
      responses: {
        200: json(adminOrganizationDetailSchema, "The organization, its members, keys, usage and audit trail.", {
          ...ADMIN_ORGANIZATION,
          members: MEMBER_EXAMPLES,
          keys: [KEY_EXAMPLE],
          usage: { "24h": OUTCOMES_24H, "7d": { calls: 840, ok: 826, auth_failed: 9, limited: 2, other: 3 } },
          audit: [AUDIT_ENTRY_EXAMPLE],
        }),
        400: invalid(idParams, { id: "x" }),
        401: unauthenticated,
        403: operatorOnly,
        404: organizationNotFound,
        ...unexpected,
      },
    },
    ORGANIZATION_PARAMETERS,
  ),
  operation(
    {
      method: "patch",
      path: "/api/admin/organizations/{id}",
      operationId: "updateAdminOrganization",
      tags: ["Operator"],
      summary: "Change an organization's plan, subscription or limit",
      description:
        "Effective at the data API's next call on every instance; audited on the organization with actor operator, so its owners see it. rate_limit is Enterprise's custom hourly limit (null: the plan's default).",
      security: BEARER,
      request: {
        params: idParams,
        body: jsonBody(
          adminOrganizationChangesSchema.meta({ id: "AdminOrganizationChanges" }),
          "At least one of plan, subscription, rate_limit.",
          { plan: "enterprise", rate_limit: 20_000 },
        ),
      },
      responses: {
        200: json(adminOrganizationSchema, "The organization as changed.", {
          ...ADMIN_ORGANIZATION,
          plan: "enterprise",
          rate_limit: 20_000,
        }),
        400: invalid(adminOrganizationChangesSchema, { rate_limit: 0 }),
        401: unauthenticated,
        403: operatorOnly,
        404: organizationNotFound,
        413: tooLarge,
        ...unexpected,
      },
    },
    ORGANIZATION_PARAMETERS,
  ),
  operation(
    {
      method: "get",
      path: "/api/admin/accounts",
      operationId: "listAdminAccounts",
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
          { data: [ADMIN_ACCOUNT], pagination: { page: 1, per_page: 20, total: 1 } },
        ),
        400: invalid(adminAccountsQuerySchema, { per_page: "0" }),
        401: unauthenticated,
        403: operatorOnly,
        ...unexpected,
      },
    },
    { notes: { q: "Case-insensitive search in emails and usernames." }, examples: { q: "ada" } },
  ),
  operation(
    {
      method: "get",
      path: "/api/admin/accounts/{id}",
      operationId: "getAdminAccount",
      tags: ["Operator"],
      summary: "Get an account",
      security: BEARER,
      request: { params: idParams },
      responses: {
        200: json(adminAccountSchema, "The account.", ADMIN_ACCOUNT),
        400: invalid(idParams, { id: "x" }),
        401: unauthenticated,
        403: operatorOnly,
        404: accountNotFound,
        ...unexpected,
      },
    },
    ACCOUNT_PARAMETERS,
  ),
  operation(
    {
      method: "patch",
      path: "/api/admin/accounts/{id}",
      operationId: "updateAdminAccount",
      tags: ["Operator"],
      summary: "Change an account's role",
      description:
        "Operators manage routes, service tokens, organizations and accounts. The role is read at the account's next request; audited on its personal organization with actor operator.",
      security: BEARER,
      request: {
        params: idParams,
        body: jsonBody(adminAccountChangesSchema.meta({ id: "AdminAccountChanges" }), "The new role.", {
          role: "operator",
        }),
      },
      responses: {
        200: json(adminAccountSchema, "The account as changed.", { ...ADMIN_ACCOUNT, role: "operator" }),
        400: invalid(adminAccountChangesSchema, { role: "root" }),
        401: unauthenticated,
        403: operatorOnly,
        404: accountNotFound,
        409: error(
          "The last operator cannot be demoted.",
          undefined,
          "The last operator cannot be demoted; promote another first",
        ),
        413: tooLarge,
        ...unexpected,
      },
    },
    ACCOUNT_PARAMETERS,
  ),
  operation(
    {
      method: "post",
      path: "/api/admin/accounts/{id}/sign-out",
      operationId: "signOutAccount",
      tags: ["Operator"],
      summary: "End every session of an account",
      description:
        "Every portal session and REST login (refresh family and its access tokens) of the account ends at its next request; audited on its personal organization with actor operator.",
      security: BEARER,
      request: { params: idParams },
      responses: {
        200: json(successMessageSchema, "Signed out everywhere.", {
          success: true,
          message: "Every session of the account has ended",
        }),
        400: invalid(idParams, { id: "x" }),
        401: unauthenticated,
        403: operatorOnly,
        404: accountNotFound,
        ...unexpected,
      },
    },
    ACCOUNT_PARAMETERS,
  ),
  operation(
    {
      method: "get",
      path: "/api/admin/usage/summary",
      operationId: "getAdminUsageSummary",
      tags: ["Operator"],
      summary: "Usage across organizations",
      description:
        "Calls per hour for everyone, error rates, the top organizations by calls and by failed authentication, refused calls from unknown clients by IP, and the newest security events, from the hourly rollups.",
      security: BEARER,
      request: { query: adminUsageQuerySchema },
      responses: {
        200: json(adminUsageSummarySchema, "The summary.", {
          range: "24h",
          from: "2025-01-19T09:00:00.000Z",
          to: "2025-01-20T09:00:00.000Z",
          totals: { ...OUTCOMES_24H, error_rate: 0.0248 },
          hourly: [{ hour: "2025-01-20T08:00:00.000Z", ok: 118, auth_failed: 2, limited: 0, other: 1 }],
          top_by_calls: [
            { organization_id: ADMIN_ORGANIZATION.id, name: ADMIN_ORGANIZATION.name, calls: 121, auth_failed: 2 },
          ],
          top_by_auth_failed: [
            { organization_id: ADMIN_ORGANIZATION.id, name: ADMIN_ORGANIZATION.name, calls: 121, auth_failed: 2 },
          ],
          refused_by_ip: [{ ip: "198.51.100.23", count: 41 }],
          security_events: [
            {
              id: 502,
              organization_id: ADMIN_ORGANIZATION.id,
              organization_name: ADMIN_ORGANIZATION.name,
              action: "key.leak_report",
              actor: "reporter",
              api_key_name: "Billing backend",
              ip: "198.51.100.23",
              created_at: "2025-01-20T06:40:00.000Z",
            },
          ],
        }),
        400: invalid(adminUsageQuerySchema, { range: "1y" }),
        401: unauthenticated,
        403: operatorOnly,
        ...unexpected,
      },
    },
    { notes: { range: "24h (the default) or 7d, whole UTC hours up to the current one." }, examples: { range: "7d" } },
  ),
];
