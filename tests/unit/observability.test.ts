import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { consoleToLogger } from "@/lib/log/console-to-logger";
import { createLogger, writeAccessLine } from "@/lib/log/logger";
import { currentRequest, noteKey, requestIdFrom, runInRequest } from "@/lib/log/request-context";
import { pathForLog, routeLabel } from "@/lib/http/request-observer";

/** A logger writing into memory; each line parsed as JSON (a line that is not JSON fails the test). */
function memoryLogger(level = "info") {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk.toString()));
  const logger = createLogger({ level, format: "json" }, stream);
  const lines = () =>
    chunks
      .join("")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines };
}

describe("the logger", () => {
  it("writes one JSON object per line with time, level, message and the request's id", () => {
    const { logger, lines } = memoryLogger();
    logger.info("outside any request");
    runInRequest({ id: "req-42" }, () => logger.warn({ detail: 7 }, "inside one"));
    const [outside, inside] = lines();
    expect(outside).toMatchObject({ level: "info", msg: "outside any request" });
    expect(outside).not.toHaveProperty("reqId");
    expect(new Date(outside.time as string).toISOString()).toBe(outside.time);
    expect(inside).toMatchObject({ level: "warn", msg: "inside one", reqId: "req-42", detail: 7 });
  });

  it("carries the request id through awaits, and each request keeps its own", async () => {
    const { logger, lines } = memoryLogger();
    const serve = (id: string, delayMs: number) =>
      runInRequest({ id }, async () => {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        logger.info(`done ${id}`);
      });
    await Promise.all([serve("a", 20), serve("b", 1)]);
    expect(lines().map((line) => [line.msg, line.reqId])).toEqual([
      ["done b", "b"],
      ["done a", "a"],
    ]);
  });

  it("logs an error as one line, its message and stack without keys or digests", () => {
    const { logger, lines } = memoryLogger();
    const digest = "ab".repeat(32);
    const error = Object.assign(new Error(`insert of sk_live_abcdef123456 with ${digest} failed`), { code: "P2002" });
    logger.error({ err: error }, "a write failed");
    const [line] = lines();
    const err = line.err as Record<string, string>;
    expect(err).toMatchObject({ type: "Error", code: "P2002" });
    expect(err.message).toBe("insert of sk_live_[redacted] with [digest] failed");
    expect(err.stack).toContain("sk_live_[redacted]");
    expect(JSON.stringify(line)).not.toContain("abcdef123456");
    expect(JSON.stringify(line)).not.toContain(digest);
  });

  it("writes nothing below its level", () => {
    const { logger, lines } = memoryLogger("warn");
    logger.info("not this");
    logger.error("this");
    expect(lines().map((line) => line.msg)).toEqual(["this"]);
  });
});

