import {
  OpenApiGeneratorV31,
  OpenAPIRegistry,
  type ResponseConfig,
  type RouteConfig,
} from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import packageJson from "../../package.json";
import type { AuditLogResponse } from "../audit/audit-log";
import { AUDIT_ACTIONS } from "../audit/audit-actions";
import type { TokenPair } from "../auth/refresh-tokens";
import type { toUserResponse } from "../auth/users";
import type { Health } from "../health/health";
import { FORBIDDEN_MESSAGE, UNAUTHENTICATED_MESSAGE } from "../http/errors";
import { ENVIRONMENTS, GRACE_PERIODS, MAX_ALLOWLIST_ENTRIES } from "../keys/key-controls";
import type { KeyResponse } from "../keys/keys";
import { LEAK_REPORT_MESSAGE } from "../keys/keys";
import type { generatedKeyBody } from "../keys/key-response";
import { ANONYMOUS_HOURLY_LIMIT, PLAN_LIMITS } from "../limits/plans";
import type { usageSummaryForAccount } from "../usage/summary";
import type { listUsageLogs } from "../usage/usage-logs";
import {
  auditLogQuerySchema,
  exportKeysQuerySchema,
  generateKeySchema,
  idSchema,
  keyIdParamsSchema,
  keyStatusSchema,
  listKeysQuerySchema,
  loginSchema,
  refreshSchema,
  registerSchema,
  reportLeakSchema,
  rotateKeySchema,
  summaryQuerySchema,
  updateKeySchema,
  usageLogQuerySchema,
  workingHoursSchema,
} from "../validation/schemas";

/**
 * The OpenAPI 3.1 description served at GET /api/openapi.json and rendered on the docs page.
 *
 * Request bodies, query strings and path parameters are the very zod schemas the handlers parse
 * with (lib/validation/schemas.ts), handed to @asteasolutions/zod-to-openapi, which documents the
 * input side of each transform and pipe: what a client sends. `.meta()` returns a copy, so naming
 * a schema here cannot change how it validates. What the generator cannot see, and is therefore
 * written out below, is marked where it happens:
 * - refinements (no NUL or control characters, real calendar dates, "not both", "at least one
 *   field", IP syntax) exist only as code: the descriptions say them in words;
 * - checks on the output side of a pipe (per_page at most 100, ids up to 2^31-1, the email
 *   format) are not in the generated schemas: PARAMETER_NOTES and the body descriptions say them.
 * Responses have no zod schema in lib/ (they are built by functions such as toKeyResponse), so
 * they are described here; `documents<T>()` makes each description a compile error when it
 * stops matching the type the code returns.
 */

export type OpenApiDocument = ReturnType<OpenApiGeneratorV31["generateDocument"]>;
type HeadersObject = Record<string, { description: string; schema: Record<string, unknown> } | { $ref: string }>;

// ---------------------------------------------------------------------------------------------
// Responses: each schema is checked against the type its builder returns, both ways.

type Agrees<Documented, Actual> = [Documented] extends [Actual]
  ? [Actual] extends [Documented]
    ? true
    : false
  : false;

/** `documents<KeyResponse>()(schema)` compiles only while the schema's output type is KeyResponse. */
function documents<Actual>() {
  return <S extends z.ZodType>(schema: S & (Agrees<z.output<S>, Actual> extends true ? unknown : never)): S => schema;
}

const isoTime = z.iso.datetime({ offset: true }).meta({ examples: ["2025-01-15T10:30:00.000Z"] });
const rowId = z.int().min(1);

const errorSchema = z
  .object({
    success: z.literal(false),
    message: z.string().meta({ description: "What went wrong, for a person to read." }),
  })
  .meta({
    id: "Error",
    description: "The one error envelope every /api route answers with.",
    examples: [{ success: false, message: UNAUTHENTICATED_MESSAGE }],
  });

const successMessageSchema = z.object({ success: z.literal(true), message: z.string() }).meta({ id: "SuccessMessage" });

