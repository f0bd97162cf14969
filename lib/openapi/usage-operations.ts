import { z } from "zod";
import type { usageSummaryForAccount } from "../usage/summary";
import type { listUsageLogs } from "../usage/usage-logs";
import { summaryQuerySchema, usageLogQuerySchema } from "../usage/usage-schemas";
import { documents, isoTime, paginationSchema, rowId } from "./common-schemas";
import { BEARER, invalid, json, unauthenticated, unexpected } from "./operation-parts";
import { operation, type DocumentedOperation } from "./parameter-notes";

/** The "Usage" tag: the calls made with the account's keys, listed and summarised. */

type UsageLogEntry = Awaited<ReturnType<typeof listUsageLogs>>["items"][number];
const usageLogSchema = documents<UsageLogEntry>()(
  z
    .object({
      id: rowId,
      api_key_id: rowId.nullable(),
      api_key_name: z.string().nullable(),
      method: z.string(),
      path: z.string().meta({ description: "The path with only the route id kept from the query." }),
      status_code: z.int(),
      ip: z.string(),
      user_agent: z.string(),
      created_at: isoTime,
    })
    .meta({ id: "UsageLog", description: "One call of the data API made with one of the account's keys." }),
);

const hourBucketSchema = z.object({
  hour: isoTime,
  ok: z.int(),
  failed: z.int().meta({ description: "auth_failed + limited + other." }),
  auth_failed: z.int().meta({ description: "401 and 403 answers." }),
  limited: z.int().meta({ description: "429 answers." }),
  other: z.int(),
});

const usageSummarySchema = documents<Awaited<ReturnType<typeof usageSummaryForAccount>>>()(
  z
    .object({
      range: summaryQuerySchema.shape.range.unwrap(),
      from: isoTime,
      to: isoTime,
      calls_per_hour: z.array(hourBucketSchema),
      totals: z.object({ calls: z.int(), ok: z.int(), failed: z.int() }),
      failed_auth_attempts: z.int(),
      distinct_ips: z.int(),
      top_keys: z.array(z.object({ api_key_id: rowId, api_key_name: z.string().nullable(), calls: z.int() })),
      working_hours: z.object({ time_zone: z.string(), start_hour: z.int(), end_hour: z.int() }),
      alerts: z.array(
        z.object({
          type: z.enum(["new_ip", "off_hours", "spike", "failed_auth_burst", "leak_reported"]),
          api_key_id: rowId.nullable(),
          api_key_name: z.string().nullable(),
          at: isoTime,
          message: z.string(),
        }),
      ),
    })
    .meta({ id: "UsageSummary", description: "Calls by outcome per hour, top keys and alerts over the range." }),
);

export const usageOperations: DocumentedOperation[] = [
  operation(
    {
      method: "get",
      path: "/api/api-usage-logs",
      operationId: "listUsageLogs",
      tags: ["Usage"],
      summary: "List data-API calls",
      description: "A page of the calls made with the account's keys, newest first.",
      security: BEARER,
      request: { query: usageLogQuerySchema },
      responses: {
        200: json(
          z.object({ data: z.array(usageLogSchema), pagination: paginationSchema }).meta({ id: "UsageLogList" }),
          "A page of calls.",
          {
            data: [
              {
                id: 9001,
                api_key_id: 42,
                api_key_name: "Billing backend",
                method: "GET",
                path: "/api/api-routes-data?id=123",
                status_code: 200,
                ip: "203.0.113.7",
                user_agent: "curl/8.5.0",
                created_at: "2025-01-20T08:12:45.000Z",
              },
            ],
            pagination: { page: 1, per_page: 20, total: 1 },
          },
        ),
        400: invalid(usageLogQuerySchema, { from: "2025-01-31", to: "2025-01-01" }),
        401: unauthenticated,
        ...unexpected,
      },
    },
    {
      notes: {
        status: "success = 2xx answers, failed = every other.",
        from: "An ISO 8601 date or date-time with a time zone, 0001-01-01 to 9999-12-31 (UTC); calls at or after it.",
        to: "An ISO 8601 date (the whole day, UTC) or date-time, 0001-01-01 to 9999-12-31 (UTC); calls at or before it. Not before from.",
      },
      examples: { api_key_id: 42, status: "success", from: "2025-01-01", to: "2025-01-31T23:59:59Z" },
    },
  ),
  operation(
    {
      method: "get",
      path: "/api/api-usage-logs/summary",
      operationId: "getUsageSummary",
      tags: ["Usage"],
      summary: "Usage summary and alerts",
      description:
        "Calls per hour by outcome, failed authentication, distinct addresses, top keys and alerts (new addresses, off-hours use, spikes, bursts of failures, leak reports) over the last 24 hours or 7 days.",
      security: BEARER,
      request: { query: summaryQuerySchema },
      responses: {
        200: json(usageSummarySchema, "The summary.", {
          range: "24h",
          from: "2025-01-19T09:00:00.000Z",
          to: "2025-01-20T09:00:00.000Z",
          calls_per_hour: [
            { hour: "2025-01-20T08:00:00.000Z", ok: 118, failed: 3, auth_failed: 2, limited: 0, other: 1 },
          ],
          totals: { calls: 121, ok: 118, failed: 3 },
          failed_auth_attempts: 2,
          distinct_ips: 2,
          top_keys: [{ api_key_id: 42, api_key_name: "Billing backend", calls: 121 }],
          working_hours: { time_zone: "Europe/Paris", start_hour: 9, end_hour: 18 },
          alerts: [
            {
              type: "new_ip",
              api_key_id: 42,
              api_key_name: "Billing backend",
              at: "2025-01-20T08:12:45.000Z",
              message:
                'Key "Billing backend" was used from 203.0.113.7, an IP address it had not used in the previous 7 days.',
            },
          ],
        }),
        400: invalid(summaryQuerySchema, { range: "30d" }),
        401: unauthenticated,
        ...unexpected,
      },
    },
    { notes: { range: "The period, ending now." }, examples: { range: "24h" } },
  ),
];
