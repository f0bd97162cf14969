import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { resolveDatabaseUrl } from "./database-url";

const envSchema = z.object({
  DATA_DIR: z.string().trim().min(1).default("./data"),
  NEXTAUTH_SECRET: z.string().min(32, "NEXTAUTH_SECRET must be at least 32 characters").optional(),
  API_KEY_PEPPER: z.string().min(32, "API_KEY_PEPPER must be at least 32 characters").optional(),
  TRUST_PROXY: z
    .enum(["true", "false", "1", "0"])
    .default("false")
    .transform((v) => v === "true" || v === "1"),
});

export interface AppConfig {
  databaseUrl: string;
  dataDir: string;
  /** Signs portal sessions (next-auth) and Bearer access tokens. */
  sessionSecret: string;
  /** HMAC key for API-key and refresh-token digests; lives outside the database. */
  keyPepper: string;
  /** Take the client IP from X-Forwarded-For's first entry (only behind a proxy you run). */
  trustProxy: boolean;
}

interface SecretsFile {
  sessionSecret: string;
  keyPepper: string;
}

/**
 * Secrets that are not set in the environment are generated once into DATA_DIR/secrets.json
 * (mode 0600, git-ignored), so a restart keeps sessions and keys valid without any setup.
 */
function loadOrCreateSecrets(dataDir: string): SecretsFile {
  const file = path.join(dataDir, "secrets.json");
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as SecretsFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  fs.mkdirSync(dataDir, { recursive: true });
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

let cached: AppConfig | undefined;

export function getConfig(): AppConfig {
  if (cached) return cached;
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    throw new Error(`Invalid configuration: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
  }
  const env = parsed.data;
  const dataDir = path.resolve(env.DATA_DIR);
  const needsFile = !env.NEXTAUTH_SECRET || !env.API_KEY_PEPPER;
  const stored = needsFile ? loadOrCreateSecrets(dataDir) : undefined;
  cached = {
    databaseUrl: resolveDatabaseUrl(),
    dataDir,
    sessionSecret: env.NEXTAUTH_SECRET ?? stored!.sessionSecret,
    keyPepper: env.API_KEY_PEPPER ?? stored!.keyPepper,
    trustProxy: env.TRUST_PROXY,
  };
  return cached;
}

/** Tests point the app at a fresh database and data folder between files. */
export function resetConfigForTests(): void {
  cached = undefined;
}
