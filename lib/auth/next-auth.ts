import "server-only";
import crypto from "node:crypto";
import type { NextAuthOptions } from "next-auth";
import { getServerSession } from "next-auth";
import { getToken } from "next-auth/jwt";
import CredentialsProvider from "next-auth/providers/credentials";
import type { NextRequest } from "next/server";
import { getConfig } from "../config/env";
import { sameOriginPath } from "./callback-url";
import { loginSchema } from "./auth-schemas";
import { clientIp } from "../net/client-ip";
import { revokeSession, sessionIsCurrent, sessionVersionOf } from "./session-revocation";
import { recordAudit } from "../audit/audit-log";
import { signInWithPassword } from "./sign-in";
import { SECOND_FACTOR_ERROR, THROTTLED_ERROR } from "./sign-in-messages";

/** Portal sessions: the same users and password check as POST /api/auth/login. */
export function authOptions(): NextAuthOptions {
  return {
    secret: getConfig().sessionSecret,
    session: { strategy: "jwt", maxAge: 24 * 60 * 60 },
    pages: { signIn: "/login" },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: {
          email: { label: "Email", type: "email" },
          password: { label: "Password", type: "password" },
          totp_code: { label: "Two-factor code", type: "text" },
          recovery_code: { label: "Recovery code", type: "text" },
        },
        async authorize(credentials, request) {
          // The form posts every field, empty ones as "": absent, for the schema.
          const given = Object.fromEntries(Object.entries(credentials ?? {}).filter(([, value]) => value !== ""));
          const parsed = loginSchema.safeParse(given);
          if (!parsed.success) return null;
          const headers = (request?.headers ?? {}) as Record<string, string | undefined>;
          const ip = clientIp({ get: (name) => headers[name] ?? null }, getConfig().trustProxy);
          const { email, password, totp_code, recovery_code } = parsed.data;
          const result = await signInWithPassword(email, password, ip, Date.now(), "portal", {
            totp_code,
            recovery_code,
          });
          if (result.ok) return { id: String(result.user.id), email: result.user.email, name: result.user.username };
          // The form's second step: ask for the code (or say it was wrong), keeping the password.
          if (!result.throttled && result.secondFactor)
            throw new Error(`${SECOND_FACTOR_ERROR}:${result.secondFactor}`);
          // next-auth hands a thrown message to the sign-in form as its error: a lockout must not
          // read as a wrong password (the user would keep trying the right one).
          if (result.throttled) throw new Error(`${THROTTLED_ERROR}:${result.retryAfterSeconds}`);
          return null;
        },
      }),
    ],
    callbacks: {
      // Where next-auth sends the browser after signing in or out (a callbackUrl in a form body,
      // or the callback-url cookie): a path of this site, else its home page.
      redirect({ url, baseUrl }) {
        const path = sameOriginPath(url, baseUrl);
        return path === null ? baseUrl : `${baseUrl}${path}`;
      },
      async jwt({ token, user }) {
        if (user) {
          // At sign-in: this session's own id and the account's session version (lib/auth/session-revocation.ts).
          token.sub = user.id;
          token.sid = crypto.randomUUID();
          token.sv = await sessionVersionOf(Number(user.id));
          // When the password was entered: sudo mode's window starts here (lib/auth/reauthentication.ts).
          token.auth_time = Math.floor(Date.now() / 1000);
        }
        return token;
      },
      session({ session, token }) {
        if (session.user)
          Object.assign(session.user, { id: token.sub, sid: token.sid, sv: token.sv, auth_time: token.auth_time });
        return session;
      },
    },
    events: {
      async signOut({ token }) {
        if (typeof token?.sid === "string" && typeof token.exp === "number") {
          await revokeSession(token.sid, new Date(token.exp * 1000));
          const userId = Number(token.sub);
          // next-auth gives this event no request, so the address is not known here.
          if (Number.isSafeInteger(userId) && userId > 0) {
            await recordAudit(userId, "auth.sign_out", { actor: "portal", ip: null, userId });
          }
        }
      },
    },
  };
}

/**
 * The session cookie's claims: the account's id, the session's id, the account's session version
 * at sign-in and when that was (epoch seconds; cookies issued before it was recorded lack it). Not
 * yet checked against sign-outs: sessionUserId and currentAccount do that.
 */
export async function sessionClaims(): Promise<{ id: number; sid: string; sv: number; authTime?: number } | null> {
  const session = await getServerSession(authOptions());
  const user = session?.user as { id?: string; sid?: unknown; sv?: unknown; auth_time?: unknown } | undefined;
  const id = Number(user?.id);
  if (!Number.isSafeInteger(id) || id <= 0) return null;
  if (typeof user?.sid !== "string" || typeof user.sv !== "number") return null;
  const authTime = typeof user.auth_time === "number" ? user.auth_time : undefined;
  return { id, sid: user.sid, sv: user.sv, authTime };
}

/** The signed-in account's id, or null. Server components and actions use this. */
export async function sessionUserId(): Promise<number | null> {
  const claims = await sessionClaims();
  // Signed out (here or everywhere) since the cookie was issued: the cookie no longer counts.
  return claims && (await sessionIsCurrent(claims.id, claims.sid, claims.sv)) ? claims.id : null;
}

/**
 * Whether the request's session cookie belongs to a session that was signed out (here or
 * everywhere), or to an account that is gone. next-auth's GET /api/auth/session checks only the
 * cookie's signature and expiry: it would answer with the identity such a cookie still carries,
 * and send it back good for another day. False without a session cookie, or with one that is not
 * ours (next-auth answers those with no session itself).
 */
export async function sessionCookieRevoked(request: NextRequest): Promise<boolean> {
  const token = await getToken({ req: request, secret: getConfig().sessionSecret });
  if (!token) return false;
  const id = Number(token.sub);
  if (!Number.isSafeInteger(id) || id <= 0 || typeof token.sid !== "string" || typeof token.sv !== "number") {
    return true;
  }
  return !(await sessionIsCurrent(id, token.sid, token.sv));
}
