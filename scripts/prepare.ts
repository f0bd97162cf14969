// Run by scripts/start.mjs before the server starts: secrets, migrations, seed data.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { getConfig } from "../lib/config/env";
import { disconnectDb } from "../lib/db/client";
import { seedDatabase } from "../lib/setup/seed";

function sqlitePath(url: string): string | null {
  return url.startsWith("file:") ? url.slice("file:".length) : null;
}

async function main() {
  const config = getConfig(); // generates DATA_DIR/secrets.json on first start
  const file = sqlitePath(config.databaseUrl);
  if (!file) throw new Error(`DATABASE_URL must be a SQLite file: URL (got "${config.databaseUrl}")`);
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });

  const migrate = spawnSync(path.join("node_modules", ".bin", "prisma"), ["migrate", "deploy"], {
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
    env: {
      ...process.env,
      PRISMA_QUERY_ENGINE_LIBRARY: "/bin/false",
      PRISMA_SCHEMA_ENGINE_BINARY: "/bin/false",
      CHECKPOINT_DISABLE: "1",
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
    },
  });
  if (migrate.status !== 0) {
    process.stderr.write(migrate.stdout + migrate.stderr);
    throw new Error("Database migration failed");
  }
  const applied = /(\d+) migrations? found/.exec(migrate.stdout)?.[1] ?? "?";
  console.log(`Database ${path.relative(process.cwd(), path.resolve(file))} is migrated (${applied} migrations).`);

  // WAL lets readers proceed while a request writes; the setting is stored in the file itself.
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.close();

  const result = await seedDatabase();
  if (result.routesCreated) console.log(`Seeded ${result.routesCreated} sample API routes.`);
  if (result.demo) {
    console.log("");
    console.log("  Demo account created. Sign in with:");
    console.log(`    email:    ${result.demo.email}`);
    console.log(`    password: ${result.demo.password}`);
    console.log(`  (also saved to ${path.relative(process.cwd(), result.demo.file)}; DEMO_ACCOUNT=off skips this)`);
    console.log("");
  } else {
    const saved = path.join(config.dataDir, "demo-credentials.txt");
    if (fs.existsSync(saved)) console.log(`Demo account credentials: ${path.relative(process.cwd(), saved)}`);
  }
  await disconnectDb();
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
