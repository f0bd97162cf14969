import { expect, test } from "@playwright/test";
import { closeNewKeyModal, generateKey, registerAccount, signIn } from "./support";

test.beforeEach(async ({ page, request }) => {
  await signIn(page, await registerAccount(request));
});

test("the generate dialog shows the shared schema's validation errors", async ({ page }) => {
  await page.getByRole("button", { name: "Generate New API Key" }).click();
  const dialog = page.getByRole("dialog", { name: "Generate New API Key" });
  await dialog.getByRole("button", { name: "Generate", exact: true }).click();
  await expect(dialog.getByText("API Key Name must not be empty")).toBeVisible();
  await expect(dialog.getByText("Username must not be empty")).toBeVisible();
  await expect(dialog.getByLabel("API Key Name")).toHaveAttribute("aria-invalid", "true");

  await dialog.getByLabel("API Key Name").fill("x".repeat(101));
  await dialog.getByLabel("Username").fill("has spaces");
  await dialog.getByRole("button", { name: "Generate", exact: true }).click();
  await expect(dialog.getByText("API Key Name must be 1–100 characters")).toBeVisible();
  await expect(dialog.getByText("Username may contain only letters, digits, '.', '_', '@' and '-'")).toBeVisible();

  // Escape cancels: nothing was created.
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(page.getByText("0 of 2 keys on Free")).toBeVisible();
});

test("at 2 keys on Free, Generate is disabled and explained", async ({ page }) => {
  for (const n of [1, 2]) {
    await generateKey(page, `limit-key-${n}`, "limit_user");
    await closeNewKeyModal(page);
  }
  await expect(page.getByText("2 of 2 keys on Free")).toBeVisible();
  const generate = page.getByRole("button", { name: "Generate New API Key" });
  await expect(generate).toBeDisabled();
  await expect(page.getByText("Your Free plan allows 2 keys. Delete one to generate another.")).toBeVisible();
  await expect(generate).toHaveAccessibleDescription("Your Free plan allows 2 keys. Delete one to generate another.");
});

test("a key name with markup renders as text", async ({ page }) => {
  let dialogs = 0;
  page.on("dialog", async (dialog) => {
    dialogs += 1;
    await dialog.dismiss();
  });
  const name = "<img src=x onerror=alert(1)>";
  await generateKey(page, name, "xss_user");
  await expect(page.getByRole("dialog", { name: "Your new API key" }).getByText(name)).toBeVisible();
  await closeNewKeyModal(page);
  await expect(page.getByRole("link", { name, exact: true })).toBeVisible();
  await expect(page.locator("img[src=x]")).toHaveCount(0);
  expect(dialogs).toBe(0);
});

test("generate, copy and close with the keyboard alone", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const generate = page.getByRole("button", { name: "Generate New API Key" });
  await generate.focus();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "Generate New API Key" });
  await expect(dialog.getByLabel("API Key Name")).toBeFocused();
  await page.keyboard.type("keyboard-only-key");
  await page.keyboard.press("Tab");
  await expect(dialog.getByLabel("Username")).toBeFocused();
  await page.keyboard.type("kb_user");
  await page.keyboard.press("Enter"); // submits the form

  const modal = page.getByRole("dialog", { name: "Your new API key" });
  await expect(modal).toBeVisible();
  const secret = await modal.getByLabel("API key").inputValue();
  // Focus Copy and press Enter.
  await modal.getByRole("button", { name: "Copy" }).focus();
  await page.keyboard.press("Enter");
  await expect(modal.getByText("Copied to the clipboard.")).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
  // Escape does not dismiss an unsaved key, not even twice (Chromium lets a page refuse only
  // one Escape per user activation; the dialog reopens itself).
  await page.keyboard.press("Escape");
  await expect(modal).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(modal).toBeVisible();
  await expect(modal.getByLabel("API key")).toHaveValue(secret);
  await modal.getByRole("button", { name: "Copy" }).focus(); // reopening moved focus to the first field
  await page.keyboard.press("Tab");
  await expect(modal.getByLabel("I have saved this key")).toBeFocused();
  await page.keyboard.press("Space");
  await page.keyboard.press("Tab");
  await expect(modal.getByRole("button", { name: "Close" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(modal).toBeHidden();
  await expect(page.getByRole("link", { name: "keyboard-only-key", exact: true })).toBeVisible();

  // The switch works from the keyboard too, its confirmation (a production key) included.
  const toggle = page.getByRole("switch", { name: "Active: keyboard-only-key" });
  await toggle.focus();
  await page.keyboard.press("Space");
  const confirm = page.getByRole("dialog", { name: 'Deactivate "keyboard-only-key"?' });
  await expect(confirm.getByRole("button", { name: "Cancel" })).toBeFocused();
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await expect(toggle).toHaveAttribute("aria-checked", "false");
});

test("leaving the page while the new key is shown asks for confirmation", async ({ page }) => {
  await generateKey(page, "unload-key", "unload_user");
  const prompts: string[] = [];
  page.on("dialog", async (dialog) => {
    prompts.push(dialog.type());
    await dialog.dismiss(); // stay on the page
  });
  // Not awaited: a dismissed beforeunload cancels the navigation, so reload() never settles.
  void page.reload().catch(() => undefined);
  await expect.poll(() => prompts).toEqual(["beforeunload"]);
  await expect(page.getByRole("dialog", { name: "Your new API key" })).toBeVisible();
});

test("a failed status change reverts the switch with a message", async ({ page }) => {
  await generateKey(page, "revert-key", "revert_user");
  await closeNewKeyModal(page);
  const toggle = page.getByRole("switch", { name: "Active: revert-key" });
  // The next server action's request fails (aborted in the browser).
  await page.route("**/keys", (route) => (route.request().method() === "POST" ? route.abort() : route.continue()));
  await toggle.click();
  await page
    .getByRole("dialog", { name: 'Deactivate "revert-key"?' })
    .getByRole("button", { name: "Deactivate key" })
    .click();
  // Beside the switch, and as a toast.
  const message = "Could not reach the server; the status was not changed.";
  await expect(page.getByRole("row", { name: /revert-key/ }).getByText(message)).toBeVisible();
  await expect(page.locator("[data-sonner-toast]").filter({ hasText: message })).toBeVisible();
  await expect(toggle).toHaveAttribute("aria-checked", "true");
});
