import { z } from "zod";
import { idSchema, pageQuery } from "../validation/fields";
import { AUDIT_ACTIONS } from "./audit-actions";

/** GET /api/audit-logs: a page of the account's audit trail, newest first. */
export const auditLogQuerySchema = z.object({
  ...pageQuery,
  api_key_id: idSchema.optional(),
  action: z.enum(AUDIT_ACTIONS, { error: `must be one of ${AUDIT_ACTIONS.join(", ")}` }).optional(),
});
export type AuditLogQuery = z.infer<typeof auditLogQuerySchema>;
