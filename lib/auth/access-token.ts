import crypto from "node:crypto";
import { jwtVerify, SignJWT } from "jose";
import { getConfig } from "../config/env";

/**
 * Bearer access tokens: HS256 JWTs of 24 hours, as the reference's token table says, signed and
 * checked by `jose` (chosen over a hand-rolled HMAC: it pins the algorithm, so
 * "alg": "none" or a swapped algorithm is refused by the library, and checks exp, iss and aud).
 * Each carries its login's refresh-token family (`fam`), so signing out (revoking the family)
 * ends its access tokens too.
 */
export const ACCESS_TOKEN_TTL_SECONDS = 86_400;
const ISSUER = "keyportal";
const AUDIENCE = "keyportal-api";

// Derived, so a portal session cookie can never be replayed as a Bearer token or vice versa.
function signingKey(): Uint8Array {
  return crypto.createHmac("sha256", getConfig().sessionSecret).update("bearer-access-token").digest();
}

export async function signAccessToken(
  userId: number,
  familyId: string,
  now = Date.now(),
): Promise<{ token: string; expiresAt: Date }> {
  const iat = Math.floor(now / 1000);
  const token = await new SignJWT({ typ: "access", fam: familyId })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(String(userId))
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ACCESS_TOKEN_TTL_SECONDS)
    .sign(signingKey());
  return { token, expiresAt: new Date((iat + ACCESS_TOKEN_TTL_SECONDS) * 1000) };
}

/** Who a valid, unexpired token was issued to, and its family; null for anything else. */
export async function verifyAccessToken(
  token: string,
  now = Date.now(),
): Promise<{ userId: number; familyId: string } | null> {
  try {
    const { payload } = await jwtVerify(token, signingKey(), {
      algorithms: ["HS256"],
      issuer: ISSUER,
      audience: AUDIENCE,
      currentDate: new Date(now),
      clockTolerance: 0,
    });
    const userId = Number(payload.sub);
    if (payload.typ !== "access" || typeof payload.fam !== "string") return null;
    return Number.isSafeInteger(userId) && userId > 0 ? { userId, familyId: payload.fam } : null;
  } catch {
    return null;
  }
}
