import { db } from "../db/client";
import { sharedRedis } from "../redis/shared";

type PartStatus = "ok" | "unavailable";
export interface Health {
  status: "ok" | "unavailable";
  database: PartStatus;
  redis: PartStatus | "disabled";
}

// A load balancer polls this: a hung dependency must answer "unavailable", not hang the probe.
const CHECK_TIMEOUT_MS = 2_000;

async function within(check: () => Promise<unknown>): Promise<PartStatus> {
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

/** Whether this instance can reach its database and (when configured) Redis. Reveals nothing else. */
export async function checkHealth(): Promise<Health> {
  const redis = sharedRedis();
  const [database, redisStatus] = await Promise.all([
    within(() => db().$queryRaw`SELECT 1`),
    redis ? within(() => redis.ping()) : Promise.resolve("disabled" as const),
  ]);
  const status = database === "ok" && redisStatus !== "unavailable" ? "ok" : "unavailable";
  return { status, database, redis: redisStatus };
}
