import fs from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import Papa from "papaparse";
import { callDataApi, closeNewKeyModal, generateKey, registerAccount, signIn, type Account } from "./support";

/**
 * Issue 11's feedback, focus and stale-state items: a toast for every action's outcome, focus
 * on a sensible element after each dialog and row change, rows acted on after they were deleted
 * elsewhere, out-of-range pages, the branded 404, the account menu, and the filtered export.
 */

const toast = (page: Page, text: string | RegExp) => page.locator("[data-sonner-toast]").filter({ hasText: text });

async function bearer(page: Page, account: Account): Promise<string> {
  const response = await page.request.post("/api/auth/login", { data: account });
  return (await response.json()).token;
}

test("generate, toggle and delete each end in a toast, with focus where the user was", async ({ page, request }) => {
  const account = await registerAccount(request);
  await signIn(page, account);

  const secret = await generateKey(page, "feedback-key", "feedback_user");
  await closeNewKeyModal(page);
  await expect(toast(page, 'Key "feedback-key" created.')).toBeVisible();
  await expect(page.getByRole("button", { name: "Generate New API Key" })).toBeFocused();

  await page.getByRole("switch", { name: "Active: feedback-key" }).click();
  await page
    .getByRole("dialog", { name: 'Deactivate "feedback-key"?' })
    .getByRole("button", { name: "Deactivate key" })
    .click();
  await expect(toast(page, 'Key "feedback-key" is now inactive.')).toBeVisible();
  await page.getByRole("switch", { name: "Active: feedback-key" }).click();
  await expect(toast(page, 'Key "feedback-key" is now active.')).toBeVisible();

  // Used a moment ago: the delete dialog says which key, and asks for its name.
  expect((await callDataApi(request, secret, "feedback_user")).status()).toBe(200);
  await page.reload();
  await page.getByRole("button", { name: "Delete feedback-key" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete API key?" });
  await expect(dialog).toContainText(`sk_live_${secret.slice(8, 12)}`);
  await expect(dialog.getByText(/Last used/)).toBeVisible();
  await expect(dialog).toContainText(/just now|minute/);
  const confirm = dialog.getByRole("button", { name: "Delete key" });
  await expect(confirm).toBeDisabled();
  const typed = dialog.getByLabel(/Type feedback-key to confirm/);
  await typed.fill("feedback-ke");
  await expect(confirm).toBeDisabled();
  await typed.fill("feedback-key");
  await confirm.click();
  await expect(toast(page, 'Key "feedback-key" deleted.')).toBeVisible();
  await expect(page.getByRole("heading", { name: "API Keys", exact: true })).toBeFocused();
  await expect(page.getByText("No API keys yet")).toBeVisible();
});

test("a key never used is deleted without typing its name", async ({ page, request }) => {
  await signIn(page, await registerAccount(request));
  await generateKey(page, "unused-key", "unused_user");
  await closeNewKeyModal(page);
  await page.getByRole("button", { name: "Delete unused-key" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete API key?" });
  await expect(dialog.getByText("Never")).toBeVisible();
  await expect(dialog.getByRole("textbox")).toHaveCount(0);
  await dialog.getByRole("button", { name: "Delete key" }).click();
  await expect(toast(page, 'Key "unused-key" deleted.')).toBeVisible();
});

test("a row deleted elsewhere goes from the list with a toast, on toggle and on delete", async ({ page, request }) => {
  const account = await registerAccount(request);
  await signIn(page, account);
  for (const name of ["stale-one", "stale-two"]) {
    await generateKey(page, name, "stale_user");
    await closeNewKeyModal(page);
  }
  const token = await bearer(page, account);
  const headers = { authorization: `Bearer ${token}` };
  const { data } = await (await page.request.get("/api/api-keys", { headers })).json();
  const idOf = (name: string) => data.find((k: { api_key_name: string }) => k.api_key_name === name).id;
  const deleteElsewhere = async (name: string) =>
    expect((await page.request.delete(`/api/api-keys/${idOf(name)}`, { headers })).status()).toBe(200);

  await deleteElsewhere("stale-one");
  await page.getByRole("switch", { name: "Active: stale-one" }).click();
  await page
    .getByRole("dialog", { name: 'Deactivate "stale-one"?' })
    .getByRole("button", { name: "Deactivate key" })
    .click();
  await expect(toast(page, 'Key "stale-one" no longer exists: it was deleted elsewhere.')).toBeVisible();
  await expect(page.getByRole("switch", { name: "Active: stale-one" })).toHaveCount(0);
  await expect(page.getByRole("switch", { name: "Active: stale-two" })).toBeVisible();

  await deleteElsewhere("stale-two");

  await page.getByRole("button", { name: "Delete stale-two" }).click();
  await page.getByRole("dialog", { name: "Delete API key?" }).getByRole("button", { name: "Delete key" }).click();
  await expect(toast(page, 'Key "stale-two" no longer exists: it was deleted elsewhere.')).toBeVisible();
  await expect(page.getByRole("dialog", { name: "Delete API key?" })).toBeHidden();
  await expect(page.getByText("No API keys yet")).toBeVisible();
});

test("a page past the end shows the last page, keeping the search", async ({ page, request }) => {
  await signIn(page, await registerAccount(request));
  await generateKey(page, "only-key", "only_user");
  await closeNewKeyModal(page);
  await page.goto("/keys?page=99&q=only");
  await expect(page).toHaveURL(/\/keys\?q=only&page=1$/);
  await expect(page.getByRole("table", { name: "Your API keys" }).locator("tbody tr")).toHaveCount(1);
  await expect(page.getByText("No keys match this search")).toHaveCount(0);
});

test("an unknown page is the portal's 404 with a way back", async ({ page, request }) => {
  await signIn(page, await registerAccount(request));
  const response = await page.goto("/no-such-page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await page.getByRole("link", { name: "Go to your API keys" }).click();
  await expect(page).toHaveURL(/\/keys$/);
});

test("the account menu closes on Escape (focus back on it) and on a click outside", async ({ page, request }) => {
  const account = await registerAccount(request);
  await signIn(page, account);
  const menu = page.locator("summary").filter({ hasText: account.email });
  const signOut = page.getByRole("button", { name: "Sign out", exact: true });
  await menu.click();
  await expect(signOut).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(signOut).toBeHidden();
  await expect(menu).toBeFocused();
  await menu.click();
  await expect(signOut).toBeVisible();
  await page.getByRole("heading", { name: "API Keys", exact: true }).click();
  await expect(signOut).toBeHidden();
});

test("Export applies the list's search and has a BOM; there is none to press with no keys", async ({
  page,
  request,
}, testInfo) => {
  await signIn(page, await registerAccount(request));
  await expect(page.getByRole("link", { name: /Export/ })).toHaveCount(0);
  for (const [name, user] of [
    ["Zürich-billing", "billing_svc"],
    ["reports", "reports_svc"],
  ]) {
    await generateKey(page, name, user);
    await closeNewKeyModal(page);
  }
  await page.getByLabel("Search keys by name or username").fill("billing");
  await page.getByRole("button", { name: "Search" }).click();
  const downloadPromise = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export matching keys (CSV)" }).click();
  const file = testInfo.outputPath("filtered.csv");
  await (await downloadPromise).saveAs(file);
  const csv = fs.readFileSync(file, "utf8");
  expect(csv.startsWith("\uFEFFid,api_key_name,")).toBe(true);
  const rows = Papa.parse<Record<string, string>>(csv.slice(1).trim(), { header: true }).data;
  expect(rows.map((r) => r.api_key_name)).toEqual(["Zürich-billing"]);
});

test("Docs: language tabs by keyboard, and a copy button per example", async ({ page, request, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await signIn(page, await registerAccount(request));
  await page.goto("/docs");
  const tabs = page.getByRole("tablist", { name: "Language" });
  await expect(tabs.getByRole("tab")).toHaveText(["curl", "JavaScript (Node 18+)", "Python", "PHP"]);
  const curl = tabs.getByRole("tab", { name: "curl" });
  await expect(curl).toHaveAttribute("aria-selected", "true");
  await curl.focus();
  await page.keyboard.press("ArrowRight");
  const js = tabs.getByRole("tab", { name: "JavaScript (Node 18+)" });
  await expect(js).toBeFocused();
  await expect(js).toHaveAttribute("aria-selected", "true");
  // The panel these tabs control: the page has others (the gateway's and verify's examples).
  const panel = page.locator(`[id="${await js.getAttribute("aria-controls")}"]`);
  await expect(panel).toContainText("await fetch(");
  await page.keyboard.press("End");
  await expect(tabs.getByRole("tab", { name: "PHP" })).toHaveAttribute("aria-selected", "true");
  await expect(panel).toContainText("curl_init(");

  await panel.getByRole("button", { name: "Copy PHP example" }).click();
  await expect(toast(page, "PHP example copied to the clipboard.")).toBeVisible();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied.startsWith("<?php")).toBe(true);
  expect(copied).toContain("/api/api-routes-data?id=123");
});
