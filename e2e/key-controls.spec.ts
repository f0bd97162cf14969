import path from "node:path";
import Database from "better-sqlite3";
import { expect, test, type Page } from "@playwright/test";
import { E2E_DATA_DIR } from "../playwright.config";
import { callDataApi, closeNewKeyModal, generateKey, registerAccount, signIn } from "./support";

const toast = (page: Page, text: string) => page.locator("[data-sonner-toast]").filter({ hasText: text });
const row = (page: Page, name: string) =>
  page
    .getByRole("table", { name: "Your API keys" })
    .locator("tbody tr")
    .filter({ has: page.getByRole("link", { name, exact: true }) });

/** Makes a key look `days` old, in the shared server's database (as a key created then would be). */
function backdate(keyName: string, days: number) {
  const db = new Database(path.join(E2E_DATA_DIR, "e2e.db"));
  try {
    db.pragma("busy_timeout = 5000");
    const current = db.prepare("SELECT id, created_at FROM api_keys WHERE name = ? ORDER BY id DESC").get(keyName) as {
      id: number;
      created_at: number | string;
    };
    const then = Date.now() - days * 86_400_000;
    // The same storage form Prisma used for the row: epoch milliseconds or ISO text.
    const value = typeof current.created_at === "number" ? then : new Date(then).toISOString();
    db.prepare("UPDATE api_keys SET created_at = ? WHERE id = ?").run(value, current.id);
  } finally {
    db.close();
  }
}

test("the generate dialog limits a key: environment from the name, one route, an IP allow-list", async ({
  page,
  request,
}) => {
  await signIn(page, await registerAccount(request));
  await page.getByRole("button", { name: "Generate New API Key" }).click();
  const dialog = page.getByRole("dialog", { name: "Generate New API Key" });
  await dialog.getByLabel("API Key Name").fill("dev-scoped");
  await expect(dialog.getByLabel("Environment")).toHaveValue("development");
  await dialog.getByLabel("Username").fill("scoped_user");
  await dialog.getByText("Limit what this key can do (optional)").click();
  await dialog.getByRole("checkbox", { name: /^125 · / }).check();
  const ips = dialog.getByLabel("Allowed IP addresses");
  await ips.fill("not-an-ip");
  await dialog.getByRole("button", { name: "Generate", exact: true }).click();
  await expect(
    dialog.getByText('Allowed IP addresses: entry 1 ("not-an-ip") is not an IP address or CIDR range'),
  ).toBeVisible();
  // The test's requests come from this machine, over IPv4 or IPv6.
  await ips.fill("127.0.0.1\n::1");
  await dialog.getByRole("button", { name: "Generate", exact: true }).click();
  const modal = page.getByRole("dialog", { name: "Your new API key" });
  const secret = await modal.getByLabel("API key").inputValue();
  await closeNewKeyModal(page);

  const scoped = row(page, "dev-scoped");
  for (const text of ["development", "Route 125", "2 IP ranges"])
    await expect(scoped.getByText(text, { exact: true })).toBeVisible();
  expect((await callDataApi(request, secret, "scoped_user", 125)).status()).toBe(200);
  const outside = await callDataApi(request, secret, "scoped_user", 123);
  expect(outside.status()).toBe(403);
  expect(await outside.json()).toEqual({ success: false, message: "Insufficient permissions" });

  // Widened on the key's page: the very next call sees it.
  await page.getByRole("link", { name: "dev-scoped" }).click();
  await page.getByRole("checkbox", { name: /^125 · / }).uncheck();
  await page.getByRole("button", { name: "Save access" }).click();
  await expect(toast(page, "Access saved")).toBeVisible();
  expect((await callDataApi(request, secret, "scoped_user", 123)).status()).toBe(200);
});

