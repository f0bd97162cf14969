// Production server: Next's request handler behind our own http.Server, so the client IP the
// app sees comes from the socket, not from a header the client can set. The data API
// (GET /api/api-routes-data) and the gateway (ANY /gw/{slug}/…) are answered here directly by the
// fast path, compiled at build time from lib/data-api (the data API's code is the same the App
// Router route runs); every other request goes to Next.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";
import next from "next";
import { tsImport } from "tsx/esm/api";

// The app's one validated environment schema (lib/config/env.ts), loaded through tsx for this
// import only, so PORT, HOST and TRUST_PROXY follow exactly the app's rules.
const { readEnv, getConfig, ConfigError } = await tsImport("../lib/config/env.ts", import.meta.url);
let env;
try {
  env = readEnv();
  getConfig(); // and the rules between variables, e.g. PostgreSQL needs the shared secrets
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
const { PORT: port, HOST: hostname, TRUST_PROXY: trustProxy, ACCESS_LOG: accessLog } = env;
// The process's logger (LOG_LEVEL, LOG_FORMAT), created here first so the app's bundles write
// through this one; request ids, the access log and request metrics (lib/http/request-observer.ts).
const { log } = await tsImport("../lib/log/logger.ts", import.meta.url);
const { runInRequest } = await tsImport("../lib/log/request-context.ts", import.meta.url);
const { observeRequest } = await tsImport("../lib/http/request-observer.ts", import.meta.url);
const logger = log();
// What Next and libraries print through console (a render error's stack, a deprecation) becomes
// one JSON line as well, keys and digests taken out, so stdout is JSON lines only.
const { consoleToLogger } = await tsImport("../lib/log/console-to-logger.ts", import.meta.url);
consoleToLogger(logger);
// Served over https (NEXTAUTH_URL says so): browsers must never try plain http again.
const hsts = env.NEXTAUTH_URL?.startsWith("https://") ? "max-age=31536000; includeSubDomains" : null;

// The Date constructor before Next wraps it (app.prepare), for the fast path (lib/data-api/serve-data-request.ts).
globalThis[Symbol.for("keyportal.nativeDate")] = Date;
const app = next({ dev: false, dir: process.cwd(), hostname, port });
await app.prepare();
const handle = app.getRequestHandler();

// Loaded after Next has started the app (instrumentation: Redis, invalidations, retention).
const bundle = path.join(process.cwd(), ".next", "keyportal", "fast-path.mjs");
const fastPath = fs.existsSync(bundle) ? await import(pathToFileURL(bundle).href) : null;
if (!fastPath)
  logger.warn(
    `No ${path.relative(process.cwd(), bundle)}: Next serves the data API and /gw/ is not served (npm start builds it).`,
  );

// What Next itself would answer with a text/plain 500 and none of our headers: a verb no route
// serves (TRACE, CONNECT, made-up ones) or a path whose percent-encoding does not decode.
// Every /api answer is the JSON envelope, so these are refused here.
const securityHeaders = JSON.parse(
  fs.readFileSync(path.join(import.meta.dirname, "../lib/http/security-headers.json")),
);
const API_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
function apiRefusal(req) {
  const url = req.url ?? "/";
  if (!/^\/api(\/|\?|$)/.test(url)) return null;
  if (!API_METHODS.has(req.method)) return [405, "Method not allowed"];
  try {
    decodeURIComponent(url.split("?")[0]);
  } catch {
    return [400, "Malformed URL: invalid percent-encoding in the path"];
  }
  return null;
}

// A page POST that Next takes for a server action (a Next-Action header, or a multipart form)
// from another site: its Origin names a host other than this request's (X-Forwarded-Host, else
// Host, as Next compares them). Next refuses it too, but as a 500 with a stack trace in the log
// for every attempt; here it is a 403 and one line. Here and not in proxy.ts: the proxy's matcher
// skips requests that say they are prefetches (a header any client can send), and this server
// sees every request first in production. `next dev` still answers Next's 500.
function crossSiteAction(req) {
  if (req.method !== "POST" || /^\/api(\/|\?|$)/.test(req.url ?? "/")) return null;
  const isAction =
    req.headers["next-action"] !== undefined || (req.headers["content-type"] ?? "").startsWith("multipart/form-data");
  const origin = req.headers.origin;
  if (!isAction || origin === undefined) return null; // no Origin: not a browser, so no one else's cookies
  const forwardedHost = req.headers["x-forwarded-host"];
  const host =
    (Array.isArray(forwardedHost) ? forwardedHost[0] : forwardedHost?.split(",")[0]?.trim()) || req.headers.host;
  let originHost;
  try {
    originHost = new URL(origin).host;
  } catch {
    originHost = null;
  }
  return originHost && originHost === host ? null : { origin, host };
}
// What a client sent, bounded for a log line (the logger escapes it as JSON).
const forLog = (value) => String(value ?? "").slice(0, 100);

function refuse(res, status, message) {
  const body = JSON.stringify({ success: false, message });
  res.writeHead(status, {
    ...securityHeaders,
    "Content-Type": "application/json; charset=utf-8",
    "Cache-Control": "no-store",
    "Content-Length": Buffer.byteLength(body),
  });
  res.end(body);
}

// Each request is served inside its context (its id for every log line written meanwhile), and
// observed: X-Request-Id, one access-log line, the request metrics.
const observe = { accessLog, trustProxy };
const observeFast = (route) => ({ ...observe, route });
const FAST = observeFast("/api/api-routes-data");
const VERIFY = observeFast("/api/v1/keys/verify");
const GATEWAY = observeFast("/gw/{slug}");
const REFUSED = observeFast("refused");

const server = http.createServer((req, res) => {
  if (hsts) res.setHeader("Strict-Transport-Security", hsts);
  const socketIp = req.socket.remoteAddress ?? "unknown";
  const forwarded = req.headers["x-forwarded-for"];
  req.headers["x-forwarded-for"] = trustProxy && forwarded ? `${forwarded}, ${socketIp}` : socketIp;
  // First: its exact GET path is never one apiRefusal refuses, and its checks are 2% of a data call.
  // The fast path writes X-Request-Id with its own headers (lib/data-api/fast-path.ts: send).
  if (fastPath?.isFastPathRequest(req)) {
    runInRequest(observeRequest(req, res, FAST), () => fastPath.serveFastPath(req, res));
    return;
  }
  // Verify (POST of one exact path): the route's own handler, none of apiRefusal's checks apply.
  if (fastPath?.isVerifyRequest(req)) {
    runInRequest(observeRequest(req, res, VERIFY), () => fastPath.serveVerifyRequest(req, res));
    return;
  }
  // The gateway (ANY /gw/{slug}/…): outside /api, so none of apiRefusal's checks apply.
  if (fastPath?.isGatewayRequest(req)) {
    // The gateway writes X-Request-Id itself, with the upstream's answer or its own refusal.
    runInRequest(observeRequest(req, res, GATEWAY), () => fastPath.serveGatewayRequest(req, res));
    return;
  }
  const refusal = apiRefusal(req);
  const crossSite = refusal ? null : crossSiteAction(req);
  const context = observeRequest(req, res, refusal || crossSite ? REFUSED : observe);
  res.setHeader("X-Request-Id", context.id);
  runInRequest(context, () => {
    if (refusal) return refuse(res, refusal[0], refusal[1]);
    if (crossSite) {
      logger.warn(
        { method: req.method, url: forLog(req.url), origin: forLog(crossSite.origin), host: forLog(crossSite.host) },
        "Refused a cross-site server action: its Origin is not this site",
      );
      return refuse(res, 403, "Cross-site request refused: its Origin is not this site");
    }
    void handle(req, res);
  });
});

server.listen(port, hostname, () => {
  const shown = hostname === "0.0.0.0" || hostname === "::" ? "localhost" : hostname;
  logger.info(
    { host: hostname, port },
    `Key Portal ready on http://${shown.includes(":") ? `[${shown}]` : shown}:${port}`,
  );
});

// Registered by the app (lib/runtime/shutdown.ts), e.g. writing buffered usage rows.
const hooks = () => globalThis[Symbol.for("keyportal.shutdownHooks")] ?? [];

let closing = false;
async function shutdown(signal) {
  if (closing) return;
  closing = true;
  logger.info(`${signal} received: finishing requests and writing buffered usage rows`);
  // Readiness answers 503 from now on (lib/runtime/shutdown.ts), while the server still serves
  // for SHUTDOWN_DRAIN_MS, so a load balancer's checks take it out before its port closes.
  globalThis[Symbol.for("keyportal.draining")] = true;
  if (env.SHUTDOWN_DRAIN_MS) await new Promise((resolve) => setTimeout(resolve, env.SHUTDOWN_DRAIN_MS));
  // Stop accepting connections and give in-flight requests up to SHUTDOWN_GRACE_MS, then flush
  // what they logged.
  const closed = new Promise((resolve) => server.close(resolve));
  server.closeIdleConnections();
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, env.SHUTDOWN_GRACE_MS).unref())]);
  server.closeAllConnections();
  // Twice: a request cut off by closeAllConnections may still finish its handler and log a row.
  await Promise.allSettled(hooks().map((hook) => hook()));
  await new Promise((resolve) => setTimeout(resolve, 100));
  const results = await Promise.allSettled(hooks().map((hook) => hook()));
  const failures = results.filter((r) => r.status === "rejected");
  for (const failure of failures) logger.error({ err: failure.reason }, "Shutdown: a final write failed");
  // pino writes asynchronously: what is still buffered goes out before the process ends (bounded).
  await new Promise((resolve) => {
    logger.flush(resolve);
    setTimeout(resolve, 1_000).unref();
  });
  process.exit(failures.length ? 1 : 0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
