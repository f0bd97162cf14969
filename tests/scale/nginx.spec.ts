// docs/deploy.md's nginx example, run as written (only the instances' addresses and the listen
// port put in) in front of two production instances with TRUST_PROXY=true on one PostgreSQL
// database and one Redis. What an operator relies on through it: the client's address, not
// nginx's nor a forged X-Forwarded-For entry; the hourly limit exact across both instances;
// request ids end to end; the gateway streaming a large body both ways. Nothing here is timed.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../scripts/support/start-server.mjs";
import { admin, createFreshDatabase, dropDatabase, startInstances } from "./support/cluster";
import { call, newAccount, type Account, type IssuedKey } from "./support/http";
import { PORTS } from "./support/services";

const NGINX = process.env.NGINX_PATH ?? "/usr/sbin/nginx";
const BODY_BYTES = 20 * 2 ** 20;

let database = "";
let instances: RunningServer[] = [];
let nginx: ChildProcess | undefined;
let nginxDir = "";
let proxyPort = 0;
let echo: http.Server | undefined;
let echoBase = "";

/** The ```nginx block between deploy.md's nginx-example markers, with this machine's ports put in. */
function deployExample(ports: readonly number[], listenPort: number): string {
  const doc = fs.readFileSync("docs/deploy.md", "utf8");
  const marked = /<!-- nginx-example -->\s*```nginx\n([\s\S]*?)```\s*<!-- \/nginx-example -->/.exec(doc);
  if (!marked) throw new Error("docs/deploy.md has no nginx example between <!-- nginx-example --> markers");
  let config = marked[1];
  const put = (from: string, to: string) => {
    // Each placeholder must be there: a reworded example must not pass by skipping a step.
    if (!config.includes(from)) throw new Error(`the nginx example no longer has "${from}"`);
    config = config.replace(from, to);
  };
  put("server 10.0.0.11:3000;", `server 127.0.0.1:${ports[0]};`);
  put("server 10.0.0.12:3000;", `server 127.0.0.1:${ports[1]};`);
  put("listen 80;", `listen 127.0.0.1:${listenPort};`);
  return config;
}

/** A port nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** nginx in the foreground with the example inside a minimal main config of its own. */
async function startNginx(config: string): Promise<void> {
  nginxDir = fs.mkdtempSync(path.join(os.tmpdir(), "keyportal-nginx-"));
  // The worker processes run as an unprivileged user when the master is root: let them write.
  fs.chmodSync(nginxDir, 0o777);
  const file = path.join(nginxDir, "nginx.conf");
  fs.writeFileSync(
    file,
    [
      `pid ${nginxDir}/nginx.pid;`,
      `error_log ${nginxDir}/error.log warn;`,
      "worker_processes 1;",
      "events { worker_connections 512; }",
      "http {",
      "  access_log off;",
      ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((kind) => `  ${kind}_temp_path ${nginxDir}/${kind};`),
      config,
      "}",
    ].join("\n"),
  );
  const args = ["-p", nginxDir, "-c", file];
  const check = spawnSync(NGINX, ["-t", ...args], { encoding: "utf8" });
  if (check.status !== 0) throw new Error(`nginx -t refused the example:\n${check.stderr}`);
  nginx = spawn(NGINX, [...args, "-g", "daemon off;"], { stdio: ["ignore", "ignore", "pipe"] });
  const deadline = Date.now() + 10_000;
  while ((await call(proxyPort, "GET", "/api/health/live").catch(() => null))?.status !== 200) {
    if (Date.now() > deadline || nginx.exitCode !== null) throw new Error("nginx did not start answering");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** BODY_BYTES of the same bytes every time, in 64 KB chunks made as they are read. */
function bigBody(): Readable {
  const chunk = crypto.createHash("sha512").update("keyportal").digest();
  return Readable.from(
    (function* () {
      for (let sent = 0; sent < BODY_BYTES; sent += 2 ** 16) yield Buffer.alloc(2 ** 16, chunk);
    })(),
  );
}

/** What a stream held: its length and SHA-256. */
async function digestOf(stream: AsyncIterable<Uint8Array>): Promise<{ bytes: number; sha256: string }> {
  const hash = crypto.createHash("sha256");
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { bytes, sha256: hash.digest("hex") };
}

/**
 * An upstream for the gateway: a POST's body is read to its end and answered with its length
 * and digest; a GET is answered with bigBody().
 */
async function startEcho(): Promise<void> {
  echo = http.createServer((req, res) => {
    if (req.method === "GET") {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      bigBody().pipe(res);
      return;
    }
    void digestOf(req).then((digest) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(digest));
    });
  });
  await new Promise<void>((resolve) => echo!.listen(0, "127.0.0.1", resolve));
  echoBase = `http://127.0.0.1:${(echo.address() as net.AddressInfo).port}/echo`;
}

beforeAll(async () => {
  if (!fs.existsSync(NGINX))
    throw new Error(`no nginx at ${NGINX}: npm run test:scale installs it (apt-get install nginx)`);
  proxyPort = await freePort();
  database = await createFreshDatabase();
  instances = await startInstances(PORTS, database, {
    TRUST_PROXY: "true",
    NEXTAUTH_URL: `http://localhost:${proxyPort}`,
  });
  await startNginx(deployExample(PORTS, proxyPort));
  await startEcho();
}, 300_000);

