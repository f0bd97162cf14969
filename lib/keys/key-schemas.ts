import { z } from "zod";
import { ROUTE_METHODS, SLUG_PATTERN } from "../data-routes/route-schemas";
import {
  body,
  idSchema,
  LONE_SURROGATE,
  NO_NUL,
  isoDate,
  pageQuery,
  text,
  usernameSchema,
  WELL_FORMED,
} from "../validation/fields";
import {
  ENVIRONMENTS,
  GRACE_PERIODS,
  MAX_ALLOWLIST_ENTRIES,
  MAX_EXPIRY_DAYS,
  maxExpiry,
  normalizeAllowlistEntry,
} from "./key-controls";

/** Key inputs: generation, rename, update, rotation, status, leak reports, lists and exports. */

const keyName = text({ min: 1, max: 100 });

const environment = z.enum(ENVIRONMENTS, {
  error: `must be one of ${ENVIRONMENTS.map((e) => `"${e}"`).join(", ")}`,
});

/** Route ids a key is limited to; null (or left out) = every route its plan allows. */
const routeList = z
  .array(
    z
      .number({ error: "must list route ids (positive integers)" })
      .int("must list route ids (positive integers)")
      .min(1, "must list route ids (positive integers)")
      .max(2_147_483_647, "must list route ids (positive integers)"),
    { error: "must be an array of route ids, or null for every route" },
  )
  .min(1, "must list at least one route id (null allows every route)")
  .max(100, "must list at most 100 route ids")
  .transform((ids) => [...new Set(ids)].sort((a, b) => a - b))
  .nullable();

/** Addresses and CIDR ranges a key may be used from, normalised; null (or left out) = anywhere. */
const ipAllowlist = z
  .array(z.string({ error: "must list addresses as strings" }).max(64, "entries must be at most 64 characters"), {
    error: "must be an array of IP addresses or CIDR ranges, or null for any address",
  })
  .min(1, "must list at least one address (null allows every address)")
  .max(MAX_ALLOWLIST_ENTRIES, `must list at most ${MAX_ALLOWLIST_ENTRIES} entries`)
  .transform((entries, ctx) => {
    const normalized: string[] = [];
    entries.forEach((entry, index) => {
      const canonical = normalizeAllowlistEntry(entry);
      if (canonical === null) {
        ctx.addIssue({
          code: "custom",
          message: `entry ${index + 1} ("${entry.slice(0, 64)}") is not an IP address or CIDR range`,
        });
      } else if (!normalized.includes(canonical)) normalized.push(canonical);
    });
    return normalized;
  })
  .nullable();

const readOnly = z.boolean({ error: "must be true or false" });

/** What a key may do: shared by generation and PATCH. */
const keyControls = {
  environment: environment.optional(),
  routes: routeList.optional(),
  read_only: readOnly.optional(),
  ip_allowlist: ipAllowlist.optional(),
};

export const generateKeySchema = body({
  api_key_name: keyName,
  user: usernameSchema,
  ...keyControls,
  /** An ISO time in the future, or a number of days from now; not both. */
  expires_at: isoDate
    .refine((at) => at.getTime() > Date.now(), "must be in the future")
    .refine((at) => at <= maxExpiry(), `must be at most ${MAX_EXPIRY_DAYS} days from now`)
    .optional(),
  expires_in_days: z
    .number({ error: `must be a whole number of days from 1 to ${MAX_EXPIRY_DAYS}` })
    .int(`must be a whole number of days from 1 to ${MAX_EXPIRY_DAYS}`)
    .min(1, `must be a whole number of days from 1 to ${MAX_EXPIRY_DAYS}`)
    .max(MAX_EXPIRY_DAYS, `must be a whole number of days from 1 to ${MAX_EXPIRY_DAYS}`)
    .optional(),
}).refine((v) => v.expires_at === undefined || v.expires_in_days === undefined, {
  message: "give expires_at or expires_in_days, not both",
  path: ["expires_in_days"],
});
export type GenerateKeyInput = z.infer<typeof generateKeySchema>;

