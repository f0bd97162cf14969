import { z } from "zod";
import { ENVIRONMENTS, GRACE_PERIODS, MAX_ALLOWLIST_ENTRIES } from "../keys/key-controls";
import type { generatedKeyBody } from "../keys/key-response";
import type { KeyResponse } from "../keys/key-response";
import { LEAK_REPORT_MESSAGE, nameTakenMessage } from "../keys/key-commands";
import { ANONYMOUS_HOURLY_LIMIT, PLAN_LIMITS } from "../limits/plans";
import {
  exportKeysQuerySchema,
  generateKeySchema,
  keyIdParamsSchema,
  keyStatusSchema,
  listKeysQuerySchema,
  reportLeakSchema,
  rotateKeySchema,
  updateKeySchema,
} from "../keys/key-schemas";
import { documents, isoTime, paginationSchema, rowId, successMessageSchema } from "./common-schemas";
import {
  BEARER,
  error,
  invalid,
  json,
  jsonBody,
  retryAfter,
  tooLarge,
  unauthenticated,
  unexpected,
} from "./operation-parts";
import { operation, type DocumentedOperation } from "./parameter-notes";

/** The "Keys" tag: the account's API keys, and the leak report anyone may file. */

export const keySchema = documents<KeyResponse>()(
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
      created_by: rowId
        .nullable()
        .meta({ description: "The account that made it (generated or rotated); null when no account did." }),
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

const keyListSchema = z.object({ data: z.array(keySchema), pagination: paginationSchema }).meta({ id: "KeyList" });

const keyNotFound = error(
  "No such key in this account (another account's key is not found either).",
  undefined,
  "API key not found",
);

// A placeholder, not a key: it does not match the key format, so no scanner reports it.
const SECRET_EXAMPLE = "sk_live_EXAMPLE_PLACEHOLDER_NOT_A_KEY";

/** The key the examples show; admin-operations.ts lists it in an organization's detail. */
export const KEY_EXAMPLE: KeyResponse = {
  id: 42,
  api_key_name: "Billing backend",
  user: "billing_service",
  status: "active",
  created_at: "2025-01-15T10:30:00.000Z",
  last_used_at: "2025-01-20T08:12:45.000Z",
  key_hint: "sk_live_a1B2…x9Y8",
  expires_at: "2025-04-15T10:30:00.000Z",
  routes: [123, 124],
  read_only: false,
  ip_allowlist: ["203.0.113.0/24"],
  environment: "production",
  rotation_due: false,
  rotated_from_id: null,
  rotated_at: null,
  status_reason: null,
  created_by: 7,
};

/** generatedKeyBody's order: the reference's fields first, then the rest. */
function generatedExample(key: KeyResponse): ReturnType<typeof generatedKeyBody> {
  const { id, api_key_name, user, status, created_at, ...rest } = key;
  return { id, api_key_name, api_key: SECRET_EXAMPLE, user, status, created_at, ...rest };
}

const nameTaken = error(
  "Another key of this account has this name (case aside).",
  undefined,
  nameTakenMessage(KEY_EXAMPLE.api_key_name),
);

export const keyOperations: DocumentedOperation[] = [
  operation(
    {
      method: "get",
      path: "/api/api-keys",
      operationId: "listApiKeys",
      tags: ["Keys"],
      summary: "List keys",
      description: "A page of the account's keys, newest first, optionally filtered by status and a search.",
      security: BEARER,
      request: { query: listKeysQuerySchema },
      responses: {
        200: json(keyListSchema, "A page of keys.", {
          data: [KEY_EXAMPLE],
          pagination: { page: 1, per_page: 20, total: 1 },
        }),
        400: invalid(listKeysQuerySchema, { per_page: "101" }),
        401: unauthenticated,
        ...unexpected,
      },
    },
    { notes: { status: "Only keys with this status." }, examples: { status: "active", q: "billing" } },
  ),
  operation({
    method: "post",
    path: "/api/api-keys/generate",
    operationId: "generateApiKey",
    tags: ["Keys"],
    summary: "Generate a key",
    description:
      "Creates a key and returns its secret, once. The environment defaults to what the name suggests (dev-, staging-, else production). expires_at (ISO 8601 with a time zone, in the future) and expires_in_days are alternatives: give one at most.",
    security: BEARER,
    request: {
      body: jsonBody(
        generateKeySchema.meta({ id: "GenerateKeyRequest" }),
        `Names and usernames are trimmed and may not contain control or bidirectional formatting characters. ip_allowlist entries must be IP addresses or CIDR ranges (at most ${MAX_ALLOWLIST_ENTRIES}).`,
        {
          api_key_name: KEY_EXAMPLE.api_key_name,
          user: KEY_EXAMPLE.user,
          environment: "production",
          routes: [123, 124],
          ip_allowlist: ["203.0.113.0/24"],
          expires_in_days: 90,
        },
      ),
    },
    responses: {
      201: json(
        generatedKeySchema,
        "The new key, with its secret in api_key.",
        generatedExample({ ...KEY_EXAMPLE, last_used_at: null }),
      ),
      400: invalid(generateKeySchema, { api_key_name: "", user: KEY_EXAMPLE.user }),
      401: unauthenticated,
      403: error(
        `The plan's key limit is reached (Free ${PLAN_LIMITS.free.maxKeys}, Professional ${PLAN_LIMITS.professional.maxKeys}); delete a key or upgrade.`,
      ),
      409: nameTaken,
      413: tooLarge,
      ...unexpected,
    },
  }),
  operation({
    method: "get",
    path: "/api/api-keys/{id}",
    operationId: "getApiKey",
    tags: ["Keys"],
    summary: "Get a key",
    security: BEARER,
    request: { params: keyIdParamsSchema },
    responses: {
      200: json(keySchema, "The key.", KEY_EXAMPLE),
      400: invalid(keyIdParamsSchema, { id: "abc" }),
      401: unauthenticated,
      404: keyNotFound,
      ...unexpected,
    },
  }),
  operation({
    method: "patch",
    path: "/api/api-keys/{id}",
    operationId: "updateApiKey",
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
        { api_key_name: "Billing backend (read-only)", read_only: true, ip_allowlist: null },
      ),
    },
    responses: {
      200: json(keySchema, "The key as changed.", {
        ...KEY_EXAMPLE,
        api_key_name: "Billing backend (read-only)",
        read_only: true,
        ip_allowlist: null,
      }),
      400: invalid(updateKeySchema, { api_key_name: "" }),
      401: unauthenticated,
      404: keyNotFound,
      409: nameTaken,
      413: tooLarge,
      ...unexpected,
    },
  }),
  operation({
    method: "delete",
    path: "/api/api-keys/{id}",
    operationId: "deleteApiKey",
    tags: ["Keys"],
    summary: "Delete a key",
    description: "The key stops working immediately; its usage history stays.",
    security: BEARER,
    request: { params: keyIdParamsSchema },
    responses: {
      200: json(successMessageSchema, "Deleted.", {
        success: true,
        message: "API key deleted; it stops working immediately",
      }),
      400: invalid(keyIdParamsSchema, { id: "0" }),
      401: unauthenticated,
      404: keyNotFound,
      ...unexpected,
    },
  }),
  operation({
    method: "put",
    path: "/api/api-keys/{id}/status",
    operationId: "setApiKeyStatus",
    tags: ["Keys"],
    summary: "Activate or deactivate a key",
    description: "An inactive key is refused (401) by the data API from the very next call.",
    security: BEARER,
    request: {
      params: keyIdParamsSchema,
      body: jsonBody(keyStatusSchema.meta({ id: "KeyStatusRequest" }), "The new status.", { status: "inactive" }),
    },
    responses: {
      200: json(keySchema, "The key with its new status.", { ...KEY_EXAMPLE, status: "inactive" }),
      400: invalid(keyStatusSchema, { status: "paused" }),
      401: unauthenticated,
      404: keyNotFound,
      413: tooLarge,
      ...unexpected,
    },
  }),
  operation({
    method: "post",
    path: "/api/api-keys/{id}/rotate",
    operationId: "rotateApiKey",
    tags: ["Keys"],
    summary: "Rotate a key",
    description: `Creates its replacement (same name, user and controls; a new secret, shown once). The old key keeps working for the grace period (${GRACE_PERIODS.join(", ")} seconds), never past its own expiry, and no longer counts against the key limit.`,
    security: BEARER,
    request: {
      params: keyIdParamsSchema,
      body: jsonBody(rotateKeySchema.meta({ id: "RotateKeyRequest" }), "How long the old key keeps working.", {
        grace_period_seconds: 3600,
      }),
    },
    responses: {
      201: json(
        generatedKeySchema,
        "The replacement, with its secret in api_key.",
        generatedExample({
          ...KEY_EXAMPLE,
          id: 43,
          created_at: "2025-02-01T09:00:00.000Z",
          last_used_at: null,
          rotated_from_id: KEY_EXAMPLE.id,
        }),
      ),
      400: invalid(rotateKeySchema, { grace_period_seconds: 60 }),
      401: unauthenticated,
      404: keyNotFound,
      409: error("The key was rotated already: rotate its replacement instead."),
      413: tooLarge,
      ...unexpected,
    },
  }),
  operation({
    method: "post",
    path: "/api/api-keys/revoke",
    operationId: "reportLeakedApiKey",
    tags: ["Keys"],
    summary: "Report a leaked key",
    description: `For anyone who finds a key where it should not be (a public repository, a paste, a log), secret scanners included: no other credential is needed, holding the key is the proof. A live key is deactivated at once and its owner is told. The answer is the same 202 whether or not the key existed, so this cannot be used to test keys. Each report spends the reporting address's budget for failed authentication (${ANONYMOUS_HOURLY_LIMIT} an hour, shared with failed data-API calls).`,
    security: [],
    request: {
      body: jsonBody(reportLeakSchema.meta({ id: "LeakReport" }), "The leaked key.", { api_key: SECRET_EXAMPLE }),
    },
    responses: {
      202: json(successMessageSchema, "Report received (the same answer for any key).", {
        success: true,
        message: LEAK_REPORT_MESSAGE,
      }),
      400: invalid(reportLeakSchema, { api_key: "" }),
      413: tooLarge,
      429: error("Too many requests from this address; retry later.", retryAfter),
      ...unexpected,
    },
  }),
  operation(
    {
      method: "get",
      path: "/api/api-keys/export",
      operationId: "exportApiKeys",
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
          content: {
            "text/csv": {
              schema: z.string(),
              example: `id,api_key_name,user,status,created_at,last_used_at\r\n${KEY_EXAMPLE.id},${KEY_EXAMPLE.api_key_name},${KEY_EXAMPLE.user},${KEY_EXAMPLE.status},${KEY_EXAMPLE.created_at},${KEY_EXAMPLE.last_used_at}`,
            },
          },
        },
        400: invalid(exportKeysQuerySchema, { status: "paused" }),
        401: unauthenticated,
        ...unexpected,
      },
    },
    { notes: { status: "Only keys with this status." }, examples: { status: "active", q: "billing" } },
  ),
];
