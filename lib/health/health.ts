import { db } from "../db/client";
import { sharedRedis } from "../redis/shared";
import { isDraining } from "../runtime/shutdown";
import { usageWriterStatus } from "../usage/usage-recorder";

type PartStatus = "ok" | "unavailable";
export interface Health {
  /**
   * degraded: serving, but usage rows are waiting in memory for a database that refuses them (or
   * were dropped), or, for readiness, Redis is down and its fallback serves.
   */
  /** draining (readiness only): shutting down, still serving what arrives meanwhile. */
  status: "ok" | "degraded" | "unavailable" | "draining";
  database: PartStatus;
  redis: PartStatus | "disabled";
  usage_writes: "ok" | "failing";
  /** Usage rows in memory not yet written, and rows dropped since start because too many waited. */
  usage_rows_waiting: number;
  usage_rows_dropped: number;
}

// A load balancer polls this: a hung dependency must answer "unavailable", not hang the probe.
const CHECK_TIMEOUT_MS = 2_000;

async function probe(check: () => Promise<unknown>): Promise<PartStatus> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timed out")), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return "ok";
  } catch {
    return "unavailable";
  } finally {
    clearTimeout(timer);
  }
}

/** The parts' states: database, Redis (when configured), the usage writer. */
async function checkParts(): Promise<Omit<Health, "status">> {
  const redis = sharedRedis();
  const [database, redisStatus] = await Promise.all([
    probe(() => db().$queryRaw`SELECT 1`),
    redis ? probe(() => redis.ping()) : Promise.resolve("disabled" as const),
  ]);
  const usage = usageWriterStatus();
  return {
    database,
    redis: redisStatus,
    usage_writes: usage.failingSince !== null ? "failing" : "ok",
    usage_rows_waiting: usage.pending,
    usage_rows_dropped: usage.dropped,
  };
}

/** Serving, but with usage rows waiting for the database or dropped. */
const degradedWrites = (parts: Omit<Health, "status">) =>
  parts.usage_writes === "failing" || parts.usage_rows_dropped > 0;

/**
 * Whether this instance can reach its database and (when configured) Redis, and writes its usage
 * rows. Reveals nothing else. Redis down is "unavailable" here (GET /api/health, kept as it was).
 */
export async function checkHealth(): Promise<Health> {
  const parts = await checkParts();
  const status =
    parts.database !== "ok" || parts.redis === "unavailable"
      ? "unavailable"
      : degradedWrites(parts)
        ? "degraded"
        : "ok";
  return { status, ...parts };
}

/**
 * Whether this instance can serve (GET /api/health/ready): only the database is required. With
 * Redis down every instance still serves (quotas from held leases, then each instance's share;
 * key lookups from the database), so readiness says "degraded" and names Redis rather than
 * taking every instance out of a load balancer at once.
 */
export async function checkReadiness(): Promise<Health> {
  const parts = await checkParts();
  const status = isDraining()
    ? "draining"
    : parts.database !== "ok"
      ? "unavailable"
      : parts.redis === "unavailable" || degradedWrites(parts)
        ? "degraded"
        : "ok";
  return { status, ...parts };
}
