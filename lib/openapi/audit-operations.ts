import { z } from "zod";
import { AUDIT_ACTIONS } from "../audit/audit-actions";
import type { AuditLogResponse } from "../audit/audit-log";
import { auditLogQuerySchema } from "../audit/audit-schemas";
import { documents, isoTime, paginationSchema, rowId } from "./common-schemas";
import { BEARER, badRequest, json, unauthenticated, unexpected } from "./operation-parts";
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

export const auditOperations: DocumentedOperation[] = [
  operation(
    {
      method: "get",
      path: "/api/audit-logs",
      tags: ["Audit"],
      summary: "List the audit trail",
      description: "A page of the account's audit trail, newest first: who changed which key, when and from where.",
      security: BEARER,
      request: { query: auditLogQuerySchema },
      responses: {
        200: json(
          z.object({ data: z.array(auditEntrySchema), pagination: paginationSchema }).meta({ id: "AuditLogList" }),
          "A page of entries.",
        ),
        400: badRequest,
        401: unauthenticated,
        ...unexpected,
      },
    },
    { action: "Only entries of this action." },
  ),
];
