import { z } from "zod";
import { FORBIDDEN_MESSAGE, UNAUTHENTICATED_MESSAGE } from "../http/errors";
import { idSchema } from "../validation/fields";
import { rowId } from "./common-schemas";
import { DATA_API_KEY, error, json, rateLimitHeaders, retryAfter, unexpected } from "./operation-parts";
import { operation, type DocumentedOperation } from "./parameter-notes";

/** The "Data API" tag: what the keys are for, read with an API key and refused for writes. */

const routeDataSchema = z
  .object({
    success: z.literal(true),
    data: z.object({ id: rowId }).catchall(z.unknown()).meta({ description: "The route's payload, with its id." }),
  })
  .meta({ id: "RouteData", examples: [{ success: true, data: { id: 123, name: "Sample route" } }] });

export const dataApiOperations: DocumentedOperation[] = [
  operation(
    {
      method: "get",
      path: "/api/api-routes-data",
      tags: ["Data API"],
      summary: "Read a route's data",
      description:
        "The data API, called with an API key. Every answer carries the account's hourly budget in the rate-limit headers; failed authentication spends a per-address budget instead. A key limited to some routes, a plan that does not include the route, or a subscription not in good standing get 403.",
      security: DATA_API_KEY,
      request: { query: z.object({ id: idSchema }) },
      responses: {
        200: json(routeDataSchema, "The route's data.", rateLimitHeaders),
        400: error("id is missing or not a positive integer.", rateLimitHeaders),
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
        404: error("No route with this id.", rateLimitHeaders),
        429: error(
          "The plan's hourly limit across all keys is spent, or too many failed calls came from this address.",
          { ...rateLimitHeaders, ...retryAfter },
        ),
        ...unexpected,
      },
    },
    { id: "The route id, e.g. 123." },
  ),
  ...(["post", "put", "patch", "delete"] as const).map((method) =>
    operation({
      method,
      path: "/api/api-routes-data",
      tags: ["Data API"],
      summary: `${method.toUpperCase()} is refused`,
      description:
        "The data API only reads. A read-only key is refused with 403 (its promise); anything else gets 405.",
      security: DATA_API_KEY,
      responses: {
        403: error("A read-only key used for a write.", rateLimitHeaders, FORBIDDEN_MESSAGE),
        405: error("Method not allowed; use GET.", {
          Allow: { description: "The methods the path serves.", schema: { type: "string", const: "GET" } },
        }),
        ...unexpected,
      },
    }),
  ),
];
