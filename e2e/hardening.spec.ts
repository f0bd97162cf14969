import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { startOwnServer } from "./support";

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
