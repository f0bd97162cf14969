import { spawnSync } from "node:child_process";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { E2E_DATA_DIR } from "../playwright.config";
import { registerAccount, signIn } from "./support";

test("the keys table pages and searches once there is more than a page", async ({ page, request }) => {
  const account = await registerAccount(request);
  // Professional allows 10 keys... Enterprise is needed for 12: set it the way an operator would.
  const admin = spawnSync(
    process.execPath,
    ["node_modules/tsx/dist/cli.mjs", "scripts/admin.ts", "set-plan", account.email, "enterprise"],
    {
      env: { ...process.env, DATABASE_URL: `file:${path.join(E2E_DATA_DIR, "e2e.db")}` },
      encoding: "utf8",
    },
  );
  expect(admin.status, admin.stderr).toBe(0);
  const { token } = await (await request.post("/api/auth/login", { data: account })).json();
  for (let i = 1; i <= 12; i++) {
    const name = `page-key-${String(i).padStart(2, "0")}`;
    const created = await request.post("/api/api-keys/generate", {
      data: { api_key_name: name, user: "pager" },
      headers: { authorization: `Bearer ${token}` },
    });
    expect(created.status()).toBe(201);
  }

  await signIn(page, account);
  await expect(page.getByText("12 keys on Enterprise (no limit)")).toBeVisible();
  const rows = page.getByRole("table", { name: "Your API keys" }).locator("tbody tr");
  await expect(rows).toHaveCount(10);
  await expect(page.getByText("Page 1 of 2")).toBeVisible();
  await page.getByRole("link", { name: "Next" }).click();
  await expect(page.getByText("Page 2 of 2")).toBeVisible();
  await expect(rows).toHaveCount(2);
  await expect(rows.first()).toContainText("page-key-02"); // newest first: 12 … 03 on page 1

  await page.getByLabel("Search keys by name or username").fill("key-07");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("page-key-07");
  await expect(page.getByRole("navigation", { name: "Pagination" })).toHaveCount(0);
});
