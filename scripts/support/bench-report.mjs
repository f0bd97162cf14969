// npm run bench's report: the data-API table with each row's ratio to the raw floor and the
// gateway's with its ratio to the raw proxy, printed and written to BENCHMARKS.md with the date,
// commit and machine (the latest run, kept in git).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import { PROXY_TITLE } from "./bench-gateway.mjs";
import { twoInstancesSection } from "./bench-instances.mjs";
import { accessLogSection } from "./bench-access-log.mjs";
import { READ_SAMPLES, READ_WARMUPS } from "./bench-measure.mjs";

export const FLOOR_TITLE = "raw node:http floor (HMAC + SQLite read)";

/**
 * The floor runs twice, before and after the data API's rows, and the ratios are to the mean of
 * the two: this machine's speed drifts from one run to the next. The issue's latency goal is a
 * p99 within 2× the floor's, so the p99 ratio is to the mean of its two p99s.
 */
export function floorRatios(rows, floorTitle = FLOOR_TITLE) {
  const floorRows = rows.filter((r) => r.title.startsWith(floorTitle));
  const isFloor = (r) => floorRows.includes(r);
  const mean = (pick) => (floorRows.length ? floorRows.reduce((sum, r) => sum + pick(r), 0) / floorRows.length : null);
  const floorRps = mean((r) => r.rps);
  const floorP99 = mean((r) => r.p99);
  const ratioOf = (r) => (floorRps && !isFloor(r) ? `${(r.rps / floorRps).toFixed(2)}×` : "");
  const p99RatioOf = (r) => (floorP99 && !isFloor(r) ? `${(r.p99 / floorP99).toFixed(2)}×` : "");
  return { isFloor, floorRps, floorP99, ratioOf, p99RatioOf };
}

export function printDataApiTable(rows, floorTitle = FLOOR_TITLE) {
  const { isFloor, floorRps, floorP99, ratioOf, p99RatioOf } = floorRatios(rows, floorTitle);
  for (const r of rows) {
    const ratio = ratioOf(r) ? `  ${ratioOf(r)} floor, p99 ${p99RatioOf(r)} the floor's` : "";
    console.log(
      `${r.title.padEnd(50)} ${String(r.rps).padStart(6)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms${ratio}  ${isFloor(r) ? "" : `server RSS ${r.rss} MB  `}[${r.codes}]`,
    );
  }
  if (floorRps) console.log(`ratios are to the floor's mean, ${Math.round(floorRps)} req/s, p99 ${floorP99} ms`);
}

function bigAccountSection({ config, big, reads, exportFigures, underLoad, retention }) {
  const { bigKeys, bigRows, connections, seconds } = config;
  const ms = (s) => Math.round(s * 1000);
  return [
    "### A big account",
    "",
    `One Enterprise account with ${bigKeys} keys and ${bigRows} usage rows over 30 days, written straight into the database before the server starts${config.postgres ? " with COPY" : ""} (${(big.rowsSeconds + big.rollupSeconds).toFixed(1)} s, ${big.rollupRows} per-key hourly rollup rows). 90% of calls come from 100 service keys, the rest from any key; 2% from an IP other than the key's usual one; 93% 200, 3% 401, 2% 429, 1% 403, 1% 404.`,
    "",
    `Reads one at a time, ${READ_SAMPLES} of each after ${READ_WARMUPS} warm-ups (time to the last byte over loopback):`,
    "",
    "| read | p50 ms | p99 ms | slowest ms |",
    "| --- | --- | --- | --- |",
    ...reads.map((r) => `| ${r.title} | ${r.p50} | ${r.p99} | ${r.max} |`),
    "",
    ...(big.rawSummary
      ? [
          `The usage summary's SQL as it ran on usage_logs before the rollups (the same file, run directly): 24h ${ms(big.rawSummary["24h"])} ms, 7d ${ms(big.rawSummary["7d"])} ms.`,
          "",
        ]
      : []),
    `- Export: GET /api/api-keys/export of ${bigKeys + 1} keys: ${exportFigures.seconds.toFixed(2)} s, ${(exportFigures.bytes / 1e6).toFixed(1)} MB, server RSS +${exportFigures.rssGrowthMb} MB at its peak.`,
    `- Under load: ${connections} connections on the data API (valid key) for ${seconds} s while summaries (7d, 24h) and exports ran back to back (${underLoad.heavy} of them): event-loop delay p50 ${underLoad.delay.p50_ms} ms, p99 ${underLoad.delay.p99_ms} ms, max ${underLoad.delay.max_ms} ms; the data API ${underLoad.rps} req/s, p99 ${underLoad.p99} ms.`,
    `- Retention: ${retention.deleted} expired usage rows of a Free account deleted in ${retention.logSeconds.toFixed(2)} s, ${retention.perBatchMs.toFixed(1)} ms per batch of ${retention.batch}; their ${retention.rollupsDeleted} rollup rows in ${retention.rollupSeconds.toFixed(2)} s.`,
  ];
}

/** A table's rows in Markdown, each non-floor row with its ratios to the floor's mean. */
function tableLines(rows, floorTitle, floorName) {
  const { isFloor, ratioOf, p99RatioOf } = floorRatios(rows, floorTitle);
  return [
    `| call | req/s | p50 ms | p99 ms | ratio to ${floorName} | p99 to ${floorName}'s | server RSS MB | status codes |`,
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows.map((r) => {
      const ratio = isFloor(r) ? "(reference: their mean)" : ratioOf(r) || "—";
      const p99Ratio = isFloor(r) ? "(reference: their mean)" : p99RatioOf(r) || "—";
      return `| ${r.title} | ${r.rps} | ${r.p50} | ${r.p99} | ${ratio} | ${p99Ratio} | ${isFloor(r) ? "—" : r.rss} | ${r.codes} |`;
    }),
  ];
}

