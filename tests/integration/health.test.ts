import { afterEach, describe, expect, it, vi } from "vitest";
import * as liveRoute from "@/app/api/health/live/route";
import * as readyRoute from "@/app/api/health/ready/route";
import * as healthRoute from "@/app/api/health/route";
import { resetConfigForTests } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import { disconnectRedis } from "@/lib/redis/shared";
import { noParams, readBody, request } from "../helpers";

const health = async () => {
  const response = await healthRoute.GET(request("GET", "/api/health"), noParams);
  return { status: response.status, body: await readBody(response), headers: response.headers };
};

const ready = async () => {
  const response = await readyRoute.GET(request("GET", "/api/health/ready"), noParams);
  return { status: response.status, body: await readBody(response) };
};

afterEach(async () => {
  vi.restoreAllMocks();
  delete process.env.REDIS_URL;
  await disconnectRedis();
  resetConfigForTests();
});

describe("GET /api/health", () => {
  it("answers 200 with the database ok and Redis disabled when REDIS_URL is unset, without authentication", async () => {
    const { status, body, headers } = await health();
    expect(status).toBe(200);
    expect(body).toEqual({
      status: "ok",
      database: "ok",
      redis: "disabled",
      usage_writes: "ok",
      usage_rows_waiting: 0,
      usage_rows_dropped: 0,
    });
    expect(headers.get("cache-control")).toBe("no-store");
  });

  it("answers 503 naming the database when it cannot be reached, and says nothing else about it", async () => {
    vi.spyOn(db(), "$queryRaw").mockRejectedValue(new Error("connect ECONNREFUSED 10.0.0.5:5432 password=hunter2"));
    const { status, body } = await health();
    expect(status).toBe(503);
    expect(body).toEqual({
      status: "unavailable",
      database: "unavailable",
      redis: "disabled",
      usage_writes: "ok",
      usage_rows_waiting: 0,
      usage_rows_dropped: 0,
    });
  });

  it("answers 503 naming Redis when REDIS_URL points at nothing, within its bound", async () => {
    process.env.REDIS_URL = "redis://127.0.0.1:1"; // nothing listens on port 1
    resetConfigForTests();
    const started = Date.now();
    const { status, body } = await health();
    expect(status).toBe(503);
    expect(body).toEqual({
      status: "unavailable",
      database: "ok",
      redis: "unavailable",
      usage_writes: "ok",
      usage_rows_waiting: 0,
      usage_rows_dropped: 0,
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("refuses other methods with the JSON envelope", async () => {
    const response = await healthRoute.POST(request("POST", "/api/health"), noParams);
    expect(response.status).toBe(405);
    expect(await readBody(response)).toMatchObject({ success: false });
  });
});

describe("GET /api/health/live and /api/health/ready", () => {
  it("live answers 200 whatever the dependencies, checking none", async () => {
    const query = vi.spyOn(db(), "$queryRaw").mockRejectedValue(new Error("down"));
    const response = await liveRoute.GET(request("GET", "/api/health/live"), noParams);
    expect(response.status).toBe(200);
    expect(await readBody(response)).toEqual({ status: "ok" });
    expect(query).not.toHaveBeenCalled();
  });

  it("ready answers 200 ok with every part ok", async () => {
    expect(await ready()).toEqual({
      status: 200,
      body: {
        status: "ok",
        database: "ok",
        redis: "disabled",
        usage_writes: "ok",
        usage_rows_waiting: 0,
        usage_rows_dropped: 0,
      },
    });
  });

  it("ready stays 200 while Redis is down, degraded and naming it (the fallback serves); /api/health says 503", async () => {
    process.env.REDIS_URL = "redis://127.0.0.1:1"; // nothing listens on port 1
    resetConfigForTests();
    const { status, body } = await ready();
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "degraded", database: "ok", redis: "unavailable" });
    expect((await health()).status).toBe(503);
  });

  it("ready answers 503 when the database cannot be reached", async () => {
    vi.spyOn(db(), "$queryRaw").mockRejectedValue(new Error("connect ECONNREFUSED"));
    const { status, body } = await ready();
    expect(status).toBe(503);
    expect(body).toMatchObject({ status: "unavailable", database: "unavailable" });
  });

  it("ready answers 503 draining once the server is shutting down (scripts/server.mjs sets the flag)", async () => {
    const flags = globalThis as unknown as Record<symbol, boolean | undefined>;
    flags[Symbol.for("keyportal.draining")] = true;
    try {
      const { status, body } = await ready();
      expect(status).toBe(503);
      expect(body).toMatchObject({ status: "draining", database: "ok" });
    } finally {
      delete flags[Symbol.for("keyportal.draining")];
    }
    expect((await ready()).status).toBe(200);
  });

  it("refuse other methods with the JSON envelope", async () => {
    for (const route of [liveRoute, readyRoute]) {
      const response = await route.POST(request("POST", "/api/health/ready"), noParams);
      expect(response.status).toBe(405);
    }
  });
});
