import { z } from "zod";
import { DECISION_CODES } from "../data-api/serve-data-request";
import type { VerifyAnswer } from "../data-api/verify-call";
import { ENVIRONMENTS } from "../keys/key-controls";
import { verifyKeySchema } from "../keys/key-schemas";
import { documents, isoTime, rowId } from "./common-schemas";
import { invalid, json, jsonBody, tooLarge, unauthenticated, unexpected } from "./operation-parts";
import { operation, type DocumentedOperation } from "./parameter-notes";

/** POST /api/v1/keys/verify: for services that keep their own edge (packages/verify calls it). */

const verifyAnswerSchema = documents<VerifyAnswer>()(
  z
    .object({
      valid: z.boolean(),
      code: z.enum(DECISION_CODES).meta({
        description:
          "VALID; NOT_FOUND (no such key), DISABLED, EXPIRED (or rotated past its grace), USERNAME_MISMATCH; FORBIDDEN (plan, subscription, a route outside the key's routes, an unknown route, or no route for a key limited to routes); IP_REFUSED (ip missing or outside the allow-list); READ_ONLY (a write method with a read-only key); RATE_LIMITED (the owner's hourly limit, or the end caller's failure budget).",
      }),
      key: z
        .object({
          id: rowId,
          name: z.string(),
          environment: z.enum(ENVIRONMENTS).or(z.string()),
          owner_id: rowId.meta({
            description:
              "The organization that owns the key: for a personal organization the account's id (as before organizations), a shared one's from 1000000001.",
          }),
          plan: z.string().meta({ description: "The owning organization's plan." }),
          routes: z.array(rowId).nullable(),
          read_only: z.boolean(),
          expires_at: isoTime.nullable(),
        })
        .nullable()
        .meta({
          description: "The key, once its secret and username matched (null for NOT_FOUND and USERNAME_MISMATCH).",
        }),
      ratelimit: z
        .object({
          limit: z.int(),
          remaining: z.int(),
          reset: z
            .int()
            .meta({ description: "When the hourly budget resets, in Unix seconds (as X-RateLimit-Reset)." }),
        })
        .nullable()
        .meta({ description: "The owner's hourly budget after this call; null when the key did not count." }),
    })
    .meta({ id: "VerifyAnswer" }),
);

export const verifyOperations: DocumentedOperation[] = [
  operation({
    method: "post",
    path: "/api/v1/keys/verify",
    operationId: "verifyKey",
    tags: ["Data API"],
    summary: "Verify a key for a call your service serves",
    description:
      "The data API's rules for one call, answered as a code: 200 for every well-formed call. It counts against the key's hourly limit and writes a usage row (route and method are the caller's). Failures are charged to the failure budget of `ip`, or without it of the service token: never to the service's own address.",
    security: [{ ServiceToken: [] }],
    request: {
      body: jsonBody(
        verifyKeySchema.meta({ id: "VerifyKeyRequest" }),
        "username is required. route: a route's slug or id (a key limited to routes needs one). ip: the end caller's address (a key with an allow-list needs it).",
        {
          api_key: "sk_live_EXAMPLE_PLACEHOLDER_NOT_A_KEY",
          username: "billing_service",
          route: 123,
          method: "GET",
          ip: "203.0.113.7",
        },
      ),
    },
    responses: {
      200: json(verifyAnswerSchema, "The decision.", {
        valid: true,
        code: "VALID",
        key: {
          id: 42,
          name: "Billing backend",
          environment: "production",
          owner_id: 7,
          plan: "professional",
          routes: [123, 124],
          read_only: false,
          expires_at: "2025-04-15T10:30:00.000Z",
        },
        ratelimit: { limit: 5000, remaining: 4998, reset: 1737363600 },
      }),
      400: invalid(verifyKeySchema, { api_key: "sk_live_EXAMPLE_PLACEHOLDER_NOT_A_KEY" }),
      401: unauthenticated,
      413: tooLarge,
      ...unexpected,
    },
  }),
];