function gatewaySection({ rows, transfers }) {
  const { floorRps, floorP99 } = floorRatios(rows, PROXY_TITLE);
  const transfer = (name, t) =>
    `- ${transfers.mb} MB ${name} through the gateway (status ${t.status}): ${t.seconds.toFixed(2)} s, server RSS ${t.before} MB before, +${t.rssGrowthMb} MB at its peak (VmRSS sampled every ${transfers.sampleMs} ms).`;
  return [
    "### The gateway",
    "",
    `GET /gw/{slug}/hello on the production server's fast path to a local upstream answering constant JSON (its own process), beside a raw proxy to the same upstream (node:http + undici's request piped to the answer as the gateway does, the gateway's pool bound, no checks; its own process). The proxy runs before and after the gateway; the ratios are to its mean: ${Math.round(floorRps)} req/s, p99 ${floorP99} ms.`,
    "",
    ...tableLines(rows, PROXY_TITLE, "the raw proxy"),
    "",
    transfer("upload (POST, streamed)", transfers.up),
    transfer("download", transfers.down),
    "",
  ];
}

/** BENCHMARKS.md: when, on what, the data-API table, the shutdown count, the gateway's and the big account's figures. */
const DATABASES = {
  sqlite: "SQLite (the default; `npm run bench`)",
  postgresql: "PostgreSQL + Redis (`npm run bench -- --database postgresql`)",
};

/** A database's section of BENCHMARKS.md as it stands, between its markers (or null). */
function sectionOf(text, database) {
  const start = text.indexOf(`<!-- bench:${database} -->`);
  const end = text.indexOf(`<!-- /bench:${database} -->`);
  return start === -1 || end === -1 ? null : text.slice(start, end + `<!-- /bench:${database} -->`.length);
}

/**
 * BENCHMARKS.md holds one section per database; a run replaces its own and keeps the other's
 * (each dated: compare figures only within one section).
 */
export function writeBenchmarksMd({ config, rows, logged, sent, bigAccount, gateway, twoInstances, accessLog }) {
  const { floorRps, floorP99 } = floorRatios(rows);
  const { postgres, redisUrl, connections, seconds, warmupSeconds } = config;
  const database = postgres ? "postgresql" : "sqlite";
  const commit = spawnSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).stdout.trim() || "unknown";
  const cpus = os.cpus();
  const section = [
    `<!-- bench:${database} -->`,
    `## ${DATABASES[database]}`,
    "",
    `- date: ${new Date().toISOString()}`,
    `- commit: ${commit}`,
    `- machine: ${cpus.length} cores (${cpus[0]?.model ?? "unknown CPU"}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    `- database: ${postgres ? "PostgreSQL" : "SQLite"}${redisUrl ? " + Redis" : ""}; GET /api/api-routes-data?id=123 on the production server; autocannon, ${connections} connections, ${seconds} s per row after a ${warmupSeconds} s warm-up of each server; the load generator shares the machine's cores`,
    ...(floorRps
      ? [
          `- ratios are to the mean of the raw floor's two runs (before and after the data API's): ${Math.round(floorRps)} req/s, p99 ${floorP99} ms${postgres ? "; the floor is the same one-key SQLite read on either database's run" : ""}`,
        ]
      : []),
    "",
    ...tableLines(rows, FLOOR_TITLE, "the raw floor"),
    "",
    "POST /api/v1/keys/verify is served by the production server's fast path (a Bearer service token, a JSON body read from the socket); its floor is the raw floor above, the same one-key check.",
    "",
    ...(rows.some((r) => r.redisPerCall != null)
      ? [
          `Redis commands per answered call (INFO commandstats before and after each run: as Redis counts them, the commands a Lua script runs included, and the server's background commands): ${rows
            .filter((r) => r.redisPerCall != null)
            .map((r) => `${r.title} ${r.redisPerCall.toFixed(2)}`)
            .join("; ")}.`,
          "",
        ]
      : []),
    `Usage rows written after shutdown: ${logged} of ${sent} answers that write one: the server's, the gateway's included, less the per-IP budget's 429s, which are counted, not logged (requests in flight when a run stops are answered and logged too).`,
    "",
    ...(gateway ? gatewaySection(gateway) : []),
    ...accessLogSection(accessLog, connections),
    ...(twoInstances ? twoInstancesSection(twoInstances) : []),
    ...(bigAccount ? bigAccountSection({ config, ...bigAccount }) : ["No big account in this run (BENCH_KEYS=0)."]),
    `<!-- /bench:${database} -->`,
  ].join("\n");
  const before = fs.existsSync("BENCHMARKS.md") ? fs.readFileSync("BENCHMARKS.md", "utf8") : "";
  const sections = Object.keys(DATABASES).map((name) =>
    name === database
      ? section
      : (sectionOf(before, name) ??
        `<!-- bench:${name} -->\n## ${DATABASES[name]}\n\nNot measured yet.\n<!-- /bench:${name} -->`),
  );
  fs.writeFileSync(
    "BENCHMARKS.md",
    [
      "# Benchmarks",
      "",
      "Written by `npm run bench`: one section per database, each replaced by a run on it (figures only, no pass/fail).",
      "Compare figures only within one section: machines differ from one session to the next.",
      "The figures behind design choices in lib/, measured once and not rerun here: [docs/design-measurements.md](docs/design-measurements.md).",
      "",
      sections.join("\n\n"),
      "",
    ].join("\n"),
  );
  console.log(`written to BENCHMARKS.md (its ${database} section)`);
}
