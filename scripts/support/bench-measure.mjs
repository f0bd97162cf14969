// npm run bench's instruments: autocannon runs, sequential timed reads, a process's resident
// memory, and a portal session for the pages.
import fs from "node:fs";
import autocannon from "autocannon";

/** One autocannon run of `duration` seconds (GET unless `method`): resolves with { title, result }. */
export function loadRun({ title, url, headers, connections, duration, method = "GET", body }) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections, duration, headers, method, body }, (error, result) =>
      error ? reject(error) : resolve({ title, result }),
    );
  });
}

/** How many responses a run received, of any status. */
export const answered = (result) =>
  Object.values(result.statusCodeStats ?? {}).reduce((sum, stats) => sum + stats.count, 0);

/** "200:123 429:4": a run's responses by status. */
export const statusCodes = (result) =>
  Object.entries(result.statusCodeStats ?? {})
    .map(([code, stats]) => `${code}:${stats.count}`)
    .join(" ");

/** A process's resident memory in MB (Linux /proc), NaN once it is gone. */
export function residentMb(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
  } catch {
    return NaN;
  }
}

/** A portal session through next-auth's credentials flow: the Cookie header for the pages. */
export async function portalCookie(base, email, password) {
  const csrf = await fetch(`${base}/api/auth/csrf`);
  const { csrfToken } = await csrf.json();
  const cookies = csrf.headers.getSetCookie().map((c) => c.split(";")[0]);
  const signIn = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookies.join("; ") },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
  return [...cookies, ...signIn.headers.getSetCookie().map((c) => c.split(";")[0])].join("; ");
}

// 100 of each after 10 warm-ups: with fewer samples a p99 is just the slowest load, and the first
// loads of a page after the data API's runs run code V8 has not optimized yet. The slowest load
// is printed too.
export const READ_SAMPLES = 100;
export const READ_WARMUPS = 10;

/** One request at a time: the time to the last byte, which over loopback is the server's time. */
export async function timedReads(base, url, headers, samples = READ_SAMPLES) {
  const times = [];
  for (let i = 0; i < samples + READ_WARMUPS; i++) {
    const started = performance.now();
    const response = await fetch(base + url, { headers, redirect: "manual" });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
    if (i >= READ_WARMUPS) times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (q) => Math.round(times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)] * 10) / 10;
  return { p50: at(0.5), p99: at(0.99), max: at(1) };
}
