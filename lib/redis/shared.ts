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
    holder.__redisSubscriber = new Redis(url, {
      retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
      // Never give up on the queued SUBSCRIBE: ioredis re-subscribes after a reconnect only to
      // channels Redis once confirmed, so a rejected first SUBSCRIBE would be lost for good.
      maxRetriesPerRequest: null,
    });
    holder.__redisSubscriber.on("error", () => {});
  }
  return holder.__redisSubscriber;
}

/**
 * Resolves once the command connection is usable, or after `ms`: a command sent before the
 * first connect would fail at once (the client keeps no offline queue, so nothing waits on a
 * down Redis), which at start-up is too early, not an outage.
 */
export async function redisReady(redis: Redis, ms = 1_000): Promise<void> {
  if (redis.status === "ready") return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      redis.off("ready", done);
      resolve();
    }
    redis.once("ready", done);
  });
}

export async function disconnectRedis(): Promise<void> {
  holder.__redis?.disconnect();
  holder.__redisSubscriber?.disconnect();
  holder.__redis = undefined;
  holder.__redisSubscriber = undefined;
}
