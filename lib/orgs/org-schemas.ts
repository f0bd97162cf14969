import { z } from "zod";
import { body, emailSchema, idSchema, text } from "../validation/fields";
import { ORG_ROLES } from "./permissions";

/** POST /api/orgs and PATCH /api/orgs/{id}. */
export const createOrganizationSchema = body({ name: text({ min: 1, max: 100 }) });

const role = z.enum(ORG_ROLES, { error: `must be one of ${ORG_ROLES.join(", ")}` });

/** POST /api/orgs/{id}/invitations: the role the invitee gets; with an email, only that account may accept. */
export const createInvitationSchema = body({ role, email: emailSchema.optional() });

/** PATCH /api/orgs/{id}/members/{user_id}. */
export const memberRoleSchema = body({ role });

/** POST /api/orgs/{id}/transfer. */
export const transferSchema = body({
  user_id: z
    .number({ error: "must be a member's user id" })
    .int("must be a member's user id")
    .min(1)
    .max(2_147_483_647),
});

/** POST /api/invitations/accept. */
export const acceptInvitationSchema = body({ token: text({ min: 1, max: 200 }) });

export const memberParamsSchema = z.object({ user_id: idSchema });
export const invitationParamsSchema = z.object({ invitation_id: idSchema });
