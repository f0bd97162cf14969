import fs from "node:fs";
import Papa from "papaparse";
import { expect, test, type Page } from "@playwright/test";
import { callDataApi, closeNewKeyModal, generateKey } from "./support";

test.use({ permissions: ["clipboard-read", "clipboard-write"] });

/** Resolves when the portal's server action (a POST to the page) has answered. */
function serverAction(page: Page) {
  return page.waitForResponse((response) => response.request().method() === "POST" && response.url().includes("/keys"));
}

test("the whole journey: register, generate, call, toggle, export, delete, usage, sign out", async ({
  page,
  request,
}, testInfo) => {
  const email = `journey-${Date.now()}@example.com`;
  const password = "journey-password-1";

  // Register through the portal: it signs the new account in and lands on the keys page.
  await page.goto("/register");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/keys$/);
  await expect(page.getByRole("heading", { name: "No API keys yet" })).toBeVisible();

  // Sign out and back in, as a returning user would.
  await page.getByText(email).click();
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/keys$/);

  // Generate: the copy-once modal; Copy writes the key to the clipboard.
  const secret = await generateKey(page, "journey-server-2025-01", "journey_user");
  const modal = page.getByRole("dialog", { name: "Your new API key" });
  await modal.getByRole("button", { name: "Copy" }).click();
  await expect(modal.getByText("Copied to the clipboard.")).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
  await expect(modal.getByRole("button", { name: "Close" })).toBeDisabled();
  await closeNewKeyModal(page);
  // The secret is gone from the page once the modal closes.
  await expect(page.locator("body")).not.toContainText(secret);
  await expect(page.getByText("1 of 2 keys on Free")).toBeVisible();

  expect((await callDataApi(request, secret, "journey_user")).status()).toBe(200);

  // Deactivate in the UI: the very next call is refused.
  const toggle = page.getByRole("switch", { name: "Active: journey-server-2025-01" });
  await expect(toggle).toHaveAttribute("aria-checked", "true");
  const deactivated = serverAction(page);
  await toggle.click();
  // A production key (no environment prefix): deactivating it is confirmed first.
  await page
    .getByRole("dialog", { name: 'Deactivate "journey-server-2025-01"?' })
    .getByRole("button", { name: "Deactivate key" })
    .click();
  await deactivated;
  await expect(toggle).toHaveAttribute("aria-checked", "false");
  expect((await callDataApi(request, secret, "journey_user")).status()).toBe(401);
  await Promise.all([serverAction(page), toggle.click()]);
  await expect(toggle).toHaveAttribute("aria-checked", "true");
  expect((await callDataApi(request, secret, "journey_user")).status()).toBe(200);

  // Export: the downloaded CSV holds the key's row and no secret.
  const downloadPromise = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export CSV" }).click();
  const download = await downloadPromise;
  const csvPath = testInfo.outputPath("keys.csv");
  await download.saveAs(csvPath);
  const csv = fs.readFileSync(csvPath, "utf8");
  expect(csv).not.toContain(secret);
  expect(csv).not.toContain(secret.slice(8, 20));
  // The portal's file starts with a UTF-8 byte order mark, for Excel.
  expect(csv.charCodeAt(0)).toBe(0xfeff);
  const rows = Papa.parse<Record<string, string>>(csv.slice(1).trim(), { header: true }).data;
  expect(rows.map((r) => [r.api_key_name, r.user, r.status])).toEqual([
    ["journey-server-2025-01", "journey_user", "active"],
  ]);

  // Delete behind the confirmation dialog; access ends at once.
  await page.getByRole("button", { name: "Delete journey-server-2025-01" }).click();
  const confirm = page.getByRole("dialog", { name: "Delete API key?" });
  await expect(confirm).toContainText("journey-server-2025-01");
  await expect(confirm).toContainText("Deletion is permanent and will immediately revoke access");
  // Used a moment ago, so the dialog asks for the key's name first.
  await confirm.getByLabel(/Type journey-server-2025-01 to confirm/).fill("journey-server-2025-01");
  await confirm.getByRole("button", { name: "Delete key" }).click();
  await expect(page.getByRole("heading", { name: "No API keys yet" })).toBeVisible();
  expect((await callDataApi(request, secret, "journey_user")).status()).toBe(401);

  // Usage shows those calls, the one made with the deleted key included.
  await page.getByRole("link", { name: "Usage" }).click();
  await expect(page).toHaveURL(/\/usage/);
  const table = page.getByRole("table", { name: "Usage log, newest first" });
  await expect(table.getByRole("row").filter({ hasText: "journey-server-2025-01" })).toHaveCount(4);
  await expect(
    table.getByRole("row").filter({ has: page.getByRole("cell", { name: "401", exact: true }) }),
  ).toHaveCount(2);
  await expect(
    table.getByRole("row").filter({ has: page.getByRole("cell", { name: "200", exact: true }) }),
  ).toHaveCount(2);
  await page.getByLabel("Status").selectOption("failed");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(table.getByRole("row").filter({ hasText: "journey-server-2025-01" })).toHaveCount(2);
  // The chart follows the same filter.
  await expect(page.getByRole("img", { name: /^2 calls in the last 7 days: 0 successful, 2 failed/ })).toBeVisible();

  await page.getByText(email).click();
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto("/keys");
  await expect(page).toHaveURL(/\/login/);
});
