// Where test:scale finds its services, and the environment every process it starts shares.
export const POSTGRES = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
export const REDIS = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
export const PORTS = [Number(process.env.SCALE_PORT_A ?? 3201), Number(process.env.SCALE_PORT_B ?? 3202)] as const;

export const baseEnv: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", CHECKPOINT_DISABLE: "1" };

/** The URL of database `name` on the PostgreSQL server of TEST_POSTGRES_URL. */
export function databaseUrl(name: string): string {
  const url = new URL(POSTGRES);
  url.pathname = `/${name}`;
  return url.toString();
}
