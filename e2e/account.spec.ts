import { expect, test } from "@playwright/test";
import { generate } from "otplib";
import { registerAccount, runAdmin, signIn } from "./support";

// The account page's password change (issue 26): the current password is required; this browser
// stays signed in, every other session ends, and only the new password signs in afterwards.

test("a password change keeps this session, ends the others, and only the new password works", async ({
  page,
  browser,
  request,
}) => {
  const account = await registerAccount(request);
  await signIn(page, account);
  const other = await (await browser.newContext()).newPage();
  await signIn(other, account);

  await page.locator("nav summary").click();
  await page.getByRole("link", { name: "Account settings" }).click();
  await expect(page.getByRole("heading", { name: "Account", exact: true })).toBeVisible();
  await page.getByLabel("Current password").fill("not-the-password");
  await page.getByLabel("New password").fill("short");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("New password must be at least 8 characters")).toBeVisible();
  await page.getByLabel("New password").fill("a-brand-new-password");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("That password is not right; nothing was changed")).toBeVisible();

  await page.getByLabel("Current password").fill(account.password);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("Password changed. Every other session has ended.")).toBeVisible();
  await page.goto("/keys");
  await expect(page).toHaveURL(/\/keys$/);

  await other.goto("/keys");
  await expect(other).toHaveURL(/\/login/);
  expect((await request.post("/api/auth/login", { data: account })).status()).toBe(401);
  const renewed = await request.post("/api/auth/login", {
    data: { email: account.email, password: "a-brand-new-password" },
  });
  expect(renewed.status()).toBe(200);
  await other.context().close();
});

test("two-factor sign-in: enrol from the page, sign in with a code, then with a recovery code", async ({
  page,
  request,
}) => {
  const account = await registerAccount(request);
  await signIn(page, account);
  await page.goto("/account");
  await page.getByLabel("Your password").fill(account.password);
  await page.getByRole("button", { name: "Set up two-factor sign-in" }).click();
  await expect(page.getByRole("img", { name: "QR code for your authenticator app" })).toBeVisible();
  const secret = (
    await page
      .locator("code")
      .filter({ hasText: /^[A-Z2-7]{32}$/ })
      .innerText()
  ).trim();
  await page.getByLabel("Code from the app").fill(await generate({ secret }));
  await page.getByRole("button", { name: "Turn on two-factor sign-in" }).click();
  const codes = page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem");
  await expect(codes).toHaveCount(10);
  const recovery = await codes.first().innerText();
  await page.getByRole("button", { name: "I have saved my recovery codes" }).click();
  await expect(page.getByText("On.", { exact: true })).toBeVisible();

  // Signing in now takes a second step.
  await page.locator("nav summary").click();
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByLabel("Two-factor code")).toBeVisible();
  await page.getByLabel("Two-factor code").fill("000000");
  await page.getByRole("button", { name: "Verify and sign in" }).click();
  await expect(page.getByText("That code is not right, or was used already.")).toBeVisible();
  // The next period's code: this period's step was spent on the enrolment.
  await page.getByLabel("Two-factor code").fill(await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 }));
  await page.getByRole("button", { name: "Verify and sign in" }).click();
  await expect(page).toHaveURL(/\/keys$/);

  // A recovery code works once, through REST too.
  const withRecovery = await request.post("/api/auth/login", { data: { ...account, recovery_code: recovery } });
  expect(withRecovery.status()).toBe(200);
  const again = await request.post("/api/auth/login", { data: { ...account, recovery_code: recovery } });
  expect(again.status()).toBe(401);
});

test("the operator's reset link sets a new password once, from the page it opens", async ({ page, request }) => {
  const account = await registerAccount(request);
  const printed = runAdmin("reset-link", account.email);
  const link = printed.trim().split("\n").at(-1)!;
  expect(link).toMatch(/\/reset-password#rst_/);
  // The link names the configured public URL; the test server is that URL's path on its own port.
  await page.goto(new URL(link).pathname + new URL(link).hash);
  await expect(page.getByRole("heading", { name: "Reset your password" })).toBeVisible();
  // The token leaves the address bar once the page has kept it.
  await expect(page).toHaveURL(/\/reset-password$/);
  await page.getByLabel("New password").fill("reset-from-the-link-1");
  await page.getByRole("button", { name: "Set the new password" }).click();
  await expect(page.getByText("Your password is changed and every session has ended.")).toBeVisible();
  await page.getByRole("link", { name: "Sign in" }).click();
  await signIn(page, { email: account.email, password: "reset-from-the-link-1" });

  // Used once: opening it again refuses.
  await page.goto(new URL(link).pathname + new URL(link).hash);
  await page.getByLabel("New password").fill("reset-from-the-link-2");
  await page.getByRole("button", { name: "Set the new password" }).click();
  await expect(page.getByText("This reset link is invalid, used or expired; ask for a new one")).toBeVisible();
});
