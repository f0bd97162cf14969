// Run by scripts/start.mjs before the server starts: secrets, migrations, seed data.
import fs from "node:fs";
import path from "node:path";
import { databaseProvider, sqliteFile } from "../lib/config/database-url";
import { getConfig } from "../lib/config/env";
import { disconnectDb } from "../lib/db/client";
import { disconnectRedis } from "../lib/redis/shared";
import { migrateDatabase } from "../lib/setup/migrate";
import { demoCredentialsFile, saveDemoCredentials, seedDatabase } from "../lib/setup/seed";

async function main() {
  // Validates every variable; on SQLite generates DATA_DIR/secrets.json on first start.
  const config = getConfig();
  const count = await migrateDatabase(config.databaseUrl);
  if (databaseProvider(config.databaseUrl) === "sqlite") {
    const file = sqliteFile(config.databaseUrl);
    console.log(`Database ${path.relative(process.cwd(), file)} is migrated (${count} migrations).`);
    // Emails, password hashes and IPs: readable by this user only. SQLite gives its -wal and -shm
    // files the database file's mode.
    for (const part of [file, `${file}-wal`, `${file}-shm`]) if (fs.existsSync(part)) fs.chmodSync(part, 0o600);
  } else {
    console.log(
      `PostgreSQL database ${new URL(config.databaseUrl).pathname.slice(1)} is migrated (${count} migrations).`,
    );
  }

  const result = await seedDatabase();
  if (result.routesCreated) console.log(`Seeded ${result.routesCreated} sample API routes.`);
  if (result.demo) {
    // Printed before the file is written: the password exists nowhere else.
    console.log("");
    console.log("  Demo account created. Sign in with:");
    console.log(`    email:    ${result.demo.email}`);
    console.log(`    password: ${result.demo.password}`);
    const saved = saveDemoCredentials(result.demo, config.dataDir);
    if (saved.file) {
      console.log(`  (also saved to ${path.relative(process.cwd(), saved.file)}; DEMO_ACCOUNT=off skips this)`);
    } else {
      console.warn(`  Warning: the credentials were not saved (${saved.error}); note them now.`);
    }
    console.log("");
  } else {
    const saved = demoCredentialsFile(config.dataDir);
    if (fs.existsSync(saved)) console.log(`Demo account credentials: ${path.relative(process.cwd(), saved)}`);
  }
  await Promise.all([disconnectDb(), disconnectRedis()]);
}

main().catch((error) => {
  // A configuration problem (ConfigError) is one line naming the variable.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
