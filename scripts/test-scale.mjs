// `npm run test:scale`: several instances against one PostgreSQL database and one Redis.
// Builds once, then runs three Vitest suites and names the ones that failed:
// - tests/scale (vitest.scale.config.mts): the migrations match the schemas; two production
//   servers (`npm start`'s path) started at the same moment on a fresh database, and what must
//   hold across them (exact limits, revocation seen by the other at its next call, shared tokens,
//   sessions and usage log, counters kept across a restart), and both behind docs/deploy.md's
//   nginx example (nginx is installed from apt when missing, as npm test installs Chromium);
// - the integration suite against PostgreSQL;
// - the rate-limit store suite against Redis.
// Needs PostgreSQL (TEST_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/postgres)
// and Redis (TEST_REDIS_URL, default redis://127.0.0.1:6379); says which is missing.
import { spawnSync } from "node:child_process";
import { Redis } from "ioredis";
import pg from "pg";
import { ensureAptPackage } from "./support/apt-package.mjs";
import { buildOnce } from "./support/start-server.mjs";

const POSTGRES = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const REDIS = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
// tests/scale/nginx.spec.ts runs docs/deploy.md's nginx example.
const NGINX = process.env.NGINX_PATH ?? "/usr/sbin/nginx";
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", CHECKPOINT_DISABLE: "1" };

const SUITES = [
  {
    title: "Two instances on one PostgreSQL database and one Redis (tests/scale)",
    args: ["-c", "vitest.scale.config.mts"],
    env: { TEST_POSTGRES_URL: POSTGRES, TEST_REDIS_URL: REDIS },
  },
  {
    title: "Vitest integration suite against PostgreSQL, and its own faults (tests/postgres)",
    args: ["tests/integration", "tests/postgres"],
    env: { TEST_DATABASE: "postgresql", TEST_POSTGRES_URL: POSTGRES },
  },
  {
    title: "Rate-limit store suite against Redis, and Redis-down behaviour",
    args: ["-c", "vitest.redis.config.mts"],
    env: { REDIS_URL: REDIS },
  },
];

/** What of PostgreSQL and Redis does not answer, one line each. */
async function unreachableServices() {
  const missing = [];
  const client = new pg.Client({ connectionString: POSTGRES, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (error) {
    missing.push(`PostgreSQL at ${POSTGRES} (${error.message}); set TEST_POSTGRES_URL`);
  } finally {
    await client.end().catch(() => {});
  }
  const redis = new Redis(REDIS, { lazyConnect: true, connectTimeout: 3_000, maxRetriesPerRequest: 0 });
  redis.on("error", () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    missing.push(`Redis at ${REDIS} (${error.message}); set TEST_REDIS_URL`);
  } finally {
    redis.disconnect();
  }
  return missing;
}

/** Vitest with a suite's arguments and environment; whether it passed. */
function runSuite(suite) {
  console.log(`\n${suite.title}`);
  const result = spawnSync(process.execPath, ["node_modules/vitest/vitest.mjs", "run", ...suite.args], {
    stdio: "inherit",
    env: { ...env, ...suite.env },
  });
  return result.status === 0;
}

function report(failed) {
  console.log(
    failed.length
      ? `\ntest:scale FAILED (${failed.length}):\n  - ${failed.join("\n  - ")}`
      : "\ntest:scale: all passed",
  );
}

async function main() {
  const missing = await unreachableServices();
  if (missing.length) {
    console.error(`npm run test:scale needs PostgreSQL and Redis. Not reachable:\n  - ${missing.join("\n  - ")}`);
    process.exit(1);
  }
  if (!ensureAptPackage(NGINX, "nginx", ", or point NGINX_PATH at an nginx binary")) process.exit(1);

  console.log("Building once…");
  try {
    buildOnce({ env });
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }

  // Every suite runs even when an earlier one failed, so one run lists every failure.
  const failed = SUITES.filter((suite) => !runSuite(suite)).map((suite) => suite.title);
  report(failed);
  process.exit(failed.length ? 1 : 0);
}

await main();
