import { expect, test, type APIRequestContext, type Browser, type Page } from "@playwright/test";
import { callDataApi, closeNewKeyModal, generateKey, registerAccount, signIn, type Account } from "./support";

// Issue 24's "done when", in the browser: an owner invites a developer and a viewer with links;
// the developer generates a key the viewer can see but not delete; the owner removes the
// developer, whose next request is refused while the key keeps working; the audit log names
// each actor.

test.use({ permissions: ["clipboard-read", "clipboard-write"] });

async function bearer(request: APIRequestContext, account: Account): Promise<string> {
  const response = await request.post("/api/auth/login", { data: account });
  expect(response.status()).toBe(200);
  return (await response.json()).token;
}

/** The owner's Members page makes an invitation link for `role`; the link is read off the copy-once box. */
async function inviteLink(page: Page, role: string): Promise<string> {
  await page.getByLabel("Role", { exact: true }).selectOption(role);
  await page.getByRole("button", { name: "Create invitation link" }).click();
  const link = page.getByLabel("Invitation link");
  await expect(link).toBeVisible();
  const url = await link.inputValue();
  await page.getByRole("button", { name: "Copy link" }).click();
  await expect(page.getByText("Copied to the clipboard.")).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
  await page.getByRole("button", { name: "Done" }).click();
  return url;
}

/** A new person opens the link signed out, signs in, and joins. */
async function join(browser: Browser, account: Account, url: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  await expect(page.getByText("Sign in or create an account to join it.")).toBeVisible();
  // The token left the address bar once the page kept it.
  expect(page.url()).not.toContain("#");
  await page.getByRole("link", { name: "Sign in" }).click();
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/invite$/);
  await page.getByRole("button", { name: "Join organization" }).click();
  await expect(page).toHaveURL(/\/keys$/);
  await expect(page.getByLabel("Organization", { exact: true })).toHaveValue(/\d+/);
  return page;
}

