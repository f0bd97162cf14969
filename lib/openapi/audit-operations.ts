import { z } from "zod";
import { AUDIT_ACTIONS } from "../audit/audit-actions";
import type { AuditLogResponse } from "../audit/audit-log";
import { auditLogQuerySchema } from "../audit/audit-schemas";
import { documents, isoTime, paginationSchema, rowId } from "./common-schemas";
import { BEARER, invalid, json, unauthenticated, unexpected } from "./operation-parts";
import { operation, type DocumentedOperation } from "./parameter-notes";

/** The "Audit" tag: the trail of changes to the account's keys. */

export const auditEntrySchema = documents<AuditLogResponse>()(
  z
    .object({
      id: rowId,
      action: z.enum(AUDIT_ACTIONS),
      // A string, not an enum: the column is free text; the values written are these three.
      actor: z
        .string()
        .meta({ description: "portal, api, or reporter (someone who reported a leaked key).", examples: ["api"] }),
      actor_user_id: rowId
        .nullable()
        .meta({ description: "The member (account id) who acted; null for a reporter, the admin CLI or the server." }),
      api_key_id: rowId.nullable(),
      api_key_name: z.string().nullable(),
      ip: z.string().nullable(),
      details: z
        .record(z.string(), z.unknown())
        .meta({ description: "What changed: names, statuses, route ids, counts." }),
      created_at: isoTime,
    })
    .meta({ id: "AuditEntry", description: "One change to the account's keys, or a sign-in or sign-out." }),
);

/** An entry the examples show; admin-operations.ts lists it in an organization's detail. */
export const AUDIT_ENTRY_EXAMPLE: AuditLogResponse = {
  id: 501,
  action: "key.generate",
  actor: "api",
  actor_user_id: 7,
  api_key_id: 42,
  api_key_name: "Billing backend",
  ip: "203.0.113.7",
  details: { user: "billing_service", environment: "production" },
  created_at: "2025-01-15T10:30:00.000Z",
};

export const auditOperations: DocumentedOperation[] = [
  operation(
    {
      method: "get",
      path: "/api/audit-logs",
      operationId: "listAuditLogs",
      tags: ["Audit"],
      summary: "List the audit trail",
      description: "A page of the account's audit trail, newest first: who changed which key, when and from where.",
      security: BEARER,
      request: { query: auditLogQuerySchema },
      responses: {
        200: json(
          z.object({ data: z.array(auditEntrySchema), pagination: paginationSchema }).meta({ id: "AuditLogList" }),
          "A page of entries.",
          { data: [AUDIT_ENTRY_EXAMPLE], pagination: { page: 1, per_page: 20, total: 1 } },
        ),
        400: invalid(auditLogQuerySchema, { page: "0" }),
        401: unauthenticated,
        ...unexpected,
      },
    },
    { notes: { action: "Only entries of this action." }, examples: { api_key_id: 42, action: "key.generate" } },
  ),
];
