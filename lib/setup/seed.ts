import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { seedSampleRoutes } from "../data-routes/data-routes";
import { isDomainError } from "../errors/domain-error";
import { countUsers, createUser } from "../auth/users";
import { getConfig, readEnv } from "../config/env";

export interface DemoAccount {
  email: string;
  password: string;
}

export interface SeedResult {
  routesCreated: number;
  demo: DemoAccount | null;
}

/**
 * First-start data: the sample routes and, while no user exists, a demo account. Its password
 * is DEMO_PASSWORD or random and exists only in the result: the caller prints it, then keeps it
 * with saveDemoCredentials.
 */
export async function seedDatabase(env = readEnv()): Promise<SeedResult> {
  const routesCreated = await seedSampleRoutes();
  if (!env.DEMO_ACCOUNT || (await countUsers()) > 0) return { routesCreated, demo: null };

  const email = env.DEMO_EMAIL.trim().toLowerCase();
  const password = env.DEMO_PASSWORD ?? crypto.randomBytes(12).toString("base64url");
  try {
    await createUser({ email, password, username: "demo" });
  } catch (error) {
    // Another instance starting at the same moment created it (and printed its password).
    if (isDomainError(error, "email_taken")) return { routesCreated, demo: null };
    throw error;
  }
  return { routesCreated, demo: { email, password } };
}

/** Where saveDemoCredentials keeps them. */
export function demoCredentialsFile(dataDir = getConfig().dataDir): string {
  return path.join(dataDir, "demo-credentials.txt");
}

/**
 * Keeps the demo credentials in DATA_DIR (created with mode 0700 whatever the database; the file
 * 0600). Returns the file, or why it could not be written: a start must not fail over a copy of
 * a password it has printed already.
 */
export function saveDemoCredentials(
  demo: DemoAccount,
  dataDir = getConfig().dataDir,
): { file: string; error?: undefined } | { file?: undefined; error: string } {
  const file = demoCredentialsFile(dataDir);
  try {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, `email: ${demo.email}\npassword: ${demo.password}\n`, { mode: 0o600 });
    return { file };
  } catch (error) {
    return { error: `could not write ${file}: ${(error as Error).message}` };
  }
}