/** The portal's rename: a new name, under the same rules as at generation. */
export const renameKeySchema = body({ api_key_name: keyName });

/** PATCH /api/api-keys/{id}: a new name and/or new controls; at least one field. */
export const updateKeySchema = body({ api_key_name: keyName.optional(), ...keyControls }).refine(
  (v) => Object.values(v).some((value) => value !== undefined),
  "Request body must change at least one of api_key_name, environment, routes, read_only, ip_allowlist",
);
export type UpdateKeyInput = z.infer<typeof updateKeySchema>;

/** POST /api/api-keys/{id}/rotate. */
export const rotateKeySchema = body({
  grace_period_seconds: z.union(
    GRACE_PERIODS.map((seconds) => z.literal(seconds)),
    {
      error: (issue) =>
        issue.input === undefined ? "is required" : `must be one of ${GRACE_PERIODS.join(", ")} (seconds)`,
    },
  ),
});

/** POST /api/api-keys/revoke: a key someone found where it should not be. */
export const reportLeakSchema = body({
  api_key: z
    .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") })
    .trim()
    .min(1, "is required")
    .max(200, "must be at most 200 characters"),
});

const KEY_STATUSES = ["active", "inactive"] as const;
export type KeyStatus = (typeof KEY_STATUSES)[number];
const keyStatus = z.enum(KEY_STATUSES, {
  error: (issue) => (issue.input === undefined ? "is required" : 'must be "active" or "inactive"'),
});

export const keyStatusSchema = body({ status: keyStatus });

export const listKeysQuerySchema = z.object({
  ...pageQuery,
  status: keyStatus.optional(),
  q: z
    .string()
    .trim()
    .max(100, "must be at most 100 characters")
    .refine((v) => !v.includes("\0"), NO_NUL)
    .refine((v) => !LONE_SURROGATE.test(v), WELL_FORMED)
    .optional(),
  /**
   * Who made the keys: a member's user id, or "removed" for keys whose maker is no longer a member
   * of the organization (keys outlive people: this finds the ones to review).
   */
  created_by: z.union([z.literal("removed"), idSchema], { error: 'must be a user id or "removed"' }).optional(),
});
export type ListKeysQuery = z.infer<typeof listKeysQuerySchema>;

/** GET /api/api-keys/export and the portal's Export CSV: the list's search and status filter, no paging. */
export const exportKeysQuerySchema = listKeysQuerySchema.pick({ q: true, status: true, created_by: true });

export const keyIdParamsSchema = z.object({ id: idSchema });

/**
 * POST /api/v1/keys/verify: a service asks whether a key may make a call. `route` is a route's
 * slug or id; `ip` the end caller's address (a key with an allow-list is refused without it).
 */
export const verifyKeySchema = body({
  api_key: z
    .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") })
    .min(1, "is required")
    .max(200, "must be at most 200 characters"),
  username: z
    .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") })
    .min(1, "is required")
    .max(256, "must be at most 256 characters"),
  route: z
    .union(
      [
        z.int().min(1).max(2_147_483_647),
        // An id as text ("123", as a path parameter arrives): the same id.
        z
          .string()
          .regex(/^[1-9]\d{0,9}$/)
          .transform(Number)
          .pipe(z.int().max(2_147_483_647)),
        z.string().regex(SLUG_PATTERN),
      ],
      { error: "must be a route id or slug" },
    )
    .optional(),
  method: z
    .string({ error: "must be a string" })
    .transform((value) => value.toUpperCase())
    // The methods a route may pass on: the gateway's.
    .pipe(z.enum(ROUTE_METHODS, { error: `must be one of ${ROUTE_METHODS.join(", ")}` }))
    .optional(),
  ip: z
    .string({ error: "must be a string" })
    .refine((value) => normalizeAllowlistEntry(value) !== null && !value.includes("/"), "must be an IP address")
    .optional(),
});
export type VerifyKeyInput = z.infer<typeof verifyKeySchema>;
