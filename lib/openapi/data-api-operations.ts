import { z } from "zod";
import { FORBIDDEN_MESSAGE, UNAUTHENTICATED_MESSAGE } from "../http/errors";
import { idSchema } from "../validation/fields";
import { rowId } from "./common-schemas";
import { DATA_API_KEY, error, invalid, json, rateLimitHeaders, retryAfter, unexpected } from "./operation-parts";
import { operation, type DocumentedOperation } from "./parameter-notes";

/**
 * The "Data API" tag: what the keys are for, read with an API key. Its write methods are refused
 * (403 for a read-only key, else 405) and so are no operations of their own: a generated client
 * would get methods that always fail. The GET's description says so.
 */

const routeDataSchema = z
  .object({
    success: z.literal(true),
    data: z.object({ id: rowId }).catchall(z.unknown()).meta({ description: "The route's payload, with its id." }),
  })
  .meta({ id: "RouteData" });

const routeDataQuerySchema = z.object({ id: idSchema });

export const dataApiOperations: DocumentedOperation[] = [
  operation(
    {
      method: "get",
      path: "/api/api-routes-data",
      operationId: "getRouteData",
      tags: ["Data API"],
      summary: "Read a route's data",
      description:
        "The data API, called with an API key. Every answer carries the account's hourly budget in the rate-limit headers; failed authentication spends a per-address budget instead. A key limited to some routes, a plan that does not include the route, or a subscription not in good standing get 403. The data API only reads: POST, PUT, PATCH and DELETE answer 403 with a read-only key (its promise) and 405 with an Allow header otherwise.",
      security: DATA_API_KEY,
      request: { query: routeDataQuerySchema },
      responses: {
        200: json(
          routeDataSchema,
          "The route's data.",
          {
            success: true,
            data: { id: 123, name: "Sample route", description: "Hello from the data API", items: [1, 2, 3] },
          },
          rateLimitHeaders,
        ),
        400: {
          ...invalid(routeDataQuerySchema, { id: "abc" }, "id is missing or not a positive integer."),
          headers: rateLimitHeaders,
        },
        401: error(
          "Missing, unknown, inactive, expired or deleted key, or the wrong username.",
          rateLimitHeaders,
          UNAUTHENTICATED_MESSAGE,
        ),
        403: error(
          `"${FORBIDDEN_MESSAGE}" (plan, subscription, or a route outside the key's routes), or a call from an address outside the key's IP allow-list.`,
          rateLimitHeaders,
          FORBIDDEN_MESSAGE,
        ),
        404: error("No route with this id.", rateLimitHeaders, "No API route with id 99999"),
        429: error(
          "The plan's hourly limit across all keys is spent, or too many failed calls came from this address.",
          { ...rateLimitHeaders, ...retryAfter },
        ),
        ...unexpected,
      },
    },
    { notes: { id: "The route id." }, examples: { id: 123 } },
  ),
];