const keySchema = documents<KeyResponse>()(
  z
    .object({
      id: rowId,
      api_key_name: z.string(),
      user: z.string().meta({ description: "The username to send in X-Username with this key." }),
      status: keyStatusSchema.shape.status,
      created_at: isoTime,
      last_used_at: isoTime.nullable(),
      key_hint: z.string().meta({
        description: "The key's prefix and its first and last characters, to recognise it; never the secret.",
      }),
      expires_at: isoTime
        .nullable()
        .meta({ description: "End of validity (or of a rotated-out key's grace period); null = never." }),
      routes: z
        .array(rowId)
        .nullable()
        .meta({ description: "Route ids the key may read; null = every route its plan allows." }),
      read_only: z.boolean().meta({ description: "A read-only key is refused (403) on any write method." }),
      ip_allowlist: z
        .array(z.string())
        .nullable()
        .meta({ description: "Addresses and CIDR ranges the key may be used from; null = anywhere." }),
      environment: z.enum(ENVIRONMENTS),
      rotation_due: z.boolean().meta({ description: "Older than its environment's rotation schedule." }),
      rotated_from_id: rowId.nullable().meta({ description: "The key this one replaced by rotation." }),
      rotated_at: isoTime.nullable().meta({
        description: "When a rotation replaced this key: it then works until expires_at and cannot be rotated again.",
      }),
      status_reason: z
        .string()
        .nullable()
        .meta({ description: 'Why someone other than the owner deactivated it ("reported_leak"), else null.' }),
    })
    .meta({ id: "Key", description: "An API key as listed: never its secret." }),
);

const generatedKeySchema = documents<ReturnType<typeof generatedKeyBody>>()(
  z
    .object({
      ...keySchema.shape,
      api_key: z.string().meta({
        description: "The secret, shown in this response only: store it now, it cannot be read again.",
        examples: ["sk_live_..."],
      }),
    })
    .meta({ id: "GeneratedKey", description: "A new key with its secret (the only response that carries it)." }),
);

const paginationSchema = z.object({ page: rowId, per_page: rowId, total: z.int().min(0) }).meta({ id: "Pagination" });

const keyListSchema = z.object({ data: z.array(keySchema), pagination: paginationSchema }).meta({ id: "KeyList" });

type UsageLogEntry = Awaited<ReturnType<typeof listUsageLogs>>["items"][number];
const usageLogSchema = documents<UsageLogEntry>()(
  z
    .object({
      id: rowId,
      api_key_id: rowId.nullable(),
      api_key_name: z.string().nullable(),
      method: z.string(),
      path: z.string().meta({ description: "The path with only the route id kept from the query." }),
      status_code: z.int(),
      ip: z.string(),
      user_agent: z.string(),
      created_at: isoTime,
    })
    .meta({ id: "UsageLog", description: "One call of the data API made with one of the account's keys." }),
);

const hourBucketSchema = z.object({
  hour: isoTime,
  ok: z.int(),
  failed: z.int().meta({ description: "auth_failed + limited + other." }),
  auth_failed: z.int().meta({ description: "401 and 403 answers." }),
  limited: z.int().meta({ description: "429 answers." }),
  other: z.int(),
});

const usageSummarySchema = documents<Awaited<ReturnType<typeof usageSummaryForAccount>>>()(
  z
    .object({
      range: summaryQuerySchema.shape.range.unwrap(),
      from: isoTime,
      to: isoTime,
      calls_per_hour: z.array(hourBucketSchema),
      totals: z.object({ calls: z.int(), ok: z.int(), failed: z.int() }),
      failed_auth_attempts: z.int(),
      distinct_ips: z.int(),
      top_keys: z.array(z.object({ api_key_id: rowId, api_key_name: z.string().nullable(), calls: z.int() })),
      working_hours: z.object({ time_zone: z.string(), start_hour: z.int(), end_hour: z.int() }),
      alerts: z.array(
        z.object({
          type: z.enum(["new_ip", "off_hours", "spike", "failed_auth_burst", "leak_reported"]),
          api_key_id: rowId.nullable(),
          api_key_name: z.string().nullable(),
          at: isoTime,
          message: z.string(),
        }),
      ),
    })
    .meta({ id: "UsageSummary", description: "Calls by outcome per hour, top keys and alerts over the range." }),
);

