import { AsyncLocalStorage } from "node:async_hooks";
import crypto from "node:crypto";

/** What the server knows of the request being served, for its log lines and its access-log line. */
export interface RequestContext {
  /** X-Request-Id: the caller's when well-formed, else generated; returned and forwarded upstream. */
  id: string;
  /** The API key the call presented, once the data API, gateway or verify endpoint has found it. */
  keyId?: number;
  /** The metrics' route label when the server knows it before Next does (fast path, refusals). */
  route?: string;
}

// One store per process: the production server (scripts/server.mjs), its fast-path bundle and
// Next's bundle each load their own copy of this module, and must all read the same one.
const KEY = Symbol.for("keyportal.requestContext");
const slot = globalThis as unknown as { [KEY]?: AsyncLocalStorage<RequestContext> };
const storage = (slot[KEY] ??= new AsyncLocalStorage<RequestContext>());

/** The request this code runs for (through every await), or undefined outside one. */
export function currentRequest(): RequestContext | undefined {
  return storage.getStore();
}

export function runInRequest<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** A request id a caller may choose: short, and nothing that could break a log line or a header. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's X-Request-Id when it is well-formed, else a new one (a random UUID). */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === "string" && REQUEST_ID.test(header) ? header : crypto.randomUUID();
}

/** Notes the key a call presented, for the access log (never the key itself). */
export function noteKey(keyId: number): void {
  const context = storage.getStore();
  if (context) context.keyId = keyId;
}
