import { expect, test, type Page } from "@playwright/test";
import { closeNewKeyModal, generateKey, registerAccount, signIn } from "./support";

/** Issue 11's layout bugs, as assertions: dialog text alignment, the at-limit note, the copy-once field. */

async function keyFieldShowsAll(page: Page) {
  const field = page.getByRole("dialog", { name: "Your new API key" }).getByLabel("API key");
  // The whole key is in view: nothing scrolled away sideways, nothing cut at the bottom.
  const overflow = await field.evaluate((el) => ({
    x: el.scrollWidth - el.clientWidth,
    y: el.scrollHeight - el.clientHeight,
  }));
  expect(overflow).toEqual({ x: 0, y: 0 });
  await field.focus(); // selecting it must not scroll sk_live_ out of view
  expect(await field.evaluate((el) => el.scrollLeft)).toBe(0);
}

for (const width of [1440, 375]) {
  test(`layout at ${width} px: the copy-once key fits, dialog text is left-aligned, the at-limit note has its own line`, async ({
    page,
    request,
  }) => {
    await page.setViewportSize({ width, height: 900 });
    await signIn(page, await registerAccount(request));
    await generateKey(page, "layout-one", "layout_user");
    await keyFieldShowsAll(page);
    await closeNewKeyModal(page);
    await generateKey(page, "layout-two", "layout_user");
    await closeNewKeyModal(page);

    await page.getByRole("button", { name: "Delete layout-one" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete API key?" });
    await expect(dialog).toBeVisible();
    expect(await dialog.getByText(/Deletion is permanent/).evaluate((el) => getComputedStyle(el).textAlign)).toBe(
      "left",
    );
    await page.keyboard.press("Escape");

    // Free allows 2: the reason sits below the header buttons, which keep their place.
    const generate = page.getByRole("button", { name: "Generate New API Key" });
    await expect(generate).toBeDisabled();
    const reason = page.getByText("Your Free plan allows 2 keys. Delete one to generate another.");
    const [button, note] = [(await generate.boundingBox())!, (await reason.boundingBox())!];
    expect(note.y).toBeGreaterThanOrEqual(button.y + button.height);
    expect(button.x + button.width).toBeLessThanOrEqual(width);
  });
}