const auditEntrySchema = documents<AuditLogResponse>()(
  z
    .object({
      id: rowId,
      action: z.enum(AUDIT_ACTIONS),
      // A string, not an enum: the column is free text; the values written are these three.
      actor: z
        .string()
        .meta({ description: "portal, api, or reporter (someone who reported a leaked key).", examples: ["api"] }),
      api_key_id: rowId.nullable(),
      api_key_name: z.string().nullable(),
      ip: z.string().nullable(),
      details: z
        .record(z.string(), z.unknown())
        .meta({ description: "What changed: names, statuses, route ids, counts." }),
      created_at: isoTime,
    })
    .meta({ id: "AuditEntry", description: "One change to the account's keys, or a sign-in or sign-out." }),
);

const tokenPairSchema = documents<TokenPair>()(
  z
    .object({
      token: z.string().meta({ description: "The access token: send it as `Authorization: Bearer <token>`." }),
      token_type: z.literal("Bearer"),
      expires_in: z.int().meta({ description: "Seconds until the access token expires." }),
      expires_at: isoTime,
      refresh_token: z.string().meta({ description: "Single use: trade it at /api/auth/refresh for a new pair." }),
    })
    .meta({ id: "TokenPair" }),
);

const userSchema = documents<ReturnType<typeof toUserResponse>>()(
  z
    .object({
      id: rowId,
      email: z.string(),
      username: z.string(),
      plan: z.string().meta({ examples: ["free"] }),
      created_at: isoTime,
    })
    .meta({ id: "User" }),
);

const workingHoursResponseSchema = z
  .object({ time_zone: z.string(), work_start_hour: z.int(), work_end_hour: z.int() })
  .meta({ id: "WorkingHours" });

const partStatus = z.enum(["ok", "unavailable"]);
const healthSchema = documents<Health>()(
  z
    .object({
      status: z.enum(["ok", "degraded", "unavailable"]),
      database: partStatus,
      redis: z.enum(["ok", "unavailable", "disabled"]),
      usage_writes: z.enum(["ok", "failing"]),
      usage_rows_waiting: z.int(),
      usage_rows_dropped: z.int(),
    })
    .meta({ id: "Health" }),
);

const routeDataSchema = z
  .object({
    success: z.literal(true),
    data: z.object({ id: rowId }).catchall(z.unknown()).meta({ description: "The route's payload, with its id." }),
  })
  .meta({ id: "RouteData", examples: [{ success: true, data: { id: 123, name: "Sample route" } }] });

const openApiDocumentSchema = z
  .object({
    openapi: z.string(),
    info: z.object({ title: z.string(), version: z.string() }).catchall(z.unknown()),
    paths: z.record(z.string(), z.unknown()),
  })
  .catchall(z.unknown())
  .meta({ description: "This document." });

// ---------------------------------------------------------------------------------------------
// Shared pieces of operations

const JSON_TYPE = "application/json";
const BEARER = [{ BearerAuth: [] }];
const DATA_API_KEY = [{ ApiKey: [], ApiUsername: [] }];

const json = (schema: z.ZodType, description: string, headers?: HeadersObject): ResponseConfig => ({
  description,
  ...(headers ? { headers } : {}),
  content: { [JSON_TYPE]: { schema } },
});

const error = (description: string, headers?: HeadersObject, message?: string): ResponseConfig => ({
  description,
  ...(headers ? { headers } : {}),
  content: {
    [JSON_TYPE]: { schema: errorSchema, ...(message ? { example: { success: false, message } } : {}) },
  },
});

