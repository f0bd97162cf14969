import AxeBuilder from "@axe-core/playwright";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { callDataApi, registerAccount, runAdmin, signIn, type Account } from "./support";

// The operator's console (issue 25): find an organization by a member's email, suspend and
// restore it, change its plan, each effective at the key's next call and in the owner's audit log.

async function bearer(request: APIRequestContext, account: Account): Promise<string> {
  const response = await request.post("/api/auth/login", { data: account });
  expect(response.status()).toBe(200);
  return (await response.json()).token;
}

/** An owner with one key (through REST), and an operator signed in to the portal. */
async function setUp(page: Page, request: APIRequestContext) {
  const owner = await registerAccount(request);
  const token = await bearer(request, owner);
  const generated = await request.post("/api/api-keys/generate", {
    headers: { Authorization: `Bearer ${token}` },
    data: { api_key_name: "console-key", user: "console_user" },
  });
  expect(generated.status()).toBe(201);
  const key: string = (await generated.json()).api_key;
  const operator = await registerAccount(request);
  runAdmin("set-role", operator.email, "operator");
  await signIn(page, operator);
  return { owner, operator, key };
}

async function openOrganization(page: Page, ownerEmail: string) {
  await page.getByRole("link", { name: "Console" }).click();
  await expect(page.getByRole("heading", { name: "Operator console" })).toBeVisible();
  await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Organizations" }).click();
  await page.getByLabel("Name, member email or username").fill(ownerEmail);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByText("1 organization", { exact: true })).toBeVisible();
  const row = page.getByRole("row").filter({ hasText: ownerEmail });
  await row.getByRole("link").first().click();
  await expect(page.getByRole("heading", { name: "Subscription and plan" })).toBeVisible();
}

test("an operator finds an organization by a member's email, suspends, restores and re-plans it", async ({
  page,
  request,
  browser,
}) => {
  test.setTimeout(120_000);
  const { owner, operator, key } = await setUp(page, request);
  expect((await callDataApi(request, key, "console_user")).headers()["x-ratelimit-limit"]).toBe("60");
  await openOrganization(page, owner.email);
  const name = (await page.getByRole("heading", { level: 1 }).innerText()).trim();

  // Suspending asks for the operator's password again; a wrong one changes nothing.
  await page.getByRole("button", { name: "Suspend" }).click();
  const suspend = page.getByRole("dialog", { name: `Suspend ${name}?` });
  await suspend.getByLabel("Your password").fill("not-my-password");
  await suspend.getByRole("button", { name: "Suspend" }).click();
  await expect(suspend.getByText("That password is not right; nothing was changed")).toBeVisible();
  expect((await callDataApi(request, key, "console_user")).status()).toBe(200);
  await suspend.getByLabel("Your password").fill(operator.password);
  await suspend.getByRole("button", { name: "Suspend" }).click();
  await expect(page.getByText(`${name} is suspended.`)).toBeVisible();
  const refused = await callDataApi(request, key, "console_user");
  expect(refused.status()).toBe(403);
  expect(await refused.json()).toEqual({ success: false, message: "Insufficient permissions" });

  await page.getByRole("button", { name: "Restore" }).click();
  await page
    .getByRole("dialog", { name: `Restore ${name}?` })
    .getByRole("button", { name: "Restore" })
    .click();
  await expect(page.getByText(`${name} is active again.`)).toBeVisible();
  expect((await callDataApi(request, key, "console_user")).status()).toBe(200);

  await page.getByLabel("Plan", { exact: true }).selectOption("professional");
  await page.getByRole("button", { name: "Change plan" }).click();
  const confirm = page.getByRole("dialog", { name: `Change ${name}'s plan?` });
  await expect(confirm.getByText(`${name} moves to Professional.`)).toBeVisible();
  await confirm.getByRole("button", { name: "Change plan" }).click();
  await expect(page.getByText(`${name} is on Professional.`)).toBeVisible();
  expect((await callDataApi(request, key, "console_user")).headers()["x-ratelimit-limit"]).toBe("5000");
  // The operator's own view names which operator acted.
  await expect(page.getByRole("row").filter({ hasText: "Plan changed" })).toContainText(`operator: ${operator.email}`);

  // The owner sees each change, made by the operator, in their own audit log.
  const ownerPage = await (await browser.newContext()).newPage();
  await signIn(ownerPage, owner);
  await ownerPage.goto("/audit");
  const operatorRows = ownerPage.getByRole("row").filter({ hasText: "The operator" });
  await expect(operatorRows).toHaveCount(3);
  await expect(operatorRows.filter({ hasText: "Plan changed" })).toContainText('"free" → "professional"');
  await expect(operatorRows.filter({ hasText: '"active" → "inactive"' })).toHaveCount(1);
  await expect(operatorRows.filter({ hasText: '"inactive" → "active"' })).toHaveCount(1);

  // Signing the owner out everywhere (password asked) ends their portal session.
  await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Accounts" }).click();
  await page.getByLabel("Email or username").fill(owner.email);
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByRole("button", { name: `Sign out ${owner.email} everywhere` }).click();
  const signOut = page.getByRole("dialog", { name: `Sign ${owner.email} out everywhere?` });
  await signOut.getByLabel("Your password").fill(operator.password);
  await signOut.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(page.getByText(`${owner.email} was signed out everywhere.`)).toBeVisible();
  await ownerPage.goto("/keys");
  await expect(ownerPage).toHaveURL(/\/login/);
  await ownerPage.context().close();
});

test("an account that is not an operator sees no console: 404 pages, 403 from /api/admin", async ({
  page,
  request,
}) => {
  const account = await registerAccount(request);
  await signIn(page, account);
  await expect(page.getByRole("link", { name: "Console" })).toHaveCount(0);
  for (const path of ["/admin", "/admin/organizations", "/admin/organizations/1", "/admin/accounts", "/admin/routes"]) {
    expect((await page.goto(path))?.status(), path).toBe(404);
  }
  const token = await bearer(request, account);
  for (const path of ["/api/admin/organizations", "/api/admin/accounts", "/api/admin/usage/summary"]) {
    const response = await request.get(path, { headers: { Authorization: `Bearer ${token}` } });
    expect(response.status(), path).toBe(403);
    expect(await response.json()).toEqual({ success: false, message: "Insufficient permissions" });
  }
});

/** axe-core: no serious or critical violation on the page as it stands. */
async function expectAccessible(page: Page, name: string) {
  await expect(page).toHaveTitle(/\S/);
  const results = await new AxeBuilder({ page }).analyze();
  const blocking = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    blocking.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.target) })),
    name,
  ).toEqual([]);
}

for (const scheme of ["light", "dark"] as const) {
  test(`the console's pages pass axe and fit 375 px (${scheme})`, async ({ page, request }) => {
    test.setTimeout(120_000);
    await page.emulateMedia({ colorScheme: scheme });
    const { owner } = await setUp(page, request);
    await openOrganization(page, owner.email);
    const organization = new URL(page.url()).pathname;
    const pages = ["/admin", "/admin?range=7d", "/admin/organizations", organization, "/admin/accounts"];
    for (const path of pages) {
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(path);
      await expectAccessible(page, `${path} (${scheme})`);
      await page.setViewportSize({ width: 375, height: 800 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${path} is wider than 375 px`).toBeLessThanOrEqual(0);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(organization);
    await page.getByRole("button", { name: "Suspend" }).click();
    await expect(page.getByRole("dialog")).toBeVisible();
    await expectAccessible(page, `suspend dialog (${scheme})`);
  });
}
