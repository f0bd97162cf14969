import { expect, test } from "@playwright/test";
import { DEMO } from "../playwright.config";
import { registerAccount } from "./support";

test("a signed-out visitor is sent to /login", async ({ page }) => {
  await page.goto("/keys");
  await expect(page).toHaveURL(/\/login\?callbackUrl=/);
  await expect(page.getByRole("heading", { name: "Sign in to Key Portal" })).toBeVisible();
});

test("a wrong password is refused with a clear message", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill(DEMO.email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Wrong email or password.")).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
});

test("after 10 failed sign-ins the right password is refused with how long to wait, not as a wrong password", async ({
  page,
  request,
}) => {
  const account = await registerAccount(request);
  for (let i = 0; i < 10; i++) {
    const response = await request.post("/api/auth/login", {
      data: { email: account.email, password: `wrong-${i}-pw` },
    });
    expect(response.status()).toBe(401);
  }
  await page.goto("/login");
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  // The wait is the sliding 5 minutes' own answer: until one more failure would be admitted.
  await expect(page.getByText(/^Too many failed sign-ins\. Wait [1-6] minutes? and try again\.$/)).toBeVisible();
  await expect(page.getByText("Wrong email or password.")).toHaveCount(0);
  await expect(page).toHaveURL(/\/login/);
});

test("the demo account signs in and lands on the keys page", async ({ page }, testInfo) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill(DEMO.email);
  await page.getByLabel("Password").fill(DEMO.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/keys$/);
  await expect(page.getByRole("heading", { name: "API Keys", exact: true })).toBeVisible();
  await expect(page.getByText(DEMO.email)).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("keys-page.png"), fullPage: true });

  // Signed in, /login forwards to the keys page; signing out returns to /login.
  await page.goto("/login");
  await expect(page).toHaveURL(/\/keys$/);
  await page.getByText(DEMO.email).click(); // the account menu
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login/);
});

test("a callbackUrl pointing off-site is ignored after sign-in", async ({ page }) => {
  await page.goto("/login?callbackUrl=" + encodeURIComponent("/.//evil.example/x"));
  await page.getByLabel("Email").fill(DEMO.email);
  await page.getByLabel("Password").fill(DEMO.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/^http:\/\/localhost:\d+\/keys$/);
});
