import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** createRedisClient queues nothing while connecting, so tests wait for the connection first. */
export async function whenReady(client: Redis, timeoutMs = 5_000): Promise<void> {
  if (client.status === "ready") return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      const { host, port } = client.options;
      reject(new Error(`No Redis answered at ${host}:${port} within ${timeoutMs} ms (set REDIS_URL)`));
    }, timeoutMs);
    client.once("ready", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** A key prefix no other test (or other run) uses, so tests share one Redis without seeing each other. */
export function uniquePrefix(): string {
  return `keyportal:test:${randomBytes(8).toString("hex")}:`;
}

async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1_000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== "0");
  return keys;
}

export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  const keys = await keysUnder(redis, prefix);
  if (keys.length) await redis.del(...keys);
}

/** Every call counted under `prefix`, read straight from Redis rather than through a store. */
export async function countedUnder(redis: Redis, prefix: string): Promise<number> {
  const keys = await keysUnder(redis, prefix);
  if (!keys.length) return 0;
  const values = await redis.mget(...keys);
  return values.reduce((sum, value) => sum + Number(value ?? 0), 0);
}
