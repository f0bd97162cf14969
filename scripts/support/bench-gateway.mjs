// npm run bench's gateway phase (SQLite): GET /gw/{slug}/… on the production server beside a raw
// undici proxy to the same local upstream, and a 100 MB upload and download through the gateway
// with the server's resident memory sampled meanwhile. The upstream and the raw proxy each run in
// a process of their own, as the raw floor does, so no two servers share an event loop.
import { spawn } from "node:child_process";
import http from "node:http";
import { answered, loadRun, residentMb, statusCodes } from "./bench-measure.mjs";

export const PROXY_TITLE = "raw undici proxy (node:http + undici, no checks)";
const SLUG = "bench-upstream";
const BULK_BYTES = 100 * 2 ** 20;
const SAMPLE_MS = 10;

/** A script of scripts/support in its own process, resolved once it prints its ready line. */
async function spawnReady(script, args) {
  const child = spawn(process.execPath, [`scripts/support/${script}`, ...args.map(String)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  process.on("exit", () => child.exitCode === null && child.kill());
  await new Promise((resolve) => child.stdout.once("data", resolve));
  return child;
}

/** The upstream and the raw proxy, on the two ports after the floor's. */
export async function startGatewayPeers(config) {
  const upstreamPort = config.port + 2;
  const proxyPort = config.port + 3;
  const upstreamOrigin = `http://127.0.0.1:${upstreamPort}`;
  const upstream = await spawnReady("bench-upstream.mjs", [upstreamPort, BULK_BYTES]);
  const proxy = await spawnReady("bench-raw-proxy.mjs", [proxyPort, upstreamOrigin]);
  return {
    upstreamOrigin,
    proxyUrl: `http://127.0.0.1:${proxyPort}/hello`,
    stop: () => [upstream, proxy].forEach((child) => child.kill()),
  };
}

/**
 * As the operator (the bench account has the role): a service token for the verify endpoint and,
 * given an upstream, the gateway's route to it (GET and POST, for the upload; the longest
 * timeout, so a slow upload is measured rather than cut off).
 */
export async function createOperatorFixtures(base, bearer, upstreamOrigin) {
  const post = async (url, body) => {
    const response = await fetch(base + url, {
      method: "POST",
      headers: { "content-type": "application/json", ...bearer },
      body: JSON.stringify(body),
    });
    if (response.status !== 201) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
    return response.json();
  };
  if (upstreamOrigin) {
    await post("/api/admin/routes", {
      slug: SLUG,
      name: "Bench upstream",
      upstream_url: upstreamOrigin,
      methods: ["GET", "POST"],
      timeout_ms: 120_000,
    });
  }
  const { token } = await post("/api/admin/service-tokens", { name: "bench" });
  return { gatewayUrl: `${base}/gw/${SLUG}/hello`, serviceToken: token };
}

/** Proxy, gateway, proxy again (the ratios are to the proxy's mean, as with the raw floor). */
export async function measureGateway(config, { peers, gatewayUrl, validHeaders, serverPid }) {
  const { connections, seconds, warmupSeconds } = config;
  const run = (title, url, duration = seconds) => loadRun({ title, url, headers: validHeaders, connections, duration });
  console.log(`\nBenchmark: GET /gw/${SLUG}/hello to a local upstream (constant JSON), ${connections} connections`);
  let sent = 0;
  if (warmupSeconds > 0) {
    await run("warm-up", peers.proxyUrl, warmupSeconds);
    sent += answered((await run("warm-up", gatewayUrl, warmupSeconds)).result);
  }
  const rows = [];
  for (const [title, url] of [
    [PROXY_TITLE, peers.proxyUrl],
    ["gateway GET /gw/{slug}/hello (valid key, 200)", gatewayUrl],
    [`${PROXY_TITLE}, again`, peers.proxyUrl],
  ]) {
    const { result } = await run(title, url);
    if (url === gatewayUrl) sent += answered(result);
    rows.push({
      title,
      rps: Math.round(result.requests.average),
      p50: result.latency.p50,
      p99: result.latency.p99,
      codes: statusCodes(result),
      rss: url === gatewayUrl ? residentMb(serverPid) : null,
    });
  }
  return { rows, sent };
}

/** One call through the gateway, its body read and dropped: { status, bytes }. */
function call(url, { method = "GET", headers, upload = 0 }) {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      url,
      { method, agent: false, headers: { ...headers, ...(upload ? { "content-length": upload } : {}) } },
      (response) => {
        let bytes = 0;
        response.on("data", (data) => (bytes += data.length));
        response.on("end", () => resolve({ status: response.statusCode, bytes }));
        response.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    const chunk = Buffer.alloc(64 * 1024, "u");
    let left = upload;
    const pump = () => {
      while (left > 0) {
        const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= part.length;
        if (!outgoing.write(part)) return void outgoing.once("drain", pump);
      }
      outgoing.end();
    };
    pump();
  });
}

/** A transfer with the server's RSS sampled every SAMPLE_MS: the peak's rise above the start. */
async function sampledTransfer(serverPid, transfer) {
  const before = residentMb(serverPid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, residentMb(serverPid))), SAMPLE_MS);
  const started = performance.now();
  const { status, bytes } = await transfer();
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, residentMb(serverPid));
  return { status, bytes, seconds, before, rssGrowthMb: peak - before };
}

/** A 100 MB upload, then a 100 MB download, each after a 1 MB one that loads its code. */
export async function measureTransfers(config, { validHeaders, serverPid }) {
  const base = `${config.base}/gw/${SLUG}`;
  const upload = (bytes) => call(`${base}/upload`, { method: "POST", headers: validHeaders, upload: bytes });
  const download = (bytes) => call(`${base}/download?bytes=${bytes}`, { headers: validHeaders });
  await upload(2 ** 20);
  await download(2 ** 20);
  const up = await sampledTransfer(serverPid, () => upload(BULK_BYTES));
  const down = await sampledTransfer(serverPid, () => download(BULK_BYTES));
  if (down.bytes !== BULK_BYTES) throw new Error(`the download through the gateway brought ${down.bytes} bytes`);
  const mb = BULK_BYTES / 2 ** 20;
  for (const [name, t] of [
    ["upload", up],
    ["download", down],
  ]) {
    console.log(
      `${mb} MB ${name} through the gateway: ${t.status}, ${t.seconds.toFixed(2)} s, server RSS ${t.before} MB before, +${t.rssGrowthMb} MB at its peak`,
    );
  }
  return { mb, up, down, sampleMs: SAMPLE_MS, sent: 4 };
}
