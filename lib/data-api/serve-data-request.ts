import { getConfig } from "../config/env";
import { findApiRoute } from "../api-routes/api-routes";
import { findKeyByDigest, findRevokedKey, recordKeyUse } from "../keys/keys";
import { constantTimeEqual, digestSecret, hasValidKeyFormat } from "../keys/secret";
import { FORBIDDEN_MESSAGE, UNAUTHENTICATED_MESSAGE } from "../http/errors";
import { errorBody } from "../http/respond";
import { planAllows } from "../limits/plans";
import { recordUsage } from "../usage/usage-logs";
import { idSchema } from "../validation/schemas";

/**
 * The data API's hot path, free of any web framework: a request in, a status, headers and
 * body out, so it can be served outside Next's router later. Per call: one HMAC, one indexed
 * key lookup (with its owner), one route lookup, then the usage row and last-used update.
 */

export interface DataRequest {
  method: string;
  /** Path and query, e.g. /api/api-routes-data?id=123 */
  url: string;
  headers: { get(name: string): string | null };
  ip: string;
}

export interface DataResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

interface Caller {
  ownerId: number;
  keyId: number;
  keyName: string;
  /** The key was deleted: log the attempt for its owner, but there is no row to mark as used. */
  deleted?: boolean;
}

const BASE_HEADERS = { "Cache-Control": "no-store" };

function respond(status: number, body: unknown): DataResponse {
  return { status, headers: { ...BASE_HEADERS }, body };
}

async function authenticate(headers: DataRequest["headers"], now: Date) {
  const key = headers.get("x-api-key")?.trim();
  const username = headers.get("x-username")?.trim();
  // A mistyped or made-up key fails its checksum here, before any database read.
  if (!key || !username || !hasValidKeyFormat(key)) return { caller: null, allowed: null };
  const digest = digestSecret(key, getConfig().keyPepper);
  const record = await findKeyByDigest(digest);
  if (!record) {
    // Only refused calls pay for this second lookup; it tells an owner their deleted key is still in use.
    const revoked = await findRevokedKey(digest);
    const caller = revoked && { ownerId: revoked.ownerId, keyId: revoked.keyId, keyName: revoked.keyName, deleted: true };
    return { caller, allowed: null };
  }
  const caller: Caller = { ownerId: record.ownerId, keyId: record.id, keyName: record.name };
  const valid =
    record.status === "active" &&
    (!record.expiresAt || record.expiresAt > now) &&
    constantTimeEqual(record.user, username);
  return { caller, allowed: valid ? record.owner : null };
}

export async function serveDataRequest(request: DataRequest, now = new Date()): Promise<DataResponse> {
  const url = new URL(request.url, "http://localhost");
  const { caller, allowed } = await authenticate(request.headers, now);
  const response = await decide(url, allowed);

  const rawId = url.searchParams.get("id");
  await recordUsage({
    ownerId: caller?.ownerId ?? null,
    apiKeyId: caller?.keyId ?? null,
    apiKeyName: caller?.keyName ?? null,
    method: request.method,
    // Only the route id is kept from the query: nothing else a caller puts in a URL is stored.
    path: rawId === null ? url.pathname : `${url.pathname}?id=${rawId.slice(0, 32)}`,
    statusCode: response.status,
    ip: request.ip,
    userAgent: request.headers.get("user-agent") ?? "",
    at: now,
  });
  if (caller && !caller.deleted) await recordKeyUse(caller.keyId, now, request.ip);
  return response;
}

async function decide(url: URL, owner: { plan: string; subscription: string } | null): Promise<DataResponse> {
  if (!owner) return respond(401, errorBody(UNAUTHENTICATED_MESSAGE));
  if (owner.subscription !== "active") return respond(403, errorBody(FORBIDDEN_MESSAGE));

  const id = idSchema.safeParse(url.searchParams.get("id") ?? undefined);
  if (!id.success) {
    return respond(400, errorBody(url.searchParams.has("id") ? "id must be a positive integer" : "id is required"));
  }
  const route = await findApiRoute(id.data);
  if (!route) return respond(404, errorBody(`No API route with id ${id.data}`));
  if (!planAllows(owner.plan, route.minPlan)) return respond(403, errorBody(FORBIDDEN_MESSAGE));

  const { id: _ignored, ...data } = route.data;
  return respond(200, { success: true, data: { id: route.id, ...data } });
}
