import { expect, test } from "@playwright/test";
import { callDataApi, closeNewKeyModal, generateKey, registerAccount, signIn } from "./support";

test("the plan page shows the plan, keys used, requests this hour and retention", async ({
  page,
  request,
}, testInfo) => {
  await signIn(page, await registerAccount(request));
  const secret = await generateKey(page, "plan-key", "plan_user");
  await closeNewKeyModal(page);
  for (let i = 0; i < 3; i++) expect((await callDataApi(request, secret, "plan_user")).status()).toBe(200);

  await page.getByRole("link", { name: "Plan", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Plan", exact: true })).toBeVisible();
  const fact = (term: string) => page.locator("dt", { hasText: term }).locator("xpath=following-sibling::dd[1]");
  await expect(fact("Plan")).toHaveText("Free");
  await expect(fact("API keys").first()).toHaveText("1 of 2");
  await expect(fact("Requests this hour").first()).toContainText("3 of 60");
  await expect(fact("Usage log retention")).toHaveText("30 days");
  await expect(page.getByRole("meter", { name: "Requests this hour" })).toHaveAttribute("aria-valuenow", "3");
  await expect(page.getByRole("meter", { name: "API keys" })).toHaveAttribute("aria-valuetext", "1 of 2");
  await expect(page.getByText(/The window turns at \d{4}-\d{2}-\d{2} \d{2}:00 UTC/)).toBeVisible();
  await expect(page.getByRole("row", { name: /Professional 10 5,000\/hour 90 days/ })).toBeVisible();
  // End users see no admin commands.
  await expect(page.getByText("npm run admin")).toHaveCount(0);

  // Working hours: validated inline, then saved; the zone is picked from the IANA list.
  await page.getByLabel("Start hour").fill("24");
  await page.getByRole("button", { name: "Save working hours" }).click();
  await expect(page.getByText(/^Start hour must be/)).toBeVisible();
  await page.getByLabel("Start hour").fill("9");
  await page.getByLabel("Time zone").selectOption("Europe/Paris");
  await page.getByRole("button", { name: "Save working hours" }).click();
  await expect(page.getByText("Working hours saved.")).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Time zone")).toHaveValue("Europe/Paris");
  // Times across the portal follow it.
  await expect(page.getByText(/The window turns at \d{4}-\d{2}-\d{2} \d{2}:00 GMT\+[12]/)).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("plan.png"), fullPage: true });
});

test("the usage page shows alerts: a burst of failed authentication", async ({ page, request }, testInfo) => {
  await signIn(page, await registerAccount(request));
  const secret = await generateKey(page, "burst-key", "burst_user");
  await closeNewKeyModal(page);
  for (let i = 0; i < 10; i++) expect((await callDataApi(request, secret, "wrong_user")).status()).toBe(401);

  await page.goto("/usage?range=24h");
  const alerts = page.getByRole("region", { name: /Alerts/ });
  await expect(page.getByRole("heading", { name: /^Alerts \([12]\)$/ })).toBeVisible(); // + off-hours, depending on the clock
  await expect(alerts.getByRole("listitem").filter({ hasText: "Failed auth" })).toHaveText(
    /Failed auth\s*10 failed authentication attempts within 10 minutes .* with key "burst-key"/,
  );
  await expect(
    page.getByText("Failed authentication", { exact: true }).locator("xpath=following-sibling::dd[1]"),
  ).toHaveText("10");
  await page.screenshot({ path: testInfo.outputPath("usage-alerts.png"), fullPage: true });
});
