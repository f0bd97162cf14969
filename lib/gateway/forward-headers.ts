import type { IncomingHttpHeaders } from "node:http";

/**
 * Which headers cross the gateway. Hop-by-hop headers (RFC 9110 7.6.1) and those the Connection
 * header names never do. Towards the upstream: the key and the caller's cookies stay here, the
 * X-Forwarded-* and the key's identity are the gateway's own (whatever the client sent under
 * those names is replaced). Towards the client: the upstream's headers as they are.
 */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/** Never forwarded upstream: credentials, what the gateway sets itself, and what undici sets (host, expect). */
const NOT_FORWARDED = new Set([
  "x-api-key",
  "cookie",
  "host",
  "expect",
  "forwarded",
  "x-forwarded-for",
  "x-forwarded-proto",
  "x-forwarded-host",
  "x-key-id",
  "x-key-name",
  "x-key-owner-id",
  "x-key-environment",
  "x-username",
  "x-request-id",
]);

const NONE_NAMED: ReadonlySet<string> = new Set();
/** Connection headers seen, and the names each lists: nearly every message sends "keep-alive" or "close". */
const connectionValues = new Map<string, ReadonlySet<string>>();

/** Header names the Connection header lists: hop-by-hop for this one message. */
function connectionNamed(connection: string | string[] | undefined): ReadonlySet<string> {
  const value = Array.isArray(connection) ? connection.join(",") : connection;
  if (!value) return NONE_NAMED;
  let named = connectionValues.get(value);
  if (!named) {
    named = new Set(
      value
        .split(",")
        .map((name) => name.trim().toLowerCase())
        .filter(Boolean),
    );
    if (connectionValues.size >= 64) connectionValues.clear();
    connectionValues.set(value, named);
  }
  return named;
}

/** A header value that is safe to send as it is, else its percent-encoding (a key name may hold any text). */
const headerSafe = (value: string) => (/^[\x20-\x7e]*$/.test(value) ? value : encodeURIComponent(value));

export interface ForwardIdentity {
  keyId: number;
  keyName: string;
  ownerId: number;
  environment: string;
  username: string;
  requestId: string;
  /** X-Forwarded-For as this server computed it: the trusted chain and the socket's address. */
  forwardedFor: string;
  proto: string;
  host: string;
}

export function upstreamRequestHeaders(
  incoming: IncomingHttpHeaders,
  identity: ForwardIdentity,
): Record<string, string | string[]> {
  const named = connectionNamed(incoming.connection);
  const headers: Record<string, string | string[]> = {};
  for (const name in incoming) {
    const value = incoming[name];
    if (value === undefined || HOP_BY_HOP.has(name) || NOT_FORWARDED.has(name) || named.has(name)) continue;
    headers[name] = value;
  }
  headers["x-forwarded-for"] = identity.forwardedFor;
  headers["x-forwarded-proto"] = identity.proto;
  if (identity.host) headers["x-forwarded-host"] = identity.host;
  headers["x-key-id"] = String(identity.keyId);
  headers["x-key-name"] = headerSafe(identity.keyName);
  headers["x-key-owner-id"] = String(identity.ownerId);
  headers["x-key-environment"] = identity.environment;
  headers["x-username"] = headerSafe(identity.username);
  headers["x-request-id"] = identity.requestId;
  return headers;
}

/** The upstream's response headers for the client: all but the hop-by-hop ones. */
/**
 * What the gateway's answer sets itself (the request id, the rate-limit headers): the upstream's
 * copies are dropped, or the client would get each twice (Node writes both spellings).
 */
const GATEWAY_OWN = /^(x-request-id$|x-ratelimit-)/;

export function clientResponseHeaders(
  upstream: Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
  const named = connectionNamed(upstream.connection);
  const headers: Record<string, string | string[]> = {};
  for (const name in upstream) {
    const value = upstream[name];
    if (value === undefined || HOP_BY_HOP.has(name) || named.has(name) || GATEWAY_OWN.test(name)) continue;
    headers[name] = value;
  }
  return headers;
}
