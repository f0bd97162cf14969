import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";
import { getConfig } from "@/lib/config/env";
import { ApiError } from "@/lib/http/errors";
import { apiHandler } from "@/lib/http/handler";
import { json } from "@/lib/http/respond";

// The server process's event-loop delay, for npm run bench to print while heavy reads run under
// data-API load: every request of the process (fast path included) waits out that delay.
// GET returns the delay since the last reset, in ms; ?reset=1 starts a new measurement. Not
// found unless BENCH_ROUTES is on.
const holder = globalThis as unknown as Record<symbol, IntervalHistogram | undefined>;
const KEY = Symbol.for("keyportal.benchEventLoop");

function histogram(): IntervalHistogram {
  let h = holder[KEY];
  if (!h) {
    h = monitorEventLoopDelay({ resolution: 5 });
    h.enable();
    holder[KEY] = h;
  }
  return h;
}

const ms = (ns: number) => Math.round(ns / 1e4) / 100;

export const GET = apiHandler(async (request) => {
  if (!getConfig().benchRoutes) throw new ApiError(404, "Not found");
  const h = histogram();
  const figures = {
    samples: h.count,
    p50_ms: ms(h.percentile(50)),
    p99_ms: ms(h.percentile(99)),
    max_ms: ms(h.max),
  };
  if (new URL(request.url).searchParams.get("reset") === "1") h.reset();
  return json({ success: true, data: figures });
});
