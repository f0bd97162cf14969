import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { databaseProvider, resolveDatabaseUrl } from "./database-url";

const flag = (name: string, truthy: string[], falsy: string[], fallback: string) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .default(fallback)
    .refine((v) => truthy.includes(v) || falsy.includes(v), {
      message: `${name} must be one of ${[...truthy, ...falsy].join(", ")}`,
    })
    .transform((v) => truthy.includes(v));

const integer = (name: string, min: number, max: number, fallback: number) =>
  z
    .string()
    .trim()
    .default(String(fallback))
    .refine((v) => /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max, {
      message: `${name} must be a whole number from ${min} to ${max}`,
    })
    .transform(Number);

const secret = (name: string) =>
  z
    .string()
    .refine((v) => v.trim().length >= 32, `${name} must be at least 32 characters (not counting spaces)`)
    .optional();

/**
 * Every environment variable the portal reads, validated in one place: the app, the production
 * server (scripts/server.mjs), the start script and the admin CLI all call readEnv(). Empty
 * strings count as unset, like a shell's `FOO= npm start`.
 */
const envSchema = z.object({
  PORT: integer("PORT", 1, 65_535, 3000),
  HOST: z.string().trim().min(1).default("0.0.0.0"),
  DATABASE_URL: z
    .string()
    .optional()
    .transform((v) => resolveDatabaseUrl({ DATABASE_URL: v }))
    .superRefine((url, ctx) => {
      try {
        databaseProvider(url);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
      }
    }),
  DATA_DIR: z.string().trim().min(1).default("./data"),
  NEXTAUTH_SECRET: secret("NEXTAUTH_SECRET"),
  API_KEY_PEPPER: secret("API_KEY_PEPPER"),
  NEXTAUTH_URL: z
    .url({ protocol: /^https?$/, message: "NEXTAUTH_URL must be an http(s) URL such as https://keys.example.com" })
    .optional(),
  TRUST_PROXY: flag("TRUST_PROXY", ["true", "1"], ["false", "0"], "false"),
  REDIS_URL: z
    .string()
    .trim()
    .optional()
    .refine((v) => !v || /^rediss?:\/\/.+/.test(v), { message: "REDIS_URL must start with redis:// or rediss://" })
    .transform((v) => v || undefined),
  // While Redis is down, each instance allows an account's remaining hourly quota (and each
  // throttle's remaining budget) divided by this: the number of instances you run.
  REDIS_FALLBACK_INSTANCES: integer("REDIS_FALLBACK_INSTANCES", 1, 1_000, 2),
  DEMO_ACCOUNT: flag("DEMO_ACCOUNT", ["on", "true", "1", "yes"], ["off", "false", "0", "no"], "on"),
  DEMO_EMAIL: z.email({ message: "DEMO_EMAIL must be an email address" }).default("demo@example.com"),
  // Invitations are also mailed when this is set (smtp:// or smtps://, credentials in the URL).
  SMTP_URL: z
    .string()
    .trim()
    .optional()
    .refine((v) => !v || /^smtps?:\/\/.+/.test(v), { message: "SMTP_URL must start with smtp:// or smtps://" })
    .transform((v) => v || undefined),
  MAIL_FROM: z.string().trim().min(3).default("Key Portal <no-reply@localhost>"),
  DEMO_PASSWORD: z.string().min(8, "DEMO_PASSWORD must be at least 8 characters").optional(),
  // 1 ms: a crash (kill -9) loses only the calls of the last few milliseconds (e2e/crash.spec.ts),
  // fewer still as a batch is handed over at the call once due and queued on the writer thread;
  // a longer interval loses more for no gain. Under load batches still hold many rows (a call
  // hands over all that waited), so the short interval costs the data API no throughput
  // measurable against a longer one.
  USAGE_FLUSH_INTERVAL_MS: integer("USAGE_FLUSH_INTERVAL_MS", 1, 3_600_000, 1),
  // On SIGTERM/SIGINT (scripts/server.mjs): first SHUTDOWN_DRAIN_MS with /api/health/ready at 503
  // while still serving, so load balancers stop sending; then no new connections, and requests
  // under way get up to SHUTDOWN_GRACE_MS to finish before the buffered rows are written.
  SHUTDOWN_DRAIN_MS: integer("SHUTDOWN_DRAIN_MS", 0, 600_000, 0),
  SHUTDOWN_GRACE_MS: integer("SHUTDOWN_GRACE_MS", 0, 600_000, 5_000),
  // Log lines are JSON (one object per line) unless LOG_FORMAT=pretty; LOG_LEVEL=silent writes none.
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
      message: "LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent",
    })
    .default("info"),
  LOG_FORMAT: z.enum(["json", "pretty"], { message: "LOG_FORMAT must be json or pretty" }).default("json"),
  // One info line per request (scripts/server.mjs); off leaves the other log lines.
  ACCESS_LOG: flag("ACCESS_LOG", ["on", "true", "1", "yes"], ["off", "false", "0", "no"], "on"),
  // GET /metrics (Prometheus) answers only `Authorization: Bearer <this>`; unset: /metrics is a 404.
  METRICS_TOKEN: z
    .string()
    .optional()
    .refine((v) => v === undefined || v.trim().length >= 16, "METRICS_TOKEN must be at least 16 characters"),
  // Webhook targets on private, loopback, link-local, CGNAT or unique-local addresses are refused
  // (at creation and at connect time) unless this is on: tests and local development only.
  WEBHOOK_ALLOW_PRIVATE: flag(
    "WEBHOOK_ALLOW_PRIVATE",
    ["true", "1", "on", "yes"],
    ["false", "0", "off", "no"],
    "false",
  ),
  // Accounts one client address may create per hour (each costs a bcrypt hash); tests raise it.
  SIGNUPS_PER_IP_PER_HOUR: integer("SIGNUPS_PER_IP_PER_HOUR", 1, 1_000_000, 20),
  // Sudo mode: how long after entering the password (or a code) a portal session may change keys
  // and members (lib/auth/reauthentication.ts) without being asked again. GitHub's is 2 hours.
  REAUTH_WINDOW_SECONDS: integer("REAUTH_WINDOW_SECONDS", 1, 86_400, 600),
  // npm run bench turns on GET /api/bench/noop (constant JSON) to measure Next's own floor.
  BENCH_ROUTES: flag("BENCH_ROUTES", ["on", "true", "1"], ["off", "false", "0"], "off"),
  CHROMIUM_PATH: z.string().trim().min(1).default("/usr/bin/chromium"),
  E2E_PORT: integer("E2E_PORT", 1, 65_535, 3100),
});

