import { getConfig } from "../config/env";
import { andThen as then, type Maybe } from "../runtime/maybe";
import { findApiRoute, type ApiRouteData } from "../data-routes/data-routes";
import type { IpMatcher } from "../keys/key-controls";
import { lookupKey, type KeyLookup } from "../keys/key-cache";
import { constantTimeEqual, hasValidKeyFormat, presentedDigest } from "../keys/secret";
import { FORBIDDEN_MESSAGE, UNAUTHENTICATED_MESSAGE } from "../http/errors";
import { errorBody } from "../http/respond";
import { budgetIp } from "../limits/ip-budget";
import { hourlyLimitFor, planAllows, planLabel } from "../limits/plans";
import { consumeAccountQuota, consumeAnonymousQuota, rateLimitHeaders } from "../limits/quota";
import type { RateLimitDecision } from "../limits/rate-limiter";
import { usageRecorder } from "../usage/usage-recorder";
import { noteKey } from "../log/request-context";
import { NativeDate } from "../runtime/native-date";
import { metrics } from "../metrics/metrics";
import { fetchUpstreamJson, type UpstreamOutcome } from "../gateway/upstream-client";
import { parseDataUrl, parseRouteId, type DataUrl } from "./data-url";

/**
 * The data API's hot path, free of any web framework: a request in, a status, headers and
 * body out, so it can be served outside Next's router. Per call: one HMAC, the key record from
 * the in-process cache (one indexed lookup on a miss), a rate-limit decision (in memory, or one
 * Redis round trip), the route from its cache; the usage row and last-used update are buffered
 * and written in batches. The rules are one decision, decideCall, which the gateway
 * (serve-gateway.ts) shares: it differs only in how the route is named (a slug, not `?id=`).
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

export interface Caller {
  ownerId: number;
  keyId: number;
  keyName: string;
  /** The key was deleted: log the attempt for its owner, but there is no row to mark as used. */
  deleted?: boolean;
  /** What the key may do (a valid key's record; absent for a deleted one). */
  routes?: number[] | null;
  readOnly?: boolean;
  allowsIp?: IpMatcher | null;
  environment?: string;
  expiresAt?: Date | null;
}

/** A valid key used from an address its allow-list does not name. */
const IP_NOT_ALLOWED_MESSAGE = "This API key may not be used from this IP address";
/**
 * The answer past the per-IP budget, one frozen object: recordCall tells these refusals apart by
 * it (they are counted per client and hour, not logged one by one).
 */
const TOO_MANY_UNAUTHENTICATED = Object.freeze(
  errorBody("Too many unauthenticated requests from this address; retry later"),
);

/** The key has an allow-list and `ip` is not on it. */
const ipRefused = (caller: Caller, ip: string) => Boolean(caller.allowsIp && !caller.allowsIp(ip));

interface Owner {
  plan: string;
  subscription: string;
  rateLimitPerHour: number | null;
}

/**
 * Why a call was decided as it was: the data API and the gateway answer with statuses (the key's
 * failures all alike, a 401), the verify endpoint with the code itself.
 */
export const DECISION_CODES = [
  "VALID",
  "NOT_FOUND",
  "DISABLED",
  "EXPIRED",
  "USERNAME_MISMATCH",
  "FORBIDDEN",
  "IP_REFUSED",
  "READ_ONLY",
  "RATE_LIMITED",
] as const;
export type DecisionCode = (typeof DECISION_CODES)[number];

type KeyFailure = "NOT_FOUND" | "DISABLED" | "EXPIRED" | "USERNAME_MISMATCH";

interface Authenticated {
  caller: Caller | null;
  owner: Owner | null;
  /** Why `owner` is null (the key is not usable). */
  failure?: KeyFailure;
}

const NOT_FOUND: Authenticated = { caller: null, owner: null, failure: "NOT_FOUND" };

function authenticate(headers: DataRequest["headers"], now: Date): Maybe<Authenticated> {
  const key = headers.get("x-api-key")?.trim();
  const username = headers.get("x-username")?.trim();
  // A mistyped or made-up key fails its checksum here, before any database read.
  if (!key || !username || !hasValidKeyFormat(key)) return NOT_FOUND;
  const digest = presentedDigest(key, getConfig().keyPepper);
  return then(lookupKey(digest), (found) => verify(found, username, now));
}

