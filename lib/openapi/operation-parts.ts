import type { ResponseConfig, RouteConfig } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import { UNAUTHENTICATED_MESSAGE } from "../http/errors";
import { formatZodError } from "../validation/format-zod-error";

/**
 * What the operations of every tag are assembled from: the JSON content helpers, the one error
 * envelope and the answers many routes share, the response headers, and the security
 * requirements.
 *
 * Every JSON body carries an example. The type checker holds each to its schema (`json` takes
 * the schema's output type, `jsonBody` its input type); tests/integration/openapi.test.ts holds
 * them to the generated document and request examples to the handlers' own parsing.
 */

type HeadersObject = Record<string, { description: string; schema: Record<string, unknown> } | { $ref: string }>;

export const JSON_TYPE = "application/json";
export const BEARER = [{ BearerAuth: [] }];
export const DATA_API_KEY = [{ ApiKey: [], ApiUsername: [] }];

const errorSchema = z
  .object({
    success: z.literal(false),
    message: z.string().meta({ description: "What went wrong, for a person to read." }),
  })
  .meta({
    id: "Error",
    description: "The one error envelope every /api route answers with.",
    examples: [{ success: false, message: UNAUTHENTICATED_MESSAGE }],
  });

/** A JSON answer, with an example of it. */
export function json<S extends z.ZodType>(
  schema: S,
  description: string,
  example: z.output<S>,
  headers?: HeadersObject,
): ResponseConfig {
  return { description, ...(headers ? { headers } : {}), content: { [JSON_TYPE]: { schema, example } } };
}

/** An error envelope; `message`, when given, is an example of what the server says. */
export const error = (description: string, headers?: HeadersObject, message?: string): ResponseConfig => ({
  description,
  ...(headers ? { headers } : {}),
  content: {
    [JSON_TYPE]: { schema: errorSchema, ...(message ? { example: { success: false, message } } : {}) },
  },
});

/** A request body the handler parses with `schema`, with an example that it accepts. */
export function jsonBody<S extends z.ZodType>(
  schema: S,
  description: string,
  example: z.input<S>,
): NonNullable<RouteConfig["request"]>["body"] {
  return { required: true, description, content: { [JSON_TYPE]: { schema, example } } };
}

const INVALID_INPUT = "Invalid input: the message names the field and what is wrong with it.";
export const badRequest = error(INVALID_INPUT);

/**
 * The 400 a handler answers when `schema` refuses `input`, with the very message it sends
 * (formatZodError's). Should `input` ever become valid, the example is left out, and the
 * document's test names the operation.
 */
export function invalid(schema: z.ZodType, input: unknown, description = INVALID_INPUT): ResponseConfig {
  const result = schema.safeParse(input);
  return error(description, undefined, result.success ? undefined : formatZodError(result.error));
}

// Response headers, described once in components.headers and referenced from each response.
export const RESPONSE_HEADERS = {
  "Retry-After": { description: "Seconds to wait before trying again.", schema: { type: "integer", minimum: 1 } },
  "X-RateLimit-Limit": { description: "Calls the hourly budget allows.", schema: { type: "integer" } },
  "X-RateLimit-Remaining": { description: "Calls left in this hour.", schema: { type: "integer" } },
  "X-RateLimit-Reset": { description: "When the budget resets, in Unix seconds.", schema: { type: "integer" } },
  RateLimit: {
    description: 'IETF draft form: "hourly";r=<remaining>;t=<seconds to reset>.',
    schema: { type: "string" },
  },
  "RateLimit-Policy": { description: 'IETF draft form: "hourly";q=<limit>;w=3600.', schema: { type: "string" } },
} as const;

const headerRefs = (...names: Array<keyof typeof RESPONSE_HEADERS>): HeadersObject =>
  Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }]));

export const retryAfter = headerRefs("Retry-After");
export const rateLimitHeaders = headerRefs(
  "X-RateLimit-Limit",
  "X-RateLimit-Remaining",
  "X-RateLimit-Reset",
  "RateLimit",
  "RateLimit-Policy",
);

// Every route can fail these ways, whatever it does (the messages are lib/http/errors.ts's).
export const unexpected = {
  500: error("Unexpected failure; the details are in the server's log, not here.", undefined, "Internal server error"),
  503: error(
    "The database is busy or unavailable: retry after the time given.",
    retryAfter,
    "The database is busy or unavailable; retry shortly",
  ),
};
export const unauthenticated = error(
  "Missing, invalid or expired access token, or the account or login no longer exists.",
  undefined,
  UNAUTHENTICATED_MESSAGE,
);
export const tooLarge = error(
  "The request body is larger than 64 KB.",
  undefined,
  "Request body is too large (limit 64 KB)",
);
