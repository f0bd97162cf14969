// One way to start the production server (`npm start`'s path: scripts/start.mjs) from the bench,
// test:scale and the Playwright specs. Ready means it answers GET /api/health with the health
// JSON, whatever the status: a 503 (Redis down, usage writes failing) is a server that is up and
// saying so. A log line is not the signal: its wording is free to change.
import { spawn, spawnSync } from "node:child_process";
import http from "node:http";
import fs from "node:fs";
import net from "node:net";

const POLL_MS = 250;
const OUTPUT_KEPT = 8 * 2 ** 20;
// One probe may wait on the health check's own 2 s bound per dependency.
const PROBE_TIMEOUT_MS = 5_000;

/** Whether something already accepts connections on host:port (then a health answer would not be ours). */
function portTaken(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * The health JSON when the server answers, else null (not listening yet, or not our endpoint).
 * Over node:http on a connection of its own, closed after the answer: a probe's socket left in
 * the caller's fetch pool could be handed to the caller's next request after the server closed
 * it as idle (while a spawnSync blocked the caller's event loop), and that request would fail.
 */
function probeHealth(url) {
  return new Promise((resolve) => {
    const request = http.get(`${url}/api/health`, { agent: false, timeout: PROBE_TIMEOUT_MS }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk) => (body += chunk));
      response.on("end", () => {
        try {
          const health = JSON.parse(body);
          resolve(typeof health?.status === "string" ? health : null);
        } catch {
          resolve(null);
        }
      });
      response.on("error", () => resolve(null));
    });
    request.on("timeout", () => request.destroy());
    request.on("error", () => resolve(null));
  });
}

/**
 * `node scripts/start.mjs --build-only`: builds when the sources changed since the last build,
 * else returns at once. Run it before starting several servers at once, which would otherwise
 * each build into the same .next folder.
 */
export function buildOnce({ env = process.env, cwd = process.cwd() } = {}) {
  const result = spawnSync(process.execPath, ["scripts/start.mjs", "--build-only"], { stdio: "inherit", env, cwd });
  if (result.status !== 0) throw new Error(`the build failed (exit code ${result.status})`);
}

/**
 * Starts `node scripts/start.mjs` with `env` (PORT is set from `port`) and resolves once it
 * answers /api/health; rejects with the server's output so far if it exits first or has not
 * answered within `timeoutMs` (the first start may build, which takes minutes).
 * - `host`: where to reach it (the server listens on HOST, by default every interface).
 * - `processGroup`: run it in its own process group and signal the group, so a stop during
 *   prepare.ts (which start.mjs runs as a child) stops that too.
 * - `inheritStderr`: show its stderr on ours instead of capturing it.
 * - `npmStart`: start it as an operator does, `npm start` (signals then go to npm's process).
 * - `stdoutFile`: its stdout goes to this file, as a supervisor would keep it, instead of a pipe
 *   this process reads: the bench's load generator shares this process's event loop, and reading
 *   an access-log line per request there would slow the load it measures.
 * `stop()` sends SIGTERM, waits up to `stopTimeoutMs` for the exit (the server finishes requests
 * and writes buffered usage rows first), then SIGKILL; it resolves with the exit code.
 */
export async function startServer({
  port,
  env = process.env,
  cwd = process.cwd(),
  host = "127.0.0.1",
  timeoutMs = 120_000,
  stopTimeoutMs = 30_000,
  processGroup = false,
  inheritStderr = false,
  npmStart = false,
  stdoutFile,
}) {
  const url = `http://${host}:${port}`;
  if (await portTaken(host, port)) throw new Error(`port ${port} is already in use: cannot start a server there`);
  const outputFd = stdoutFile ? fs.openSync(stdoutFile, "w") : null;
  const [command, args] = npmStart ? ["npm", ["start", "--silent"]] : [process.execPath, ["scripts/start.mjs"]];
  const child = spawn(command, args, {
    env: { ...env, PORT: String(port) },
    cwd,
    stdio: ["ignore", outputFd ?? "pipe", inheritStderr ? "inherit" : "pipe"],
    detached: processGroup,
  });
  if (outputFd !== null) fs.closeSync(outputFd); // the child has its own copy
  // What it wrote, its last OUTPUT_KEPT bytes or so: a loaded server writes an access-log line per request.
  const chunks = [];
  let kept = 0;
  const keep = (chunk) => {
    chunks.push(chunk);
    kept += chunk.length;
    while (kept - chunks[0].length >= OUTPUT_KEPT) kept -= chunks.shift().length;
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const output = () =>
    (stdoutFile ? fs.readFileSync(stdoutFile, "utf8").slice(-OUTPUT_KEPT) : "") + Buffer.concat(chunks).toString();
  const exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));

  const signal = (name) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      if (processGroup) process.kill(-child.pid, name);
      else child.kill(name);
    } catch {
      // already gone
    }
  };
  const stop = async () => {
    signal("SIGTERM");
    let timer;
    const bound = new Promise((resolve) => (timer = setTimeout(resolve, stopTimeoutMs)));
    await Promise.race([exited, bound]);
    clearTimeout(timer);
    signal("SIGKILL");
    return exited;
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `the server on :${port} exited (${child.exitCode ?? child.signalCode}) before it answered:\n${output()}`,
      );
    }
    const health = await probeHealth(url);
    if (health && child.exitCode === null) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the server on :${port} did not answer /api/health within ${timeoutMs / 1000} s:\n${output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return { url, port, child, exited, output, stop };
}
