import { spawnSync } from "node:child_process";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { E2E_DATA_DIR } from "../playwright.config";
import { callDataApi, closeNewKeyModal, generateKey, registerAccount, signIn } from "./support";

/** Promotes an account the way an operator would: npm run admin -- set-role. */
function setRole(email: string, role: "operator" | "user") {
  const admin = spawnSync(
    process.execPath,
    ["node_modules/tsx/dist/cli.mjs", "scripts/admin.ts", "set-role", email, role],
    {
      env: { ...process.env, DATABASE_URL: `file:${path.join(E2E_DATA_DIR, "e2e.db")}` },
      encoding: "utf8",
    },
  );
  expect(admin.status, admin.stderr).toBe(0);
}

test("an operator creates, edits and deletes a route from the Routes page; a key reads it at once", async ({
  page,
  request,
}) => {
  const account = await registerAccount(request);
  setRole(account.email, "operator");
  await signIn(page, account);
  const secret = await generateKey(page, "route-reader", "route_reader");
  await closeNewKeyModal(page);

  await page.getByRole("link", { name: "Console" }).click();
  await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Routes" }).click();
  await expect(page.getByRole("heading", { name: "Routes" })).toBeVisible();
  await expect(page.getByRole("cell", { name: "sample", exact: true })).toBeVisible();

  const slug = `inv-${Date.now().toString(36)}`;
  await page.getByRole("button", { name: "New route" }).click();
  const dialog = page.getByRole("dialog", { name: "New route" });
  await dialog.getByLabel("Slug").fill(slug);
  await dialog.getByLabel("Name", { exact: true }).fill("Inventory");
  await dialog.getByLabel("JSON payload").check();
  await dialog.getByLabel("Payload (a JSON object)").fill('{"items": 3}');
  await dialog.getByRole("button", { name: "Create route" }).click();
  await expect(page.getByText('Route "Inventory" created.')).toBeVisible();
  const row = page.getByRole("row").filter({ hasText: slug });
  await expect(row).toBeVisible();
  const id = Number(await row.getByRole("cell").first().innerText());
  const read = await callDataApi(request, secret, "route_reader", id);
  expect(read.status()).toBe(200);
  expect((await read.json()).data.items).toBe(3);

  // The schema's own messages, before any request.
  await row.getByRole("button", { name: "Edit Inventory" }).click();
  const edit = page.getByRole("dialog", { name: 'Edit "Inventory"' });
  await edit.getByLabel("Slug").fill("Not A Slug");
  await edit.getByRole("button", { name: "Save route" }).click();
  await expect(edit.getByText(/Slug must start with a-z/)).toBeVisible();
  await edit.getByLabel("Slug").fill(slug);
  await edit.getByLabel("Payload (a JSON object)").fill('{"items": 4}');
  await edit.getByRole("button", { name: "Save route" }).click();
  await expect(page.getByText('Route "Inventory" saved.')).toBeVisible();
  expect((await (await callDataApi(request, secret, "route_reader", id)).json()).data.items).toBe(4);

  await row.getByRole("button", { name: "Delete Inventory" }).click();
  await page.getByRole("dialog", { name: 'Delete "Inventory"?' }).getByRole("button", { name: "Delete route" }).click();
  await expect(page.getByText('Route "Inventory" deleted.')).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: slug })).toHaveCount(0);
  expect((await callDataApi(request, secret, "route_reader", id)).status()).toBe(404);
});

test("the Routes page does not exist for an account that is not an operator", async ({ page, request }) => {
  const account = await registerAccount(request);
  await signIn(page, account);
  await expect(page.getByRole("link", { name: "Console" })).toHaveCount(0);
  const response = await page.goto("/admin/routes");
  expect(response?.status()).toBe(404);
});