describe("request ids", () => {
  it("keeps a well-formed X-Request-Id and replaces anything else with a UUID", () => {
    expect(requestIdFrom("abc-1.2:3_X")).toBe("abc-1.2:3_X");
    expect(requestIdFrom("x".repeat(128))).toBe("x".repeat(128));
    for (const bad of ["x".repeat(129), "has space", "new\nline", "", "é", undefined, ["a", "b"]]) {
      expect(requestIdFrom(bad)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it("noteKey names the key on the request being served, and is a no-op outside one", () => {
    noteKey(5);
    expect(currentRequest()).toBeUndefined();
    const context = { id: "r" } as { id: string; keyId?: number };
    runInRequest(context, () => noteKey(9));
    expect(context.keyId).toBe(9);
  });
});

describe("the access log's path", () => {
  it("keeps the path and harmless parameters, and hides secrets in the query", () => {
    expect(pathForLog("/api/api-routes-data?id=123")).toBe("/api/api-routes-data?id=123");
    expect(pathForLog("/gw/svc/a?token=abc&page=2&api_key=zz&code=123456")).toBe(
      "/gw/svc/a?token=[redacted]&page=2&api_key=[redacted]&code=[redacted]",
    );
    expect(pathForLog("/gw/svc/sk_live_abcdef123456/x?q=sk_live_zzzzzzzz")).toBe(
      "/gw/svc/sk_live_[redacted]/x?q=sk_live_[redacted]",
    );
    expect(pathForLog(`/a?${"p=1&".repeat(50)}`).split("&")).toHaveLength(20);
    expect(pathForLog(`/${"a".repeat(2000)}`)).toHaveLength(512);
  });
});

describe("the metrics' route label", () => {
  it("turns ids into a template and folds what nothing serves into one label", () => {
    expect(routeLabel("/api/api-keys/123?x=1", 200)).toBe("/api/api-keys/{id}");
    expect(routeLabel("/api/orgs/7/members/9", 403)).toBe("/api/orgs/{id}/members/{id}");
    expect(routeLabel("/invitations/Zm9vYmFyYmF6cXV4LXRva2VuLXZhbHVlLWxvbmc", 200)).toBe("/invitations/{param}");
    expect(routeLabel("/_next/static/chunks/abc.js", 200)).toBe("/_next/{asset}");
    expect(routeLabel("/made/up/path", 404)).toBe("unmatched");
    expect(routeLabel("/", 200)).toBe("/");
  });

  it("stops adding labels past its cap, so odd paths cannot grow the series without bound", () => {
    const labels = new Set(Array.from({ length: 400 }, (_, i) => routeLabel(`/cap-test-${i}`, 200)));
    expect(labels.has("other")).toBe(true);
    expect(labels.size).toBeLessThanOrEqual(301);
  });
});

describe("console through the logger", () => {
  it("turns each console call into one JSON line at its level, redacted", () => {
    const { logger, lines } = memoryLogger("debug");
    const saved = { ...console };
    try {
      consoleToLogger(logger);
      console.log("plain %d", 5);
      console.warn("careful");
      console.error(new Error("failed for sk_live_abcdef123456"));
    } finally {
      Object.assign(console, saved);
    }
    const [plain, careful, failed] = lines();
    expect(plain).toMatchObject({ level: "info", msg: "plain 5", console: true });
    expect(careful).toMatchObject({ level: "warn", msg: "careful" });
    expect(failed.level).toBe("error");
    expect(failed.msg).toMatch(/^Error: failed for sk_live_\[redacted\]\n\s+at /);
  });
});

describe("the access-log line", () => {
  it("is the JSON line pino would write, whatever the caller sent", () => {
    const { logger, lines } = memoryLogger();
    writeAccessLine(logger, {
      reqId: "r-1",
      method: "GET",
      path: '/gw/x/"quoted"\n\u2028é',
      status: 200,
      ms: 1.25,
      keyId: 7,
      username: 'a"b\\c\u0000',
      ip: "127.0.0.1",
    });
    writeAccessLine(logger, { reqId: "r-2", method: "POST", path: "/", status: 499, ms: 3, ip: "::1", aborted: true });
    logger.info({ reqId: "r-3", method: "GET" }, "request");
    const [first, second, byPino] = lines();
    expect(first).toEqual({
      level: "info",
      time: expect.any(String),
      pid: process.pid,
      hostname: byPino.hostname,
      reqId: "r-1",
      method: "GET",
      path: '/gw/x/"quoted"\n\u2028é',
      status: 200,
      ms: 1.25,
      keyId: 7,
      username: 'a"b\\c\u0000',
      ip: "127.0.0.1",
      msg: "request",
    });
    expect(second).toMatchObject({ reqId: "r-2", status: 499, aborted: true });
    expect(second).not.toHaveProperty("keyId");
    expect(second).not.toHaveProperty("username");
    // The same keys in the same order as pino's own line.
    expect(Object.keys(first).slice(0, 4)).toEqual(Object.keys(byPino).slice(0, 4));
  });

  it("writes nothing when info is below the level", () => {
    const { logger, lines } = memoryLogger("warn");
    writeAccessLine(logger, { reqId: "r", method: "GET", path: "/", status: 200, ms: 1, ip: "x" });
    expect(lines()).toEqual([]);
  });
});
