import { z } from "zod";
import { FORBIDDEN_MESSAGE } from "../http/errors";
import { INVITATION_DAYS, type InvitationView, type JoinedMembership } from "../orgs/invitations";
import type { MemberView } from "../orgs/members";
import {
  acceptInvitationSchema,
  createInvitationSchema,
  createOrganizationSchema,
  memberRoleSchema,
  transferSchema,
} from "../orgs/org-schemas";
import { MAX_EXTRA_FREE_ORGANIZATIONS, type OrganizationView } from "../orgs/organizations";
import { ORG_ROLES } from "../orgs/permissions";
import { idSchema } from "../validation/fields";
import { documents, isoTime, rowId, successMessageSchema } from "./common-schemas";
import {
  BEARER,
  JSON_TYPE,
  badRequest,
  error,
  invalid,
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

const roleSchema = z.enum(ORG_ROLES);

export const memberSchema = documents<MemberView>()(
  z
    .object({ user_id: rowId, username: z.string(), email: z.string(), role: roleSchema, joined_at: isoTime })
    .meta({ id: "Member", description: "A member of the organization and their role." }),
);

const invitationSchema = documents<InvitationView>()(
  z
    .object({
      id: rowId,
      role: roleSchema,
      email: z.string().nullable().meta({ description: "Only the account with this email may accept." }),
      status: z.enum(["pending", "accepted", "revoked", "expired"]),
      created_by: rowId.meta({ description: "The member who invited." }),
      created_at: isoTime,
      expires_at: isoTime,
      accepted_by: rowId.nullable(),
    })
    .meta({ id: "Invitation", description: "An invitation, without its token (shown once, at creation)." }),
);

const membershipSchema = documents<JoinedMembership>()(
  z
    .object({ organization_id: rowId, name: z.string(), role: roleSchema })
    .meta({ id: "JoinedMembership", description: "The organization joined, and your role in it." }),
);

const orgParams = z.object({ id: idSchema });
const memberParams = z.object({ id: idSchema, user_id: idSchema });
const invitationParams = z.object({ id: idSchema, invitation_id: idSchema });

// A shared organization's id (personal ones have their account's): the examples' team.
const TEAM_ID = 1_000_000_001;
const TEAM_NAME = "Payments team";
const ORG_PARAMETERS = {
  notes: {
    id: "The organization's id (GET /api/orgs lists yours).",
    user_id: "The member's user id (GET /api/orgs/{id}/members).",
    invitation_id: "The invitation's id (GET /api/orgs/{id}/invitations).",
  },
  examples: { id: TEAM_ID, user_id: 12, invitation_id: 3 },
};

/** The members the examples show; admin-operations.ts lists them in an organization's detail. */
export const MEMBER_EXAMPLES: MemberView[] = [
  { user_id: 7, username: "ada", email: "ada@example.com", role: "owner", joined_at: "2025-01-15T10:30:00.000Z" },
  {
    user_id: 12,
    username: "grace",
    email: "grace@example.com",
    role: "developer",
    joined_at: "2025-01-16T14:05:00.000Z",
  },
];

const INVITATION_EXAMPLE: InvitationView = {
  id: 3,
  role: "developer",
  email: "grace@example.com",
  status: "pending",
  created_by: 7,
  created_at: "2025-01-16T09:00:00.000Z",
  expires_at: new Date(Date.parse("2025-01-16T09:00:00.000Z") + INVITATION_DAYS * 86_400_000).toISOString(),
  accepted_by: null,
};
const INVITATION_TOKEN_EXAMPLE = "inv_EXAMPLE_invitation_token";

const notMember = error(
  "You are not a member of this organization (or there is none with this id).",
  undefined,
  "Organization not found",
);
const roleRefused = (who: string) => error(`Your role does not allow this: ${who}.`, undefined, FORBIDDEN_MESSAGE);
const lastOwner = error(
  "The organization would be left without an owner, or it is a personal organization.",
  undefined,
  "An organization must keep at least one owner: make another member owner first",
);
const memberNotFound = error("Not a member of this organization, or no such member.", undefined, "Member not found");

/** The members and invitations of one organization, named in the path (issue 24). */
function memberOperations(): DocumentedOperation[] {
  const org = (
    config: Omit<Parameters<typeof operation>[0], "tags" | "security"> & { responses: Record<string, unknown> },
  ) =>
    operation(
      { tags: ["Organizations"], security: BEARER, ...config } as Parameters<typeof operation>[0],
      ORG_PARAMETERS,
    );
  return [
    org({
      method: "patch",
      path: "/api/orgs/{id}",
      operationId: "renameOrganization",
      summary: "Rename an organization",
      description: "Owner or admin.",
      request: {
        params: orgParams,
        body: jsonBody(
          createOrganizationSchema.meta({ id: "RenameOrganizationRequest" }),
          "The new name, 1-100 characters.",
          { name: "Payments and billing" },
        ),
      },
      responses: {
        200: json(
          z.object({ id: rowId, name: z.string(), role: roleSchema }).meta({ id: "RenamedOrganization" }),
          "The organization as renamed.",
          { id: TEAM_ID, name: "Payments and billing", role: "owner" },
        ),
        400: invalid(createOrganizationSchema, { name: "" }),
        401: unauthenticated,
        403: roleRefused("owner or admin"),
        404: notMember,
        413: tooLarge,
        ...unexpected,
      },
    }),
    org({
      method: "delete",
      path: "/api/orgs/{id}",
      operationId: "deleteOrganization",
      summary: "Delete an organization",
      description:
        "Owner only. Its keys are revoked at once (each stops working at its next call, on every instance); its usage and audit log go with it. A personal organization cannot be deleted (409).",
      request: { params: orgParams },
      responses: {
        200: json(successMessageSchema, "Deleted.", {
          success: true,
          message: "Organization deleted; its 3 API key(s) stopped working",
        }),
        400: badRequest,
        401: unauthenticated,
        403: roleRefused("owner"),
        404: notMember,
        409: error(
          "A personal organization cannot be deleted.",
          undefined,
          "A personal organization cannot be deleted",
        ),
        ...unexpected,
      },
    }),
    org({
      method: "get",
      path: "/api/orgs/{id}/members",
      operationId: "listOrganizationMembers",
      summary: "List members",
      description: "Every member may read them: owners first, then by when they joined.",
      request: { params: orgParams },
      responses: {
        200: json(z.object({ data: z.array(memberSchema) }).meta({ id: "MemberList" }), "The members.", {
          data: MEMBER_EXAMPLES,
        }),
        401: unauthenticated,
        404: notMember,
        ...unexpected,
      },
    }),
    org({
      method: "patch",
      path: "/api/orgs/{id}/members/{user_id}",
      operationId: "setOrganizationMemberRole",
      summary: "Change a member's role",
      description:
        "Owner or admin. Granting owner, or changing an owner's role, takes an owner; the last owner cannot be demoted. The new role acts at the member's next request.",
      request: {
        params: memberParams,
        body: jsonBody(memberRoleSchema.meta({ id: "MemberRoleRequest" }), "The role.", { role: "admin" }),
      },
      responses: {
        200: json(memberSchema, "The member with the new role.", { ...MEMBER_EXAMPLES[1], role: "admin" }),
        400: invalid(memberRoleSchema, { role: "boss" }),
        401: unauthenticated,
        403: roleRefused("owner or admin; the owner role: owner"),
        404: memberNotFound,
        409: lastOwner,
        413: tooLarge,
        ...unexpected,
      },
    }),
    org({
      method: "delete",
      path: "/api/orgs/{id}/members/{user_id}",
      operationId: "removeOrganizationMember",
      summary: "Remove a member",
      description:
        "Owner or admin (an owner only by an owner). Their next request naming the organization is refused, on every instance; the keys they made keep working.",
      request: { params: memberParams },
      responses: {
        200: json(successMessageSchema, "Removed.", {
          success: true,
          message: "Member removed; the keys they made keep working",
        }),
        400: invalid(memberParams, { id: String(TEAM_ID), user_id: "x" }),
        401: unauthenticated,
        403: roleRefused("owner or admin; an owner: owner"),
        404: memberNotFound,
        409: lastOwner,
        ...unexpected,
      },
    }),
    org({
      method: "get",
      path: "/api/orgs/{id}/invitations",
      operationId: "listOrganizationInvitations",
      summary: "List invitations",
      description: "Owner or admin. Newest first, with their status; never their tokens.",
      request: { params: orgParams },
      responses: {
        200: json(z.object({ data: z.array(invitationSchema) }).meta({ id: "InvitationList" }), "The invitations.", {
          data: [INVITATION_EXAMPLE],
        }),
        401: unauthenticated,
        403: roleRefused("owner or admin"),
        404: notMember,
        ...unexpected,
      },
    }),
    org({
      method: "post",
      path: "/api/orgs/{id}/invitations",
      operationId: "createOrganizationInvitation",
      summary: "Invite a member",
      description: `Owner or admin (an owner invitation only by an owner). The token and link are shown this once; the link is built from NEXTAUTH_URL and carries the token after "#". Single use, valid ${INVITATION_DAYS} days, revocable. With an email and SMTP_URL set, the link is also mailed there. A personal organization cannot be shared (409).`,
      request: {
        params: orgParams,
        body: jsonBody(
          createInvitationSchema.meta({ id: "CreateInvitationRequest" }),
          "The role the invitee gets; with an email, only that account may accept.",
          { role: "developer", email: "grace@example.com" },
        ),
      },
      responses: {
        201: json(
          z
            .object({
              id: rowId,
              token: z.string().meta({ description: "Shown once: only its SHA-256 is stored." }),
              url: z.string().meta({ description: "The link to send the invitee." }),
              role: roleSchema,
              email: z.string().nullable(),
              expires_at: isoTime,
            })
            .meta({ id: "CreatedInvitation" }),
          "The invitation, with its token.",
          {
            id: INVITATION_EXAMPLE.id,
            token: INVITATION_TOKEN_EXAMPLE,
            url: `https://keys.example.com/invite#${INVITATION_TOKEN_EXAMPLE}`,
            role: INVITATION_EXAMPLE.role,
            email: INVITATION_EXAMPLE.email,
            expires_at: INVITATION_EXAMPLE.expires_at,
          },
        ),
        400: invalid(createInvitationSchema, { role: "boss" }),
        401: unauthenticated,
        403: roleRefused("owner or admin; an owner invitation: owner"),
        404: notMember,
        409: error(
          "A personal organization cannot be shared.",
          undefined,
          "A personal organization cannot be shared; create an organization to share keys",
        ),
        413: tooLarge,
        ...unexpected,
      },
    }),
    org({
      method: "delete",
      path: "/api/orgs/{id}/invitations/{invitation_id}",
      operationId: "revokeOrganizationInvitation",
      summary: "Revoke an invitation",
      description: "Owner or admin: the link stops working. An accepted one: 409.",
      request: { params: invitationParams },
      responses: {
        200: json(invitationSchema, "The invitation, now revoked.", { ...INVITATION_EXAMPLE, status: "revoked" }),
        400: invalid(invitationParams, { id: String(TEAM_ID), invitation_id: "x" }),
        401: unauthenticated,
        403: roleRefused("owner or admin; an owner invitation: owner"),
        404: error(
          "No such invitation in this organization, or you are not a member.",
          undefined,
          "Invitation not found",
        ),
        409: error("The invitation was accepted already.", undefined, "This invitation has been accepted already"),
        ...unexpected,
      },
    }),
    org({
      method: "post",
      path: "/api/orgs/{id}/leave",
      operationId: "leaveOrganization",
      summary: "Leave an organization",
      description: "Any member; not the last owner (make another owner first), not from your personal organization.",
      request: { params: orgParams },
      responses: {
        200: json(successMessageSchema, "You left.", { success: true, message: "You left the organization" }),
        401: unauthenticated,
        404: notMember,
        409: lastOwner,
        ...unexpected,
      },
    }),
    org({
      method: "post",
      path: "/api/orgs/{id}/transfer",
      operationId: "transferOrganization",
      summary: "Transfer ownership",
      description: "Owner only: the member named becomes an owner, and you an admin.",
      request: {
        params: orgParams,
        body: jsonBody(transferSchema.meta({ id: "TransferRequest" }), "The member to hand the organization to.", {
          user_id: MEMBER_EXAMPLES[1].user_id,
        }),
      },
      responses: {
        200: json(z.object({ data: z.array(memberSchema) }).meta({ id: "MembersAfterTransfer" }), "The members now.", {
          data: [
            { ...MEMBER_EXAMPLES[1], role: "owner" },
            { ...MEMBER_EXAMPLES[0], role: "admin" },
          ],
        }),
        400: invalid(transferSchema, { user_id: "grace" }),
        401: unauthenticated,
        403: roleRefused("owner"),
        404: memberNotFound,
        413: tooLarge,
        ...unexpected,
      },
    }),
    operation({
      method: "post",
      path: "/api/invitations/accept",
      operationId: "acceptInvitation",
      tags: ["Organizations"],
      summary: "Accept an invitation",
      description: "As the invitee (your Bearer): you join with the invitation's role.",
      security: BEARER,
      request: {
        body: jsonBody(acceptInvitationSchema.meta({ id: "AcceptInvitationRequest" }), "The token.", {
          token: INVITATION_TOKEN_EXAMPLE,
        }),
      },
      responses: {
        200: json(membershipSchema, "The membership.", {
          organization_id: TEAM_ID,
          name: TEAM_NAME,
          role: INVITATION_EXAMPLE.role,
        }),
        400: invalid(acceptInvitationSchema, {}),
        401: unauthenticated,
        403: error(
          "The invitation is for another email address.",
          undefined,
          "This invitation is for another email address",
        ),
        404: error("No invitation has this token, or it was revoked.", undefined, "Invitation not found or revoked"),
        409: error("The invitation was used, or you are a member already.", undefined, "This invitation has been used"),
        410: error(
          "The invitation has expired: ask for a new one.",
          undefined,
          "This invitation has expired; ask for a new one",
        ),
        413: tooLarge,
        ...unexpected,
      },
    }),
  ];
}

export const organizationOperations: DocumentedOperation[] = [
  operation({
    method: "get",
    path: "/api/orgs",
    operationId: "listOrganizations",
    tags: ["Organizations"],
    summary: "List your organizations",
    description: "The personal organization first, then the others by id, each with your role in it.",
    security: BEARER,
    responses: {
      200: json(
        z.object({ data: z.array(organizationSchema) }).meta({ id: "OrganizationList" }),
        "The organizations.",
        {
          data: [
            { id: 7, name: "ada", role: "owner", personal: true },
            { id: TEAM_ID, name: TEAM_NAME, role: "developer", personal: false },
          ],
        },
      ),
      401: unauthenticated,
      ...unexpected,
    },
  }),
  operation({
    method: "post",
    path: "/api/orgs",
    operationId: "createOrganization",
    tags: ["Organizations"],
    summary: "Create an organization",
    description: `You own it. It starts on the Free plan: an account may own at most ${MAX_EXTRA_FREE_ORGANIZATIONS} Free organization besides its personal one.`,
    security: BEARER,
    request: {
      body: jsonBody(createOrganizationSchema.meta({ id: "CreateOrganizationRequest" }), "A name, 1-100 characters.", {
        name: TEAM_NAME,
      }),
    },
    responses: {
      201: json(
        z.object({ id: rowId, name: z.string(), role: z.literal("owner") }).meta({ id: "CreatedOrganization" }),
        "The new organization.",
        { id: TEAM_ID, name: TEAM_NAME, role: "owner" },
      ),
      400: invalid(createOrganizationSchema, { name: "" }),
      401: unauthenticated,
      403: error(
        "The account owns as many Free organizations as it may.",
        undefined,
        `An account may own at most ${MAX_EXTRA_FREE_ORGANIZATIONS} Free organization besides its personal one`,
      ),
      413: tooLarge,
      ...unexpected,
    },
  }),
  ...memberOperations(),
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
  "get /api/webhooks",
  "post /api/webhooks",
  "get /api/webhooks/{id}",
  "patch /api/webhooks/{id}",
  "delete /api/webhooks/{id}",
  "post /api/webhooks/{id}/rotate-secret",
  "get /api/webhooks/{id}/deliveries",
  "post /api/webhooks/{id}/deliveries/{delivery_id}/redeliver",
]);

const organizationHeader = {
  name: "X-Organization-Id",
  in: "header" as const,
  required: false,
  description:
    "The organization the call acts on (GET /api/orgs lists yours). Without it, your personal organization: the reference's contract.",
  // What resolveOrganization reads (digits, no leading zero): an id a typed client holds as a number.
  schema: { type: "integer" as const, minimum: 1, maximum: 2_147_483_647 },
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
