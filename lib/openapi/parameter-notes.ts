import type { RouteConfig } from "@asteasolutions/zod-to-openapi";

/**
 * What the generator cannot say about parameters: what they mean, and an example of each.
 * Keyed by parameter name; `status` differs by route, so an operation can override a note, and
 * an id names a different thing on each path, so an operation can override an example.
 */
export const PARAMETER_NOTES: Record<string, string> = {
  id: "The key's id.",
  page: "Page number (default 1).",
  per_page: "Rows per page (default 20).",
  q: "Case-insensitive search in key names and usernames.",
  api_key_id: "Only rows of this key id.",
  created_by:
    'Only keys this member made (a user id), or "removed": keys whose maker is no longer a member of the organization.',
};

export const PARAMETER_EXAMPLES: Record<string, unknown> = {
  id: 42,
  page: 1,
  per_page: 20,
  user_id: 7,
  invitation_id: 3,
  delivery_id: 41,
};

/**
 * An operation as registered, with the notes and examples for its own parameters kept beside
 * it: the generator copies every unknown field of a RouteConfig into the document, so they
 * cannot ride inside it.
 */
export interface DocumentedOperation {
  config: RouteConfig;
  parameterNotes: Record<string, string>;
  parameterExamples: Record<string, unknown>;
}

export function operation(
  config: RouteConfig,
  parameters: { notes?: Record<string, string>; examples?: Record<string, unknown> } = {},
): DocumentedOperation {
  return { config, parameterNotes: parameters.notes ?? {}, parameterExamples: parameters.examples ?? {} };
}
