import { Redis } from "ioredis";

/**
 * A client tuned for the rate limiter, which must answer fast even when Redis is gone: a down
 * Redis fails each command at once (no offline queue) and a hung one after `commandTimeout`,
 * so callers fail open instead of waiting. ioredis keeps reconnecting in the background.
 */
export function createRedisClient(url: string): Redis {
  const client = new Redis(url, {
    commandTimeout: 250,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    lazyConnect: false,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
  });
  // Without a listener every failed reconnect is printed as an unhandled error event; callers
  // report an outage themselves (the rate limiter warns at most once a minute).
  client.on("error", () => {});
  return client;
}
