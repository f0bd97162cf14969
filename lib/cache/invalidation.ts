import { getConfig } from "../config/env";
import { log } from "../log/logger";
import { metrics } from "../metrics/metrics";
import { redisReady, redisSubscriber, sharedRedis } from "../redis/shared";
import { appendInvalidation, startInvalidationLogPoller } from "./invalidation-log";
import type { Invalidation } from "./invalidation-message";

export type { Invalidation };

const CHANNEL = "keyportal:invalidate";
type Handler = (message: Invalidation) => void;

const holder = globalThis as unknown as { __invalidationHandlers?: Set<Handler>; __invalidationSubscribed?: boolean };
const handlers = (holder.__invalidationHandlers ??= new Set());

function deliver(message: Invalidation): void {
  for (const handler of handlers) {
    try {
      handler(message);
    } catch (error) {
      log().error({ err: error }, "[cache] an invalidation handler failed");
    }
  }
}

/**
 * Listens for other instances' invalidations (with REDIS_URL; a no-op without). Called once at
 * server start (instrumentation.ts), not at import, so a script that merely imports a cache
 * neither opens a connection nor reads the configuration before it has validated it.
 */
export function startInvalidationListener(): void {
  if (holder.__invalidationSubscribed) return;
  const subscriber = redisSubscriber();
  if (!subscriber) return;
  holder.__invalidationSubscribed = true;
  subscriber.on("message", (channel: string, payload: string) => {
    if (channel !== CHANNEL) return;
    try {
      deliver(JSON.parse(payload) as Invalidation);
    } catch {
      log().error("[cache] ignored a malformed invalidation message");
    }
  });
  subscriber
    .subscribe(CHANNEL)
    .catch((error: unknown) => log().error({ err: error }, "[cache] subscribing to invalidations failed"));
}

/**
 * Polls the invalidation table for writes made where neither this process nor Redis could
 * deliver them (the admin CLI beside a server without Redis). Called once at server start
 * (instrumentation.ts), beside startInvalidationListener; with Redis it is a second path.
 */
export function startInvalidationLogPolling(): Promise<void> {
  return startInvalidationLogPoller(deliver);
}

/**
 * Whether every invalidation that matters reaches this process now: always without Redis (one
 * instance: its own writes invalidate directly, the admin CLI's arrive through the polled
 * table within a poll interval), and with Redis only while the listener is
 * subscribed. A cache that would otherwise miss another instance's revocation must not be
 * trusted meanwhile.
 */
export function invalidationsReachUs(): boolean {
  if (!getConfig().redisUrl) return true;
  return Boolean(holder.__invalidationSubscribed) && redisSubscriber()?.status === "ready";
}

/** Registers a cache's handler; returns the function that removes it. */
export function onInvalidation(handler: Handler): () => void {
  handlers.add(handler);
  return () => handlers.delete(handler);
}

/**
 * Drops the entry here at once, then tells the other processes: through Redis when it is
 * configured and answers, else by a row in the invalidation table (the admin CLI, or any process
 * without Redis), which every server polls. A failed publish is logged, not thrown: the write
 * itself succeeded, and caches bound their entries' lifetime anyway.
 */
export async function publishInvalidation(message: Invalidation): Promise<void> {
  deliver(message);
  if (!(await publishToRedis(message))) await appendInvalidation(message);
}

/** True once Redis took the message; false without Redis or while it is unavailable. */
async function publishToRedis(message: Invalidation): Promise<boolean> {
  const redis = sharedRedis();
  if (!redis) return false;
  // While the first connection is being made (a script that just started), wait for it briefly;
  // during an outage, don't make the write wait at all.
  if (["wait", "connecting", "connect"].includes(redis.status)) await redisReady(redis);
  if (redis.status !== "ready") {
    metrics().redisErrors.inc({ operation: "invalidation" });
    log().error("[cache] an invalidation was not published: Redis is unavailable");
    return false;
  }
  try {
    await redis.publish(CHANNEL, JSON.stringify(message));
    return true;
  } catch (error) {
    metrics().redisErrors.inc({ operation: "invalidation" });
    log().error({ err: error }, "[cache] publishing an invalidation failed (Redis unavailable?)");
    return false;
  }
}
