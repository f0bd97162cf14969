import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { closeNewKeyModal, registerAccount, signIn, startOwnServer } from "./support";

// Files and headers of a production server: the database readable by its user only, and the
// headers that keep pages out of frames and features off, with HSTS once NEXTAUTH_URL is https.
test("the database file is 0600, and every answer carries the hardening headers (HSTS behind https)", async () => {
  test.setTimeout(120_000);
  const own = await startOwnServer(3196, { NEXTAUTH_URL: "https://keys.example.test" });
  try {
    for (const file of [own.dbFile, `${own.dbFile}-wal`]) {
      if (fs.existsSync(file)) expect((fs.statSync(file).mode & 0o777).toString(8), file).toBe("600");
    }
    expect((fs.statSync(own.dir).mode & 0o777).toString(8)).toBe("700");
    for (const path of ["/login", "/api/health", "/api/api-routes-data?id=123", "/api/nothing-here"]) {
      const response = await fetch(own.base + path, { redirect: "manual" });
      const headers = response.headers;
      expect(headers.get("strict-transport-security"), path).toBe("max-age=31536000; includeSubDomains");
      expect(headers.get("content-security-policy"), path).toContain("frame-ancestors 'none'");
      expect(headers.get("permissions-policy"), path).toContain("camera=()");
      expect(headers.get("x-frame-options"), path).toBe("DENY");
    }
  } finally {
    await own.stop();
  }
});

test("without https there is no HSTS header", async ({ request }) => {
  const response = await request.get("/api/health");
  expect(response.headers()["strict-transport-security"]).toBeUndefined();
  expect(response.headers()["permissions-policy"]).toContain("microphone=()");
});

test("pages carry a nonce-based script policy, their scripts carry the nonce, and they still work", async ({
  page,
  request,
}) => {
  const response = await request.get("/login");
  const policy = response.headers()["content-security-policy"];
  const nonce = /'nonce-([^']+)'/.exec(policy ?? "")?.[1];
  expect(policy).toContain("'strict-dynamic'");
  expect(nonce).toBeTruthy();
  const html = await response.text();
  const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
  expect(scripts.length).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
  // A second request gets another nonce.
  const again = (await request.get("/login")).headers()["content-security-policy"];
  expect(again).not.toBe(policy);
  // And the page hydrates under the policy: no violation reported, the form is interactive.
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await page.goto("/login");
  await page.getByLabel("Email").fill("nobody@example.com");
  await page.getByLabel("Password").fill("wrong-password-1");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Wrong email or password")).toBeVisible();
  expect(violations).toEqual([]);
});

// Issue 21, item 7: no input makes the server answer 5xx.

test("a callbackUrl next-auth cannot follow is a 400 envelope on every /api/auth route, not its 500 page", async ({
  request,
  baseURL,
}) => {
  const bad = ["javascript:alert(1)", "keys", " /keys", "https://evil.example/keys", "//evil.example"];
  const routes = [
    ["GET", "/api/auth/signin"],
    ["GET", "/api/auth/signout"],
    ["GET", "/api/auth/session"],
    ["GET", "/api/auth/csrf"],
    ["POST", "/api/auth/signin/credentials"],
    ["POST", "/api/auth/callback/credentials"],
    ["POST", "/api/auth/signout"],
  ];
  for (const callbackUrl of bad) {
    for (const [method, path] of routes) {
      const response = await request.fetch(`${path}?callbackUrl=${encodeURIComponent(callbackUrl)}`, {
        method,
        maxRedirects: 0,
      });
      const where = `${method} ${path}?callbackUrl=${callbackUrl}`;
      expect(response.status(), where).toBe(400);
      expect(response.headers()["content-type"], where).toMatch(/^application\/json/);
      expect(await response.json(), where).toEqual({
        success: false,
        message: expect.stringMatching(/^callbackUrl must be a path on this site or a URL on http:\/\/localhost:\d+$/),
      });
    }
  }
  // One on the site still works: next-auth sends the browser to the sign-in page with it.
  for (const good of ["/usage?range=24h", `${baseURL}/usage`]) {
    const signin = await request.get(`/api/auth/signin?callbackUrl=${encodeURIComponent(good)}`, { maxRedirects: 0 });
    expect(signin.status(), good).toBe(302);
    expect(signin.headers().location, good).toMatch(/\/login\?callbackUrl=http%3A%2F%2Flocalhost%3A\d+%2Fusage/);
  }
});

