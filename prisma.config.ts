import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { resolveDatabaseUrl } from "./lib/config/database-url";

// Prisma loads no .env when a config file exists, and the schema's datasource names
// env("DATABASE_URL"): give it the same default the app uses.
process.env.DATABASE_URL = resolveDatabaseUrl();

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  async adapter() {
    const factory = new PrismaBetterSQLite3({ url: process.env.DATABASE_URL! });
    // `migrate diff --from-migrations` replays each migration file on the shadow database as one
    // parameterless executeRaw, which better-sqlite3 rejects (one statement per prepare).
    // Route those through executeScript, which runs multi-statement SQL.
    const connectToShadowDb = factory.connectToShadowDb.bind(factory);
    factory.connectToShadowDb = async () => {
      const shadow = await connectToShadowDb();
      const executeRaw = shadow.executeRaw.bind(shadow);
      shadow.executeRaw = async (query) =>
        query.args.length === 0 ? (await shadow.executeScript(query.sql), 0) : executeRaw(query);
      return shadow;
    };
    return factory;
  },
});