function verify({ record, revoked }: KeyLookup, username: string, now: Date): Authenticated {
  if (!record) {
    const caller = revoked && {
      ownerId: revoked.ownerId,
      keyId: revoked.keyId,
      keyName: revoked.keyName,
      deleted: true,
    };
    return { caller, owner: null, failure: "NOT_FOUND" };
  }
  const caller: Caller = {
    ownerId: record.ownerId,
    keyId: record.id,
    keyName: record.name,
    routes: record.routes,
    readOnly: record.readOnly,
    allowsIp: record.allowsIp,
    environment: record.environment,
    expiresAt: record.expiresAt,
  };
  // Expired (at its own expiry, or at the end of a rotation's grace): the same 401 as any bad key.
  // The username first: a caller without it learns nothing of the key's state.
  const failure: KeyFailure | undefined = !constantTimeEqual(record.user, username)
    ? "USERNAME_MISMATCH"
    : record.status !== "active"
      ? "DISABLED"
      : record.expiresAt && record.expiresAt <= now
        ? "EXPIRED"
        : undefined;
  return failure ? { caller, owner: null, failure } : { caller, owner: record.owner };
}

function respond(status: number, body: unknown, limit: RateLimitDecision, now: number): DataResponse {
  return { status, headers: { "Cache-Control": "no-store", ...rateLimitHeaders(limit, now) }, body };
}

/** The answer at once when everything it needs is in memory (nearly every call), else a promise of it. */
export function serveDataRequest(request: DataRequest, now = new NativeDate()): Maybe<DataResponse> {
  const url = parseDataUrl(request.url);
  return then(
    decideCall(request, (caller) => locateById(url, caller, now.getTime()), now),
    (decision) => {
      const { route } = decision;
      if (route?.upstreamUrl) return serveUpstreamData(request, url, decision, route.upstreamUrl, route.timeoutMs, now);
      const response = decision.refusal ?? answer(decision, 200, payloadBody(route!));
      recordCall(request, dataPath(url), decision, response.status, now);
      return response;
    },
  );
}

/** An upstream route on the data API: its `GET {upstream_url}/`, wrapped as the data API's 200 body. */
async function serveUpstreamData(
  request: DataRequest,
  url: DataUrl,
  decision: Decision,
  upstreamUrl: string,
  timeoutMs: number,
  now: Date,
): Promise<DataResponse> {
  const fetched = await fetchUpstreamJson(upstreamUrl, timeoutMs);
  const response = fetched.ok
    ? answer(decision, 200, { success: true, data: fetched.data })
    : answer(decision, 502, errorBody(fetched.message));
  recordCall(request, dataPath(url), decision, response.status, now, fetched.upstream);
  return response;
}

/**
 * A write method (POST, PUT, PATCH, DELETE) on the data API, which only reads: a read-only key's
 * call is refused with the reference's 403 (and logged for its owner); null for anything else,
 * which the caller answers with its 405.
 */
export async function serveDataWrite(request: DataRequest, now = new Date()): Promise<DataResponse | null> {
  const url = parseDataUrl(request.url);
  const { caller, owner } = await authenticate(request.headers, now);
  if (!caller || !owner || !caller.readOnly || ipRefused(caller, request.ip)) return null;
  const limit = await consumeAccountQuota(
    caller.ownerId,
    hourlyLimitFor(owner.plan, owner.rateLimitPerHour),
    now.getTime(),
  );
  const response = respond(403, errorBody(FORBIDDEN_MESSAGE), limit, now.getTime());
  recordCall(request, dataPath(url), { caller, refusal: response, code: "READ_ONLY" }, response.status, now);
  return response;
}

/** The data API's usage path: only the route id is kept from the query, nothing else a caller puts in a URL. */
function dataPath(url: DataUrl): string {
  return url.id === null ? url.pathname : `${url.pathname}?id=${url.id.slice(0, 32)}`;
}

