import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { expect, test } from "@playwright/test";
import { accountWithKey, startOwnServer } from "./support";

// The production server's request ids, access log and /metrics (scripts/server.mjs with
// lib/http/request-observer.ts), on a server of its own so its stdout is this test's to read.

const TOKEN = "e2e-metrics-token-0123456789";

/** The server's stdout from its "ready" line on, each line parsed as JSON (a line that is not JSON fails). */
function logLines(output: string): Record<string, any>[] {
  const lines = output.split("\n");
  const ready = lines.findIndex((line) => line.includes("Key Portal ready on"));
  expect(ready).toBeGreaterThanOrEqual(0);
  return lines
    .slice(ready)
    .filter((line) => line.trim())
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, any>;
      } catch {
        throw new Error(`not a JSON log line: ${line}`);
      }
    });
}

test("request ids, one JSON access-log line per request, and metrics that move", async () => {
  test.setTimeout(180_000);
  const own = await startOwnServer(3198, { METRICS_TOKEN: TOKEN, HOST: "127.0.0.1" });
  const { base } = own;
  try {
    const { token, key } = await accountWithKey(base, "observed@example.com", "observed-key");

    const scrape = async () => {
      const response = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(response.status).toBe(200);
      const families = parsePrometheusTextFormat(await response.text());
      return (name: string, labels: Record<string, string>) =>
        Number(
          families
            .find((family) => family.name === name)
            ?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value ?? 0,
        );
    };
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    const before = await scrape();

    // The data API (the fast path): a well-formed id is kept and answered; a bad one is replaced.
    const data = (requestId: string) =>
      fetch(`${base}/api/api-routes-data?id=123`, {
        headers: { "X-API-Key": key.api_key, "X-Username": "svc", "X-Request-Id": requestId },
      });
    const kept = await data("e2e-data-1");
    expect(kept.status).toBe(200);
    expect(kept.headers.get("x-request-id")).toBe("e2e-data-1");
    const replaced = await data("not a valid id!");
    const generated = replaced.headers.get("x-request-id")!;
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    for (let i = 0; i < 3; i++) expect((await data(`e2e-data-more-${i}`)).status).toBe(200);
    // A route Next serves, and a refusal the server answers itself.
    const keys = await fetch(`${base}/api/api-keys?page=1&api_key=should-not-be-logged`, {
      headers: { authorization: `Bearer ${token}`, "x-request-id": "e2e-next-1" },
    });
    expect(keys.status).toBe(200);
    expect(keys.headers.get("x-request-id")).toBe("e2e-next-1");
    const refused = await fetch(`${base}/api/api-keys`, { method: "PURGE" });
    expect(refused.status).toBe(405);
    expect(refused.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);

    // Log lines are written asynchronously: wait for the last request's.
    await expect
      .poll(() => logLines(own.output()).some((line) => line.reqId === refused.headers.get("x-request-id")))
      .toBe(true);
    const lines = logLines(own.output());
    const ready = lines[0];
    expect(ready).toMatchObject({ level: "info", host: "127.0.0.1", port: 3198 });
    expect(ready.msg).toBe("Key Portal ready on http://127.0.0.1:3198");
    const access = (reqId: string) => lines.filter((line) => line.msg === "request" && line.reqId === reqId);
    expect(access("e2e-data-1")).toEqual([
      expect.objectContaining({
        level: "info",
        method: "GET",
        path: "/api/api-routes-data?id=123",
        status: 200,
        keyId: key.id,
        username: "svc",
        ip: "127.0.0.1",
        ms: expect.any(Number),
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      }),
    ]);
    expect(access(generated)).toHaveLength(1);
    expect(access("e2e-next-1")).toEqual([
      expect.objectContaining({ method: "GET", path: "/api/api-keys?page=1&api_key=[redacted]", status: 200 }),
    ]);
    // Nothing a caller must keep secret reaches the log.
    const text = own.output();
    expect(text).not.toContain(key.api_key);
    expect(text).not.toContain(token);
    expect(text).not.toContain("should-not-be-logged");

    const after = await scrape();
    const moved = (name: string, labels: Record<string, string>) => after(name, labels) - before(name, labels);
    expect(
      moved("keyportal_http_requests_total", { route: "/api/api-routes-data", method: "GET", status: "200" }),
    ).toBe(5);
    expect(moved("keyportal_http_requests_total", { route: "/api/api-keys", method: "GET", status: "200" })).toBe(1);
    expect(moved("keyportal_http_requests_total", { route: "refused", method: "OTHER", status: "405" })).toBe(1);
    expect(moved("keyportal_key_verifications_total", { code: "VALID" })).toBe(5);
  } finally {
    await own.stop();
  }
});
