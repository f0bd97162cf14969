import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page, type TestInfo } from "@playwright/test";
import { closeNewKeyModal, generateKey, registerAccount, signIn } from "./support";

/** axe-core on the current page: no serious or critical violation. Saves a screenshot too. */
async function audit(page: Page, testInfo: TestInfo, name: string) {
  // Next streams the page's metadata: the title may land a moment after the content.
  await expect(page).toHaveTitle(/\S/);
  // A toast still fading in is drawn half-transparent, and axe would measure that blend: let
  // finite animations and transitions end first.
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((animation) => animation.effect?.getComputedTiming().endTime !== Infinity)
        .map((animation) => animation.finished.catch(() => undefined)),
    ),
  );
  const results = await new AxeBuilder({ page }).analyze();
  const blocking = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const summary = results.violations.map((v) => `${v.impact}:${v.id}(${v.nodes.length})`).join(" ") || "none";
  testInfo.annotations.push({ type: "axe", description: `${name}: ${summary}` });
  console.log(`axe ${name}: ${summary}`);
  await page.screenshot({ path: testInfo.outputPath(`${name}.png`), fullPage: true });
  expect(
    blocking,
    `${name}: ${JSON.stringify(
      blocking.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.target) })),
      null,
      1,
    )}`,
  ).toEqual([]);
}

for (const scheme of ["light", "dark"] as const) {
  test.describe(`${scheme} color scheme`, () => {
    test.use({ colorScheme: scheme });

    test(`every page and dialog passes axe (${scheme})`, async ({ page, request }, testInfo) => {
      // About a dozen pages and dialogs, each a full axe run and a full-page screenshot: 50 s on a
      // busy two-core machine, too near the default 60 s.
      test.setTimeout(180_000);
      const suffix = scheme === "dark" ? "-dark" : "";
      await page.goto("/login");
      await page.getByRole("button", { name: "Sign in" }).click(); // show inline errors too
      await expect(page.getByText("Email is required")).toBeVisible();
      await audit(page, testInfo, `login${suffix}`);

      await page.goto("/register");
      await audit(page, testInfo, `register${suffix}`);

      await page.goto("/reset-password#rst_not-a-real-token");
      await expect(page.getByLabel("New password")).toBeVisible();
      await audit(page, testInfo, `reset-password${suffix}`);

      await signIn(page, await registerAccount(request));
      await audit(page, testInfo, `keys-empty${suffix}`);

      await page.getByRole("button", { name: "Generate New API Key" }).click();
      await page
        .getByRole("dialog", { name: "Generate New API Key" })
        .getByRole("button", { name: "Generate", exact: true })
        .click();
      await expect(page.getByText("API Key Name must not be empty")).toBeVisible();
      await audit(page, testInfo, `generate-dialog${suffix}`);
      await page.keyboard.press("Escape");

      await generateKey(page, "prod-api-server-main-2025-01", "api_user_prod");
      await audit(page, testInfo, `copy-once-modal${suffix}`);
      await closeNewKeyModal(page);
      await audit(page, testInfo, `keys${suffix}`);

      await page.getByRole("button", { name: "Delete prod-api-server-main-2025-01" }).click();
      await expect(page.getByRole("dialog", { name: "Delete API key?" })).toBeVisible();
      await audit(page, testInfo, `delete-dialog${suffix}`);
      await page.keyboard.press("Escape");

      await page.getByRole("link", { name: "prod-api-server-main-2025-01" }).click();
      await expect(page.getByRole("heading", { level: 1 })).toHaveText("prod-api-server-main-2025-01");
      await audit(page, testInfo, `key-detail${suffix}`);
      await page.goto("/no-such-page");
      await audit(page, testInfo, `not-found${suffix}`);

      await page.goto("/usage");
      await audit(page, testInfo, `usage${suffix}`);
      await page.goto("/docs");
      await audit(page, testInfo, `docs${suffix}`);
      await page.goto("/plan");
      await audit(page, testInfo, `plan${suffix}`);
      await page.goto("/audit");
      await audit(page, testInfo, `audit${suffix}`);
      await page.goto("/account");
      await audit(page, testInfo, `account${suffix}`);
    });
  });
}

test("pages fit a 375 px wide screen without sideways scrolling, with 100-character names", async ({
  page,
  request,
}, testInfo) => {
  await page.setViewportSize({ width: 375, height: 800 });
  await signIn(page, await registerAccount(request));
  const name = `mobile-${"x".repeat(93)}`;
  expect(name).toHaveLength(100);
  await generateKey(page, name, `m_${"u".repeat(62)}`);
  await closeNewKeyModal(page);
  // Status and Delete are on screen in the key's card, not off to the side.
  for (const control of [
    page.getByRole("switch", { name: `Active: ${name}` }),
    page.getByRole("button", { name: `Delete ${name}` }),
    page.getByRole("button", { name: `Rotate ${name}` }),
  ]) {
    const box = (await control.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(375);
  }
  await page.getByRole("link", { name }).click();
  await expect(page).toHaveURL(/\/keys\/\d+$/);
  const detail = new URL(page.url()).pathname;
  for (const path of ["/keys", detail, "/usage", "/docs", "/plan", "/audit", "/account", "/webhooks"]) {
    await page.goto(path);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${path} is wider than the screen`).toBeLessThanOrEqual(0);
    if (path === "/plan") {
      // The plans table reflows as cards instead of scrolling inside its frame.
      const table = page.getByRole("table", { name: "API key limits per plan" });
      expect(await table.evaluate((t) => t.scrollWidth - t.parentElement!.clientWidth)).toBeLessThanOrEqual(0);
    }
    // The nav is one row (it wrapped to two).
    expect((await page.getByRole("navigation", { name: "Main" }).boundingBox())!.height).toBeLessThan(60);
    await page.screenshot({
      path: testInfo.outputPath(`${path.slice(1).replace(/\//g, "-")}-375px.png`),
      fullPage: true,
    });
  }
});
