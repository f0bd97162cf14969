import { Agent } from "undici";

/**
 * The one connection pool to upstreams (undici's Agent: a Pool per origin), kept alive between
 * calls and bounded per origin, so a slow upstream queues calls instead of opening a socket each.
 */
const CONNECTIONS_PER_ORIGIN = 64;
const KEEP_ALIVE_MS = 10_000;
const CONNECT_TIMEOUT_MS = 10_000;
/** The most of an upstream's body the data API reads to wrap it as JSON (`?id=N` of an upstream route). */
const MAX_JSON_BYTES = 1024 * 1024;

// On globalThis: Next's handlers and the production server's fast path share one pool.
const AGENT = Symbol.for("keyportal.upstreamAgent");
const registry = globalThis as unknown as { [AGENT]?: Agent };

export function upstreamAgent(): Agent {
  let agent = registry[AGENT];
  if (!agent) {
    agent = new Agent({
      connections: CONNECTIONS_PER_ORIGIN,
      keepAliveTimeout: KEEP_ALIVE_MS,
      connect: { timeout: CONNECT_TIMEOUT_MS },
    });
    // Not closed at shutdown: the server has let its requests finish by then, and exiting closes
    // the idle sockets.
    registry[AGENT] = agent;
  }
  return agent;
}

/** Why an upstream gave no (complete) answer. */
export type UpstreamError = "refused" | "timeout" | "reset";

/** What usage records of an upstream exchange. */
export interface UpstreamOutcome {
  /** The upstream's status, when it answered. */
  status: number | null;
  error: UpstreamError | null;
  /** From forwarding until the upstream's response headers or its failure. */
  latencyMs: number;
}

const TIMEOUT_CODES = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "UND_ERR_CONNECT_TIMEOUT"]);
const REFUSED_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

/** An undici failure as usage and the answer name it: a timeout, a refused connection, else a reset. */
export function classifyUpstreamError(error: unknown): UpstreamError {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && TIMEOUT_CODES.has(code)) return "timeout";
  if (typeof code === "string" && REFUSED_CODES.has(code)) return "refused";
  return "reset";
}

/** The gateway's answer to a client when the upstream failed: 504 for a timeout, else 502. */
export function upstreamFailure(error: UpstreamError): { status: number; message: string } {
  if (error === "timeout") return { status: 504, message: "The upstream service did not answer in time" };
  if (error === "refused") return { status: 502, message: "The upstream service could not be reached" };
  return { status: 502, message: "The upstream service closed the connection" };
}

/** Bases split so far: a gateway call would otherwise parse its route's URL anew. */
const splitBases = new Map<string, { origin: string; basePath: string }>();

/** An upstream base URL split for undici: its origin, and its path without a trailing slash. */
export function splitBase(base: string): { origin: string; basePath: string } {
  let split = splitBases.get(base);
  if (!split) {
    const url = new URL(base);
    split = Object.freeze({ origin: url.origin, basePath: url.pathname.replace(/\/+$/, "") });
    if (splitBases.size >= 1_000) splitBases.clear();
    splitBases.set(base, split);
  }
  return split;
}

type JsonAnswer =
  { ok: true; data: unknown; upstream: UpstreamOutcome } | { ok: false; message: string; upstream: UpstreamOutcome };

/**
 * `GET {base}/` parsed as JSON, for the data API's upstream routes: anything but a 2xx JSON body
 * of at most MAX_JSON_BYTES is a failure.
 */
export async function fetchUpstreamJson(base: string, timeoutMs: number): Promise<JsonAnswer> {
  const { origin, basePath } = splitBase(base);
  const started = performance.now();
  let status: number | null = null;
  const latency = () => Math.round(performance.now() - started);
  try {
    const response = await upstreamAgent().request({
      origin,
      path: `${basePath}/`,
      method: "GET",
      headers: { accept: "application/json" },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    status = response.statusCode;
    const upstream: UpstreamOutcome = { status, error: null, latencyMs: latency() };
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_JSON_BYTES) {
        response.body.destroy();
        return { ok: false, message: "The upstream service's answer is too large", upstream };
      }
      chunks.push(chunk);
    }
    if (status < 200 || status > 299)
      return { ok: false, message: `The upstream service answered ${status}`, upstream };
    try {
      return { ok: true, data: JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown, upstream };
    } catch {
      return { ok: false, message: "The upstream service's answer is not JSON", upstream };
    }
  } catch (error) {
    const kind = classifyUpstreamError(error);
    return {
      ok: false,
      message: upstreamFailure(kind).message,
      upstream: { status, error: kind, latencyMs: latency() },
    };
  }
}
