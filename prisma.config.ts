import path from "node:path";
import { defineConfig } from "prisma/config";
import { databaseProvider, resolveDatabaseUrl } from "./lib/config/database-url";
import { migrationAdapter } from "./lib/db/migrate-adapters";

// Prisma loads no .env when a config file exists, and the schema's datasource names
// env("DATABASE_URL"): give it the same default the app uses.
process.env.DATABASE_URL = resolveDatabaseUrl();
// One schema and migration folder per provider (prisma/sqlite, prisma/postgresql), picked by
// DATABASE_URL's scheme; `prisma generate --schema …` names the other one explicitly.
const provider = databaseProvider(process.env.DATABASE_URL);

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", provider, "schema.prisma"),
  migrations: { path: path.join("prisma", provider, "migrations") },
  async adapter() {
    return migrationAdapter(process.env.DATABASE_URL!);
  },
});