test("a callbackUrl off the site in a form body sends the browser home", async ({ request, baseURL }) => {
  const { csrfToken } = await (await request.get("/api/auth/csrf")).json();
  for (const callbackUrl of ["javascript:alert(1)", "https://evil.example/", "//evil.example/x", "/\\evil.example"]) {
    const response = await request.post("/api/auth/signout", {
      form: { csrfToken, callbackUrl, json: "true" },
      maxRedirects: 0,
    });
    expect(response.status(), callbackUrl).toBe(200);
    expect(await response.json(), callbackUrl).toEqual({ url: baseURL });
  }
  const onSite = await request.post("/api/auth/signout", {
    form: { csrfToken, callbackUrl: "/docs", json: "true" },
    maxRedirects: 0,
  });
  expect(await onSite.json()).toEqual({ url: `${baseURL}/docs` });
});

test("a callback-url cookie next-auth cannot follow is dropped: /api/auth and the pages still answer", async ({
  browser,
  request,
  baseURL,
}) => {
  const cookie = `next-auth.callback-url=${encodeURIComponent("javascript:alert(1)")}`;
  for (const path of ["/api/auth/session", "/api/auth/csrf", "/api/auth/providers", "/login"]) {
    const response = await fetch(`${baseURL}${path}`, { headers: { cookie }, redirect: "manual" });
    expect(response.status, path).toBe(200);
    // next-auth sets a good one in its place (its providers list sets no cookies), or the page expires it.
    if (path !== "/api/auth/providers") {
      expect(response.headers.get("set-cookie") ?? "", path).toMatch(/next-auth\.callback-url=(http%3A|;)/);
    }
  }
  // A prefetch too (proxy.ts's page rules skip prefetches).
  const prefetch = await fetch(`${baseURL}/login`, { headers: { cookie, "Next-Router-Prefetch": "1" } });
  expect(prefetch.status).toBe(200);
  // Signed in, with such a cookie planted: the portal still opens.
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, await registerAccount(request));
  await context.addCookies([{ name: "next-auth.callback-url", value: "javascript%3Aalert(1)", url: baseURL! }]);
  const response = await page.goto("/usage");
  expect(response?.status()).toBe(200);
  await expect(page.getByRole("heading", { name: "Usage", level: 1 })).toBeVisible();
  const left = (await context.cookies()).find((c) => c.name === "next-auth.callback-url");
  expect(left?.value ?? "").not.toContain("javascript");
  await context.close();
});

test("next-auth's other 500s: a GET of the credentials callback, a JSON body, its error page for ?error=Configuration", async ({
  request,
}) => {
  const callback = await request.get("/api/auth/callback/credentials", { maxRedirects: 0 });
  expect(callback.status()).toBe(405);
  expect(callback.headers().allow).toBe("POST");
  expect(await callback.json()).toEqual({ success: false, message: "Method not allowed; use POST" });
  // A JSON body (next-auth's client posts forms) that is not JSON, or whose fields are not strings.
  for (const [data, message] of [
    ["{bad json", "Request body is not valid JSON"],
    ['{"callbackUrl":5}', "callbackUrl must be a string"],
    ["[1]", "Request body must be a JSON object of strings"],
  ]) {
    for (const path of ["/api/auth/callback/credentials", "/api/auth/signout"]) {
      const response = await request.post(path, {
        headers: { "content-type": "application/json" },
        data: Buffer.from(data), // as is: a string would be sent JSON-encoded
        maxRedirects: 0,
      });
      expect(response.status(), `${path} ${data}`).toBe(400);
      expect(await response.json(), `${path} ${data}`).toEqual({ success: false, message });
    }
  }
  for (const error of ["Configuration", "AccessDenied", "%0d%0aX-Injected:%201"]) {
    const page = await request.get(`/api/auth/error?error=${error}`, { maxRedirects: 0 });
    expect(page.status(), error).toBe(302);
    expect(page.headers().location, error).toBe("/login");
  }
});

test("the sign-in page follows only a callbackUrl on this site", async ({ browser, request }) => {
  const account = await registerAccount(request);
  for (const [callbackUrl, lands] of [
    ["javascript:alert(1)", /\/keys$/],
    ["https://evil.example/keys", /\/keys$/],
    ["//evil.example/keys", /\/keys$/],
    ["/\\evil.example", /\/keys$/],
    ["/usage?range=24h", /\/usage\?range=24h$/],
  ] as const) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`/login?callbackUrl=${encodeURIComponent(callbackUrl)}`);
    await page.getByLabel("Email").fill(account.email);
    await page.getByLabel("Password").fill(account.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page, callbackUrl).toHaveURL(lands);
    expect(new URL(page.url()).hostname, callbackUrl).toBe("localhost");
    await context.close();
  }
});

