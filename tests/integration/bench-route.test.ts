import { afterEach, describe, expect, it } from "vitest";
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
