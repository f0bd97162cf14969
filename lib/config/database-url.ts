// Kept free of imports beyond node: so prisma.config.ts, scripts and the app share one default.
const DEFAULT_DATABASE_URL = "file:./data/portal.db";

export function resolveDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.DATABASE_URL?.trim();
  return url ? url : DEFAULT_DATABASE_URL;
}
