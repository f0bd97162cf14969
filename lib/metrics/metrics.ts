import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/**
 * The process's Prometheus metrics (GET /metrics, app/metrics/route.ts). Counters are bumped
 * where the thing happens: the server per request (lib/http/request-observer.ts), the data API's
 * decision per key check, the limiter per refusal, the key cache per lookup, the usage writer per
 * batch. Node's own (event-loop delay, heap, CPU, handles) come from prom-client's defaults.
 */
function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  // Figures the app keeps anyway, read at each scrape rather than counted twice on the hot path.
  const sources = {
    usageRowsWaiting: () => 0,
    keyCache: () => ({ hits: 0, misses: 0 }),
  };
  return {
    registry,
    httpRequests: new Counter({
      name: "keyportal_http_requests_total",
      help: "Requests answered, by route (a template: /api/api-keys/{id}), method and status.",
      labelNames: ["route", "method", "status"] as const,
      registers,
    }),
    httpDuration: new Histogram({
      name: "keyportal_http_request_duration_seconds",
      help: "Time from a request's arrival to the end of its answer, by route and status.",
      labelNames: ["route", "status"] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    verifications: new Counter({
      name: "keyportal_key_verifications_total",
      help: "API-key checks (data API, gateway, verify endpoint) by outcome: VALID or the refusal's code.",
      labelNames: ["code"] as const,
      registers,
    }),
    rateLimitRefusals: new Counter({
      name: "keyportal_rate_limit_refusals_total",
      help: "Calls refused by a limit: an account's hourly quota, or the per-address budget of unauthenticated calls.",
      labelNames: ["limit"] as const,
      registers,
    }),
    keyCacheLookups: new Counter({
      name: "keyportal_key_cache_lookups_total",
      help: "Key lookups by the data API: hit (answered from memory) or miss (read from the database).",
      labelNames: ["result"] as const,
      registers,
      collect() {
        const { hits, misses } = sources.keyCache();
        this.reset();
        this.inc({ result: "hit" }, hits);
        this.inc({ result: "miss" }, misses);
      },
    }),
    usageRowsWaiting: new Gauge({
      name: "keyportal_usage_rows_waiting",
      help: "Usage rows recorded and not yet written to the database.",
      registers,
      collect() {
        this.set(sources.usageRowsWaiting());
      },
    }),
    usageRowsDropped: new Counter({
      name: "keyportal_usage_rows_dropped_total",
      help: "Usage rows given up on: the database refused them, or their account was deleted meanwhile.",
      labelNames: ["reason"] as const,
      registers,
    }),
    usageBatchSeconds: new Histogram({
      name: "keyportal_usage_batch_write_seconds",
      help: "Time to write one batch of usage rows, from hand-over to the writer to its answer.",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    redisErrors: new Counter({
      name: "keyportal_redis_errors_total",
      help: "Redis commands that failed or timed out, by what they were for.",
      labelNames: ["operation"] as const,
      registers,
    }),
    databaseErrors: new Counter({
      name: "keyportal_database_errors_total",
      help: "Database operations that failed, by what they were for.",
      labelNames: ["operation"] as const,
      registers,
    }),
    webhookAttempts: new Counter({
      name: "keyportal_webhook_delivery_attempts_total",
      help: "Webhook delivery attempts by outcome: delivered, retry (failed, tried again later), gave_up (24 h of failures), skipped (endpoint disabled).",
      labelNames: ["outcome"] as const,
      registers,
    }),
    webhookAttemptSeconds: new Histogram({
      name: "keyportal_webhook_delivery_attempt_seconds",
      help: "Time of one webhook delivery attempt, from sending to the receiver's whole answer or the failure.",
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    webhookEndpointsDisabled: new Counter({
      name: "keyportal_webhook_endpoints_disabled_total",
      help: "Webhook endpoints disabled by the server after 24 hours without a successful delivery.",
      registers,
    }),
    /** Where a scrape reads the figures kept elsewhere: the usage recorder's waiting rows, the key cache's counts. */
    sources,
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

// One set per process, whichever copy of this module asks first: the production server, its
// fast-path bundle and Next's bundle each load their own copy, and must count in the same one.
const KEY = Symbol.for("keyportal.metrics");
const slot = globalThis as unknown as { [KEY]?: Metrics };

export function metrics(): Metrics {
  return (slot[KEY] ??= createMetrics());
}

/** The text a scrape gets (Prometheus' text format). */
export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  const { registry } = metrics();
  return { contentType: registry.contentType, body: await registry.metrics() };
}
