import NextAuth from "next-auth";
import { authOptions } from "@/lib/auth/next-auth";

// Built per request so the secret is read at run time (it may be generated at first start).
function handler(request: Request, context: { params: Promise<{ nextauth: string[] }> }) {
  return NextAuth(authOptions())(request, context);
}

export { handler as GET, handler as POST };
