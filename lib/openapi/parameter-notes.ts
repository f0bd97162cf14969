import type { RouteConfig } from "@asteasolutions/zod-to-openapi";

/**
 * What the generator cannot say about parameters: checks after a pipe, and the meaning. Keyed
 * by parameter name; `status` differs by route, so an operation can override a note.
 */
export const PARAMETER_NOTES: Record<string, string> = {
  id: "The key's id (digits only, at most 2147483647).",
  page: "Page number, from 1 to 1,000,000 (default 1).",
  per_page: "Rows per page, 1 to 100 (default 20).",
  q: "Case-insensitive search in key names and usernames (at most 100 characters).",
  api_key_id: "Only rows of this key id.",
  created_by:
    'Only keys this member made (a user id), or "removed": keys whose maker is no longer a member of the organization.',
};

/**
 * An operation as registered, with the notes for its own parameters kept beside it: the
 * generator copies every unknown field of a RouteConfig into the document, so they cannot ride
 * inside it.
 */
export interface DocumentedOperation {
  config: RouteConfig;
  parameterNotes: Record<string, string>;
}

export function operation(config: RouteConfig, parameterNotes: Record<string, string> = {}): DocumentedOperation {
  return { config, parameterNotes };
}
