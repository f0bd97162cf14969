import { expect, test, type Page } from "@playwright/test";
import { callDataApi, closeNewKeyModal, generateKey, registerAccount, signIn } from "./support";

const toast = (page: Page, text: string) => page.locator("[data-sonner-toast]").filter({ hasText: text });

test("a key's own page: details, rename (names unique, case aside), its calls, and delete", async ({
  page,
  request,
}) => {
  await signIn(page, await registerAccount(request));
  const secret = await generateKey(page, "detail-key", "detail_user");
  await closeNewKeyModal(page);
  await generateKey(page, "other-key", "other_user");
  await closeNewKeyModal(page);
  expect((await callDataApi(request, secret, "detail_user")).status()).toBe(200);

  await page.getByRole("link", { name: "detail-key" }).click();
  await expect(page).toHaveURL(/\/keys\/\d+$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("detail-key");
  await expect(page.getByText(`sk_live_${secret.slice(8, 12)}`)).toBeVisible();
  await expect(page.getByRole("switch", { name: "Active: detail-key" })).toHaveAttribute("aria-checked", "true");
  await expect(page.getByRole("img", { name: /1 calls in the last 7 days: 1 successful/ })).toBeVisible();
  const calls = page.getByRole("table", { name: "Latest calls with this key" });
  await expect(calls.locator("tbody tr")).toHaveCount(1);
  await expect(calls).toContainText("200");

  const name = page.getByLabel("Name", { exact: true });
  await name.fill("OTHER-KEY");
  await page.getByRole("button", { name: "Rename" }).click();
  await expect(page.getByText('An API key named "OTHER-KEY" already exists in this account')).toBeVisible();
  await expect(name).toHaveAttribute("aria-invalid", "true");
  await name.fill("detail-key-renamed");
  await page.getByRole("button", { name: "Rename" }).click();
  await expect(toast(page, 'Key renamed to "detail-key-renamed".')).toBeVisible();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("detail-key-renamed");
  // The key still works under its new name.
  expect((await callDataApi(request, secret, "detail_user")).status()).toBe(200);

  await page.getByRole("button", { name: "Delete detail-key-renamed" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete API key?" });
  await dialog.getByLabel(/Type detail-key-renamed to confirm/).fill("detail-key-renamed");
  await dialog.getByRole("button", { name: "Delete key" }).click();
  await expect(page).toHaveURL(/\/keys$/);
  await expect(toast(page, 'Key "detail-key-renamed" deleted.')).toBeVisible();
  await expect(page.getByRole("link", { name: "other-key" })).toBeVisible();
  expect((await callDataApi(request, secret, "detail_user")).status()).toBe(401);
});

test("another account's key page, or an unknown one, is the 404", async ({ page, request }) => {
  await signIn(page, await registerAccount(request));
  for (const path of ["/keys/999999999", "/keys/abc"]) {
    const response = await page.goto(path);
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  }
});