/**
 * Writes the call's usage row (buffered; `path` is what the log keeps of its URL), counts its
 * outcome for /metrics and names its key for the request's access-log line.
 */
export function recordCall(
  request: DataRequest,
  path: string,
  { caller, refusal, code }: Pick<Decision, "caller" | "refusal" | "code">,
  status: number,
  now: Date,
  upstream?: UpstreamOutcome,
): void {
  const counters = metrics();
  counters.verifications.inc({ code });
  if (code === "RATE_LIMITED") {
    counters.rateLimitRefusals.inc({ limit: refusal?.body === TOO_MANY_UNAUTHENTICATED ? "anonymous" : "account" });
  }
  if (caller) noteKey(caller.keyId);
  // Past the per-IP budget: a count per client and hour, no row, whoever the key belonged to.
  // Someone hammering a leaked or deleted key must neither bury its owner's log nor fill the disk.
  if (refusal?.body === TOO_MANY_UNAUTHENTICATED) {
    usageRecorder().recordRefused(budgetIp(request.ip), now.getTime());
    return;
  }
  usageRecorder().record({
    ownerId: caller?.ownerId ?? null,
    apiKeyId: caller?.keyId ?? null,
    apiKeyName: caller?.keyName ?? null,
    touchKey: Boolean(caller && !caller.deleted),
    method: request.method,
    path,
    statusCode: status,
    ip: request.ip,
    userAgent: request.headers.get("user-agent") ?? "",
    at: now,
    ...(upstream && { upstream }),
  });
}

/** A refusal before any route is looked up: status and message of its envelope. */
export interface Refusal {
  status: number;
  message: string;
}

/**
 * How a call names its route: found (or refused) once the key, address and quota allow the call.
 * Null: the call names none (a verify call without `route`), so only the key's own checks apply.
 */
export type LocateRoute = (caller: Caller) => Maybe<ApiRouteData | Refusal | null>;

/** The one decision the data API and the gateway share. */
export interface Decision {
  /** Whose key it was (null: no key matched). */
  caller: Caller | null;
  owner: Owner | null;
  /** The answer when the call is refused; null when it may go on to `route`. */
  refusal: DataResponse | null;
  /** The route the call may use (null when refused, or when the call named none). */
  route: ApiRouteData | null;
  /** The rate-limit decision whose headers every answer of the call carries. */
  limit: RateLimitDecision;
  at: number;
  code: DecisionCode;
  /** The owner's key and username matched (a key that is disabled or expired included). */
  matched: boolean;
}

/** An answer of the decided call: its status and body with the call's rate-limit headers. */
export function answer(decision: Decision, status: number, body: unknown): DataResponse {
  return respond(status, body, decision.limit, decision.at);
}

/** Methods a read-only key may use. */
const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The data API's rules, in order: the key (status, expiry, rotation grace, username), the
 * client's address (allow-list; refusals so far are charged to the per-IP budget), the owner's
 * hourly quota, subscription, read-only keys on write methods, the route (`locate`), the key's
 * route scopes and the plan. A value at once when everything is in memory, else a promise.
 */
export function decideCall(request: DataRequest, locate: LocateRoute, now: Date): Maybe<Decision> {
  const at = now.getTime();
  return then(authenticate(request.headers, now), ({ caller, owner, failure }) => {
    if (!caller || !owner) {
      // Unauthenticated callers share a per-IP budget, so failures cannot flood the log unchecked.
      return then(consumeAnonymousQuota(request.ip, at), (limit) =>
        refuseAnonymous(caller, limit, at, 401, UNAUTHENTICATED_MESSAGE, failure ?? "NOT_FOUND"),
      );
    }
    // From an address the key's allow-list does not name: whoever holds the key there is treated
    // like a failed authentication (the per-IP budget, not the owner's quota, pays for it), so a
    // leaked key used elsewhere can neither read nor drain the owner's hourly limit.
    if (ipRefused(caller, request.ip)) {
      return then(consumeAnonymousQuota(request.ip, at), (limit) =>
        refuseAnonymous(caller, limit, at, 403, IP_NOT_ALLOWED_MESSAGE, "IP_REFUSED"),
      );
    }
    // Checked before counting: a call refused above consumes no quota.
    return then(consumeAccountQuota(caller.ownerId, hourlyLimitFor(owner.plan, owner.rateLimitPerHour), at), (limit) =>
      decideCounted(request.method, locate, caller, owner, limit, at),
    );
  });
}

