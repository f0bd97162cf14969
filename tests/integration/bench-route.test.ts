import { afterEach, describe, expect, it } from "vitest";
import { GET as eventLoop } from "@/app/api/bench/event-loop/route";
import { GET as noop } from "@/app/api/bench/noop/route";
import { resetConfigForTests } from "@/lib/config/env";
import { noParams, readBody, request } from "../helpers";

afterEach(() => {
  delete process.env.BENCH_ROUTES;
  resetConfigForTests();
});

describe("GET /api/bench/noop (bench only)", () => {
  it("is not found unless BENCH_ROUTES is on", async () => {
    const response = await noop(request("GET", "/api/bench/noop"), noParams);
    expect(response.status).toBe(404);
    expect(await readBody(response)).toEqual({ success: false, message: "Not found" });
  });

  it("answers constant JSON when BENCH_ROUTES is on", async () => {
    process.env.BENCH_ROUTES = "on";
    resetConfigForTests();
    const response = await noop(request("GET", "/api/bench/noop"), noParams);
    expect(response.status).toBe(200);
    expect(await readBody(response)).toEqual({ success: true, data: { id: 123, name: "Sample route" } });
  });
});

describe("GET /api/bench/event-loop (bench only)", () => {
  it("is not found unless BENCH_ROUTES is on", async () => {
    const response = await eventLoop(request("GET", "/api/bench/event-loop"), noParams);
    expect(response.status).toBe(404);
  });

  it("reports the event loop's delay, and a blocked loop shows in it", async () => {
    process.env.BENCH_ROUTES = "on";
    resetConfigForTests();
    await eventLoop(request("GET", "/api/bench/event-loop?reset=1"), noParams);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const busyUntil = Date.now() + 120;
    while (Date.now() < busyUntil); // holds the loop for 120 ms
    await new Promise((resolve) => setTimeout(resolve, 50));
    const { data } = await readBody(await eventLoop(request("GET", "/api/bench/event-loop"), noParams));
    expect(Object.keys(data).sort()).toEqual(["max_ms", "p50_ms", "p99_ms", "samples"]);
    expect(data.samples).toBeGreaterThan(0);
    expect(data.max_ms).toBeGreaterThanOrEqual(100);
  });
});
