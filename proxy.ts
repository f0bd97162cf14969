import { NextResponse, type NextRequest } from "next/server";
import { getToken } from "next-auth/jwt";
import { portalOrigin, sameOriginPath } from "@/lib/auth/callback-url";
import { getConfig, readEnv } from "@/lib/config/env";

const PORTAL = ["/keys", "/usage", "/audit", "/docs", "/plan", "/admin", "/members", "/account", "/webhooks"];
const isPortal = (path: string) => PORTAL.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));

/**
 * A strict Content-Security-Policy for every page: scripts run only with this response's nonce
 * (Next reads it from the request's CSP header and puts it on its own scripts; 'strict-dynamic'
 * lets those load the rest), so an injected <script> does not run. Styles may be inline (React
 * and Tailwind set style attributes); everything else is this origin only.
 */
function contentSecurityPolicy(nonce: string): string {
  const dev = process.env.NODE_ENV === "development" ? " 'unsafe-eval'" : ""; // React's dev tools
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
  ].join("; ");
}

// next-auth keeps the last callbackUrl in this cookie (__Secure- behind https).
const CALLBACK_COOKIES = ["next-auth.callback-url", "__Secure-next-auth.callback-url"];
// Read once: NEXTAUTH_URL is set before the server starts, and reading the environment takes 0.16 ms.
let origin: string | undefined;
const nextAuthOrigin = () => (origin ??= portalOrigin(readEnv().NEXTAUTH_URL));

/**
 * The request's Cookie header without a callback-url cookie next-auth could not follow, or null
 * when there is none. next-auth checks that cookie on every call, getServerSession's included,
 * and answers one it cannot follow ("javascript:…") with a 500: the pages and /api/auth would
 * fail until it expired. Such a cookie was not set by us (next-auth stores only what its redirect
 * callback returned), so it is dropped, not obeyed.
 */
function withoutBadCallbackCookie(request: NextRequest): { headers: Headers; dropped: string[] } | null {
  const dropped = CALLBACK_COOKIES.filter((name) => {
    const value = request.cookies.get(name)?.value;
    return value !== undefined && value !== "" && sameOriginPath(value, nextAuthOrigin()) === null;
  });
  if (dropped.length === 0) return null;
  const headers = new Headers(request.headers);
  const pairs = (request.headers.get("cookie") ?? "").split(";");
  headers.set("cookie", pairs.filter((pair) => !dropped.includes(pair.split("=")[0].trim())).join(";"));
  return { headers, dropped };
}

export default async function proxy(request: NextRequest) {
  const cleaned = withoutBadCallbackCookie(request);
  // /api/auth (next-auth, finding no callback-url cookie, sets a good one in its answer) and
  // prefetches (see the matcher): the cookie is all there is to check.
  const prefetch = request.headers.has("next-router-prefetch") || request.headers.get("purpose") === "prefetch";
  if (request.nextUrl.pathname.startsWith("/api/") || prefetch) {
    return cleaned ? NextResponse.next({ request: { headers: cleaned.headers } }) : NextResponse.next();
  }
  const response = await pageProxy(request, cleaned?.headers ?? new Headers(request.headers));
  for (const name of cleaned?.dropped ?? []) {
    response.cookies.set({ name, value: "", maxAge: 0, path: "/", sameSite: "lax", secure: name.startsWith("__") });
  }
  return response;
}

// Signed-out visitors of portal pages are sent to /login (and back after signing in), as
// next-auth's withAuth did; every page, /login included (withAuth skips its sign-in page), gets
// its nonce-based CSP. `headers`: the request's, to pass on.
async function pageProxy(request: NextRequest, headers: Headers) {
  const { pathname, search } = request.nextUrl;
  if (isPortal(pathname) && !(await getToken({ req: request, secret: getConfig().sessionSecret }))) {
    const login = new URL("/login", request.url);
    login.searchParams.set("callbackUrl", `${pathname}${search}`);
    return NextResponse.redirect(login);
  }
  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const policy = contentSecurityPolicy(nonce);
  headers.set("x-nonce", nonce);
  headers.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", policy);
  return response;
}

export const config = {
  // Pages: not the API (JSON, its own headers), static files or prefetches. For their
  // callback-url cookie only: prefetches that carry one (a page's session read would fail on a
  // bad one) and next-auth's routes.
  matcher: [
    {
      source: "/((?!api|_next/static|_next/image|icon.svg|favicon.ico).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
    {
      source: "/((?!api|_next/static|_next/image|icon.svg|favicon.ico).*)",
      has: [{ type: "cookie", key: "next-auth.callback-url" }],
    },
    {
      source: "/((?!api|_next/static|_next/image|icon.svg|favicon.ico).*)",
      has: [{ type: "cookie", key: "__Secure-next-auth.callback-url" }],
    },
    "/api/auth/:path*",
  ],
};
