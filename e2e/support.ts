import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, type APIRequestContext, type Page } from "@playwright/test";
import { E2E_DATA_DIR } from "../playwright.config";
import { startServer, type RunningServer } from "../scripts/support/start-server.mjs";

export interface Account {
  email: string;
  password: string;
}

/** A fresh account per test, so plan limits and key lists never leak between tests. */
export async function registerAccount(request: APIRequestContext): Promise<Account> {
  const account = { email: `e2e-${crypto.randomUUID()}@example.com`, password: "e2e-password-123" };
  const response = await request.post("/api/auth/register", { data: account });
  expect(response.status()).toBe(201);
  return account;
}

/**
 * On a server of a test's own (startOwnServer): registers and signs in `email`, and generates a
 * key for username "svc" over the REST API. The Bearer token and the key as generated.
 */
export async function accountWithKey(base: string, email: string, keyName: string) {
  const post = (url: string, body: unknown, token?: string) =>
    fetch(base + url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    }).then((r) => r.json());
  const account = { email, password: `${email}-password` };
  await post("/api/auth/register", account);
  const { token } = await post("/api/auth/login", account);
  const key = await post("/api/api-keys/generate", { api_key_name: keyName, user: "svc" }, token);
  return { token: token as string, key: key as { id: number; api_key: string } };
}

/** `npm run admin -- …args` on the shared server's database, as an operator would run it; what it printed. */
export function runAdmin(...args: string[]): string {
  const admin = spawnSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/admin.ts", ...args], {
    env: { ...process.env, DATABASE_URL: `file:${path.join(E2E_DATA_DIR, "e2e.db")}` },
    encoding: "utf8",
  });
  expect(admin.status, admin.stdout + admin.stderr).toBe(0);
  return admin.stdout;
}

export async function signIn(page: Page, account: Account): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/keys$/);
}

/** Generates a key through the dialog and returns the secret shown in the copy-once modal. */
export async function generateKey(page: Page, name: string, user: string): Promise<string> {
  await page.getByRole("button", { name: "Generate New API Key" }).click();
  const dialog = page.getByRole("dialog", { name: "Generate New API Key" });
  await dialog.getByLabel("API Key Name").fill(name);
  await dialog.getByLabel("Username").fill(user);
  await dialog.getByRole("button", { name: "Generate", exact: true }).click();
  const modal = page.getByRole("dialog", { name: "Your new API key" });
  await expect(modal).toBeVisible();
  const secret = await modal.getByLabel("API key").inputValue();
  expect(secret).toMatch(/^sk_live_[0-9A-Za-z]{38}$/);
  return secret;
}

export async function closeNewKeyModal(page: Page): Promise<void> {
  const modal = page.getByRole("dialog", { name: "Your new API key" });
  await modal.getByLabel("I have saved this key").check();
  await modal.getByRole("button", { name: "Close" }).click();
  await expect(modal).toBeHidden();
}

export function callDataApi(request: APIRequestContext, key: string, username: string, id = 123) {
  return request.get(`/api/api-routes-data?id=${id}`, { headers: { "X-API-Key": key, "X-Username": username } });
}

/**
 * A second production server (`npm start`'s path) on its own port, data folder and SQLite file,
 * for tests that need settings the shared one doesn't have. Ready once it answers /api/health
 * (within 90 s). `stop()` sends SIGTERM (SIGKILL if it has not exited within 30 s) and removes
 * the folder once it has exited; `exited` resolves with its exit code.
 */
export async function startOwnServer(
  port: number,
  env: Record<string, string>,
  reuseDir?: string,
  options: { npmStart?: boolean } = {},
) {
  // reuseDir: the data folder of a server started before (a restart on the same database).
  const dir = reuseDir ?? fs.mkdtempSync(path.join(os.tmpdir(), `keyportal-own-${port}-`));
  const dbFile = path.join(dir, "db.sqlite");
  let own: RunningServer;
  try {
    own = await startServer({
      port,
      env: {
        ...process.env,
        DATA_DIR: dir,
        DATABASE_URL: `file:${dbFile}`,
        DEMO_ACCOUNT: "off",
        REDIS_URL: "",
        ...env,
      },
      timeoutMs: 90_000,
      npmStart: options.npmStart,
    });
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const stop = async () => {
    await own.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  // The cookies the tests set and read are for localhost, as NEXTAUTH_URL says by default.
  const base = `http://localhost:${port}`;
  return { base, dir, dbFile, server: own.child, exited: own.exited, output: own.output, stop };
}