test("rotate with a grace period: a new key shown once, the old one working until the grace ends", async ({
  page,
  request,
}) => {
  await signIn(page, await registerAccount(request));
  const old = await generateKey(page, "prod-billing", "billing_user");
  await closeNewKeyModal(page);

  const rotate = page.getByRole("button", { name: "Rotate prod-billing" });
  await rotate.click();
  const dialog = page.getByRole("dialog", { name: 'Rotate "prod-billing"' });
  await dialog.getByRole("radio", { name: /In 1 hour/ }).check();
  await dialog.getByRole("button", { name: "Rotate key" }).click();
  const modal = page.getByRole("dialog", { name: "Your new API key" });
  const fresh = await modal.getByLabel("API key").inputValue();
  expect(fresh).toMatch(/^sk_live_/);
  expect(fresh).not.toBe(old);
  await closeNewKeyModal(page);
  await expect(toast(page, 'Key "prod-billing" rotated.')).toBeVisible();
  await expect(page.getByRole("heading", { name: "API Keys" })).toBeFocused();

  // Two rows with the name: the new key, and the outgoing one with its expiry and no Rotate.
  const rows = row(page, "prod-billing");
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(1).getByText(/^Expires in (59 minutes|1 hour)$/)).toBeVisible();
  await expect(rows.nth(1).getByText("Replaced by rotation")).toBeVisible();
  await expect(rows.nth(1).getByRole("button", { name: "Rotate prod-billing" })).toHaveCount(0);
  expect((await callDataApi(request, old, "billing_user")).status()).toBe(200);
  expect((await callDataApi(request, fresh, "billing_user")).status()).toBe(200);
});

test("a key past its rotation schedule is marked due, with a one-click Rotate", async ({ page, request }) => {
  await signIn(page, await registerAccount(request));
  const old = await generateKey(page, "dev-laptop", "laptop_user");
  await closeNewKeyModal(page);
  await expect(row(page, "dev-laptop").getByText("Rotation due")).toHaveCount(0);

  backdate("dev-laptop", 31); // development keys: every 30 days
  await page.reload();
  await expect(row(page, "dev-laptop").getByText("Rotation due")).toBeVisible();

  await page.getByRole("button", { name: "Rotate dev-laptop" }).click();
  const dialog = page.getByRole("dialog", { name: 'Rotate "dev-laptop"' });
  await dialog.getByRole("radio", { name: /Immediately/ }).check();
  await dialog.getByRole("button", { name: "Rotate key" }).click();
  const fresh = await page.getByRole("dialog", { name: "Your new API key" }).getByLabel("API key").inputValue();
  await closeNewKeyModal(page);
  await expect(row(page, "dev-laptop").first().getByText("Rotation due")).toHaveCount(0);
  await expect(row(page, "dev-laptop").nth(1).getByText("Expired", { exact: true })).toBeVisible();
  expect((await callDataApi(request, old, "laptop_user")).status()).toBe(401);
  expect((await callDataApi(request, fresh, "laptop_user")).status()).toBe(200);
});

test("the audit page lists key actions with their address and filters them", async ({ page, request }) => {
  await signIn(page, await registerAccount(request));
  await generateKey(page, "audited-key", "audit_user");
  await closeNewKeyModal(page);
  await page.getByRole("switch", { name: "Active: audited-key" }).click();
  // A production key (no environment prefix): its deactivation is confirmed first.
  await page
    .getByRole("dialog", { name: 'Deactivate "audited-key"?' })
    .getByRole("button", { name: "Deactivate key" })
    .click();
  await expect(toast(page, "is now inactive")).toBeVisible();

  await page.getByRole("link", { name: "Audit", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
  const table = page.getByRole("table", { name: "Audit log entries, newest first" });
  await expect(table.locator("tbody tr")).toHaveCount(3); // sign-in, generate, status
  await expect(table.locator("tbody tr").first()).toContainText("Key status changed");
  await expect(table.locator("tbody tr").first()).toContainText("active → inactive");
  await expect(table.locator("tbody tr").first()).toContainText("You, in the portal");
  await expect(table).toContainText("Signed in");

  await page.getByLabel("Action").selectOption({ label: "Key generated" });
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/action=key.generate/);
  await expect(table.locator("tbody tr")).toHaveCount(1);
  await expect(table).toContainText("audited-key");
});
