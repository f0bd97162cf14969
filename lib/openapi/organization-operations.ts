import { z } from "zod";
import { FORBIDDEN_MESSAGE } from "../http/errors";
import { createOrganizationSchema } from "../orgs/org-schemas";
import { MAX_EXTRA_FREE_ORGANIZATIONS, type OrganizationView } from "../orgs/organizations";
import { ORG_ROLES } from "../orgs/permissions";
import { documents, rowId } from "./common-schemas";
import {
  BEARER,
  JSON_TYPE,
  badRequest,
  error,
  json,
  jsonBody,
  tooLarge,
  unauthenticated,
  unexpected,
} from "./operation-parts";
import { operation, type DocumentedOperation } from "./parameter-notes";

/** The "Organizations" tag: teams that share keys (issue 24). */

const organizationSchema = documents<OrganizationView>()(
  z
    .object({
      id: rowId,
      name: z.string(),
      role: z.enum(ORG_ROLES).meta({ description: "The caller's role in it." }),
      personal: z.boolean().meta({ description: "The caller's own organization, made with the account." }),
    })
    .meta({ id: "Organization", description: "An organization the caller belongs to." }),
);

export const organizationOperations: DocumentedOperation[] = [
  operation({
    method: "get",
    path: "/api/orgs",
    tags: ["Organizations"],
    summary: "List your organizations",
    description: "The personal organization first, then the others by id, each with your role in it.",
    security: BEARER,
    responses: {
      200: json(z.object({ data: z.array(organizationSchema) }).meta({ id: "OrganizationList" }), "The organizations."),
      401: unauthenticated,
      ...unexpected,
    },
  }),
  operation({
    method: "post",
    path: "/api/orgs",
    tags: ["Organizations"],
    summary: "Create an organization",
    description: `You own it. It starts on the Free plan: an account may own at most ${MAX_EXTRA_FREE_ORGANIZATIONS} Free organization besides its personal one.`,
    security: BEARER,
    request: {
      body: jsonBody(createOrganizationSchema.meta({ id: "CreateOrganizationRequest" }), "A name, 1-100 characters."),
    },
    responses: {
      201: json(
        z.object({ id: rowId, name: z.string(), role: z.literal("owner") }).meta({ id: "CreatedOrganization" }),
        "The new organization.",
      ),
      400: badRequest,
      401: unauthenticated,
      403: error("The account owns as many Free organizations as it may."),
      413: tooLarge,
      ...unexpected,
    },
  }),
];

/**
 * The operations that act on one organization: the one X-Organization-Id names (the caller's
 * personal organization without it), within what the caller's role there allows
 * (lib/orgs/permissions.ts). The document gives each the header and the 403 and 404 it brings.
 */
export const ORGANIZATION_SCOPED = new Set([
  "get /api/api-keys",
  "post /api/api-keys/generate",
  "get /api/api-keys/export",
  "get /api/api-keys/{id}",
  "patch /api/api-keys/{id}",
  "delete /api/api-keys/{id}",
  "put /api/api-keys/{id}/status",
  "post /api/api-keys/{id}/rotate",
  "get /api/audit-logs",
  "get /api/api-usage-logs",
  "get /api/api-usage-logs/summary",
  "put /api/account/working-hours",
]);

const organizationHeader = {
  name: "X-Organization-Id",
  in: "header" as const,
  required: false,
  description:
    "The organization the call acts on (GET /api/orgs lists yours). Without it, your personal organization: the reference's contract.",
  schema: { type: "string" as const, pattern: "^[1-9][0-9]{0,9}$" },
};

/** An error envelope as the generated document writes one (operation-parts.ts: error). */
const errorResponse = (description: string, message: string) => ({
  description,
  content: { [JSON_TYPE]: { schema: { $ref: "#/components/schemas/Error" }, example: { success: false, message } } },
});

/** Adds the header, and the 403 and 404 it can bring, to each organization-scoped operation. */
export function documentOrganizationScope(paths: Record<string, Record<string, unknown>>): void {
  for (const [path, item] of Object.entries(paths)) {
    for (const method of ["get", "put", "post", "patch", "delete"]) {
      const operation = item[method] as { parameters?: unknown[]; responses: Record<string, unknown> } | undefined;
      if (!operation || !ORGANIZATION_SCOPED.has(`${method} ${path}`)) continue;
      operation.parameters = [...(operation.parameters ?? []), organizationHeader];
      operation.responses["403"] ??= errorResponse(
        "Your role in the organization does not allow this (owner, admin, developer, viewer).",
        FORBIDDEN_MESSAGE,
      );
      operation.responses["404"] ??= errorResponse(
        "X-Organization-Id names an organization you are not a member of.",
        "Organization not found",
      );
    }
  }
}
