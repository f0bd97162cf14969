// Prisma's CLI against a database URL, offline: the engine variables point at files that exist,
// and the CLI works through the driver adapter (prisma.config.ts).
import { runProcess } from "./run-process";
import { baseEnv } from "./services";

export function prismaCli(args: string[], url: string) {
  return runProcess("node_modules/.bin/prisma", args, {
    ...baseEnv,
    DATABASE_URL: url,
    PRISMA_QUERY_ENGINE_LIBRARY: "/bin/false",
    PRISMA_SCHEMA_ENGINE_BINARY: "/bin/false",
  });
}
