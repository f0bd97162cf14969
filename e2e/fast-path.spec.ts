import { expect, test } from "@playwright/test";
import { startOwnServer } from "./support";

// The production server answers the data API on its fast path (scripts/server.mjs), outside
// Next, while the portal and the REST API run in Next. One process, one set of state: with a
// one-hour flush interval, a call on the fast path can only show up in a usage read at once if
// both use the same usage buffer, and a portal toggle can only be refused at the next call if
// both use the same key cache.
test("the fast path and the portal share one usage buffer and one key cache", async ({ page }) => {
  test.setTimeout(120_000);
  const own = await startOwnServer(3198, { USAGE_FLUSH_INTERVAL_MS: "3600000" });
  const base = own.base;
  try {
    const api = (
      url: string,
      init: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> } = {},
    ) =>
      fetch(base + url, {
        method: init.method ?? (init.body ? "POST" : "GET"),
        headers: {
          ...(init.body ? { "content-type": "application/json" } : {}),
          ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
          ...init.headers,
        },
        body: init.body ? JSON.stringify(init.body) : undefined,
      });
    const account = { email: "fast-path@example.com", password: "fast-path-password" };
    expect((await api("/api/auth/register", { body: account })).status).toBe(201);
    const { token } = await (await api("/api/auth/login", { body: account })).json();
    const key = await (
      await api("/api/api-keys/generate", { body: { api_key_name: "fast", user: "fast_user" }, token })
    ).json();
    const callData = () =>
      api("/api/api-routes-data?id=123", { headers: { "X-API-Key": key.api_key, "X-Username": "fast_user" } });

    const served = await callData();
    expect(served.status).toBe(200);
    expect(served.headers.get("x-data-path")).toBe("fast");
    expect(served.headers.get("x-content-type-options")).toBe("nosniff");
    expect(served.headers.get("x-ratelimit-remaining")).toBe("59");

    // Next's usage read flushes the buffer the fast path wrote to: the call is there at once.
    const logs = await (await api(`/api/api-usage-logs?api_key_id=${key.id}`, { token })).json();
    expect(logs.pagination.total).toBe(1);
    expect(logs.data[0]).toMatchObject({ path: "/api/api-routes-data?id=123", status_code: 200 });

    // Next's App Router route answers the same way when the fast path is not in front of it
    // (other methods go to Next, which answers with the envelope).
    const post = await api("/api/api-routes-data?id=123", { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("x-data-path")).toBeNull();

    // Deactivated in the portal (a server action in Next): refused on the fast path at once.
    await page.goto(`${base}/login`);
    await page.getByLabel("Email").fill(account.email);
    await page.getByLabel("Password").fill(account.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/keys$/);
    const toggle = page.getByRole("switch", { name: "Active: fast" });
    // The switch flips at once (optimistic); the server action's answer is when the key changed.
    const serverAction = () =>
      page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/keys");
    let answered = serverAction();
    await toggle.click();
    await page
      .getByRole("dialog", { name: 'Deactivate "fast"?' })
      .getByRole("button", { name: "Deactivate key" })
      .click();
    expect((await answered).status()).toBe(200);
    await expect(toggle).toHaveAttribute("aria-checked", "false");
    const refused = await callData();
    expect(refused.status).toBe(401);
    expect(refused.headers.get("x-data-path")).toBe("fast");
    expect(await refused.json()).toEqual({ success: false, message: "Invalid or missing authentication" });

    // And re-activated: accepted again at the next call.
    answered = serverAction();
    await toggle.click();
    expect((await answered).status()).toBe(200);
    await expect(toggle).toHaveAttribute("aria-checked", "true");
    expect((await callData()).status).toBe(200);
  } finally {
    await own.stop();
  }
});
