import { db } from "../db/client";
import { sharedRedis } from "../redis/shared";
import { usageWriterStatus } from "../usage/usage-recorder";

type PartStatus = "ok" | "unavailable";
export interface Health {
  /** degraded: serving, but usage rows are waiting in memory for a database that refuses them. */
  status: "ok" | "degraded" | "unavailable";
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

/** Whether this instance can reach its database and (when configured) Redis, and writes its usage rows. Reveals nothing else. */
export async function checkHealth(): Promise<Health> {
  const redis = sharedRedis();
  const [database, redisStatus] = await Promise.all([
    probe(() => db().$queryRaw`SELECT 1`),
    redis ? probe(() => redis.ping()) : Promise.resolve("disabled" as const),
  ]);
  const usage = usageWriterStatus();
  const failing = usage.failingSince !== null;
  const status =
    database !== "ok" || redisStatus === "unavailable" ? "unavailable" : failing || usage.dropped ? "degraded" : "ok";
  return {
    status,
    database,
    redis: redisStatus,
    usage_writes: failing ? "failing" : "ok",
    usage_rows_waiting: usage.pending,
    usage_rows_dropped: usage.dropped,
  };
}
