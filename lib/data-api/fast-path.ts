import type { IncomingMessage, ServerResponse } from "node:http";
import { requestHeaders } from "../net/request-headers";
import { getConfig } from "../config/env";
import { clientIp } from "../net/client-ip";
import { apiErrorFor, unexpectedError } from "../http/errors";
import { readNodeBodyText } from "../http/request";
import { errorBody } from "../http/respond";
import securityHeaders from "../http/security-headers.json";
import { log } from "../log/logger";
import { currentRequest } from "../log/request-context";
import { serveDataRequest } from "./serve-data-request";
import { isGatewayUrl, serveGateway } from "./serve-gateway";
import { answerVerify, VERIFY_PATH } from "./verify-handler";

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

/**
 * A header's name in lower case, as HTTP/2 writes them (HTTP/1.1's are case-insensitive): Node
 * lower-cases every name of 4-17 characters it writes to match it against its own (matchHeader),
 * a new string per header per answer unless the name is lower case already.
 */
const lowerNames = new Map<string, string>();
function lowerName(name: string): string {
  let lower = lowerNames.get(name);
  if (lower === undefined) {
    lower = name.toLowerCase();
    if (lowerNames.size < 256) lowerNames.set(name, lower);
  }
  return lower;
}

// Headers every answer carries, as the flat [name, value, …] list writeHead takes without
// building and normalising a header object per response.
const STATIC_HEADERS = Object.entries({
  ...securityHeaders,
  "Content-Type": "application/json; charset=utf-8",
  // Says which server path answered; it reveals nothing about keys or accounts.
  "X-Data-Path": "fast",
}).flatMap(([name, value]) => [lowerName(name), value]);

interface Answer {
  res: ServerResponse;
  status: number;
  headers: string[];
  payload: string;
}

/** Answers decided in this turn of the event loop, written together at its end (see send). */
let decided: Answer[] = [];
/**
 * At most this many answers wait: the eighth is written at once with those before it. Eight
 * writes per wake-up keep the gain of writing together (no throughput lost against unbounded,
 * within noise), and an answer does not wait behind the rest of a long turn: the other
 * requests' synchronous work (an export's page, a summary's rows) runs in the same turn.
 */
const MAX_HELD = 8;

/**
 * Queues the answer; it is written with the others decided in this turn of the event loop, in
 * one go once the loop has handled the requests that arrived (setImmediate: the check phase,
 * right after the poll phase that read them). Written one by one, nearly every answer woke the
 * sleeping load generator or client from inside its own write(), and that wake-up is most of the
 * write's cost: written one by one, the main thread spends more time per call (in the kernel
 * especially) and serves markedly fewer calls a second than written together. The first write of a
 * turn wakes the client; the rest find it awake. The wait it adds: the calls decided after it,
 * at most seven (MAX_HELD; a fraction of a millisecond), and whatever else the turn runs meanwhile.
 */
export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  const payload = serialize(body);
  const list = [...STATIC_HEADERS, "content-length", String(Buffer.byteLength(payload))];
  // The answer's own headers (Cache-Control, the rate-limit ones) after the static ones.
  for (const name in headers) list.push(lowerName(name), headers[name]);
  // The request's id (scripts/server.mjs gave it one), unless the gateway set it already.
  const request = currentRequest();
  if (request && !res.hasHeader("x-request-id") && !("X-Request-Id" in headers)) list.push("x-request-id", request.id);
  decided.push({ res, status, headers: list, payload });
  if (decided.length >= MAX_HELD) writeDecided();
  else if (decided.length === 1) setImmediate(writeDecided);
}

/** The text of each frozen body (a cached route's answer: serveDataRequest's routeBody), made once. */
const frozenTexts = new WeakMap<object, string>();

function serialize(body: unknown): string {
  if (typeof body !== "object" || body === null || !Object.isFrozen(body)) return JSON.stringify(body);
  let text = frozenTexts.get(body);
  if (text === undefined) {
    text = JSON.stringify(body);
    frozenTexts.set(body, text);
  }
  return text;
}

function writeDecided(): void {
  const answers = decided;
  decided = [];
  for (const { res, status, headers, payload } of answers) {
    try {
      res.writeHead(status, headers);
      res.end(payload);
    } catch (error) {
      // One answer that cannot be written (its socket gone mid-write) must not hold back the others.
      log().error({ err: error }, "[fast-path] writing an answer failed");
      res.destroy();
    }
  }
}

// Every API answer is account data or a credential: never let a shared cache keep it.
const NO_STORE = Object.freeze({ "Cache-Control": "no-store" });

function sendFailure(res: ServerResponse, error: unknown, where = `GET ${FAST_PATH}`): void {
  const failure = unexpectedError(error, where);
  send(res, failure.status, errorBody(failure.message), { ...NO_STORE, ...failure.headers });
}

/**
 * Answers one data-API request; never throws (a failure is the envelope apiHandler gives: 503 or
 * 500). Synchronously when serveDataRequest answers from memory, so such a call creates no promise.
 */
export function serveFastPath(req: IncomingMessage, res: ServerResponse): void {
  const headers = requestHeaders(req);
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

/** ANY /gw/{slug}/…: the gateway (lib/data-api/serve-gateway.ts). */
export function isGatewayRequest(req: IncomingMessage): boolean {
  return isGatewayUrl(req.url);
}

/** Serves one gateway call; never throws (a failure before the upstream answers is the 503/500 envelope). */
export function serveGatewayRequest(req: IncomingMessage, res: ServerResponse): void {
  const headers = requestHeaders(req);
  const where = `${req.method} /gw/`;
  try {
    const { trustProxy } = getConfig();
    const result = serveGateway(req, res, { headers, ip: clientIp(headers, trustProxy), trustProxy, send });
    if (result instanceof Promise) result.catch((error: unknown) => sendFailure(res, error, where));
  } catch (error) {
    sendFailure(res, error, where);
  }
}

/** POST /api/v1/keys/verify: services verifying keys, answered without Next's router. */
export function isVerifyRequest(req: IncomingMessage): boolean {
  if (req.method !== "POST" || !req.url) return false;
  const end = req.url.indexOf("?");
  return (end === -1 ? req.url : req.url.slice(0, end)) === VERIFY_PATH;
}

/**
 * Serves one verify call with the App Router route's own function (answerVerify in
 * lib/data-api/verify-handler.ts), reading the body straight from the socket (at most 64 KB, as
 * the route does) and answering through send: no web Request or Response, and no promise when
 * the token, key, limiter and route are in memory. Never throws.
 */
export function serveVerifyRequest(req: IncomingMessage, res: ServerResponse): void {
  const fail = (error: unknown) => {
    const failure = apiErrorFor(error);
    if (failure) send(res, failure.status, errorBody(failure.message), { ...NO_STORE, ...failure.headers });
    else sendFailure(res, error, `POST ${VERIFY_PATH}`);
  };
  readNodeBodyText(req, (error, body) => {
    if (error) return fail(error);
    try {
      const answer = answerVerify(req.headers.authorization ?? null, req.headers["user-agent"] ?? null, body);
      if (answer instanceof Promise) answer.then((value) => send(res, 200, value, NO_STORE), fail);
      else send(res, 200, answer, NO_STORE);
    } catch (thrown) {
      fail(thrown);
    }
  });
}
