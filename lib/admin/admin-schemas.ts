import { z } from "zod";
import { ROLES } from "../auth/roles";
import { body, pageQuery, text } from "../validation/fields";

/** GET /api/admin/accounts: a search in emails and usernames. */
export const adminAccountsQuerySchema = z.object({
  ...pageQuery,
  q: text({ min: 1, max: 100 }).optional(),
});

/** PATCH /api/admin/accounts/{id}. */
export const adminAccountChangesSchema = body({
  role: z.enum(ROLES, { error: `must be one of ${ROLES.join(", ")}` }),
});

export const USAGE_RANGES = ["24h", "7d"] as const;
export type UsageRange = (typeof USAGE_RANGES)[number];

/** GET /api/admin/usage/summary: the last 24 hours (the default) or 7 days. */
export const adminUsageQuerySchema = z.object({
  range: z.enum(USAGE_RANGES, { error: `must be one of ${USAGE_RANGES.join(", ")}` }).default("24h"),
});