// Response headers, described once in components.headers and referenced from each response.
const HEADERS = {
  "Retry-After": { description: "Seconds to wait before trying again.", schema: { type: "integer", minimum: 1 } },
  "X-RateLimit-Limit": { description: "Calls the hourly budget allows.", schema: { type: "integer" } },
  "X-RateLimit-Remaining": { description: "Calls left in this hour.", schema: { type: "integer" } },
  "X-RateLimit-Reset": { description: "When the budget resets, in Unix seconds.", schema: { type: "integer" } },
  RateLimit: {
    description: 'IETF draft form: "hourly";r=<remaining>;t=<seconds to reset>.',
    schema: { type: "string" },
  },
  "RateLimit-Policy": { description: 'IETF draft form: "hourly";q=<limit>;w=3600.', schema: { type: "string" } },
} as const;

const headerRefs = (...names: Array<keyof typeof HEADERS>): HeadersObject =>
  Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }]));

const retryAfter = headerRefs("Retry-After");
const rateLimitHeaders = headerRefs(
  "X-RateLimit-Limit",
  "X-RateLimit-Remaining",
  "X-RateLimit-Reset",
  "RateLimit",
  "RateLimit-Policy",
);

// Every route can fail these ways, whatever it does.
const unexpected = {
  500: error("Unexpected failure; the details are in the server's log, not here."),
  503: error("The database is busy or unavailable: retry after the time given.", retryAfter),
};
const badRequest = error("Invalid input: the message names the field and what is wrong with it.");
const unauthenticated = error(
  "Missing, invalid or expired access token, or the account or login no longer exists.",
  undefined,
  UNAUTHENTICATED_MESSAGE,
);
const tooLarge = error("The request body is larger than 64 KB.");
const keyNotFound = error("No such key in this account (another account's key is not found either).");

function jsonBody(schema: z.ZodType, description: string): NonNullable<RouteConfig["request"]>["body"] {
  return { required: true, description, content: { [JSON_TYPE]: { schema } } };
}

/**
 * What the generator cannot say about parameters: checks after a pipe, and the meaning. Keyed
 * by parameter name; `status` differs by route, so routes can override a note.
 */
const PARAMETER_NOTES: Record<string, string> = {
  id: "The key's id (digits only, at most 2147483647).",
  page: "Page number, from 1 to 1,000,000 (default 1).",
  per_page: "Rows per page, 1 to 100 (default 20).",
  q: "Case-insensitive search in key names and usernames (at most 100 characters).",
  api_key_id: "Only rows of this key id.",
};

const notes = new Map<string, Record<string, string>>();

function route(config: RouteConfig, parameterNotes: Record<string, string> = {}): RouteConfig {
  notes.set(`${config.method} ${config.path}`, parameterNotes);
  return config;
}

// ---------------------------------------------------------------------------------------------
// Operations, as the handlers under app/api/ serve them

