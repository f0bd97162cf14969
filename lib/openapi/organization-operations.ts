import { z } from "zod";
import { createOrganizationSchema } from "../orgs/org-schemas";
import { MAX_EXTRA_FREE_ORGANIZATIONS, type OrganizationView } from "../orgs/organizations";
import { ORG_ROLES } from "../orgs/permissions";
import { documents, rowId } from "./common-schemas";
import { BEARER, badRequest, error, json, jsonBody, tooLarge, unauthenticated, unexpected } from "./operation-parts";
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
