import crypto from "node:crypto";
import { bearerToken } from "../net/bearer-token";
import { recordAudit } from "../audit/audit-log";
import { UNSPECIFIED, type AuditContext } from "../audit/audit-actions";
import { onInvalidation, publishInvalidation } from "../cache/invalidation";
import { getConfig } from "../config/env";
import { db } from "../db/client";
import type { Maybe } from "../runtime/maybe";
import { constantTimeEqual, digestSecret, presentedDigest } from "../keys/secret";

/**
 * Service tokens: the Bearer credential a service presents to POST /api/v1/keys/verify. Made by
 * an operator and shown once; stored as an HMAC digest under the pepper, domain-separated from
 * key digests, so the table alone lets nobody call verify. Any operator may list and revoke any
 * token: they are the team's, not one person's.
 */

const SERVICE_TOKEN_PREFIX = "kps_";
const TOKEN_PATTERN = /^kps_[A-Za-z0-9_-]{43}$/;

const tokenDigest = (token: string) => digestSecret(`service:${token}`, getConfig().keyPepper);
/** tokenDigest of a token presented to verify, found again without an HMAC when seen recently. */
const presentedTokenDigest = (token: string) => presentedDigest(`service:${token}`, getConfig().keyPepper);

const listed = { id: true, name: true, hint: true, createdById: true, createdAt: true, lastUsedAt: true } as const;

export function toServiceTokenResponse(row: {
  id: number;
  name: string;
  hint: string;
  createdById: number;
  createdAt: Date;
  lastUsedAt: Date | null;
}) {
  return {
    id: row.id,
    name: row.name,
    token_hint: `${SERVICE_TOKEN_PREFIX}…${row.hint}`,
    created_by: row.createdById,
    created_at: row.createdAt.toISOString(),
    last_used_at: row.lastUsedAt?.toISOString() ?? null,
  };
}
export type ServiceTokenResponse = ReturnType<typeof toServiceTokenResponse>;

/** A new token: the row, and the token itself (returned this once, never stored). */
export async function createServiceToken(operatorId: number, name: string, context: AuditContext = UNSPECIFIED) {
  const token = `${SERVICE_TOKEN_PREFIX}${crypto.randomBytes(32).toString("base64url")}`;
  const row = await db().serviceToken.create({
    data: { name, digest: tokenDigest(token), hint: token.slice(-4), createdById: operatorId },
    select: listed,
  });
  await recordAudit(operatorId, "service_token.created", context, { details: { id: row.id, name } });
  return { row, token };
}

export function listServiceTokens() {
  return db().serviceToken.findMany({ select: listed, orderBy: { id: "asc" } });
}

/** Revokes a token: verify calls with it fail from the next one. False when there is none. */
export async function deleteServiceToken(operatorId: number, id: number, context: AuditContext = UNSPECIFIED) {
  const row = await db().serviceToken.findUnique({ where: { id }, select: { name: true } });
  if (!row) return false;
  const { count } = await db().serviceToken.deleteMany({ where: { id } });
  // Every instance drops its cached tokens now: the revoked one fails at its next call.
  if (count) await publishInvalidation({ kind: "service-tokens" });
  if (count) await recordAudit(operatorId, "service_token.deleted", context, { details: { id, name: row.name } });
  return count > 0;
}

/** When a token's last use was last written: at most once a minute per token, not at every verify call. */
const lastUseWritten = new Map<number, number>();
const LAST_USE_PRECISION_MS = 60_000;

/**
 * Tokens recently seen, by digest (null: no such token), kept at most TOKEN_CACHE_MS: the verify
 * endpoint is on services' hot path. A revocation drops them on every instance at once (the
 * "service-tokens" invalidation); the bound covers a missed message.
 */
const TOKEN_CACHE_MS = 30_000;
const CACHE = Symbol.for("keyportal.serviceTokens");
const registry = globalThis as unknown as { [CACHE]?: Map<string, { id: number | null; until: number }> };
const tokenCache = (registry[CACHE] ??= new Map());
onInvalidation((message) => {
  if (message.kind === "service-tokens") tokenCache.clear();
});

/**
 * The token behind `Authorization: Bearer kps_…`, or null. A made-up token costs one HMAC and,
 * once per TOKEN_CACHE_MS, one indexed read. At once (no promise) when the token is cached and
 * its last use was written less than LAST_USE_PRECISION_MS ago: nearly every call.
 */
export function authenticateServiceToken(header: string | null, now = Date.now()): Maybe<{ id: number } | null> {
  const token = bearerToken(header);
  if (!token || !TOKEN_PATTERN.test(token)) return null;
  const digest = presentedTokenDigest(token);
  const cached = tokenCache.get(digest);
  if (cached && cached.until > now) return cached.id === null ? null : markUsed(cached.id, now);
  return db()
    .serviceToken.findUnique({ where: { digest }, select: { id: true, digest: true } })
    .then((row) => {
      const id = row && constantTimeEqual(row.digest, digest) ? row.id : null;
      if (tokenCache.size >= 10_000) tokenCache.clear();
      tokenCache.set(digest, { id, until: now + TOKEN_CACHE_MS });
      return id === null ? null : markUsed(id, now);
    });
}

/** The token, once its last use is written (when the last write is older than LAST_USE_PRECISION_MS). */
function markUsed(id: number, now: number): Maybe<{ id: number }> {
  const written = lastUseWritten.get(id);
  if (written !== undefined && now - written < LAST_USE_PRECISION_MS) return { id };
  lastUseWritten.set(id, now);
  return db()
    .serviceToken.updateMany({ where: { id }, data: { lastUsedAt: new Date(now) } })
    .then(() => ({ id }));
}
