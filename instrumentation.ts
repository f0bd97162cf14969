// Next calls register() once when a server starts: background jobs begin here, not at build time.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  const { startRetentionJob } = await import("./lib/setup/retention-job");
  startRetentionJob();
  // Webhook deliveries: one sending loop per instance; instances share the queue (claims).
  const { startDeliveryWorker } = await import("./lib/webhooks/delivery-worker");
  startDeliveryWorker();
  // With REDIS_URL: subscribe to other instances' invalidations, and connect now so the first
  // requests find Redis ready instead of failing open while it connects.
  const { startInvalidationListener, startInvalidationLogPolling } = await import("./lib/cache/invalidation");
  startInvalidationListener();
  // Changes from processes without that channel (the admin CLI without Redis): polled from the database.
  await startInvalidationLogPolling();
  const { sharedRedis, redisReady } = await import("./lib/redis/shared");
  const redis = sharedRedis();
  if (redis) await redisReady(redis, 3_000);
}
