import type { IncomingMessage, ServerResponse } from "node:http";
import { EventEmitter } from "node:events";
import { findApiRouteBySlug, type ApiRouteData } from "../data-routes/data-routes";
import { SLUG_PATTERN } from "../data-routes/route-schemas";
import { GATEWAY_PREFIX, parseGatewayUrl, safeQuery, safeRest, type GatewayUrl } from "../gateway/gateway-path";
import { clientResponseHeaders, upstreamRequestHeaders } from "../gateway/forward-headers";
import { currentRequest, requestIdFrom } from "../log/request-context";
import {
  classifyUpstreamError,
  splitBase,
  upstreamAgent,
  upstreamFailure,
  type UpstreamOutcome,
} from "../gateway/upstream-client";
import { FORBIDDEN_MESSAGE } from "../http/errors";
import { errorBody } from "../http/respond";
import { rateLimitHeaders } from "../limits/quota";
import { andThen as then, type Maybe } from "../runtime/maybe";
import {
  answer,
  decideCall,
  payloadBody,
  recordCall,
  type Caller,
  type DataRequest,
  type Decision,
  type Refusal,
} from "./serve-data-request";
import { NativeDate } from "../runtime/native-date";

/**
 * ANY /gw/{slug}/{rest…}?{query}: the data API's decision (decideCall: key, address, quota,
 * subscription, read-only, route scope, plan), then the route's methods, then the call forwarded
 * to the route's upstream with both bodies streamed through undici's pool. A payload route
 * answers its payload to GET, as the data API does. Served by the production server's fast path
 * (lib/data-api/fast-path.ts).
 */

/** Writes a JSON answer (the fast path's send: security headers, batched writes). */
type SendAnswer = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string>) => void;

export interface GatewayContext {
  /** The request's headers as the data API reads them (built once per call by the fast path). */
  headers: DataRequest["headers"];
  /** The client's address (lib/net/client-ip.ts), for the allow-list, budgets and usage. */
  ip: string;
  trustProxy: boolean;
  send: SendAnswer;
}

export function isGatewayUrl(url: string | undefined): boolean {
  return url !== undefined && url.startsWith(GATEWAY_PREFIX);
}

/** The log keeps the path, never the query (a caller may put anything in it). */
const usagePath = (gw: GatewayUrl) => `${GATEWAY_PREFIX}${gw.slug}${gw.rest}`;

export function serveGateway(req: IncomingMessage, res: ServerResponse, context: GatewayContext): Maybe<void> {
  const now = new NativeDate();
  const gw = parseGatewayUrl(req.url ?? "/")!;
  const request: DataRequest = {
    method: req.method ?? "GET",
    url: req.url ?? "/",
    headers: context.headers,
    ip: context.ip,
  };
  const rest = safeRest(gw.rest);
  return then(
    decideCall(request, (caller) => locateBySlug(gw, rest, caller, now.getTime()), now),
    (decision) => {
      const { refusal, route } = decision;
      if (refusal || !route) return finish(req, res, context, request, gw, decision, refusal!, now);
      if (!route.methods.includes(request.method))
        return notAllowed(req, res, context, request, gw, decision, route.methods, now);
      if (!route.upstreamUrl) {
        if (request.method !== "GET") return notAllowed(req, res, context, request, gw, decision, ["GET"], now);
        return finish(req, res, context, request, gw, decision, answer(decision, 200, payloadBody(route)), now);
      }
      return forward(req, res, context, request, gw, (rest as { path: string }).path, decision, route, now);
    },
  );
}

function finish(
  req: IncomingMessage,
  res: ServerResponse,
  context: GatewayContext,
  request: DataRequest,
  gw: GatewayUrl,
  decision: Decision,
  response: { status: number; headers: Record<string, string>; body: unknown },
  now: Date,
): void {
  // An unread request body would be left in the socket: drain it (Node closes the connection if it is too large).
  req.resume();
  context.send(res, response.status, response.body, response.headers);
  recordCall(request, usagePath(gw), decision, response.status, now);
}

function notAllowed(
  req: IncomingMessage,
  res: ServerResponse,
  context: GatewayContext,
  request: DataRequest,
  gw: GatewayUrl,
  decision: Decision,
  allowed: readonly string[],
  now: Date,
): void {
  const response = answer(decision, 405, errorBody(`Method not allowed; use ${allowed.join(" or ")}`));
  response.headers.Allow = allowed.join(", ");
  finish(req, res, context, request, gw, decision, response, now);
}

