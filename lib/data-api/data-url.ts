import { idSchema } from "../validation/fields";

/**
 * What the data API reads of a request's URL, on its hot path: the path and the route id. Plain
 * forms are read by one regular expression each (URL and zod are measurable work per call); a
 * test checks both readings agree with WHATWG URL and idSchema on any input.
 */

/** What the data API reads of a request's URL. */
export interface DataUrl {
  pathname: string;
  /** The first id parameter, decoded as URLSearchParams does; null without one. */
  id: string | null;
}

/**
 * The path and id of a request's URL (path and query, or absolute) as WHATWG URL reads them.
 * The usual form, a plain path and `?id=` digits, is read by one regular expression: a URL and
 * its URLSearchParams are a measurable part of a data call. A test checks both agree on any input.
 */
export function parseDataUrl(raw: string): DataUrl {
  // Not "//…", which URL reads as a host.
  const plain = /^(\/(?!\/)[\w/-]*)(?:\?id=(\d{0,12}))?$/.exec(raw);
  if (plain) return { pathname: plain[1], id: plain[2] ?? null };
  const url = new URL(raw, "http://localhost");
  return { pathname: url.pathname, id: url.searchParams.get("id") };
}

/**
 * idSchema's answer for the route id. An id of plain digits in range (nearly every call) is read
 * directly: zod's parse is a measurable part of the data API's time. Anything else goes to
 * idSchema for its exact message; a test checks both agree on every input.
 */
export function parseRouteId(raw: string | null): ReturnType<typeof idSchema.safeParse> {
  if (raw !== null && /^[1-9]\d{0,8}$/.test(raw)) return { success: true, data: Number(raw) };
  return idSchema.safeParse(raw ?? undefined);
}
