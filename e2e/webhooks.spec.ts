import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { Webhook } from "standardwebhooks";
import { closeNewKeyModal, generateKey, registerAccount, signIn } from "./support";

// The Webhooks page on the shared production server (WEBHOOK_ALLOW_PRIVATE is on there, so a
// receiver on 127.0.0.1 is allowed): add an endpoint (its secret shown once), receive a key event
// and a test event signed with that secret, see the deliveries listed, rotate, disable, delete.

interface Received {
  type: string;
  id: string;
  body: string;
  headers: Record<string, string>;
}

test("add an endpoint, receive signed events, see deliveries, rotate, disable and delete it", async ({
  page,
  request,
}) => {
  const received: Received[] = [];
  const receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString();
      received.push({
        type: JSON.parse(body).type,
        id: String(req.headers["webhook-id"]),
        body,
        headers: req.headers as Record<string, string>,
      });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  try {
    const account = await registerAccount(request);
    await signIn(page, account);
    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: /Members|Team/ })
      .click();
    await page.getByRole("navigation", { name: "Team pages" }).getByRole("link", { name: "Webhooks" }).click();
    await expect(page.getByRole("heading", { name: "Webhooks", level: 1 })).toBeVisible();
    await expect(page.getByText("No endpoints yet.")).toBeVisible();

    await page.getByLabel("Endpoint URL").fill(url);
    await page.getByLabel("Description (optional)").fill("e2e receiver");
    await page.getByRole("button", { name: "Add endpoint" }).click();
    const secretField = page.getByLabel("Signing secret of the new endpoint");
    await expect(secretField).toHaveValue(/^whsec_/);
    const secret = await secretField.inputValue();
    await expect(page.getByRole("heading", { name: url, level: 2 })).toBeVisible();

    // A key event reaches the receiver, signed with the secret the page showed.
    await page.goto("/keys");
    await generateKey(page, "hooked key", "svc");
    await closeNewKeyModal(page);
    await expect.poll(() => received.map((r) => r.type)).toContain("key.created");
    const created = received.find((r) => r.type === "key.created")!;
    expect(() => new Webhook(secret).verify(created.body, created.headers)).not.toThrow();
    expect(JSON.parse(created.body).data.key).toMatchObject({ api_key_name: "hooked key", user: "svc" });

    await page.goto("/webhooks");
    await page.getByRole("button", { name: "Send test event" }).click();
    await expect.poll(() => received.map((r) => r.type)).toContain("webhook.test");
    await page.reload();
    const deliveries = page.getByRole("table", { name: `Recent deliveries to ${url}` });
    await expect(deliveries.getByRole("row").filter({ hasText: "webhook.test" })).toContainText("delivered");
    await expect(deliveries.getByRole("row").filter({ hasText: "key.created" })).toContainText("200");

    // Redeliver sends the same webhook-id again.
    await deliveries
      .getByRole("row")
      .filter({ hasText: "key.created" })
      .getByRole("button", { name: /Redeliver/ })
      .click();
    await expect.poll(() => received.filter((r) => r.id === created.id).length).toBe(2);

    await page.getByRole("button", { name: "Rotate secret" }).click();
    const rotated = page.getByLabel(/New signing secret/);
    await expect(rotated).toHaveValue(/^whsec_/);
    expect(await rotated.inputValue()).not.toBe(secret);

    await page.getByRole("button", { name: "Disable" }).click();
    await expect(page.getByText("Disabled: disabled by a member")).toBeVisible();
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: `Delete endpoint ${url}` }).click();
    await expect(page.getByText("No endpoints yet.")).toBeVisible();
  } finally {
    receiver.closeAllConnections();
    receiver.close();
  }
});