test("a signed-out session's cookie gets no session from /api/auth/session", async ({ browser, request, baseURL }) => {
  const account = await registerAccount(request);
  const sessionOf = async (cookies: { name: string; value: string }[]) => {
    const response = await fetch(`${baseURL}/api/auth/session`, {
      headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join("; ") },
    });
    return { status: response.status, body: await response.json(), setCookie: response.headers.get("set-cookie") };
  };
  const signedIn = async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, account);
    return { context, page };
  };
  const signOut = async (page: import("@playwright/test").Page, name: string) => {
    await page.locator("nav summary").click();
    await page.getByRole("button", { name, exact: true }).click();
    await expect(page).toHaveURL(/\/login/);
  };

  // Signed out here: the copied cookie is no session, and the answer removes it.
  const first = await signedIn();
  const saved = await first.context.cookies();
  expect((await sessionOf(saved)).body.user).toMatchObject({ email: account.email });
  await signOut(first.page, "Sign out");
  const afterSignOut = await sessionOf(saved);
  expect(afterSignOut.status).toBe(200);
  expect(afterSignOut.body).toEqual({});
  expect(afterSignOut.setCookie).toMatch(/next-auth\.session-token=;.*Max-Age=0/i);

  // Signed out everywhere: another browser's cookie is no session either.
  const second = await signedIn();
  const third = await signedIn();
  const other = await second.context.cookies();
  expect((await sessionOf(other)).body.user).toMatchObject({ email: account.email });
  await signOut(third.page, "Sign out everywhere");
  expect((await sessionOf(other)).body).toEqual({});
  for (const { context } of [first, second, third]) await context.close();
});

