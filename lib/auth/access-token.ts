import crypto from "node:crypto";
import { getConfig } from "../config/env";

/** Bearer access tokens: compact HS256 JWTs, 24 hours, as the reference's token table says. */
export const ACCESS_TOKEN_TTL_SECONDS = 86_400;

interface AccessClaims {
  sub: string;
  typ: "access";
  iat: number;
  exp: number;
}

const HEADER = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");

// Derived, so a portal session cookie can never be replayed as a Bearer token or vice versa.
function signingKey(): Buffer {
  return crypto.createHmac("sha256", getConfig().sessionSecret).update("bearer-access-token").digest();
}

function sign(input: string): string {
  return crypto.createHmac("sha256", signingKey()).update(input).digest("base64url");
}

export function signAccessToken(userId: number, now = Date.now()): { token: string; expiresAt: Date } {
  const iat = Math.floor(now / 1000);
  const claims: AccessClaims = { sub: String(userId), typ: "access", iat, exp: iat + ACCESS_TOKEN_TTL_SECONDS };
  const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
  const unsigned = `${HEADER}.${payload}`;
  return { token: `${unsigned}.${sign(unsigned)}`, expiresAt: new Date(claims.exp * 1000) };
}

/** The user id a valid, unexpired token was issued to; null for anything else. */
export function verifyAccessToken(token: string, now = Date.now()): number | null {
  const parts = token.split(".");
  if (parts.length !== 3 || parts[0] !== HEADER) return null;
  const expected = Buffer.from(sign(`${parts[0]}.${parts[1]}`));
  const given = Buffer.from(parts[2]);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return null;
  try {
    const claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as AccessClaims;
    if (claims.typ !== "access" || typeof claims.exp !== "number" || claims.exp * 1000 <= now) return null;
    const userId = Number(claims.sub);
    return Number.isSafeInteger(userId) && userId > 0 ? userId : null;
  } catch {
    return null;
  }
}
