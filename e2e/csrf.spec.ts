import { expect, test, type Request } from "@playwright/test";
import { closeNewKeyModal, generateKey, registerAccount, signIn } from "./support";

test("a portal write replayed from another origin is refused", async ({ page, request }) => {
  await signIn(page, await registerAccount(request));
  await generateKey(page, "csrf-key", "csrf_user");
  await closeNewKeyModal(page);
  const toggle = page.getByRole("switch", { name: "Active: csrf-key" });

  // Capture the browser's own server-action request for "deactivate".
  const captured = page.waitForRequest((r) => r.method() === "POST" && r.url().endsWith("/keys"));
  await toggle.click();
  await page
    .getByRole("dialog", { name: 'Deactivate "csrf-key"?' })
    .getByRole("button", { name: "Deactivate key" })
    .click();
  const original: Request = await captured;
  await expect(toggle).toHaveAttribute("aria-checked", "false");
  const body = original.postData() ?? "";
  const headers = await original.allHeaders();
  const replay = (origin: string) =>
    page.request.post(original.url(), {
      // page.request shares the signed-in session cookie, like a forged cross-site form would.
      headers: { ...headers, origin, cookie: undefined as unknown as string },
      data: body.replace('"inactive"', '"active"'),
      maxRedirects: 0,
    });

  const forged = await replay("http://evil.example");
  expect(forged.status()).toBeGreaterThanOrEqual(400);
  await page.reload();
  await expect(toggle).toHaveAttribute("aria-checked", "false");

  // The same request from the portal's own origin works, so the refusal above is the origin check.
  const genuine = await replay(new URL(page.url()).origin);
  expect(genuine.status()).toBe(200);
  await page.reload();
  await expect(toggle).toHaveAttribute("aria-checked", "true");
});
