// Admin CLI: `npm run admin -- <command> ...`. Honours DATABASE_URL (default: the SQLite file in ./data).
import { z } from "zod";
import {
  createUser,
  PLANS,
  setPlan,
  setRateLimit,
  setSubscription,
  SUBSCRIPTIONS,
  type PublicUser,
} from "../lib/auth/users";
import { ENTERPRISE_DEFAULT_HOURLY_LIMIT } from "../lib/limits/plans";
import { getConfig } from "../lib/config/env";
import { disconnectDb } from "../lib/db/client";
import { disconnectRedis } from "../lib/redis/shared";
import { migrateDatabase } from "../lib/setup/migrate";
import { formatZodError } from "../lib/validation/format-zod-error";
import { emailSchema, registerSchema } from "../lib/validation/schemas";

const USAGE = `Usage: npm run admin -- <command>

  create-user <email> <password> [username]   create an account (free plan, active)
  set-plan <email> <${PLANS.join("|")}>
  set-subscription <email> <${SUBSCRIPTIONS.join("|")}>
  set-rate-limit <email> <requests-per-hour|default>   Enterprise's custom hourly limit

Environment: DATABASE_URL (default file:./data/portal.db; postgres://… for PostgreSQL)`;

class UsageError extends Error {}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new UsageError(formatZodError(result.error));
  return result.data;
}

function show(user: PublicUser) {
  return `#${user.id} ${user.email} (username ${user.username}, plan ${user.plan}, subscription ${user.subscription})`;
}

async function run(argv: string[]): Promise<string> {
  const [command, ...args] = argv;
  switch (command) {
    case "create-user": {
      if (args.length < 2 || args.length > 3) throw new UsageError("create-user takes <email> <password> [username]");
      const input = parse(registerSchema, { email: args[0], password: args[1], username: args[2] });
      return `Created ${show(await createUser(input))}`;
    }
    case "set-plan": {
      if (args.length !== 2) throw new UsageError("set-plan takes <email> <plan>");
      const { email, plan } = parse(
        z.object({ email: emailSchema, plan: z.enum(PLANS, { error: `must be one of ${PLANS.join(", ")}` }) }),
        { email: args[0], plan: args[1] },
      );
      const user = await setPlan(email, plan);
      if (!user) throw new Error(`No account with email ${email}`);
      return `Updated ${show(user)}`;
    }
    case "set-subscription": {
      if (args.length !== 2) throw new UsageError("set-subscription takes <email> <active|inactive>");
      const { email, subscription } = parse(
        z.object({
          email: emailSchema,
          subscription: z.enum(SUBSCRIPTIONS, { error: `must be one of ${SUBSCRIPTIONS.join(", ")}` }),
        }),
        { email: args[0], subscription: args[1] },
      );
      const user = await setSubscription(email, subscription);
      if (!user) throw new Error(`No account with email ${email}`);
      return `Updated ${show(user)}`;
    }
    case "set-rate-limit": {
      if (args.length !== 2) throw new UsageError("set-rate-limit takes <email> <requests-per-hour|default>");
      const { email, limit } = parse(
        z.object({
          email: emailSchema,
          limit: z.union(
            [
              z.literal("default").transform(() => null),
              z.coerce
                .number()
                .int("must be a whole number")
                .min(1, "must be at least 1")
                .max(1_000_000_000, "must be at most 1,000,000,000"),
            ],
            {
              error: 'must be a whole number of requests per hour or "default"',
            },
          ),
        }),
        { email: args[0], limit: args[1] },
      );
      const account = await setRateLimit(email, limit);
      if (!account) throw new Error(`No account with email ${email}`);
      const note = account.plan === "enterprise" ? "" : " (applies once the account is on the enterprise plan)";
      return `Updated ${show(account)}: ${limit ?? `default ${ENTERPRISE_DEFAULT_HOURLY_LIMIT}`} requests/hour${note}`;
    }
    case undefined:
    case "help":
    case "--help":
      return USAGE;
    default:
      throw new UsageError(`Unknown command "${command}"`);
  }
}

async function main() {
  try {
    const argv = process.argv.slice(2);
    if (argv[0] && !["help", "--help"].includes(argv[0])) {
      // Validates the environment first (one line naming a bad variable), then migrates if needed.
      await migrateDatabase(getConfig().databaseUrl);
    }
    console.log(await run(argv));
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${USAGE}`);
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
