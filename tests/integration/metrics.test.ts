import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import * as metricsRoute from "@/app/metrics/route";
import { resetConfigForTests } from "@/lib/config/env";
import { usageRecorder } from "@/lib/usage/usage-recorder";
import { seedSampleRoutes } from "../helpers";
import { callData, createAccount, expectError, generateKey, noParams, request } from "./support";

const TOKEN = "metrics-token-0123456789";

async function scrape(authorization?: string) {
  return metricsRoute.GET(request("GET", "/metrics", { headers: authorization ? { authorization } : {} }), noParams);
}

/** Scrapes with the token and parses the text with a real Prometheus parser. */
async function families() {
  const response = await scrape(`Bearer ${TOKEN}`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return new Map(parsePrometheusTextFormat(await response.text()).map((family) => [family.name, family]));
}

type Families = Awaited<ReturnType<typeof families>>;

/** A sample's value, by its labels (0 when the series does not exist yet). */
function value(all: Families, name: string, labels: Record<string, string> = {}): number {
  const sample = all
    .get(name)
    ?.metrics.find((m) => Object.entries(labels).every(([label, wanted]) => m.labels?.[label] === wanted));
  return Number(sample?.value ?? sample?.count ?? 0);
}

beforeAll(async () => {
  await seedSampleRoutes();
});

afterEach(() => {
  delete process.env.METRICS_TOKEN;
  resetConfigForTests();
});

describe("GET /metrics", () => {
  it("does not exist without METRICS_TOKEN: the 404 envelope", async () => {
    await expectError(await scrape(`Bearer ${TOKEN}`), 404, "Not found");
  });

  it("answers only the token: none or another is a 401 envelope that names the scheme", async () => {
    process.env.METRICS_TOKEN = TOKEN;
    resetConfigForTests();
    for (const authorization of [undefined, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${TOKEN}`]) {
      const response = await scrape(authorization);
      await expectError(response, 401, "Send Authorization: Bearer <METRICS_TOKEN>");
      expect(response.headers.get("www-authenticate")).toBe('Bearer realm="metrics"');
    }
  });

  it("parses as Prometheus text, and its counters move with the calls they count", async () => {
    process.env.METRICS_TOKEN = TOKEN;
    resetConfigForTests();
    const account = await createAccount({ prefix: "metrics" });
    const key = await generateKey(account.token, "metrics-key", "svc");
    await callData({ key: key.api_key, username: "svc" }); // the key is cached from here on
    const before = await families();

    for (let i = 0; i < 3; i++) expect((await callData({ key: key.api_key, username: "svc" })).status).toBe(200);
    expect((await callData({ key: key.api_key, username: "someone-else" })).status).toBe(401);
    await usageRecorder().flush();
    const after = await families();

    const moved = (name: string, labels?: Record<string, string>) =>
      value(after, name, labels) - value(before, name, labels);
    expect(moved("keyportal_key_verifications_total", { code: "VALID" })).toBe(3);
    expect(moved("keyportal_key_verifications_total", { code: "USERNAME_MISMATCH" })).toBe(1);
    expect(moved("keyportal_key_cache_lookups_total", { result: "hit" })).toBe(4);
    expect(moved("keyportal_usage_batch_write_seconds")).toBeGreaterThanOrEqual(1);
    expect(value(after, "keyportal_usage_rows_waiting")).toBe(0);
    for (const name of [
      "keyportal_http_requests_total",
      "keyportal_http_request_duration_seconds",
      "keyportal_rate_limit_refusals_total",
      "keyportal_usage_rows_dropped_total",
      "keyportal_redis_errors_total",
      "keyportal_database_errors_total",
      "nodejs_eventloop_lag_p99_seconds",
    ]) {
      expect(after.has(name), name).toBe(true);
    }
    expect(after.get("keyportal_usage_batch_write_seconds")?.type).toBe("HISTOGRAM");
  });
});
