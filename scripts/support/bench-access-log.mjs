// npm run bench's access-log phase: what one JSON line per request costs the data API. Two more
// production servers on the bench's database, one after the other, each with a warm-up of its
// own: ACCESS_LOG=on (the default, as every other row of the bench runs) and ACCESS_LOG=off, the
// same valid-key load on each. Their stdout goes to a file, as a supervisor keeps it.
import fs from "node:fs";
import path from "node:path";
import { answered, loadRun } from "./bench-measure.mjs";
import { startServer } from "./start-server.mjs";

export async function measureAccessLog(config, { env, validHeaders }) {
  const port = config.port + 5;
  const url = config.dataUrl.replace(`:${config.port}/`, `:${port}/`);
  let sent = 0;
  const runs = {};
  console.log(`\nBenchmark: the valid-key load with the access log on and off (a server of its own each, :${port})`);
  for (const accessLog of ["on", "off"]) {
    const dir = path.join(config.dir, `access-log-${accessLog}`);
    fs.mkdirSync(dir, { recursive: true });
    const server = await startServer({
      port,
      env: { ...env, PORT: String(port), DATA_DIR: dir, ACCESS_LOG: accessLog },
      timeoutMs: 300_000,
      stopTimeoutMs: 120_000,
      inheritStderr: true,
      stdoutFile: path.join(dir, "server.log"),
    });
    try {
      const load = { url, headers: validHeaders, connections: config.connections };
      if (config.warmupSeconds > 0) {
        sent += answered((await loadRun({ ...load, title: "warm-up", duration: config.warmupSeconds })).result);
      }
      const { result } = await loadRun({ ...load, title: `access log ${accessLog}`, duration: config.seconds });
      sent += answered(result);
      runs[accessLog] = { rps: Math.round(result.requests.average), p99: result.latency.p99 };
      console.log(`access log ${accessLog}: ${runs[accessLog].rps} req/s, p99 ${runs[accessLog].p99} ms`);
    } finally {
      await server.stop();
    }
  }
  const cost = 1 - runs.on.rps / runs.off.rps;
  console.log(`the access log costs ${(cost * 100).toFixed(1)}% of the data API's throughput`);
  return { runs, cost, sent };
}

/** BENCHMARKS.md's lines for the access-log phase. */
export function accessLogSection({ runs, cost }, connections) {
  return [
    "### Access log",
    "",
    `The valid-key row's load (${connections} connections) on two fresh servers on the same database, one line per request in JSON on stdout, written to a file (ACCESS_LOG=on, the default, as every row above ran), and none (ACCESS_LOG=off):`,
    "",
    "| access log | req/s | p99 ms |",
    "|---|---|---|",
    `| on | ${runs.on.rps} | ${runs.on.p99} |`,
    `| off | ${runs.off.rps} | ${runs.off.p99} |`,
    "",
    `Its cost: ${(cost * 100).toFixed(1)}% of the throughput (runs differ by a few percent from noise alone).`,
    "",
  ];
}
