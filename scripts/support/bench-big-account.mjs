// npm run bench's measured phases on the big account (SQLite only): its pages and lists read one
// at a time, the CSV export alone, summaries and exports under data-API load, and a retention
// batch run by the job's own functions from the bench's process.
import { tsImport } from "tsx/esm/api";
import { seedExpiredRows } from "./big-account.mjs";
import { seedExpiredRowsPg } from "./big-account-pg.mjs";
import {
  answered,
  loadRun,
  portalCookie,
  READ_SAMPLES,
  READ_WARMUPS,
  residentMb,
  timedReads,
} from "./bench-measure.mjs";

/** p50, p99 and slowest time of each of the big account's reads (the API and the HTML pages). */
export async function measureReads(bench, { bearer, account }) {
  const { base, bigKeys, bigRows } = bench;
  const cookie = { cookie: await portalCookie(base, account.email, account.password) };
  const { pagination } = await (await fetch(`${base}/api/api-keys`, { headers: bearer })).json();
  const lastPage = Math.ceil(pagination.total / pagination.per_page);
  const reads = [];
  for (const [title, url, headers] of [
    ["GET /api/api-keys (page 1)", "/api/api-keys", bearer],
    [`GET /api/api-keys?page=${lastPage} (last page)`, `/api/api-keys?page=${lastPage}`, bearer],
    ["GET /api/api-keys?q=key-0999 (search)", "/api/api-keys?q=key-0999", bearer],
    ["GET /api/api-usage-logs (page 1)", "/api/api-usage-logs", bearer],
    ["GET /api/api-usage-logs/summary?range=24h", "/api/api-usage-logs/summary?range=24h", bearer],
    ["GET /api/api-usage-logs/summary?range=7d", "/api/api-usage-logs/summary?range=7d", bearer],
    ["/keys (HTML)", "/keys", cookie],
    ["/usage (HTML)", "/usage", cookie],
  ]) {
    reads.push({ title, ...(await timedReads(base, url, headers)) });
  }
  console.log(
    `\nBig account: ${bigKeys} keys, ${bigRows} usage rows over 30 days; sequential reads, ${READ_SAMPLES} each after ${READ_WARMUPS} warm-ups`,
  );
  for (const r of reads) console.log(`${r.title.padEnd(48)} p50 ${r.p50} ms  p99 ${r.p99} ms  max ${r.max} ms`);
  return { reads, keyCount: pagination.total };
}

/** One export: its time, size, and how far the server's resident memory rose above where it started. */
async function exportOnce(bench, bearer) {
  const before = residentMb(bench.serverPid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, residentMb(bench.serverPid))), 10);
  const started = performance.now();
  const response = await fetch(`${bench.base}/api/api-keys/export`, { headers: bearer });
  const bytes = (await response.arrayBuffer()).byteLength;
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  return { seconds, bytes, rssGrowthMb: peak - before };
}

/** The export, alone. */
export async function measureExport(bench, { bearer, keyCount }) {
  const figures = await exportOnce(bench, bearer);
  console.log(
    `export of ${keyCount} keys: ${figures.seconds.toFixed(2)} s, ${(figures.bytes / 1e6).toFixed(1)} MB, server RSS +${figures.rssGrowthMb} MB`,
  );
  return figures;
}

/**
 * Summaries and exports back to back while the data API is under load: the event loop's delay
 * (every request of the process waits it out) and the data API's p99 meanwhile.
 */
export async function measureUnderLoad(bench, { bearer, validHeaders }) {
  const { base } = bench;
  const eventLoop = (reset) => fetch(`${base}/api/bench/event-loop${reset ? "?reset=1" : ""}`).then((r) => r.json());
  await eventLoop(true);
  let heavy = 0;
  let loading = true;
  const load = loadRun({
    title: "valid key (200) during summaries and exports",
    url: bench.dataUrl,
    headers: validHeaders,
    connections: bench.connections,
    duration: bench.seconds,
  }).then((r) => {
    loading = false;
    return r;
  });
  while (loading) {
    for (const url of ["/api/api-usage-logs/summary?range=7d", "/api/api-usage-logs/summary?range=24h"]) {
      await (await fetch(base + url, { headers: bearer })).arrayBuffer();
      heavy++;
    }
    if (loading) {
      await exportOnce(bench, bearer);
      heavy++;
    }
  }
  const { result } = await load;
  const { data: delay } = await eventLoop(false);
  const underLoad = {
    rps: Math.round(result.requests.average),
    p99: result.latency.p99,
    heavy,
    delay,
    sent: answered(result),
  };
  console.log(
    `under load (${heavy} summaries and exports meanwhile): event-loop delay p99 ${delay.p99_ms} ms, max ${delay.max_ms} ms; data API ${underLoad.rps} req/s, p99 ${underLoad.p99} ms`,
  );
  return underLoad;
}

/** Expired rows of a Free account, purged by the retention job's own functions from this process. */
export async function measureRetention(bench, { freeAccount }) {
  const expired = 100_000;
  if (bench.postgres) await seedExpiredRowsPg(bench.databaseUrl, freeAccount.email, expired);
  else seedExpiredRows(bench.dbFile, freeAccount.email, expired);
  const { purgeExpiredUsageLogs, purgeExpiredRollups, RETENTION_BATCH } = await tsImport(
    "../../lib/usage/retention.ts",
    import.meta.url,
  );
  let started = performance.now();
  const deleted = await purgeExpiredUsageLogs();
  const logSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  const rollupsDeleted = await purgeExpiredRollups();
  const rollupSeconds = (performance.now() - started) / 1000;
  const retention = { deleted, logSeconds, rollupsDeleted, rollupSeconds, batch: RETENTION_BATCH };
  retention.perBatchMs = (logSeconds * 1000) / Math.ceil(deleted / RETENTION_BATCH);
  console.log(
    `retention: ${deleted} expired usage rows in ${logSeconds.toFixed(2)} s (${retention.perBatchMs.toFixed(1)} ms per batch of ${RETENTION_BATCH}), ${rollupsDeleted} rollup rows in ${rollupSeconds.toFixed(2)} s`,
  );
  return retention;
}
