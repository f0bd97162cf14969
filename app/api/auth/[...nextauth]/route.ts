import NextAuth from "next-auth";
import { authOptions } from "@/lib/auth/next-auth";
import { notFoundHandler } from "@/lib/http/handler";

// What next-auth serves under /api/auth; anything else gets our 404 envelope, not its text error.
const NEXT_AUTH_ACTIONS = new Set(["signin", "signout", "callback", "session", "csrf", "providers", "error", "_log"]);

// Built per request so the secret is read at run time (it may be generated at first start).
async function handler(request: Request, context: { params: Promise<{ nextauth: string[] }> }) {
  const [action] = (await context.params).nextauth;
  if (!NEXT_AUTH_ACTIONS.has(action)) return notFoundHandler(request, context);
  return NextAuth(authOptions())(request, context);
}

export { handler as GET, handler as POST };