afterAll(async () => {
  nginx?.kill("SIGQUIT");
  await Promise.all(instances.map((instance) => instance.stop()));
  if (database) await dropDatabase(database);
  echo?.closeAllConnections();
  echo?.close();
  if (nginxDir) fs.rmSync(nginxDir, { recursive: true, force: true });
});

const through = (method: string, pathname: string, options?: Parameters<typeof call>[3]) =>
  call(proxyPort, method, pathname, options);

const generate = async (account: Account, body: Record<string, unknown>): Promise<IssuedKey> => {
  const generated = await through("POST", "/api/api-keys/generate", { token: account.token, body });
  expect(generated.status, generated.text).toBe(201);
  return generated.json;
};

const dataCall = (key: IssuedKey, headers: Record<string, string> = {}) =>
  through("GET", "/api/api-routes-data?id=123", {
    headers: { "x-api-key": key.api_key, "x-username": key.user, ...headers },
  });

describe("docs/deploy.md's nginx example in front of two instances", () => {
  let free: Account;
  let key: IssuedKey;

  it("keeps a Free account's 60 calls an hour exact across both instances behind it", async () => {
    free = await newAccount(proxyPort, "nginx-free");
    key = await generate(free, { api_key_name: "behind-nginx", user: "svc" });
    const statuses = await Promise.all(Array.from({ length: 80 }, () => dataCall(key).then((r) => r.status)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(60);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
    // Both instances served some: nginx spread the calls.
    for (const instance of instances) expect(instance.output()).toContain(`"keyId":${key.id}`);
  });

  it("logs the address nginx saw, never an X-Forwarded-For entry the client wrote", async () => {
    const user = await newAccount(proxyPort, "nginx-ip");
    const own = await generate(user, { api_key_name: "ip-key", user: "svc" });
    expect((await dataCall(own, { "x-forwarded-for": "203.0.113.9" })).status).toBe(200);
    // The instance that served the call writes its row on its own timer.
    const ips = async () =>
      (await through("GET", `/api/api-usage-logs?api_key_id=${own.id}`, { token: user.token })).json.data.map(
        (row: { ip: string }) => row.ip,
      );
    await expect.poll(ips, { timeout: 10_000 }).toEqual(["127.0.0.1"]);
  });

  it("lets a key's allow-list see the client's address, and not a forged one", async () => {
    const user = await newAccount(proxyPort, "nginx-allow");
    const local = await generate(user, { api_key_name: "local-only", user: "svc", ip_allowlist: ["127.0.0.1"] });
    const elsewhere = await generate(user, {
      api_key_name: "elsewhere",
      user: "svc",
      ip_allowlist: ["203.0.113.0/24"],
    });
    expect((await dataCall(local)).status).toBe(200);
    expect((await dataCall(elsewhere, { "x-forwarded-for": "203.0.113.9" })).status).toBe(403);
  });

  it("carries X-Request-Id: the caller's, or nginx's own, into the answer and the instance's log", async () => {
    const kept = await through("GET", "/api/health/live", { headers: { "x-request-id": "scale-nginx-1" } });
    expect(kept.headers.get("x-request-id")).toBe("scale-nginx-1");
    const made = await through("GET", "/api/health/live");
    const id = made.headers.get("x-request-id")!;
    expect(id).toMatch(/^[0-9a-f]{32}$/); // nginx's $request_id, kept by the instance
    await expect
      .poll(() => instances.some((instance) => instance.output().includes(`"reqId":"${id}"`)), { timeout: 10_000 })
      .toBe(true);
  });

  it("streams a 20 MB upload to the upstream and a 20 MB download back through the gateway", async () => {
    const operator = await newAccount(proxyPort, "nginx-operator");
    await admin(database, "set-role", operator.email, "operator");
    await admin(database, "set-plan", operator.email, "enterprise");
    const route = await through("POST", "/api/admin/routes", {
      token: operator.token,
      body: { slug: "echo", name: "Echo", upstream_url: echoBase, methods: ["GET", "POST"] },
    });
    expect(route.status, route.text).toBe(201);
    const gwKey = await generate(operator, { api_key_name: "gw-stream", user: "svc" });
    const headers = { "x-api-key": gwKey.api_key, "x-username": "svc" };
    const expected = await digestOf(bigBody());

    const upload = await fetch(`http://127.0.0.1:${proxyPort}/gw/echo/upload`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/octet-stream" },
      body: Readable.toWeb(bigBody()) as ReadableStream,
      duplex: "half",
    } as RequestInit);
    expect(upload.status).toBe(200);
    expect(await upload.json()).toEqual(expected);

    const download = await fetch(`http://127.0.0.1:${proxyPort}/gw/echo/download`, { headers });
    expect(download.status).toBe(200);
    expect(await digestOf(download.body as unknown as AsyncIterable<Uint8Array>)).toEqual(expected);
  });
});