/** The route the slug names; the rest of the path is checked first, and a scoped key cannot tell unknown slugs apart. */
function locateBySlug(
  gw: GatewayUrl,
  rest: ReturnType<typeof safeRest>,
  caller: Caller,
  now: number,
): Maybe<ApiRouteData | Refusal> {
  if ("error" in rest) return { status: 400, message: rest.error };
  const unknown: Refusal = caller.routes
    ? { status: 403, message: FORBIDDEN_MESSAGE }
    : { status: 404, message: `No API route with slug ${gw.slug.slice(0, 64)}` };
  if (!SLUG_PATTERN.test(gw.slug)) return unknown;
  return then(findApiRouteBySlug(gw.slug, now), (route) => route ?? unknown);
}

/** Whether the client sends a body: a length above zero, or a chunked one. */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  if (length !== undefined) return length !== "0";
  return req.headers["transfer-encoding"] !== undefined;
}

function forward(
  req: IncomingMessage,
  res: ServerResponse,
  context: GatewayContext,
  request: DataRequest,
  gw: GatewayUrl,
  restPath: string,
  decision: Decision,
  route: ApiRouteData,
  now: Date,
): void {
  const caller = decision.caller!;
  // From the verification record itself (findKeyByDigest reads it): no read of its own.
  const environment = caller.environment ?? "production";
  const { origin, basePath } = splitBase(route.upstreamUrl!);
  const query = gw.query && `?${safeQuery(gw.query)}`;
  // The production server gave the request its id (lib/http/request-observer.ts); tests call this directly.
  const requestId = currentRequest()?.id ?? requestIdFrom(req.headers["x-request-id"]);
  const forwardedProto = context.trustProxy ? req.headers["x-forwarded-proto"] : undefined;
  const forwardedHost = context.trustProxy ? req.headers["x-forwarded-host"] : undefined;
  const upstreamHeaders = upstreamRequestHeaders(req.headers, {
    keyId: caller.keyId,
    keyName: caller.keyName,
    ownerId: caller.ownerId,
    environment,
    username: headerValue(req.headers["x-username"]).trim(),
    requestId,
    // scripts/server.mjs has set it: the trusted proxies' chain, then the socket's address.
    forwardedFor: headerValue(req.headers["x-forwarded-for"]) || context.ip,
    proto: headerValue(forwardedProto).split(",")[0].trim() || "http",
    host: headerValue(forwardedHost).split(",")[0].trim() || headerValue(req.headers.host),
  });
  const limitHeaders = { ...rateLimitHeaders(decision.limit, decision.at), "X-Request-Id": requestId };
  const started = performance.now();
  // The client leaving cancels the upstream call. An EventEmitter, which undici takes as a
  // signal, rather than an AbortController: a controller and its signal per call, and the
  // DOMException of each abort, were a measurable part of the gateway's time.
  const abort = new EventEmitter();
  let clientLeft = false;
  res.once("close", () => {
    if (res.writableFinished) return;
    clientLeft = true;
    abort.emit("abort");
  });
  const record = (status: number, upstream: UpstreamOutcome) =>
    recordCall(request, usagePath(gw), decision, status, now, upstream);

  upstreamAgent()
    .request({
      origin,
      path: `${basePath}${restPath || (basePath ? "" : "/")}${query}`,
      method: request.method as "GET",
      headers: upstreamHeaders,
      body: hasBody(req) ? req : null,
      headersTimeout: route.timeoutMs,
      bodyTimeout: Math.max(route.timeoutMs, BODY_IDLE_MS),
      signal: abort,
    })
    .then(
      (upstream) => {
        const outcome: UpstreamOutcome = {
          status: upstream.statusCode,
          error: null,
          latencyMs: Math.round(performance.now() - started),
        };
        res.writeHead(upstream.statusCode, { ...clientResponseHeaders(upstream.headers), ...limitHeaders });
        // pipe, not stream.pipeline: pipeline's own AbortController and its abort at every
        // finish cost more than the rest of the forwarding. Its two duties are here: the client
        // leaving stops the upstream body (the abort above), the upstream failing ends the answer.
        upstream.body.once("error", (error) => {
          // Cut off mid-body by the upstream (not by the client leaving): usage says so.
          if (!clientLeft) outcome.error = classifyUpstreamError(error);
          res.destroy();
        });
        res.once("close", () => record(upstream.statusCode, outcome));
        upstream.body.pipe(res);
      },
      (error: unknown) => {
        req.resume();
        const latencyMs = Math.round(performance.now() - started);
        if (clientLeft) {
          // The client left before the upstream answered: nothing to write.
          record(499, { status: null, error: null, latencyMs });
          return;
        }
        const kind = classifyUpstreamError(error);
        const failure = upstreamFailure(kind);
        context.send(res, failure.status, errorBody(failure.message), {
          "Cache-Control": "no-store",
          ...limitHeaders,
        });
        record(failure.status, { status: null, error: kind, latencyMs });
      },
    );
}

/** How long an upstream's response body may stall (between chunks) at least. */
const BODY_IDLE_MS = 60_000;

function headerValue(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join(", ") : (value ?? "");
}
