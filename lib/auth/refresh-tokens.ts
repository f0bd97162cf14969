import crypto from "node:crypto";
import { backgroundDb, db } from "../db/client";
import { DAY_MS } from "../format/time";
import { getConfig } from "../config/env";
import { digestSecret } from "../keys/secret";
import { recordAudit } from "../audit/audit-log";
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

/**
 * A refresh token's successor is derived from it (HMAC with the pepper), not drawn at random:
 * a client that retries a refresh whose answer it lost can be given the same successor again,
 * while only digests are stored.
 */
function successorOf(token: string): string {
  return `rt_${crypto.createHmac("sha256", getConfig().keyPepper).update(`successor:${token}`).digest("base64url")}`;
}

/** A retry of the same refresh within this long gets the same new refresh token, not a revoked family. */
const REFRESH_RETRY_GRACE_MS = 10_000;

async function pair(userId: number, familyId: string, refreshToken: string): Promise<TokenPair> {
  const access = await signAccessToken(userId, familyId);
  return {
    token: access.token,
    token_type: "Bearer",
    expires_in: ACCESS_TOKEN_TTL_SECONDS,
    expires_at: access.expiresAt.toISOString(),
    refresh_token: refreshToken,
  };
}

/** A new access token plus a single-use refresh token (stored only as a digest). */
export async function issueTokenPair(
  userId: number,
  familyId: string = crypto.randomUUID(),
  refreshToken = `rt_${crypto.randomBytes(32).toString("base64url")}`,
): Promise<TokenPair> {
  await db().refreshToken.create({
    data: {
      userId,
      digest: refreshDigest(refreshToken),
      familyId,
      expiresAt: new Date(Date.now() + REFRESH_TOKEN_TTL_DAYS * 86_400_000),
    },
  });
  return pair(userId, familyId, refreshToken);
}

/** Revokes the family's tokens still live; how many that was (0: it was revoked already). */
async function revokeFamily(familyId: string): Promise<number> {
  const { count } = await db().refreshToken.updateMany({
    where: { familyId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  return count;
}

/**
 * Trades a refresh token for a new pair. A token works once; presenting a used one again means
 * it leaked, so its whole family is revoked (Auth0's reuse detection) — except a retry within
 * REFRESH_RETRY_GRACE_MS while the successor is still unused, which gets that successor again
 * (a client whose first answer was lost, or two tabs refreshing at once). Null → 401.
 */
export async function rotateRefreshToken(
  token: string,
  now = new Date(),
  ip: string | null = null,
): Promise<TokenPair | null> {
  const row = await db().refreshToken.findUnique({ where: { digest: refreshDigest(token) } });
  if (!row || row.revokedAt || row.expiresAt <= now) return null;
  const successor = successorOf(token);
  // Conditional update: of two concurrent refreshes with one token, exactly one creates the successor.
  const claimed = await db().refreshToken.updateMany({
    where: { id: row.id, usedAt: null, revokedAt: null },
    data: { usedAt: now },
  });
  if (claimed.count === 1) return issueTokenPair(row.userId, row.familyId, successor);

  const used = await db().refreshToken.findUnique({ where: { id: row.id }, select: { usedAt: true } });
  if (used?.usedAt && now.getTime() - used.usedAt.getTime() <= REFRESH_RETRY_GRACE_MS) {
    // The concurrent winner may still be writing the successor: wait for it, briefly.
    const next = await successorRow(refreshDigest(successor));
    if (next && !next.usedAt && !next.revokedAt) return pair(row.userId, row.familyId, successor);
  }
  // A used token presented again: it leaked (or the client is broken). The whole login ends, and
  // the account's audit log says so, with where the reuse came from.
  const revoked = await revokeFamily(row.familyId);
  if (revoked) {
    await recordAudit(
      row.userId,
      "auth.refresh_reuse",
      { actor: "system", ip },
      {
        details: { refresh_tokens_revoked: revoked, token_used_at: used?.usedAt?.toISOString() ?? null },
      },
    );
  }
  return null;
}

async function successorRow(digest: string) {
  for (let waited = 0; ; waited += 50) {
    const next = await db().refreshToken.findUnique({ where: { digest } });
    if (next || waited >= 2_000) return next;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Ends a login: its refresh-token family is revoked, and with it every access token it issued. */
export async function revokeRefreshFamily(token: string, ip: string | null = null): Promise<void> {
  const row = await db().refreshToken.findUnique({ where: { digest: refreshDigest(token) } });
  if (!row) return;
  const alreadyRevoked = row.revokedAt !== null;
  await revokeFamily(row.familyId);
  if (!alreadyRevoked) await recordAudit(row.userId, "auth.sign_out", { actor: "api", ip, userId: row.userId });
}

/** Whether a family was revoked (signed out, or a token reused): its access tokens are refused. */
export async function familyRevoked(familyId: string): Promise<boolean> {
  return (await db().refreshToken.count({ where: { familyId, revokedAt: { not: null } } })) > 0;
}

/** Refresh tokens are useless once expired; a week's grace keeps reuse detection meaningful. */
export async function purgeExpiredRefreshTokens(now = new Date()): Promise<number> {
  const { count } = await backgroundDb().refreshToken.deleteMany({
    where: { expiresAt: { lt: new Date(now.getTime() - 7 * DAY_MS) } },
  });
  return count;
}
