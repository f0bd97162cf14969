import type { z } from "zod";

/** "api_key_name is required" — the first problem, naming its field, for the error envelope. */
export function formatZodError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "Invalid request";
  const field = issue.path.map(String).join(".");
  if (issue.code === "unrecognized_keys") return `Unknown field: ${issue.keys.join(", ")}`;
  return field ? `${field} ${issue.message}` : `Request body ${issue.message}`;
}