export type Env = z.infer<typeof envSchema>;

/** One line naming the variable, for a start that must stop: "Invalid environment: PORT must …". */
export class ConfigError extends Error {}

export function readEnv(source: Record<string, string | undefined> = process.env): Env {
  const blanksUnset = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ""));
  const parsed = envSchema.safeParse(blanksUnset);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) =>
    issue.message.includes(String(issue.path[0])) ? issue.message : `${String(issue.path[0])}: ${issue.message}`,
  );
  throw new ConfigError(`Invalid environment: ${problems.join("; ")}`);
}

export interface AppConfig {
  databaseUrl: string;
  dataDir: string;
  /** Signs portal sessions (next-auth) and Bearer access tokens. */
  sessionSecret: string;
  /** HMAC key for API-key and refresh-token digests; lives outside the database. */
  keyPepper: string;
  /**
   * Trust one reverse proxy: the client IP is the X-Forwarded-For entry that proxy appended
   * (second to last; our server appends the socket address last).
   */
  trustProxy: boolean;
  /** Shared counters and invalidations between instances; unset: everything in this process. */
  redisUrl: string | undefined;
  usageFlushIntervalMs: number;
  /** Bench-only routes are served (off unless BENCH_ROUTES is on). */
  benchRoutes: boolean;
  signUpsPerIpPerHour: number;
  /** Sudo mode's window: a password or code entered this long ago still counts (lib/auth/reauthentication.ts). */
  reauthWindowMs: number;
  /** While Redis is down: the share of a remaining budget each instance may use is 1 / this. */
  redisFallbackInstances: number;
  /**
   * The portal's public URL (NEXTAUTH_URL, no trailing slash): links the portal hands out, such as
   * invitations, are built from it, never from a request's Host header (which a caller chooses).
   */
  portalUrl: string;
  /** Where invitation mails go out (unset: invitations are only links). */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** GET /metrics answers only this Bearer token (unset: /metrics is a 404). */
  metricsToken: string | undefined;
  /** Webhook targets may be private addresses (tests and local development only). */
  webhookAllowPrivate: boolean;
}

