import { expect, test, type Page } from "@playwright/test";
import { formatDateTime } from "../lib/format/dates";
import { callDataApi, closeNewKeyModal, generateKey, registerAccount, signIn, type Account } from "./support";

/**
 * Issue 21, item 8: the status switch guards two one-click accidents (reactivating a key
 * reported as leaked, deactivating a production key), and every deactivation can be undone.
 */

const toast = (page: Page, text: string) => page.locator("[data-sonner-toast]").filter({ hasText: text });
const statusSwitch = (page: Page, name: string) => page.getByRole("switch", { name: `Active: ${name}` });

async function bearer(page: Page, account: Account): Promise<Record<string, string>> {
  const response = await page.request.post("/api/auth/login", { data: account });
  return { authorization: `Bearer ${(await response.json()).token}` };
}

test("reactivating a key reported as leaked names the report first, and the key page keeps it", async ({
  page,
  request,
}) => {
  const account = await registerAccount(request);
  await signIn(page, account);
  const secret = await generateKey(page, "staging-leaky", "leaky_user");
  await closeNewKeyModal(page);

  expect((await request.post("/api/api-keys/revoke", { data: { api_key: secret } })).status()).toBe(202);
  const audit = await page.request.get("/api/audit-logs?action=key.leak_report", {
    headers: await bearer(page, account),
  });
  const [report] = (await audit.json()).data as Array<{ ip: string; created_at: string }>;
  expect(report.ip).toBeTruthy();
  const reportText = `This key was reported as leaked on ${formatDateTime(report.created_at)} from ${report.ip}.`;

  await page.reload();
  const toggle = statusSwitch(page, "staging-leaky");
  await expect(toggle).toHaveAttribute("aria-checked", "false");
  const dialog = page.getByRole("dialog", { name: 'Reactivate "staging-leaky"?' });

  // Escape cancels; focus starts on Cancel and returns to the switch.
  await toggle.click();
  await expect(dialog).toBeVisible();
  await expect(dialog.getByText(reportText)).toBeVisible();
  await expect(dialog).toContainText("Reactivating it lets whoever holds the leaked secret use it again.");
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(toggle).toBeFocused();
  await expect(toggle).toHaveAttribute("aria-checked", "false");

  // Cancel leaves it inactive, on the server too.
  await toggle.click();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await expect(toggle).toHaveAttribute("aria-checked", "false");
  await page.reload();
  await expect(toggle).toHaveAttribute("aria-checked", "false");
  await expect(page.getByText("Reported leaked", { exact: true })).toBeVisible();
  expect((await callDataApi(request, secret, "leaky_user")).status()).toBe(401);

  // Confirmed from the keyboard: Tab reaches "Reactivate key".
  await toggle.focus();
  await page.keyboard.press("Space");
  await expect(dialog).toBeVisible();
  await page.keyboard.press("Tab");
  await expect(dialog.getByRole("button", { name: "Reactivate key" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(dialog).toBeHidden();
  await expect(toast(page, 'Key "staging-leaky" is now active.')).toBeVisible();
  await expect(toggle).toHaveAttribute("aria-checked", "true");
  expect((await callDataApi(request, secret, "leaky_user")).status()).toBe(200);

  // Active again: the leak banner is gone, the report stays in the key's history.
  await page.getByRole("link", { name: "staging-leaky", exact: true }).click();
  await expect(page.getByRole("heading", { name: "staging-leaky", level: 1 })).toBeVisible();
  await expect(page.getByText("it was deactivated", { exact: false })).toHaveCount(0);
  const history = page.getByRole("region", { name: "Reported as leaked" });
  await expect(history).toBeVisible();
  await expect(history.getByRole("listitem")).toHaveText([`${formatDateTime(report.created_at)}, from ${report.ip}`]);

  // The owner's own deactivation afterwards is not a leak: reactivating it asks nothing.
  const detailToggle = statusSwitch(page, "staging-leaky");
  await detailToggle.click();
  await expect(toast(page, 'Key "staging-leaky" is now inactive.')).toBeVisible();
  await detailToggle.click();
  await expect(dialog).toBeHidden();
  await expect(detailToggle).toHaveAttribute("aria-checked", "true");
  await expect(history).toBeVisible();
});

test("deactivating a production key asks first; a staging key's does not", async ({ page, request }) => {
  await signIn(page, await registerAccount(request));
  const production = await generateKey(page, "prod-payments", "payments_user");
  await closeNewKeyModal(page);
  const staging = await generateKey(page, "staging-payments", "payments_user");
  await closeNewKeyModal(page);

  const prodToggle = statusSwitch(page, "prod-payments");
  const dialog = page.getByRole("dialog", { name: 'Deactivate "prod-payments"?' });
  await prodToggle.click();
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText("prod-payments is a production key. Calls with it will fail with 401 at once");
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(prodToggle).toHaveAttribute("aria-checked", "true");
  expect((await callDataApi(request, production, "payments_user")).status()).toBe(200);

  await prodToggle.click();
  await dialog.getByRole("button", { name: "Deactivate key" }).click();
  await expect(dialog).toBeHidden();
  await expect(toast(page, 'Key "prod-payments" is now inactive.')).toBeVisible();
  await expect(prodToggle).toHaveAttribute("aria-checked", "false");
  expect((await callDataApi(request, production, "payments_user")).status()).toBe(401);

  // Reactivating a production key (not reported) needs no confirmation.
  await prodToggle.click();
  await expect(toast(page, 'Key "prod-payments" is now active.')).toBeVisible();
  await expect(prodToggle).toHaveAttribute("aria-checked", "true");

  const stagingToggle = statusSwitch(page, "staging-payments");
  await stagingToggle.click();
  await expect(toast(page, 'Key "staging-payments" is now inactive.')).toBeVisible();
  await expect(page.getByRole("dialog")).toHaveCount(0);
  await expect(stagingToggle).toHaveAttribute("aria-checked", "false");
  expect((await callDataApi(request, staging, "payments_user")).status()).toBe(401);
});

test("a deactivation's toast has Undo, which reactivates the key", async ({ page, request }) => {
  await signIn(page, await registerAccount(request));
  const secret = await generateKey(page, "dev-undo", "undo_user");
  await closeNewKeyModal(page);
  const toggle = statusSwitch(page, "dev-undo");

  await toggle.click();
  const deactivated = toast(page, 'Key "dev-undo" is now inactive.');
  await expect(deactivated).toBeVisible();
  await expect(toggle).toHaveAttribute("aria-checked", "false");
  expect((await callDataApi(request, secret, "undo_user")).status()).toBe(401);
  await deactivated.getByRole("button", { name: "Undo" }).click();
  await expect(toast(page, 'Key "dev-undo" is now active.')).toBeVisible();
  await expect(toggle).toHaveAttribute("aria-checked", "true");
  expect((await callDataApi(request, secret, "undo_user")).status()).toBe(200);
  await page.reload();
  await expect(toggle).toHaveAttribute("aria-checked", "true");

  // In a list of active keys the row leaves at once; Undo still works, and brings it back.
  await page.goto("/keys?status=active");
  await toggle.click();
  await expect(toggle).toHaveCount(0);
  await toast(page, 'Key "dev-undo" is now inactive.').getByRole("button", { name: "Undo" }).click();
  await expect(toast(page, 'Key "dev-undo" is now active.')).toBeVisible();
  await expect(toggle).toHaveAttribute("aria-checked", "true");
  expect((await callDataApi(request, secret, "undo_user")).status()).toBe(200);

  // A production key's deactivation, confirmed in its dialog, undoes without asking again.
  await page.getByRole("link", { name: "dev-undo", exact: true }).click();
  await expect(page.getByRole("heading", { name: "dev-undo", level: 1 })).toBeVisible();
  await page.getByLabel("Environment").selectOption("production");
  await page.getByRole("button", { name: "Save access" }).click();
  await expect(toast(page, "Access saved")).toBeVisible();
  await page.reload();
  await toggle.click();
  await page
    .getByRole("dialog", { name: 'Deactivate "dev-undo"?' })
    .getByRole("button", { name: "Deactivate key" })
    .click();
  await toast(page, 'Key "dev-undo" is now inactive.').getByRole("button", { name: "Undo" }).click();
  await expect(toast(page, 'Key "dev-undo" is now active.')).toBeVisible();
  await expect(page.getByRole("dialog")).toHaveCount(0);
  await expect(toggle).toHaveAttribute("aria-checked", "true");
  expect((await callDataApi(request, secret, "undo_user")).status()).toBe(200);
});
