/**
 * Where a `callbackUrl` may send someone after signing in or out: a path on this site ("/usage"),
 * or an absolute http(s) URL on the portal's own origin. Returns that path (with its query and
 * fragment), or null for anything else: "javascript:…", another host, "//host" or "/\host" (both
 * leave the site once a browser resolves them), a relative path without its leading "/". Pure,
 * so the sign-in form, next-auth's redirect callback and the /api/auth route share one rule.
 *
 * An absolute value is parsed without a base and a path against the origin, as next-auth's own
 * check does: whatever this accepts, next-auth accepts too (it answers anything else with a 500).
 */
export function sameOriginPath(value: string, origin: string): string | null {
  if (!value.startsWith("/") && !/^https?:/i.test(value)) return null;
  let url: URL;
  try {
    url = new URL(value, value.startsWith("/") ? origin : undefined);
  } catch {
    return null;
  }
  if (url.origin !== new URL(origin).origin) return null;
  const path = `${url.pathname}${url.search}${url.hash}`;
  return path.startsWith("//") ? null : path;
}

/** The origin a callbackUrl must stay on, as next-auth takes it: NEXTAUTH_URL's, else its default. */
export function portalOrigin(nextAuthUrl: string | undefined): string {
  return new URL(nextAuthUrl ?? "http://localhost:3000").origin;
}
