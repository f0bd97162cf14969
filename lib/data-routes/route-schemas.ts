import { z } from "zod";
import { PLANS } from "../limits/plans";
import { body, idSchema, text } from "../validation/fields";

/** Operator inputs for routes (/api/admin/routes): what the gateway and the data API serve. */

export const SLUG_PATTERN = /^[a-z][a-z0-9-]{0,63}$/;
export const ROUTE_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export type RouteMethod = (typeof ROUTE_METHODS)[number];
/** Bounds of timeout_ms: long enough for a slow report, short enough that a socket is not held for ever. */
export const MIN_TIMEOUT_MS = 100;
export const MAX_TIMEOUT_MS = 120_000;
/** A payload is served on every data-API call that names the route: kept small. */
const MAX_PAYLOAD_BYTES = 32 * 1024;

const slug = z
  .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") })
  .regex(SLUG_PATTERN, "must start with a-z and hold only a-z, 0-9 and '-' (at most 64 characters)");

/**
 * An http(s) base URL: the gateway appends the call's path to its path. No credentials (they would
 * be shown in lists and logs), no query or fragment (the call's own query is passed on).
 */
const upstreamUrl = z
  .string({ error: "must be a string" })
  .max(2048, "must be at most 2048 characters")
  .refine((value) => {
    if (!URL.canParse(value)) return false;
    const url = new URL(value);
    return (
      (url.protocol === "http:" || url.protocol === "https:") &&
      !url.username &&
      !url.password &&
      !url.search &&
      !url.hash &&
      !value.includes("?") &&
      !value.includes("#")
    );
  }, "must be an http:// or https:// URL without credentials, query or fragment");

const payload = z
  .record(z.string(), z.unknown(), { error: "must be a JSON object" })
  .refine((value) => JSON.stringify(value).length <= MAX_PAYLOAD_BYTES, `must be at most ${MAX_PAYLOAD_BYTES} bytes`);

const methods = z
  .array(z.enum(ROUTE_METHODS, { error: `must each be one of ${ROUTE_METHODS.join(", ")}` }), {
    error: "must be an array of HTTP methods",
  })
  .min(1, "must name at least one method")
  .transform((list) => [...new Set(list)]);

const timeoutMs = z
  .number({ error: "must be a number" })
  .int("must be a whole number of milliseconds")
  .min(MIN_TIMEOUT_MS, `must be at least ${MIN_TIMEOUT_MS}`)
  .max(MAX_TIMEOUT_MS, `must be at most ${MAX_TIMEOUT_MS}`);

const minPlan = z.enum(PLANS, { error: `must be one of ${PLANS.join(", ")}` });

const fields = {
  slug,
  name: text({ min: 1, max: 100 }),
  description: text({ min: 0, max: 500 }),
  min_plan: minPlan,
  upstream_url: upstreamUrl.nullable(),
  payload: payload.nullable(),
  methods,
  timeout_ms: timeoutMs,
};

export const EXACTLY_ONE = "exactly one of upstream_url and payload must be set (the other null)";

export const createRouteSchema = body({
  ...fields,
  description: fields.description.default(""),
  min_plan: minPlan.default("free"),
  upstream_url: fields.upstream_url.default(null),
  payload: fields.payload.default(null),
  methods: methods.default(["GET"]),
  timeout_ms: timeoutMs.default(10_000),
}).refine((input) => (input.upstream_url === null) !== (input.payload === null), {
  message: EXACTLY_ONE,
  path: ["upstream_url"],
});
export type CreateRouteInput = z.infer<typeof createRouteSchema>;

/** Every field optional; the route as it will be must still have exactly one of upstream_url and payload. */
export const updateRouteSchema = body({
  slug: fields.slug.optional(),
  name: fields.name.optional(),
  description: fields.description.optional(),
  min_plan: minPlan.optional(),
  upstream_url: fields.upstream_url.optional(),
  payload: fields.payload.optional(),
  methods: methods.optional(),
  timeout_ms: timeoutMs.optional(),
});
export type UpdateRouteInput = z.infer<typeof updateRouteSchema>;

export const routeIdParamsSchema = z.object({ id: idSchema });
