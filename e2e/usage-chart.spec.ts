import { expect, test } from "@playwright/test";
import { callDataApi, closeNewKeyModal, generateKey, registerAccount, signIn } from "./support";

test("the usage chart has a time axis, a count axis, a legend of outcomes and tooltips, and follows the log's filters", async ({
  page,
  request,
}, testInfo) => {
  await signIn(page, await registerAccount(request));
  const a = await generateKey(page, "chart-a", "chart_a");
  await closeNewKeyModal(page);
  const b = await generateKey(page, "chart-b", "chart_b");
  await closeNewKeyModal(page);
  for (let i = 0; i < 3; i++) expect((await callDataApi(request, a, "chart_a")).status()).toBe(200);
  for (let i = 0; i < 2; i++) expect((await callDataApi(request, a, "not_chart_a")).status()).toBe(401);
  expect((await callDataApi(request, b, "chart_b")).status()).toBe(200);

  await page.goto("/usage?range=24h");
  const chart = page.getByRole("img", { name: /^6 calls in the last 24 hours: 4 successful, 2 failed/ });
  await expect(chart).toBeVisible();
  // Axes: hours on one, counts on the other, and gridlines.
  const xLabels = chart.locator(".recharts-xAxis-tick-labels text").filter({ hasText: /^\d{2}:\d{2}$/ });
  // Drawn once the chart has measured its box, after hydration.
  await expect(xLabels.first()).toBeVisible();
  expect(await xLabels.count()).toBeGreaterThan(2);
  expect(await chart.locator(".recharts-yAxis-tick-labels text").count()).toBeGreaterThan(1);
  await expect(chart.locator(".recharts-cartesian-grid")).toHaveCount(1);
  for (const outcome of ["Successful (2xx)", "Auth failed (401/403)", "Rate limited (429)", "Other"])
    await expect(chart.locator(".recharts-legend-item", { hasText: outcome })).toHaveCount(1);
  // A tooltip on the bar of this hour.
  const bar = chart.locator(".recharts-bar-rectangle path").last();
  await bar.hover();
  const tooltip = chart.locator(".recharts-tooltip-wrapper");
  await expect(tooltip).toContainText("Successful (2xx)");
  await expect(tooltip).toContainText(/UTC/);
  await page.screenshot({ path: testInfo.outputPath("usage-chart.png"), fullPage: true });

  // One set of filters: key and status apply to the chart as to the log.
  await page.getByLabel("Key", { exact: true }).selectOption({ label: "chart-b" });
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByRole("img", { name: /^1 calls in the last 24 hours: 1 successful, 0 failed/ })).toBeVisible();
  await expect(page.getByRole("heading", { name: /filtered as the log below/ })).toBeVisible();
  await page.getByLabel("Key", { exact: true }).selectOption({ label: "chart-a" });
  await page.getByLabel("Status").selectOption("failed");
  await page.getByRole("button", { name: "Apply" }).click();
  const failedOnly = page.getByRole("img", { name: /^2 calls in the last 24 hours: 0 successful, 2 failed/ });
  await expect(failedOnly).toBeVisible();
  await expect(failedOnly.locator(".recharts-legend-item", { hasText: "Successful (2xx)" })).toHaveCount(0);
  await expect(page.getByRole("table", { name: "Usage log, newest first" }).locator("tbody tr")).toHaveCount(2);
});

test("a portal page shows a loading state while its data loads", async ({ page, request }) => {
  await signIn(page, await registerAccount(request));
  // Hold the usage page's server render for a moment (not the prefetch, which brings the loading state).
  await page.route(
    (url) => url.pathname === "/usage",
    async (route) => {
      if (!route.request().headers()["next-router-prefetch"])
        await new Promise((resolve) => setTimeout(resolve, 1_500));
      await route.continue();
    },
  );
  await page.getByRole("link", { name: "Usage", exact: true }).hover();
  await page.waitForTimeout(500);
  await page.getByRole("link", { name: "Usage", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Loading…" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Usage", exact: true })).toBeVisible();
});
