// npm run bench -- --database postgresql's last phase: a second production server on the same
// database and Redis, and the valid-key load split across both at once, beside one instance's
// row of the data-API table. On this machine both servers, PostgreSQL, Redis and the load
// generator share the same cores: the sum shows what coordinating two instances costs (leases
// from Redis, one database), not how they scale on machines of their own.
import fs from "node:fs";
import path from "node:path";
import { answered, loadRun } from "./bench-measure.mjs";
import { startServer } from "./start-server.mjs";

export const ONE_INSTANCE_TITLE = "valid key (200)";

export async function measureTwoInstances(config, { env, validHeaders, oneInstance }) {
  const port = config.port + 4;
  const dir = path.join(config.dir, "second-instance");
  fs.mkdirSync(dir, { recursive: true });
  const second = await startServer({
    port,
    env: { ...env, PORT: String(port), DATA_DIR: dir },
    timeoutMs: 300_000,
    stopTimeoutMs: 120_000,
    inheritStderr: true,
    stdoutFile: path.join(dir, "server.log"),
  });
  try {
    const urls = [config.dataUrl, config.dataUrl.replace(`:${config.port}/`, `:${port}/`)];
    // Half the connections each: the same load as one instance's row, split across both.
    const connections = Math.max(1, Math.round(config.connections / 2));
    let sent = 0;
    if (config.warmupSeconds > 0) {
      const warm = await loadRun({
        title: "warm-up",
        url: urls[1],
        headers: validHeaders,
        connections,
        duration: config.warmupSeconds,
      });
      sent += answered(warm.result);
    }
    console.log(`\nBenchmark: the valid-key load split across two instances at once, ${connections} connections each`);
    const runs = await Promise.all(
      urls.map((url, i) =>
        loadRun({ title: `instance ${i + 1}`, url, headers: validHeaders, connections, duration: config.seconds }),
      ),
    );
    const instances = runs.map(({ result }) => ({
      rps: Math.round(result.requests.average),
      p99: result.latency.p99,
      codes: Object.keys(result.statusCodeStats ?? {}).join(" "),
    }));
    sent += runs.reduce((sum, { result }) => sum + answered(result), 0);
    const total = instances.reduce((sum, instance) => sum + instance.rps, 0);
    instances.forEach((instance, i) =>
      console.log(`instance ${i + 1}: ${instance.rps} req/s, p99 ${instance.p99} ms [${instance.codes}]`),
    );
    console.log(`two instances together: ${total} req/s; one instance alone: ${oneInstance.rps} req/s`);
    return { instances, total, oneInstance, connections, sent };
  } finally {
    await second.stop();
  }
}

/** BENCHMARKS.md's lines for the two-instance phase. */
export function twoInstancesSection({ instances, total, oneInstance, connections }) {
  return [
    "### Two instances",
    "",
    `The valid-key load of the table above split across two production servers on the same PostgreSQL database and Redis, at once (${connections} connections each), beside the one instance of the table's "${ONE_INSTANCE_TITLE}" row:`,
    "",
    "| servers | req/s | p99 ms |",
    "|---|---|---|",
    `| one instance (the table's row) | ${oneInstance.rps} | ${oneInstance.p99} |`,
    ...instances.map((instance, i) => `| instance ${i + 1} of two | ${instance.rps} | ${instance.p99} |`),
    `| two instances, summed | ${total} (${(total / oneInstance.rps).toFixed(2)}× one) | |`,
    "",
    "On this machine both servers, PostgreSQL, Redis and the load generator share the same cores: the sum shows what coordinating two instances costs (quota leases from Redis, one database), not how two instances on machines of their own scale.",
    "",
  ];
}
