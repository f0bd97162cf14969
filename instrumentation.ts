// Next calls register() once when a server starts: background jobs begin here, not at build time.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  const { startRetentionJob } = await import("./lib/usage/retention");
  startRetentionJob();
}
