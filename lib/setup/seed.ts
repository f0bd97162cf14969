import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { seedSampleRoutes } from "../api-routes/api-routes";
import { countUsers, createUser } from "../auth/users";
import { getConfig, readEnv } from "../config/env";
import { ApiError } from "../http/errors";

export interface SeedResult {
  routesCreated: number;
  demo: { email: string; password: string; file: string } | null;
}

/**
 * First-start data: the sample routes and, while no user exists, a demo account. Its password
 * is DEMO_PASSWORD or random, printed by the caller and kept in DATA_DIR (mode 0600).
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
    if (error instanceof ApiError && error.status === 409) return { routesCreated, demo: null };
    throw error;
  }
  const file = path.join(getConfig().dataDir, "demo-credentials.txt");
  fs.writeFileSync(file, `email: ${email}\npassword: ${password}\n`, { mode: 0o600 });
  return { routesCreated, demo: { email, password, file } };
}
