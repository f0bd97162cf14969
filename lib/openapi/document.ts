import { OpenApiGeneratorV31, OpenAPIRegistry } from "@asteasolutions/zod-to-openapi";
import packageJson from "../../package.json";
import { accountOperations } from "./account-operations";
import { adminOperations } from "./admin-operations";
import { auditOperations } from "./audit-operations";
import { authenticationOperations } from "./authentication-operations";
import { dataApiOperations } from "./data-api-operations";
import { keyOperations } from "./key-operations";
import { documentOrganizationScope, organizationOperations } from "./organization-operations";
import { RESPONSE_HEADERS } from "./operation-parts";
import { PARAMETER_EXAMPLES, PARAMETER_NOTES, type DocumentedOperation } from "./parameter-notes";
import { serviceOperations } from "./service-operations";
import { usageOperations } from "./usage-operations";
import { verifyOperations } from "./verify-operations";
import { webhookEventSchema, webhookOperations } from "./webhook-operations";

/**
 * The OpenAPI 3.1 description served at GET /api/openapi.json and rendered on the docs page,
 * assembled here from one module per tag (*-operations.ts).
 *
 * Request bodies, query strings and path parameters are the very zod schemas the handlers parse
 * with (each domain's *-schemas.ts, built from lib/validation/fields.ts), handed to @asteasolutions/zod-to-openapi, which documents the
 * input side of each transform and pipe: what a client sends. `.meta()` returns a copy, so naming
 * a schema in the tag modules cannot change how it validates. Where the input side is not what a
 * client means (ids and page numbers arrive as digits, dates as text), fields.ts describes the
 * value in `.meta()`: an integer with its range, a date or date-time. What the generator cannot
 * see, and is therefore written out by hand, is marked where it happens: refinements (no NUL or
 * control characters, real calendar dates, "not both", "at least one field", IP syntax) exist
 * only as code, and the descriptions say them in words.
 * Responses have no zod schema in lib/, so the tag modules describe them, each checked against
 * the type the code returns (common-schemas.ts).
 *
 * Every operation has an operationId (the name a generated client gives its method), a tag and
 * examples; `npm test` lints the document with Redocly's recommended rules (redocly.yaml).
 */

export type OpenApiDocument = ReturnType<OpenApiGeneratorV31["generateDocument"]>;

// The order here is the order of the paths in the document. Exported for its test, which holds
// each request example to the zod schema the handler parses it with.
export const OPERATIONS: readonly DocumentedOperation[] = [
  ...authenticationOperations,
  ...keyOperations,
  ...organizationOperations,
  ...usageOperations,
  ...auditOperations,
  ...accountOperations,
  ...dataApiOperations,
  ...verifyOperations,
  ...serviceOperations,
  ...adminOperations,
  ...webhookOperations,
];

const operationKey = (config: DocumentedOperation["config"]) => `${config.method} ${config.path}`;

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
  registry.registerComponent("securitySchemes", "ServiceToken", {
    type: "http",
    scheme: "bearer",
    description: "A service token (kps_…) from POST /api/admin/service-tokens.",
  });
  registry.registerComponent("securitySchemes", "ApiUsername", {
    type: "apiKey",
    in: "header",
    name: "X-Username",
    description: "The username the key was generated with.",
  });
  for (const [name, header] of Object.entries(RESPONSE_HEADERS)) registry.registerComponent("headers", name, header);
  // Operator endpoints carry x-operator-only: a generated client (or a reader) can tell them apart
  // without knowing the tag, and the 403 each documents says why a user account is refused.
  for (const { config } of OPERATIONS) {
    registry.registerPath(config.tags?.includes("Operator") ? { ...config, "x-operator-only": true } : config);
  }

  // What each delivery POSTs to an endpoint (OpenAPI 3.1's top-level webhooks).
  registry.registerWebhook({
    method: "post",
    path: "keyPortalEvent",
    operationId: "receiveWebhookEvent",
    tags: ["Webhooks"],
    // Sent by the portal to your endpoint: authenticated by its signature, not a credential.
    security: [],
    summary: "An event delivered to your endpoint",
    description:
      "Signed per Standard Webhooks: webhook-id (the same on every attempt), webhook-timestamp (unix seconds), webhook-signature (v1,<base64 HMAC-SHA256 of id.timestamp.body keyed with the secret after whsec_>; two, space-separated, during a rotation). Answer 2xx within 10 s; anything else is retried with backoff for 24 hours. Deliveries are at least once: deduplicate by webhook-id.",
    request: {
      body: {
        required: true,
        content: {
          "application/json": {
            schema: webhookEventSchema,
            example: {
              type: "key.leak_reported",
              timestamp: "2025-01-15T11:00:00.000Z",
              data: { key: { id: 7, api_key_name: "CI deploy", status: "inactive" }, previous_status: "active" },
            },
          },
        },
      },
    },
    responses: { 200: { description: "Received (any 2xx)." }, 400: { description: "Refused (retried)." } },
  });

  const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: {
      title: "Key portal API",
      version: packageJson.version,
      description:
        'Errors are always `{"success": false, "message": "..."}`: 400 invalid input, 401 not authenticated, 403 not allowed, 404 not found or not yours, 409 conflict, 413 body too large, 429 limited. Methods a path does not serve answer 405 with an Allow header.',
    },
    // Relative: each self-hosted instance serves the document from its own origin, which a
    // client resolves the paths against (the value OpenAPI assumes when servers is left out).
    servers: [{ url: "/", description: "The portal that serves this document." }],
    tags: [
      { name: "Authentication", description: "Bearer tokens for scripts." },
      { name: "Keys", description: "The account's API keys." },
      { name: "Organizations", description: "Teams that share keys: the caller's organizations." },
      { name: "Usage", description: "Calls made with the account's keys." },
      { name: "Audit", description: "Changes to the account's keys." },
      { name: "Account", description: "Account settings." },
      { name: "Data API", description: "What the keys are for." },
      { name: "Service", description: "For operators and tools." },
      { name: "Webhooks", description: "Signed event deliveries to the organization's own endpoints." },
      {
        name: "Operator",
        description:
          "Operator accounts only (x-operator-only; any other account gets 403): the routes the keys guard, service tokens, organizations, accounts and usage across everyone.",
      },
    ],
  });

  const byOperation = new Map(OPERATIONS.map((documented) => [operationKey(documented.config), documented]));
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of ["get", "put", "post", "patch", "delete"] as const) {
      const documented = byOperation.get(`${method} ${path}`);
      for (const parameter of item[method]?.parameters ?? []) {
        if ("$ref" in parameter) continue;
        const note = documented?.parameterNotes[parameter.name] ?? PARAMETER_NOTES[parameter.name];
        if (note && !parameter.description) parameter.description = note;
        const example = documented?.parameterExamples[parameter.name] ?? PARAMETER_EXAMPLES[parameter.name];
        if (example !== undefined) parameter.example = example;
      }
    }
  }
  documentOrganizationScope((document.paths ?? {}) as Record<string, Record<string, unknown>>);
  return document;
}

let cached: OpenApiDocument | undefined;

/** The document, generated on first use (it never changes while the process runs). */
export function openApiDocument(): OpenApiDocument {
  cached ??= generate();
  return cached;
}
