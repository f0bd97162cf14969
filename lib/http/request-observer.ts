import type { IncomingMessage, ServerResponse } from "node:http";
import { clientIp } from "../net/client-ip";
import { requestHeaders } from "../net/request-headers";
import { log, writeAccessLine } from "../log/logger";
import { redactKeys } from "../log/redact";
import { type RequestContext, requestIdFrom } from "../log/request-context";
import { metrics } from "../metrics/metrics";

/**
 * What the production server (scripts/server.mjs) does for every request before serving it:
 * give it an id (X-Request-Id: the caller's when well-formed, else generated; in the answer, in
 * the request's headers, so Next's handlers and the gateway's upstream call carry it, and in
 * every log line written while serving it), and once its answer has ended, one access-log line
 * and the request metrics. Returns the context to serve the request in (runInRequest).
 */
export function observeRequest(
  req: IncomingMessage,
  res: ServerResponse,
  options: { accessLog: boolean; trustProxy: boolean; route?: string },
): RequestContext {
  const started = performance.now();
  const id = requestIdFrom(req.headers["x-request-id"]);
  req.headers["x-request-id"] = id;
  const context: RequestContext = { id, route: options.route };
  res.once("close", () => finish(req, res, context, started, options));
  return context;
}

function finish(
  req: IncomingMessage,
  res: ServerResponse,
  context: RequestContext,
  started: number,
  options: { accessLog: boolean; trustProxy: boolean },
): void {
  const ms = performance.now() - started;
  // Cut off before its answer ended (the client went away, or shutdown's grace ran out).
  const aborted = !res.writableFinished;
  const status = aborted && !res.headersSent ? 499 : res.statusCode;
  const url = req.url ?? "/";
  const route = context.route ?? routeLabel(url, status);
  const statusLabel = String(status);
  const m = metrics();
  m.httpRequests.inc({ route, method: methodLabel(req.method), status: statusLabel });
  m.httpDuration.observe({ route, status: statusLabel }, ms / 1000);
  if (!options.accessLog) return;
  const username = req.headers["x-username"];
  writeAccessLine(log(), {
    reqId: context.id,
    method: req.method ?? "GET",
    path: pathForLog(url),
    status,
    ms: Math.round(ms * 100) / 100,
    keyId: context.keyId,
    username: typeof username === "string" ? username.slice(0, 100) : undefined,
    ip: clientIp(requestHeaders(req), options.trustProxy),
    aborted: aborted || undefined,
  });
}

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
const methodLabel = (method: string | undefined) => (method && METHODS.has(method) ? method : "OTHER");

/** Query parameters whose values are credentials or one-time codes wherever they appear. */
const SECRET_PARAM = /key|token|secret|passw|pwd|auth|code|sig|session|credential|otp/i;

/**
 * A URL as the access log keeps it: the path, and the query with the values of parameters that
 * name a secret replaced, anything shaped like one of our keys taken out, and length bounded.
 */
export function pathForLog(url: string): string {
  const mark = url.indexOf("?");
  const path = redactKeys(mark === -1 ? url : url.slice(0, mark)).slice(0, 512);
  if (mark === -1) return path;
  const query = url
    .slice(mark + 1)
    .split("&")
    .slice(0, 20)
    .map((pair) => {
      const eq = pair.indexOf("=");
      const name = eq === -1 ? pair : pair.slice(0, eq);
      return eq !== -1 && SECRET_PARAM.test(name) ? `${name.slice(0, 64)}=[redacted]` : redactKeys(pair).slice(0, 128);
    })
    .join("&");
  return `${path}?${query}`;
}

/** Distinct route labels kept; past this (a bug or a crawler's variety) requests count as "other". */
const MAX_ROUTES = 300;
const routes = new Set<string>();

/**
 * The metrics' route: the path as a template (numeric segments → {id}; any but short lower-case words →
 * {param}), so an account's ids do not each make a series. Answers nothing served (404) share
 * one label, so made-up paths cannot either.
 */
export function routeLabel(url: string, status: number): string {
  if (status === 404) return "unmatched";
  const mark = url.indexOf("?");
  const path = mark === -1 ? url : url.slice(0, mark);
  if (path.startsWith("/_next/")) return "/_next/{asset}";
  const template =
    path
      .split("/")
      .slice(0, 7)
      .map((segment) =>
        /^\d+$/.test(segment) ? "{id}" : /^[a-z][a-z0-9._-]{0,31}$/.test(segment) ? segment : segment && "{param}",
      )
      .join("/") || "/";
  if (routes.has(template)) return template;
  if (routes.size >= MAX_ROUTES) return "other";
  routes.add(template);
  return template;
}
