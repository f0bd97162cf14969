import { NextResponse, type NextRequest } from "next/server";
import { getToken } from "next-auth/jwt";
import { getConfig } from "@/lib/config/env";

const PORTAL = ["/keys", "/usage", "/audit", "/docs", "/plan"];
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

// Signed-out visitors of portal pages are sent to /login (and back after signing in), as
// next-auth's withAuth did; every page, /login included (withAuth skips its sign-in page), gets
// its nonce-based CSP.
export default async function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  if (isPortal(pathname) && !(await getToken({ req: request, secret: getConfig().sessionSecret }))) {
    const login = new URL("/login", request.url);
    login.searchParams.set("callbackUrl", `${pathname}${search}`);
    return NextResponse.redirect(login);
  }
  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const policy = contentSecurityPolicy(nonce);
  const headers = new Headers(request.headers);
  headers.set("x-nonce", nonce);
  headers.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", policy);
  return response;
}

export const config = {
  // Pages only: not the API (JSON, its own headers), static files or prefetches.
  matcher: [
    {
      source: "/((?!api|_next/static|_next/image|icon.svg|favicon.ico).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
