import type { NextAuthOptions } from "next-auth";
import { getServerSession } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { getConfig } from "../config/env";
import { loginSchema } from "../validation/schemas";
import { clientIp } from "../http/request";
import { signInWithPassword } from "./sign-in";

/** Portal sessions: the same users and password check as POST /api/auth/login. */
export function authOptions(): NextAuthOptions {
  return {
    secret: getConfig().sessionSecret,
    session: { strategy: "jwt", maxAge: 24 * 60 * 60 },
    pages: { signIn: "/login" },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, request) {
          const parsed = loginSchema.safeParse(credentials);
          if (!parsed.success) return null;
          const headers = (request?.headers ?? {}) as Record<string, string | undefined>;
          const ip = clientIp({ get: (name) => headers[name] ?? null }, getConfig().trustProxy);
          const result = await signInWithPassword(parsed.data.email, parsed.data.password, ip);
          return result.ok
            ? { id: String(result.user.id), email: result.user.email, name: result.user.username }
            : null;
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user) token.sub = user.id;
        return token;
      },
      session({ session, token }) {
        if (session.user) (session.user as { id?: string }).id = token.sub;
        return session;
      },
    },
  };
}

/** The signed-in account's id, or null. Server components and actions use this. */
export async function sessionUserId(): Promise<number | null> {
  const session = await getServerSession(authOptions());
  const id = Number((session?.user as { id?: string } | undefined)?.id);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}