// One more server for the tests below, started once: a 2-second sudo-mode window (600 s by
// default) lets a test outlive it.
const REAUTH_WINDOW_MS = 2_000;
let own: Awaited<ReturnType<typeof startOwnServer>>;
test.describe("on a server of its own", () => {
  test.beforeAll(async () => {
    test.setTimeout(120_000);
    own = await startOwnServer(3197, { REAUTH_WINDOW_SECONDS: String(REAUTH_WINDOW_MS / 1000) });
  });
  test.afterAll(async () => {
    await own?.stop();
  });

  test("a cross-site server action is a 403 envelope and one log line, not Next's 500 and a stack", async () => {
    const before = own.output().length;
    // To /login, which opens without a session; a signed-in victim's /keys is the same to Next.
    const action = (origin: string | undefined, headers: Record<string, string> = {}, path = "/login") =>
      fetch(`${own.base}${path}`, {
        method: "POST",
        headers: {
          "Next-Action": "7f".repeat(21),
          "Content-Type": "text/plain;charset=UTF-8",
          ...(origin === undefined ? {} : { Origin: origin }),
          ...headers,
        },
        body: "[]",
        redirect: "manual",
      });
    const forged = [
      await action("http://evil.example"),
      await action("null"),
      await action("not a url"),
      // Marked as a prefetch, which proxy.ts's matcher skips (so no redirect to /login either).
      await action("http://evil.example", { "Next-Router-Prefetch": "1" }, "/keys"),
      // A multipart form is an action to Next without the header.
      await fetch(`${own.base}/login`, {
        method: "POST",
        headers: { Origin: "http://evil.example" },
        body: new FormData(),
        redirect: "manual",
      }),
    ];
    for (const response of forged) {
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({
        success: false,
        message: "Cross-site request refused: its Origin is not this site",
      });
    }
    await expect
      .poll(
        () =>
          own
            .output()
            .slice(before)
            .match(/Refused a cross-site server action/g)?.length,
      )
      .toBe(5);
    const log = own.output().slice(before);
    expect(log).not.toContain("Invalid Server Actions request");
    expect(log).not.toMatch(/^\s+at /m);
    // From the site itself the request reaches Next (which knows no such action): not refused here.
    const sameSite = await action(own.base);
    expect(sameSite.status).not.toBe(403);
    expect(sameSite.status).toBeLessThan(500);
  });

  test("sudo mode: past its window a key action meets the password dialog, then carries on", async ({
    browser,
    playwright,
  }) => {
    const api = await playwright.request.newContext({ baseURL: own.base });
    const account = await registerAccount(api);
    const context = await browser.newContext({ baseURL: own.base });
    const page = await context.newPage();
    await signIn(page, account);
    // Past the window: signing in no longer counts.
    await page.waitForTimeout(REAUTH_WINDOW_MS + 500);

    await page.getByRole("button", { name: "Generate New API Key" }).click();
    const form = page.getByRole("dialog", { name: "Generate New API Key" });
    await form.getByLabel("API Key Name").fill("Sudo key");
    await form.getByLabel("Username").fill("sudo-user");
    await form.getByRole("button", { name: "Generate", exact: true }).click();
    const sudo = page.getByRole("dialog", { name: "Confirm it is you" });
    await expect(sudo).toBeVisible();
    await expect(sudo.getByLabel("Your password")).toBeFocused();
    await sudo.getByLabel("Your password").fill("not-the-password");
    await sudo.getByRole("button", { name: "Confirm" }).click();
    await expect(sudo.getByText("That password is not right; nothing was changed")).toBeVisible();
    // Nothing was made meanwhile.
    expect(await api.get("/api/api-keys").then((r) => r.status())).toBe(401);
    await sudo.getByLabel("Your password").fill(account.password);
    await sudo.getByRole("button", { name: "Confirm" }).click();
    // The generate action carried on: the new key's one-time secret.
    const modal = page.getByRole("dialog", { name: "Your new API key" });
    await expect(modal).toBeVisible();
    await expect(modal.getByLabel("API key")).toHaveValue(/^sk_live_[0-9A-Za-z]{38}$/);
    const secret = await modal.getByLabel("API key").inputValue();
    await closeNewKeyModal(page);

    // Reported leaked: reactivating it asks too, after the leak's own confirmation.
    expect((await api.post("/api/api-keys/revoke", { data: { api_key: secret } })).status()).toBe(202);
    await page.reload();
    await page.waitForTimeout(REAUTH_WINDOW_MS + 500);
    const toggle = page.getByRole("switch", { name: "Active: Sudo key" });
    await expect(toggle).toHaveAttribute("aria-checked", "false");
    await toggle.click();
    await page
      .getByRole("dialog", { name: 'Reactivate "Sudo key"?' })
      .getByRole("button", { name: "Reactivate key" })
      .click();
    await expect(sudo).toBeVisible();
    await sudo.getByLabel("Your password").fill(account.password);
    await sudo.getByRole("button", { name: "Confirm" }).click();
    await expect(sudo).toBeHidden();
    await expect(toggle).toHaveAttribute("aria-checked", "true");
    expect(
      (
        await api.get("/api/api-routes-data?id=123", { headers: { "X-API-Key": secret, "X-Username": "sudo-user" } })
      ).status(),
    ).toBe(200);

    // Past the window again, a cancelled dialog changes nothing and says so. Reloaded first, so the
    // list knows the call above: a key used in the last 24 hours is deleted only by typing its name.
    await page.reload();
    await page.waitForTimeout(REAUTH_WINDOW_MS + 500);
    await page.getByRole("button", { name: "Delete Sudo key" }).click();
    const deletion = page.getByRole("dialog", { name: "Delete API key?" });
    await deletion.getByRole("textbox", { name: /Type Sudo key to confirm/ }).fill("Sudo key");
    await deletion.getByRole("button", { name: "Delete key" }).click();
    await expect(sudo).toBeVisible();
    await sudo.getByRole("button", { name: "Cancel" }).click();
    await expect(page.getByText("Not confirmed: nothing was changed.")).toBeVisible();
    await deletion.getByRole("button", { name: "Cancel" }).click();
    await expect(page.getByRole("button", { name: "Delete Sudo key" })).toBeVisible();
    await context.close();
    await api.dispose();
  });
});

test("portal pages take any page number and date: past the last page they show the last one or none", async ({
  page,
  request,
}) => {
  await signIn(page, await registerAccount(request));
  for (const path of [
    "/keys?page=9007199254740991&q=a",
    "/keys?page=99999999999999999999",
    "/usage?page=9007199254740991&status=failed",
    "/usage?to=9999-12-31&from=0000-01-01",
    "/audit?page=9007199254740991",
  ]) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(200);
    await expect(page.getByRole("heading", { level: 1 }), path).toBeVisible();
  }
  // The key list keeps its search on the way to its last page.
  await page.goto("/keys?page=9007199254740991&q=a");
  await expect(page).toHaveURL(/\/keys\?q=a&page=1$/);
});
