import { Redis } from "ioredis";
import { getConfig } from "../config/env";
import { createRedisClient } from "./client";

// One command connection and one subscriber connection per process (a connection in subscribe
// mode can run no other command). On globalThis so Next's dev reloads don't open more.
const holder = globalThis as unknown as { __redis?: Redis; __redisSubscriber?: Redis };

/** The shared Redis when REDIS_URL is set; null when this instance keeps everything in memory. */
export function sharedRedis(): Redis | null {
  const url = getConfig().redisUrl;
  if (!url) return null;
  holder.__redis ??= createRedisClient(url);
  return holder.__redis;
}

/**
 * The subscriber connection for invalidations. Unlike the command client it queues while
 * disconnected and re-subscribes by itself after a reconnect (ioredis's autoResubscribe).
 */
export function redisSubscriber(): Redis | null {
  const url = getConfig().redisUrl;
  if (!url) return null;
  if (!holder.__redisSubscriber) {
    holder.__redisSubscriber = new Redis(url, { retryStrategy: (attempt) => Math.min(attempt * 100, 1_000) });
    holder.__redisSubscriber.on("error", () => {});
  }
  return holder.__redisSubscriber;
}

export async function disconnectRedis(): Promise<void> {
  holder.__redis?.disconnect();
  holder.__redisSubscriber?.disconnect();
  holder.__redis = undefined;
  holder.__redisSubscriber = undefined;
}
