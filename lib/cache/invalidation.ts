import { redisReady, redisSubscriber, sharedRedis } from "../redis/shared";

/**
 * What a write changed, so that per-instance caches drop it at once: on this instance
 * directly, on every other one through Redis pub/sub (when REDIS_URL is set).
 */
export type Invalidation = { kind: "key"; keyId: number; digest?: string } | { kind: "routes" };

const CHANNEL = "keyportal:invalidate";
type Handler = (message: Invalidation) => void;

const holder = globalThis as unknown as { __invalidationHandlers?: Set<Handler>; __invalidationSubscribed?: boolean };
const handlers = (holder.__invalidationHandlers ??= new Set());

function deliver(message: Invalidation): void {
  for (const handler of handlers) {
    try {
      handler(message);
    } catch (error) {
      console.error("[cache] an invalidation handler failed:", error);
    }
  }
}

function subscribeOnce(): void {
  if (holder.__invalidationSubscribed) return;
  const subscriber = redisSubscriber();
  if (!subscriber) return;
  holder.__invalidationSubscribed = true;
  subscriber.on("message", (channel: string, payload: string) => {
    if (channel !== CHANNEL) return;
    try {
      deliver(JSON.parse(payload) as Invalidation);
    } catch {
      console.error("[cache] ignored a malformed invalidation message");
    }
  });
  subscriber
    .subscribe(CHANNEL)
    .catch((error: unknown) => console.error("[cache] subscribing to invalidations failed:", error));
}

/** Registers a cache's handler; returns the function that removes it. */
export function onInvalidation(handler: Handler): () => void {
  handlers.add(handler);
  subscribeOnce();
  return () => handlers.delete(handler);
}

/**
 * Drops the entry here at once, then tells the other instances. A failed publish is logged, not
 * thrown: the write itself succeeded, and caches bound their entries' lifetime anyway.
 */
export async function publishInvalidation(message: Invalidation): Promise<void> {
  deliver(message);
  const redis = sharedRedis();
  if (!redis) return;
  try {
    await redisReady(redis);
    await redis.publish(CHANNEL, JSON.stringify(message));
  } catch (error) {
    console.error("[cache] publishing an invalidation failed (Redis unavailable?):", (error as Error).message);
  }
}
