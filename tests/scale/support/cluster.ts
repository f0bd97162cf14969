// Two production instances on one fresh PostgreSQL database and one Redis, as docs/deploy.md
// runs them: the same session secret and key pepper on each, each its own data folder.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { deletePortalKeys } from "../../../scripts/support/redis-keys.mjs";
import { buildOnce, startServer, type RunningServer } from "../../../scripts/support/start-server.mjs";
import { runProcess } from "./run-process";
import { baseEnv, databaseUrl, PORTS, POSTGRES, REDIS } from "./services";

const sharedSecrets = {
  session: crypto.randomBytes(32).toString("base64url"),
  pepper: crypto.randomBytes(32).toString("base64url"),
};

function instanceEnv(port: number, database: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...baseEnv,
    HOST: "127.0.0.1",
    NEXTAUTH_URL: `http://localhost:${port}`,
    DATABASE_URL: databaseUrl(database),
    REDIS_URL: REDIS,
    DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), `keyportal-scale-${port}-`)),
    NEXTAUTH_SECRET: sharedSecrets.session,
    API_KEY_PEPPER: sharedSecrets.pepper,
    DEMO_ACCOUNT: "off",
    USAGE_FLUSH_INTERVAL_MS: "200",
    ...extra,
  };
}

/**
 * One instance on `database`; its own process group, so a stop during prepare.ts stops that too.
 * `env`: variables to set beside the shared ones (TRUST_PROXY behind nginx, say).
 */
export function startInstance(port: number, database: string, env?: Record<string, string>): Promise<RunningServer> {
  return startServer({
    port,
    env: instanceEnv(port, database, env),
    processGroup: true,
    timeoutMs: 120_000,
    stopTimeoutMs: 15_000,
  });
}

/**
 * Starts one instance per port at the same moment; if one fails, the others are stopped. Builds
 * first (a no-op when the build is current): each start.mjs would otherwise build on stale
 * sources, all into the same .next folder.
 */
export async function startInstances(
  ports: readonly number[],
  database: string,
  env?: Record<string, string>,
): Promise<RunningServer[]> {
  buildOnce({ env: baseEnv });
  const results = await Promise.allSettled(ports.map((port) => startInstance(port, database, env)));
  const failed = results.find((r) => r.status === "rejected");
  const started = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  if (failed) {
    await Promise.all(started.map((instance) => instance.stop()));
    throw failed.reason;
  }
  return started;
}

/**
 * A new empty database, and Redis without the portal's keys: a fresh database reuses account
 * ids, so counters of earlier runs would count against this one.
 */
export async function createFreshDatabase(): Promise<string> {
  const database = `keyportal_scale_${Date.now()}`;
  const root = new pg.Client({ connectionString: POSTGRES });
  await root.connect();
  try {
    await root.query(`CREATE DATABASE "${database}"`);
  } finally {
    await root.end();
  }
  const redis = new Redis(REDIS);
  try {
    await deletePortalKeys(redis);
  } finally {
    redis.disconnect();
  }
  return database;
}

export async function dropDatabase(database: string): Promise<void> {
  const root = new pg.Client({ connectionString: POSTGRES });
  await root.connect();
  try {
    await root.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  } finally {
    await root.end();
  }
}

/** `npm run admin -- …args` on `database`; throws with its output when it fails. */
export async function admin(database: string, ...args: string[]): Promise<string> {
  const result = await runProcess(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/admin.ts", ...args], {
    ...instanceEnv(PORTS[0], database),
    PORT: String(PORTS[0]),
  });
  if (result.status !== 0) throw new Error(`admin ${args.join(" ")} failed: ${result.stdout}${result.stderr}`);
  return result.stdout;
}