const ROUTES: RouteConfig[] = [
  route({
    method: "post",
    path: "/api/auth/register",
    tags: ["Authentication"],
    summary: "Create an account",
    description:
      "Opens an account on the Free plan. The username defaults to the email's local part. Sign-ups are limited per client address per hour.",
    security: [],
    request: {
      body: jsonBody(
        registerSchema.meta({ id: "RegisterRequest" }),
        "email must be a valid address (at most 254 characters); password 8 characters to 72 bytes; username letters, digits, '.', '_', '@' and '-'.",
      ),
    },
    responses: {
      201: json(userSchema, "The account was created. Sign in with POST /api/auth/login."),
      400: badRequest,
      409: error("An account with this email already exists."),
      413: tooLarge,
      429: error("Too many accounts created from this address; try again later.", retryAfter),
      ...unexpected,
    },
  }),
  route({
    method: "post",
    path: "/api/auth/login",
    tags: ["Authentication"],
    summary: "Sign in for a token pair",
    description:
      "Trades an email and password for a short-lived access token and a single-use refresh token. An unknown email and a wrong password get the same answer; repeated failures from one address are throttled.",
    security: [],
    request: { body: jsonBody(loginSchema.meta({ id: "LoginRequest" }), "The account's email and password.") },
    responses: {
      200: json(tokenPairSchema, "Signed in."),
      400: badRequest,
      401: error("Wrong email or password.", undefined, UNAUTHENTICATED_MESSAGE),
      413: tooLarge,
      429: error("Too many failed sign-in attempts; try again later.", retryAfter),
      ...unexpected,
    },
  }),
  route({
    method: "post",
    path: "/api/auth/refresh",
    tags: ["Authentication"],
    summary: "Trade a refresh token for a new pair",
    description:
      "A refresh token works once. Presenting a used one again revokes its whole login (a retry within a few seconds gets the same new pair instead).",
    security: [],
    request: { body: jsonBody(refreshSchema.meta({ id: "RefreshRequest" }), "The refresh token from the last pair.") },
    responses: {
      200: json(tokenPairSchema, "A new access token and refresh token."),
      400: badRequest,
      401: error("Unknown, used, revoked or expired refresh token.", undefined, UNAUTHENTICATED_MESSAGE),
      413: tooLarge,
      ...unexpected,
    },
  }),
  route({
    method: "post",
    path: "/api/auth/logout",
    tags: ["Authentication"],
    summary: "Sign out a login",
    description:
      "Revokes the refresh token's whole login, and with it every access token issued to that login. The answer is the same whether or not the token was known.",
    security: [],
    request: { body: jsonBody(refreshSchema, "The login's refresh token.") },
    responses: {
      200: json(successMessageSchema, "Signed out."),
      400: badRequest,
      413: tooLarge,
      ...unexpected,
    },
  }),
  route(
    {
      method: "get",
      path: "/api/api-keys",
      tags: ["Keys"],
      summary: "List keys",
      description: "A page of the account's keys, newest first, optionally filtered by status and a search.",
      security: BEARER,
      request: { query: listKeysQuerySchema },
      responses: {
        200: json(keyListSchema, "A page of keys."),
        400: badRequest,
        401: unauthenticated,
        ...unexpected,
      },
    },
    { status: "Only keys with this status." },
  ),
  route({
    method: "post",
    path: "/api/api-keys/generate",
    tags: ["Keys"],
    summary: "Generate a key",
    description:
      "Creates a key and returns its secret, once. The environment defaults to what the name suggests (dev-, staging-, else production). expires_at (ISO 8601 with a time zone, in the future) and expires_in_days are alternatives: give one at most.",
    security: BEARER,
    request: {
      body: jsonBody(
        generateKeySchema.meta({ id: "GenerateKeyRequest" }),
        `Names and usernames are trimmed and may not contain control or bidirectional formatting characters. ip_allowlist entries must be IP addresses or CIDR ranges (at most ${MAX_ALLOWLIST_ENTRIES}).`,
      ),
    },
    responses: {
      201: json(generatedKeySchema, "The new key, with its secret in api_key."),
      400: badRequest,
      401: unauthenticated,
      403: error(
        `The plan's key limit is reached (Free ${PLAN_LIMITS.free.maxKeys}, Professional ${PLAN_LIMITS.professional.maxKeys}); delete a key or upgrade.`,
      ),
      409: error("Another key of this account has this name (case aside)."),
      413: tooLarge,
      ...unexpected,
    },
  }),
  route({
    method: "get",
    path: "/api/api-keys/{id}",
    tags: ["Keys"],
    summary: "Get a key",
    security: BEARER,
    request: { params: keyIdParamsSchema },
    responses: {
      200: json(keySchema, "The key."),
      400: badRequest,
      401: unauthenticated,
      404: keyNotFound,
      ...unexpected,
    },
  }),
  route({
    method: "patch",
    path: "/api/api-keys/{id}",
    tags: ["Keys"],
    summary: "Rename a key or change what it may do",
    description:
      "Changes any of the name, environment, routes, read-only flag and IP allow-list; at least one must be given. null for routes or ip_allowlist lifts that restriction. Applies to the very next call.",
    security: BEARER,
    request: {
      params: keyIdParamsSchema,
      body: jsonBody(
        updateKeySchema.meta({ id: "UpdateKeyRequest", minProperties: 1 }),
        "At least one of api_key_name, environment, routes, read_only, ip_allowlist.",
      ),
    },
    responses: {
      200: json(keySchema, "The key as changed."),
      400: badRequest,
      401: unauthenticated,
      404: keyNotFound,
      409: error("Another key of this account has this name (case aside)."),
      413: tooLarge,
      ...unexpected,
    },
  }),
  route({
    method: "delete",
    path: "/api/api-keys/{id}",
    tags: ["Keys"],
    summary: "Delete a key",
    description: "The key stops working immediately; its usage history stays.",
    security: BEARER,
    request: { params: keyIdParamsSchema },
    responses: {
      200: json(successMessageSchema, "Deleted."),
      400: badRequest,
      401: unauthenticated,
      404: keyNotFound,
      ...unexpected,
    },
  }),
  route({
    method: "put",
    path: "/api/api-keys/{id}/status",
    tags: ["Keys"],
    summary: "Activate or deactivate a key",
    description: "An inactive key is refused (401) by the data API from the very next call.",
    security: BEARER,
    request: {
      params: keyIdParamsSchema,
      body: jsonBody(keyStatusSchema.meta({ id: "KeyStatusRequest" }), "The new status."),
    },
    responses: {
      200: json(keySchema, "The key with its new status."),
      400: badRequest,
      401: unauthenticated,
      404: keyNotFound,
      413: tooLarge,
      ...unexpected,
    },
  }),
  route({
    method: "post",
    path: "/api/api-keys/{id}/rotate",
    tags: ["Keys"],
    summary: "Rotate a key",
    description: `Creates its replacement (same name, user and controls; a new secret, shown once). The old key keeps working for the grace period (${GRACE_PERIODS.join(", ")} seconds), never past its own expiry, and no longer counts against the key limit.`,
    security: BEARER,
    request: {
      params: keyIdParamsSchema,
      body: jsonBody(rotateKeySchema.meta({ id: "RotateKeyRequest" }), "How long the old key keeps working."),
    },
    responses: {
      201: json(generatedKeySchema, "The replacement, with its secret in api_key."),
      400: badRequest,
      401: unauthenticated,
      404: keyNotFound,
      409: error("The key was rotated already: rotate its replacement instead."),
      413: tooLarge,
      ...unexpected,
    },
  }),
  route({
    method: "post",
    path: "/api/api-keys/revoke",
    tags: ["Keys"],
    summary: "Report a leaked key",
    description: `For anyone who finds a key where it should not be (a public repository, a paste, a log), secret scanners included: no other credential is needed, holding the key is the proof. A live key is deactivated at once and its owner is told. The answer is the same 202 whether or not the key existed, so this cannot be used to test keys. Each report spends the reporting address's budget for failed authentication (${ANONYMOUS_HOURLY_LIMIT} an hour, shared with failed data-API calls).`,
    security: [],
    request: { body: jsonBody(reportLeakSchema.meta({ id: "LeakReport" }), "The leaked key.") },
    responses: {
      202: {
        description: "Report received (the same answer for any key).",
        content: {
          [JSON_TYPE]: { schema: successMessageSchema, example: { success: true, message: LEAK_REPORT_MESSAGE } },
        },
      },
      400: badRequest,
      413: tooLarge,
      429: error("Too many requests from this address; retry later.", retryAfter),
      ...unexpected,
    },
  }),
  route(
    {
      method: "get",
      path: "/api/api-keys/export",
      tags: ["Keys"],
      summary: "Export keys as CSV",
      description:
        "Every key the list would show for the same search and status, as CSV: id, api_key_name, user, status, created_at, last_used_at. Cells that a spreadsheet would run as a formula are escaped.",
      security: BEARER,
      request: { query: exportKeysQuerySchema },
      responses: {
        200: {
          description: "The CSV file.",
          headers: { "Content-Disposition": { description: "attachment; filename=...", schema: { type: "string" } } },
          content: { "text/csv": { schema: z.string() } },
        },
        400: badRequest,
        401: unauthenticated,
        ...unexpected,
      },
    },
    { status: "Only keys with this status." },
  ),
  route(
    {
      method: "get",
      path: "/api/api-usage-logs",
      tags: ["Usage"],
      summary: "List data-API calls",
      description: "A page of the calls made with the account's keys, newest first.",
      security: BEARER,
      request: { query: usageLogQuerySchema },
      responses: {
        200: json(
          z.object({ data: z.array(usageLogSchema), pagination: paginationSchema }).meta({ id: "UsageLogList" }),
          "A page of calls.",
        ),
        400: badRequest,
        401: unauthenticated,
        ...unexpected,
      },
    },
    {
      status: "success = 2xx answers, failed = every other.",
      from: "ISO 8601 date or date-time with a time zone, 0001-01-01 to 9999-12-31 (UTC); calls at or after it.",
      to: "ISO 8601 date (the whole day, UTC) or date-time, 0001-01-01 to 9999-12-31 (UTC); calls at or before it. Not before from.",
    },
  ),
  route(
    {
      method: "get",
      path: "/api/api-usage-logs/summary",
      tags: ["Usage"],
      summary: "Usage summary and alerts",
      description:
        "Calls per hour by outcome, failed authentication, distinct addresses, top keys and alerts (new addresses, off-hours use, spikes, bursts of failures, leak reports) over the last 24 hours or 7 days.",
      security: BEARER,
      request: { query: summaryQuerySchema },
      responses: {
        200: json(usageSummarySchema, "The summary."),
        400: badRequest,
        401: unauthenticated,
        ...unexpected,
      },
    },
    { range: "The period, ending now." },
  ),
  route(
    {
      method: "get",
      path: "/api/audit-logs",
      tags: ["Audit"],
      summary: "List the audit trail",
      description: "A page of the account's audit trail, newest first: who changed which key, when and from where.",
      security: BEARER,
      request: { query: auditLogQuerySchema },
      responses: {
        200: json(
          z.object({ data: z.array(auditEntrySchema), pagination: paginationSchema }).meta({ id: "AuditLogList" }),
          "A page of entries.",
        ),
        400: badRequest,
        401: unauthenticated,
        ...unexpected,
      },
    },
    { action: "Only entries of this action." },
  ),
  route({
    method: "put",
    path: "/api/account/working-hours",
    tags: ["Account"],
    summary: "Set working hours",
    description:
      "The hours [start, end) in an IANA time zone that the off-hours alert treats as normal; end may be before start (a night shift).",
    security: BEARER,
    request: {
      body: jsonBody(
        workingHoursSchema.meta({ id: "WorkingHoursRequest" }),
        "time_zone must be an IANA name such as Europe/Paris or UTC; work_end_hour must differ from work_start_hour.",
      ),
    },
    responses: {
      200: json(workingHoursResponseSchema, "The working hours as stored."),
      400: badRequest,
      401: unauthenticated,
      413: tooLarge,
      ...unexpected,
    },
  }),
  route(
    {
      method: "get",
      path: "/api/api-routes-data",
      tags: ["Data API"],
      summary: "Read a route's data",
      description:
        "The data API, called with an API key. Every answer carries the account's hourly budget in the rate-limit headers; failed authentication spends a per-address budget instead. A key limited to some routes, a plan that does not include the route, or a subscription not in good standing get 403.",
      security: DATA_API_KEY,
      request: { query: z.object({ id: idSchema }) },
      responses: {
        200: json(routeDataSchema, "The route's data.", rateLimitHeaders),
        400: error("id is missing or not a positive integer.", rateLimitHeaders),
        401: error(
          "Missing, unknown, inactive, expired or deleted key, or the wrong username.",
          rateLimitHeaders,
          UNAUTHENTICATED_MESSAGE,
        ),
        403: error(
          `"${FORBIDDEN_MESSAGE}" (plan, subscription, or a route outside the key's routes), or a call from an address outside the key's IP allow-list.`,
          rateLimitHeaders,
          FORBIDDEN_MESSAGE,
        ),
        404: error("No route with this id.", rateLimitHeaders),
        429: error(
          "The plan's hourly limit across all keys is spent, or too many failed calls came from this address.",
          { ...rateLimitHeaders, ...retryAfter },
        ),
        ...unexpected,
      },
    },
    { id: "The route id, e.g. 123." },
  ),
  ...(["post", "put", "patch", "delete"] as const).map((method) =>
    route({
      method,
      path: "/api/api-routes-data",
      tags: ["Data API"],
      summary: `${method.toUpperCase()} is refused`,
      description:
        "The data API only reads. A read-only key is refused with 403 (its promise); anything else gets 405.",
      security: DATA_API_KEY,
      responses: {
        403: error("A read-only key used for a write.", rateLimitHeaders, FORBIDDEN_MESSAGE),
        405: error("Method not allowed; use GET.", {
          Allow: { description: "The methods the path serves.", schema: { type: "string", const: "GET" } },
        }),
        ...unexpected,
      },
    }),
  ),
  route({
    method: "get",
    path: "/api/health",
    tags: ["Service"],
    summary: "Health check",
    description:
      "For load balancers: no authentication and no secrets. degraded = serving, but usage rows are waiting for the database.",
    security: [],
    responses: {
      200: json(healthSchema, "Serving (ok or degraded)."),
      503: json(healthSchema, "The database or Redis cannot be reached."),
      500: unexpected[500],
    },
  }),
  route({
    method: "get",
    path: "/api/openapi.json",
    tags: ["Service"],
    summary: "This OpenAPI document",
    security: [],
    responses: { 200: json(openApiDocumentSchema, "The OpenAPI 3.1 document."), 500: unexpected[500] },
  }),
];

