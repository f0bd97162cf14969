import { z } from "zod";
import { idSchema, isoDate, isoDateEnd, pageQuery } from "../validation/fields";

/** Usage inputs: the log's filters and the summary's range. */

export const usageLogQuerySchema = z
  .object({
    ...pageQuery,
    api_key_id: idSchema.optional(),
    /** success = 2xx, failed = everything else. */
    status: z.enum(["success", "failed"], { error: 'must be "success" or "failed"' }).optional(),
    from: isoDate.optional(),
    to: isoDateEnd.optional(),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: "must not be after to", path: ["from"] });
export type UsageLogQuery = z.infer<typeof usageLogQuerySchema>;

export const summaryQuerySchema = z.object({
  range: z.enum(["24h", "7d"], { error: 'must be "24h" or "7d"' }).default("24h"),
});
