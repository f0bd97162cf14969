import { expect, test, type Browser } from "@playwright/test";
import { registerAccount, signIn, type Account } from "./support";

// A portal session ends when the user says so: a cookie copied before signing out no longer
// opens the portal, and "Sign out everywhere" ends the sessions of other browsers too.

async function signedIn(browser: Browser, account: Account) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, account);
  return { context, page };
}

const openAccountMenu = (page: import("@playwright/test").Page) => page.locator("nav summary").click();

test("a session cookie saved before sign-out no longer opens the portal", async ({ browser, request }) => {
  const account = await registerAccount(request);
  const { context, page } = await signedIn(browser, account);
  const saved = await context.cookies();
  await openAccountMenu(page);
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login/);

  const replay = await browser.newContext();
  await replay.addCookies(saved);
  const stolen = await replay.newPage();
  await stolen.goto("/keys");
  await expect(stolen).toHaveURL(/\/login/);
  await context.close();
  await replay.close();
});

test("Sign out everywhere ends the account's sessions in other browsers, and other accounts keep theirs", async ({
  browser,
  request,
}) => {
  const account = await registerAccount(request);
  const first = await signedIn(browser, account);
  const second = await signedIn(browser, account);
  const bystander = await signedIn(browser, await registerAccount(request));

  await openAccountMenu(first.page);
  await first.page.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(first.page).toHaveURL(/\/login/);

  await second.page.goto("/usage");
  await expect(second.page).toHaveURL(/\/login/);
  await bystander.page.goto("/usage");
  await expect(bystander.page).toHaveURL(/\/usage$/);
  // Signing in again works.
  await signIn(second.page, account);
  for (const session of [first, second, bystander]) await session.context.close();
});