interface SecretsFile {
  sessionSecret: string;
  keyPepper: string;
}

/**
 * SQLite only: secrets that are not set in the environment are generated once into
 * DATA_DIR/secrets.json (mode 0600, git-ignored), so a restart keeps sessions and keys valid
 * without any setup.
 */
function loadOrCreateSecrets(dataDir: string): SecretsFile {
  const file = path.join(dataDir, "secrets.json");
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as SecretsFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  // The folder holds the secrets and (on SQLite) the database: this user's alone.
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const fresh: SecretsFile = {
    sessionSecret: crypto.randomBytes(32).toString("base64url"),
    keyPepper: crypto.randomBytes(32).toString("base64url"),
  };
  try {
    // "wx" fails if another process created it first; then that one's secrets win.
    fs.writeFileSync(file, JSON.stringify(fresh, null, 2) + "\n", { flag: "wx", mode: 0o600 });
    return fresh;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return JSON.parse(fs.readFileSync(file, "utf8")) as SecretsFile;
  }
}

/**
 * With PostgreSQL, several instances share one database: every one must sign and hash with the
 * same secrets, so they come from the environment. Generating them per instance would make
 * each instance refuse the others' tokens and keys; storing them in the database would put the
 * pepper beside the digests it protects.
 */
function requireSharedSecrets(env: Env): void {
  const missing = (["NEXTAUTH_SECRET", "API_KEY_PEPPER"] as const).filter((name) => !env[name]);
  if (missing.length) {
    throw new ConfigError(
      `Invalid environment: ${missing.join(" and ")} must be set (≥ 32 characters, the same on every instance) when DATABASE_URL is PostgreSQL`,
    );
  }
}

let cached: AppConfig | undefined;

export function getConfig(): AppConfig {
  if (cached) return cached;
  const env = readEnv();
  if (databaseProvider(env.DATABASE_URL) === "postgresql") requireSharedSecrets(env);
  const dataDir = path.resolve(env.DATA_DIR);
  const stored = !env.NEXTAUTH_SECRET || !env.API_KEY_PEPPER ? loadOrCreateSecrets(dataDir) : undefined;
  cached = {
    databaseUrl: env.DATABASE_URL,
    dataDir,
    sessionSecret: env.NEXTAUTH_SECRET ?? stored!.sessionSecret,
    keyPepper: env.API_KEY_PEPPER ?? stored!.keyPepper,
    trustProxy: env.TRUST_PROXY,
    redisUrl: env.REDIS_URL,
    usageFlushIntervalMs: env.USAGE_FLUSH_INTERVAL_MS,
    benchRoutes: env.BENCH_ROUTES,
    signUpsPerIpPerHour: env.SIGNUPS_PER_IP_PER_HOUR,
    reauthWindowMs: env.REAUTH_WINDOW_SECONDS * 1000,
    redisFallbackInstances: env.REDIS_FALLBACK_INSTANCES,
    portalUrl: (env.NEXTAUTH_URL ?? "http://localhost:3000").replace(/\/+$/, ""),
    smtpUrl: env.SMTP_URL,
    mailFrom: env.MAIL_FROM,
    metricsToken: env.METRICS_TOKEN,
    webhookAllowPrivate: env.WEBHOOK_ALLOW_PRIVATE,
  };
  return cached;
}

/** Tests point the app at a fresh database and data folder between files. */
export function resetConfigForTests(): void {
  cached = undefined;
}