// ---------------------------------------------------------------------------------------------

function generate(): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  registry.registerComponent("securitySchemes", "BearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "The access token from POST /api/auth/login or /api/auth/refresh.",
  });
  registry.registerComponent("securitySchemes", "ApiKey", {
    type: "apiKey",
    in: "header",
    name: "X-API-Key",
    description: "An API key from the portal or POST /api/api-keys/generate. Send X-Username with it.",
  });
  registry.registerComponent("securitySchemes", "ApiUsername", {
    type: "apiKey",
    in: "header",
    name: "X-Username",
    description: "The username the key was generated with.",
  });
  for (const [name, header] of Object.entries(HEADERS)) registry.registerComponent("headers", name, header);
  for (const config of ROUTES) registry.registerPath(config);

  const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: {
      title: "Key portal API",
      version: packageJson.version,
      description:
        'Errors are always `{"success": false, "message": "..."}`: 400 invalid input, 401 not authenticated, 403 not allowed, 404 not found or not yours, 409 conflict, 413 body too large, 429 limited. Methods a path does not serve answer 405 with an Allow header.',
    },
    tags: [
      { name: "Authentication", description: "Bearer tokens for scripts." },
      { name: "Keys", description: "The account's API keys." },
      { name: "Usage", description: "Calls made with the account's keys." },
      { name: "Audit", description: "Changes to the account's keys." },
      { name: "Account", description: "Account settings." },
      { name: "Data API", description: "What the keys are for." },
      { name: "Service", description: "For operators and tools." },
    ],
  });

  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of ["get", "put", "post", "patch", "delete"] as const) {
      for (const parameter of item[method]?.parameters ?? []) {
        if ("$ref" in parameter) continue;
        const note = notes.get(`${method} ${path}`)?.[parameter.name] ?? PARAMETER_NOTES[parameter.name];
        if (note && !parameter.description) parameter.description = note;
      }
    }
  }
  return document;
}

let cached: OpenApiDocument | undefined;

/** The document, generated on first use (it never changes while the process runs). */
export function openApiDocument(): OpenApiDocument {
  cached ??= generate();
  return cached;
}
