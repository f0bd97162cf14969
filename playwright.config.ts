import os from "node:os";
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";

const PORT = Number(process.env.E2E_PORT ?? 3100);
export const E2E_DATA_DIR = path.join(os.tmpdir(), `keyportal-e2e-${PORT}`);
export const DEMO = { email: "demo@example.com", password: "demo-password-e2e" };

// Debian's Chromium: Playwright's own browser download cannot work offline.
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results/e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  reporter: [["list"]],
  use: {
    baseURL: `http://localhost:${PORT}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          executablePath: CHROMIUM,
          args: [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
          ],
        },
      },
    },
  ],
  // The real production start path: migrate, seed the demo account, build if needed, serve.
  webServer: {
    command: "node scripts/start.mjs",
    url: `http://localhost:${PORT}/login`,
    timeout: 300_000,
    reuseExistingServer: false,
    stdout: "pipe",
    env: {
      PORT: String(PORT),
      DATA_DIR: E2E_DATA_DIR,
      DATABASE_URL: `file:${path.join(E2E_DATA_DIR, "e2e.db")}`,
      DEMO_EMAIL: DEMO.email,
      DEMO_PASSWORD: DEMO.password,
      NEXT_TELEMETRY_DISABLED: "1",
      // Every test signs up its own account from 127.0.0.1.
      SIGNUPS_PER_IP_PER_HOUR: "1000000",
      // One instance on SQLite, whatever the shell exports.
      REDIS_URL: "",
      // e2e/webhooks.spec.ts delivers to a receiver on 127.0.0.1 (refused without this).
      WEBHOOK_ALLOW_PRIVATE: "true",
    },
  },
});
