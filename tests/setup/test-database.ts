// Which database the integration tests run against: SQLite by default, PostgreSQL with
// TEST_DATABASE=postgresql (TEST_POSTGRES_URL names the server, trust auth as in CI).
export const TEST_DATABASE = process.env.TEST_DATABASE === "postgresql" ? "postgresql" : "sqlite";

export function postgresUrl(database: string): string {
  const url = new URL(process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres");
  url.pathname = `/${database}`;
  return url.toString();
}
