import type { IncomingMessage, ServerResponse } from "node:http";
import { getConfig } from "../config/env";
import { clientIp } from "../http/request";
import { unexpectedError } from "../http/errors";
import { errorBody } from "../http/respond";
import securityHeaders from "../http/security-headers.json";
import { serveDataRequest } from "./serve-data-request";

/**
 * The data API served by the production server itself (scripts/server.mjs), before Next's
 * router: the same serveDataRequest the App Router route calls, so `next dev` behaves the
 * same, without the framework's per-request cost. Compiled at build time to
 * .next/keyportal/fast-path.mjs (scripts/build-fast-path.mjs).
 *
 * State (usage buffer, limiter, key and route caches, database and Redis clients) is not
 * duplicated by this second bundle: every piece lives on globalThis under one name, so the
 * fast path and Next's handlers in one process share it.
 */
export const FAST_PATH = "/api/api-routes-data";

export function isFastPathRequest(req: IncomingMessage): boolean {
  if (req.method !== "GET" || !req.url) return false;
  const end = req.url.indexOf("?");
  return (end === -1 ? req.url : req.url.slice(0, end)) === FAST_PATH;
}

// Headers every answer carries, as the flat [name, value, …] list writeHead takes without
// building and normalising a header object per response.
const STATIC_HEADERS = Object.entries({
  ...securityHeaders,
  "Content-Type": "application/json; charset=utf-8",
  // Says which server path answered; it reveals nothing about keys or accounts.
  "X-Data-Path": "fast",
}).flat();

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  const payload = JSON.stringify(body);
  const list = [...STATIC_HEADERS, "Content-Length", String(Buffer.byteLength(payload))];
  // The answer's own headers (Cache-Control, the rate-limit ones) after the static ones.
  for (const name in headers) list.push(name, headers[name]);
  res.writeHead(status, list);
  res.end(payload);
}

function sendFailure(res: ServerResponse, error: unknown): void {
  const failure = unexpectedError(error, `GET ${FAST_PATH}`);
  send(res, failure.status, errorBody(failure.message), { "Cache-Control": "no-store", ...failure.headers });
}

/**
 * Answers one data-API request; never throws (a failure is the envelope apiHandler gives: 503 or
 * 500). Synchronously when serveDataRequest answers from memory, so such a call creates no promise.
 */
export function serveFastPath(req: IncomingMessage, res: ServerResponse): void {
  const headers = {
    get(name: string): string | null {
      const value = req.headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(", ") : (value ?? null);
    },
  };
  try {
    const result = serveDataRequest({
      method: "GET",
      url: req.url ?? FAST_PATH,
      headers,
      ip: clientIp(headers, getConfig().trustProxy),
    });
    if (result instanceof Promise) {
      result
        .then((answer) => send(res, answer.status, answer.body, answer.headers))
        .catch((error: unknown) => sendFailure(res, error));
    } else send(res, result.status, result.body, result.headers);
  } catch (error) {
    sendFailure(res, error);
  }
}
