// Admin CLI: `npm run admin -- <command> ...`. Honours DATABASE_URL (default: the SQLite file in ./data).
import { getConfig } from "../lib/config/env";
import { disconnectDb } from "../lib/db/client";
import { logToStderr } from "../lib/log/logger";
import { disconnectRedis } from "../lib/redis/shared";
import { migrateDatabase } from "../lib/setup/migrate";
import { ADMIN_USAGE, AdminUsageError, runAdminCommand } from "./admin-commands";

async function main() {
  try {
    logToStderr();
    const argv = process.argv.slice(2);
    if (argv[0] && !["help", "--help"].includes(argv[0])) {
      // Validates the environment first (one line naming a bad variable), then migrates if needed.
      await migrateDatabase(getConfig().databaseUrl);
    }
    console.log(await runAdminCommand(argv));
  } catch (error) {
    if (error instanceof AdminUsageError) {
      console.error(`${error.message}\n\n${ADMIN_USAGE}`);
      process.exitCode = 2;
    } else {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    }
  } finally {
    await Promise.all([disconnectDb(), disconnectRedis()]);
  }
}

void main();
