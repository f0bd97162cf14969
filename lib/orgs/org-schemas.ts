import { z } from "zod";
import { PLANS } from "../limits/plans";
import { body, emailSchema, idSchema, pageQuery, text } from "../validation/fields";
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

const plan = z.enum(PLANS, { error: `must be one of ${PLANS.join(", ")}` });
const subscription = z.enum(["active", "inactive"], { error: "must be one of active, inactive" });

/** GET /api/admin/organizations: a search in names and members' emails and usernames, and filters. */
export const adminOrganizationsQuerySchema = z.object({
  ...pageQuery,
  q: text({ min: 1, max: 100 }).optional(),
  plan: plan.optional(),
  subscription: subscription.optional(),
});

/** PATCH /api/admin/organizations/{id}: at least one of them; rate_limit null is the plan's default. */
export const adminOrganizationChangesSchema = body({
  plan: plan.optional(),
  subscription: subscription.optional(),
  rate_limit: z
    .number({ error: "must be a whole number of requests per hour, or null" })
    .int("must be a whole number of requests per hour, or null")
    .min(1, "must be at least 1")
    .max(1_000_000_000, "must be at most 1,000,000,000")
    .nullable()
    .optional(),
}).refine((changes) => Object.values(changes).some((value) => value !== undefined), {
  error: "Send at least one of plan, subscription, rate_limit",
});
