import crypto from "node:crypto";
import { db } from "../db/client";
import { getConfig } from "../config/env";
import { digestSecret } from "../keys/secret";
import { ACCESS_TOKEN_TTL_SECONDS, signAccessToken } from "./access-token";

const REFRESH_TOKEN_TTL_DAYS = 30;

function refreshDigest(token: string): string {
  // Domain-separated from API-key digests although both use the pepper.
  return digestSecret(`refresh:${token}`, getConfig().keyPepper);
}

export interface TokenPair {
  token: string;
  token_type: "Bearer";
  expires_in: number;
  expires_at: string;
  refresh_token: string;
}

/** A new access token plus a single-use refresh token (stored only as a digest). */
export async function issueTokenPair(userId: number, familyId: string = crypto.randomUUID()): Promise<TokenPair> {
  const refreshToken = `rt_${crypto.randomBytes(32).toString("base64url")}`;
  await db().refreshToken.create({
    data: {
      userId,
      digest: refreshDigest(refreshToken),
      familyId,
      expiresAt: new Date(Date.now() + REFRESH_TOKEN_TTL_DAYS * 86_400_000),
    },
  });
  const access = signAccessToken(userId);
  return {
    token: access.token,
    token_type: "Bearer",
    expires_in: ACCESS_TOKEN_TTL_SECONDS,
    expires_at: access.expiresAt.toISOString(),
    refresh_token: refreshToken,
  };
}

/**
 * Trades a refresh token for a new pair. A token works once; presenting a used one again
 * means it leaked, so its whole family is revoked (Auth0's reuse detection). Null → 401.
 */
export async function rotateRefreshToken(token: string): Promise<TokenPair | null> {
  const row = await db().refreshToken.findUnique({ where: { digest: refreshDigest(token) } });
  if (!row || row.revokedAt || row.expiresAt <= new Date()) return null;
  // Conditional update: of two concurrent refreshes with one token, exactly one wins.
  const claimed = await db().refreshToken.updateMany({
    where: { id: row.id, usedAt: null, revokedAt: null },
    data: { usedAt: new Date() },
  });
  if (claimed.count === 0) {
    await db().refreshToken.updateMany({
      where: { familyId: row.familyId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    return null;
  }
  return issueTokenPair(row.userId, row.familyId);
}