function refuseAnonymous(
  caller: Caller | null,
  limit: RateLimitDecision,
  at: number,
  status: number,
  message: string,
  code: DecisionCode,
): Decision {
  const refusal = limit.allowed
    ? respond(status, errorBody(message), limit, at)
    : respond(429, TOO_MANY_UNAUTHENTICATED, limit, at);
  // Matched: the key and its username were right, only its state (or the address) refused it.
  const matched = code !== "NOT_FOUND" && code !== "USERNAME_MISMATCH";
  return { caller, owner: null, refusal, route: null, limit, at, code: limit.allowed ? code : "RATE_LIMITED", matched };
}

/** The call counted against the owner's quota (or refused by it). */
function decideCounted(
  method: string,
  locate: LocateRoute,
  caller: Caller,
  owner: Owner,
  limit: RateLimitDecision,
  at: number,
): Maybe<Decision> {
  const refuse = (status: number, message: string, code: DecisionCode = "FORBIDDEN"): Decision => ({
    caller,
    owner,
    refusal: respond(status, errorBody(message), limit, at),
    route: null,
    limit,
    at,
    code,
    matched: true,
  });
  if (!limit.allowed) {
    const message = `Rate limit exceeded: the ${planLabel(owner.plan)} plan allows ${limit.limit} requests per hour across all keys`;
    return refuse(429, message, "RATE_LIMITED");
  }
  if (owner.subscription !== "active") return refuse(403, FORBIDDEN_MESSAGE);
  if (caller.readOnly && !READ_METHODS.has(method)) return refuse(403, FORBIDDEN_MESSAGE, "READ_ONLY");
  return then(locate(caller), (found) => {
    if (found === null) return { caller, owner, refusal: null, route: null, limit, at, code: "VALID", matched: true };
    if (!("id" in found)) return refuse(found.status, found.message);
    if (caller.routes && !caller.routes.includes(found.id)) return refuse(403, FORBIDDEN_MESSAGE);
    if (!planAllows(owner.plan, found.minPlan)) return refuse(403, FORBIDDEN_MESSAGE);
    return { caller, owner, refusal: null, route: found, limit, at, code: "VALID", matched: true };
  });
}

/** The data API's route: `?id=N`, checked against the key's scopes before the lookup. */
function locateById(url: DataUrl, caller: Caller, now: number): Maybe<ApiRouteData | Refusal> {
  const id = parseRouteId(url.id);
  if (!id.success) {
    const message =
      url.id !== null ? `id ${id.error.issues[0]?.message ?? "must be a positive integer"}` : "id is required";
    return { status: 400, message };
  }
  // Outside the key's routes: the reference's 403, before the lookup, so a limited key cannot
  // tell which other route ids exist.
  if (caller.routes && !caller.routes.includes(id.data)) return { status: 403, message: FORBIDDEN_MESSAGE };
  return then(
    findApiRoute(id.data, now),
    (route) => route ?? { status: 404, message: `No API route with id ${id.data}` },
  );
}

/** Each cached route's answer body, built once (the cache replaces a route's object when it re-reads it). */
const routeBodies = new WeakMap<ApiRouteData, object>();

/**
 * A route's 200 body, frozen: the same object for every call while the route is cached, which
 * the fast path also serializes once (lib/data-api/fast-path.ts). Built per call, the body and
 * its text would be a large part of what the data API allocates besides Node's own objects.
 */
export function payloadBody(route: ApiRouteData): object {
  let body = routeBodies.get(route);
  if (!body) {
    const { id: _ignored, ...data } = route.data;
    body = Object.freeze({ success: true, data: Object.freeze({ id: route.id, ...data }) });
    routeBodies.set(route, body);
  }
  return body;
}
