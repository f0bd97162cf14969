import NextAuth from "next-auth";
import { NextResponse, type NextRequest } from "next/server";
import { z } from "zod";
import { portalOrigin, sameOriginPath } from "@/lib/auth/callback-url";
import { authOptions, sessionCookieRevoked } from "@/lib/auth/next-auth";
import { readEnv } from "@/lib/config/env";
import { apiErrorFor, badRequest } from "@/lib/http/errors";
import { methodNotAllowed, notFoundHandler } from "@/lib/http/handler";
import { readJson } from "@/lib/http/request";
import { errorResponse } from "@/lib/http/respond";

// What next-auth serves under /api/auth; anything else gets our 404 envelope, not its text error.
const NEXT_AUTH_ACTIONS = new Set(["signin", "signout", "callback", "session", "csrf", "providers", "error", "_log"]);
const FORM_FIELDS = z.record(z.string(), z.string({ error: "must be a string" }), {
  error: "must be a JSON object of strings",
});
// The session cookie, split into numbered chunks when large, with __Secure- behind https.
const SESSION_COOKIE = /^(__Secure-)?next-auth\.session-token(\.\d+)?$/;

// Next hands a route handler a NextRequest (next-auth reads its nextUrl); typed Request so that
// tests can call the 404 path with a plain one.
async function handler(plain: Request, context: { params: Promise<{ nextauth: string[] }> }) {
  const [action] = (await context.params).nextauth;
  if (!NEXT_AUTH_ACTIONS.has(action)) return notFoundHandler(plain, context);
  const request = plain as NextRequest;
  // next-auth checks a callbackUrl in the query before anything else, on every action, and
  // answers one it cannot follow ("javascript:…", "keys") with a 500 page. A callbackUrl in a
  // form body goes through the redirect callback (lib/auth/next-auth.ts) instead, and the
  // callback-url cookie through proxy.ts, before next-auth reads it.
  const callbackUrls = request.nextUrl.searchParams.getAll("callbackUrl").filter(Boolean);
  if (callbackUrls.length > 0) {
    const origin = portalOrigin(readEnv().NEXTAUTH_URL);
    if (callbackUrls.some((url) => sameOriginPath(url, origin) === null)) {
      return errorResponse(badRequest(`callbackUrl must be a path on this site or a URL on ${origin}`));
    }
  }
  // next-auth parses a JSON body itself, with a 500 for one that is not JSON, and takes its
  // fields for the strings a form sends (a number as callbackUrl was a 500 too). Its own client
  // posts forms; a JSON body is held to the same shape.
  if (request.method === "POST" && request.headers.get("content-type")?.includes("application/json")) {
    try {
      await readJson(request.clone(), FORM_FIELDS);
    } catch (error) {
      const refusal = apiErrorFor(error);
      if (refusal) return errorResponse(refusal);
      throw error;
    }
  }
  // The credentials provider's callback takes a POST only; next-auth answers a GET with a 500.
  // (An OAuth provider, which calls back with a GET, would need this relaxed.)
  if (action === "callback" && request.method !== "POST") return methodNotAllowed("POST")(request, context);
  // Our sign-in form signs in without redirects, so next-auth sends no one to its error page,
  // which answers ?error=Configuration with a 500 page: the sign-in page instead.
  if (action === "error") return new Response(null, { status: 302, headers: { Location: "/login" } });
  // next-auth would answer with the identity a signed-out session's cookie still carries.
  if (action === "session" && (await sessionCookieRevoked(request))) return noSession(request);
  // Built per request so the secret is read at run time (it may be generated at first start).
  return NextAuth(authOptions())(request, context);
}

/** next-auth's answer without a session, and its cookie removed, as it does for a cookie it cannot read. */
function noSession(request: NextRequest): Response {
  const response = NextResponse.json({}, { headers: { "Cache-Control": "no-store" } });
  for (const { name } of request.cookies.getAll()) {
    if (SESSION_COOKIE.test(name)) {
      response.cookies.set({
        name,
        value: "",
        maxAge: 0,
        path: "/",
        httpOnly: true,
        sameSite: "lax",
        secure: name.startsWith("__Secure-"),
      });
    }
  }
  return response;
}

export { handler as GET, handler as POST };
