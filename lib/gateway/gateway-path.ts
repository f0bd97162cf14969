/**
 * The gateway's URL, /gw/{slug}/{rest…}?{query}, and where it goes upstream: the rest is
 * appended to the upstream base's path as path segments, never resolved as a URL, so no segment
 * can climb out of the base path or name another host.
 */
export const GATEWAY_PREFIX = "/gw/";

export interface GatewayUrl {
  slug: string;
  /** The path after the slug, "" or "/…", as the client sent it. */
  rest: string;
  /** The query without its "?", "" when there is none. */
  query: string;
}

/** The slug, rest and query of a /gw/ request URL; null when it is not one. */
export function parseGatewayUrl(raw: string): GatewayUrl | null {
  if (!raw.startsWith(GATEWAY_PREFIX)) return null;
  const mark = raw.indexOf("?");
  const path = mark === -1 ? raw : raw.slice(0, mark);
  const query = mark === -1 ? "" : raw.slice(mark + 1);
  const end = path.indexOf("/", GATEWAY_PREFIX.length);
  const slug = path.slice(GATEWAY_PREFIX.length, end === -1 ? undefined : end);
  return { slug, rest: end === -1 ? "" : path.slice(end), query };
}

/** Characters a path segment may carry as they are (RFC 3986 pchar); anything else is re-encoded. */
const PLAIN_SEGMENT = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})*$/;

/**
 * The rest as encoded path segments, or why it is refused: a rest starting with "//", a "." or
 * ".." segment, a segment that does not decode, or one whose decoding contains "/" or "\\" or is
 * "." or "..". What the client encoded stays encoded.
 */
export function safeRest(rest: string): { path: string } | { error: string } {
  if (rest === "") return { path: "" };
  if (rest.startsWith("//")) return { error: "The path after the route may not start with //" };
  const segments = rest.slice(1).split("/");
  const encoded: string[] = [];
  for (const segment of segments) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return { error: "Malformed URL: invalid percent-encoding in the path" };
    }
    if (decoded === "." || decoded === ".." || decoded.includes("/") || decoded.includes("\\"))
      return { error: "The path may not contain . or .. segments, or an encoded / or \\" };
    encoded.push(PLAIN_SEGMENT.test(segment) ? segment : encodeURIComponent(decoded));
  }
  return { path: `/${encoded.join("/")}` };
}

/** The query as sent, with any character a request target may not carry encoded. */
export function safeQuery(query: string): string {
  // Node reads a request line as Latin-1: one code unit per byte, so no lone surrogate to throw on.
  return query.replace(/[^\x21-\x7e]|#/g, (char) => encodeURIComponent(char));
}