test("a team shares keys by role; a removed member is refused while their key keeps working", async ({
  page,
  browser,
  request,
}) => {
  test.setTimeout(120_000);
  const [owner, developer, viewer] = [
    await registerAccount(request),
    await registerAccount(request),
    await registerAccount(request),
  ];

  // The owner creates an organization from the Members page: the portal switches to it.
  await signIn(page, owner);
  await page.getByRole("link", { name: "Members" }).click();
  await page.getByLabel("Organization name").fill("Acme Platform");
  await page.getByRole("button", { name: "Create organization" }).click();
  await expect(page.getByRole("heading", { name: "Members of Acme Platform" })).toBeVisible();
  const teamId = await page.getByLabel("Organization", { exact: true }).inputValue();

  const developerLink = await inviteLink(page, "developer");
  const viewerLink = await inviteLink(page, "viewer");
  expect(developerLink).toMatch(/^http:\/\/localhost:\d+\/invite#inv_[A-Za-z0-9_-]{43}$/);
  await expect(page.getByRole("table", { name: "Pending invitations" }).getByRole("row")).toHaveCount(3);

  // The developer joins and generates a key in the team.
  const devPage = await join(browser, developer, developerLink);
  const secret = await generateKey(devPage, "acme-billing", "acme_billing");
  await closeNewKeyModal(devPage);
  expect((await callDataApi(request, secret, "acme_billing")).status()).toBe(200);

  // The viewer joins: sees the key and who made it, but no Generate and no Delete.
  const viewerPage = await join(browser, viewer, viewerLink);
  const row = viewerPage.getByRole("row").filter({ hasText: "acme-billing" });
  await expect(row).toBeVisible();
  await expect(row.getByText(developer.email)).toBeVisible();
  await expect(viewerPage.getByRole("button", { name: "Generate New API Key" })).toHaveCount(0);
  await expect(row.getByRole("button", { name: /Delete/ })).toHaveCount(0);
  await expect(row.getByRole("switch")).toHaveCount(0);
  // Calling anyway: the envelope 403.
  const viewerToken = await bearer(request, viewer);
  const keys = await request.get("/api/api-keys", {
    headers: { authorization: `Bearer ${viewerToken}`, "x-organization-id": teamId },
  });
  const keyId = (await keys.json()).data[0].id;
  const refused = await request.delete(`/api/api-keys/${keyId}`, {
    headers: { authorization: `Bearer ${viewerToken}`, "x-organization-id": teamId },
  });
  expect(refused.status()).toBe(403);
  expect(await refused.json()).toEqual({ success: false, message: "Insufficient permissions" });

  // The owner removes the developer.
  await page.reload();
  const members = page.getByRole("table", { name: "Members" });
  await expect(members.getByRole("row")).toHaveCount(4);
  await members
    .getByRole("row")
    .filter({ hasText: developer.email })
    .getByRole("button", { name: /Remove/ })
    .click();
  await page.getByRole("dialog", { name: "Remove member?" }).getByRole("button", { name: "Remove" }).click();
  await expect(page.getByText(`${developer.email} was removed.`)).toBeVisible();
  await expect(members.getByRole("row")).toHaveCount(3);

  // The developer's next request is refused: an action from the page still open...
  await devPage.getByRole("button", { name: "Generate New API Key" }).click();
  const dialog = devPage.getByRole("dialog", { name: "Generate New API Key" });
  await dialog.getByLabel("API Key Name").fill("after-removal");
  await dialog.getByLabel("Username").fill("acme_billing");
  await dialog.getByRole("button", { name: "Generate", exact: true }).click();
  await expect(dialog.getByText("Organization not found")).toBeVisible();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  // ...the next page shows their personal organization (the refusal forgot the choice), and the
  // REST API answers 404.
  await devPage.reload();
  await expect(devPage.getByRole("heading", { name: "No API keys yet" })).toBeVisible();
  await expect(devPage.getByRole("row").filter({ hasText: "acme-billing" })).toHaveCount(0);
  const developerToken = await bearer(request, developer);
  const gone = await request.get("/api/api-keys", {
    headers: { authorization: `Bearer ${developerToken}`, "x-organization-id": teamId },
  });
  expect(gone.status()).toBe(404);
  // The key outlives its maker's membership.
  expect((await callDataApi(request, secret, "acme_billing")).status()).toBe(200);

  // The keys list finds keys made by removed members.
  await page.goto("/keys");
  await page.getByLabel("Created by").selectOption("removed");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByRole("row").filter({ hasText: `${developer.email} (removed)` })).toBeVisible();

  // The audit log names each actor.
  await page.goto("/audit");
  const log = page.getByRole("table");
  await expect(log.getByRole("row").filter({ hasText: "Key generated" })).toContainText(
    `${developer.email} (removed), in the portal`,
  );
  await expect(log.getByRole("row").filter({ hasText: "Member removed" })).toContainText("You, in the portal");
  await expect(log.getByRole("row").filter({ hasText: "Member joined" }).first()).toContainText(
    `${viewer.email}, in the portal`,
  );
  await expect(log.getByRole("row").filter({ hasText: "Member invited" })).toHaveCount(2);

  // A member removed while their page is open sees, at the next page, that it is gone.
  const ownerToken = await bearer(request, owner);
  const viewerId = (
    await (
      await request.get(`/api/orgs/${teamId}/members`, { headers: { authorization: `Bearer ${ownerToken}` } })
    ).json()
  ).data.find((member: { email: string }) => member.email === viewer.email).user_id;
  const removed = await request.delete(`/api/orgs/${teamId}/members/${viewerId}`, {
    headers: { authorization: `Bearer ${ownerToken}` },
  });
  expect(removed.status()).toBe(200);
  await viewerPage.reload();
  const notice = viewerPage.getByText("You are no longer a member of the organization you had chosen");
  await expect(notice).toBeVisible();
  await expect(viewerPage.getByRole("row").filter({ hasText: "acme-billing" })).toHaveCount(0);
  await viewerPage.getByRole("button", { name: "OK" }).click();
  await expect(notice).toBeHidden();

  await devPage.context().close();
  await viewerPage.context().close();
});
