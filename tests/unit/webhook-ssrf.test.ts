import http from "node:http";
import type { AddressInfo } from "node:net";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetConfigForTests } from "@/lib/config/env";
import {
  NOT_PUBLIC,
  addressRange,
  checkWebhookTarget,
  isPublicAddress,
  webhookDispatcher,
  WebhookTargetRefused,
} from "@/lib/webhooks/ssrf";

/**
 * Webhook targets are refused unless every address they resolve to is public, when an endpoint
 * is saved and again when a delivery connects (DNS rebinding). WEBHOOK_ALLOW_PRIVATE is unset
 * here, as in production. Nothing here needs the network: addresses are classified on their own,
 * and "localhost" resolves from /etc/hosts.
 */

beforeAll(() => {
  delete process.env.WEBHOOK_ALLOW_PRIVATE;
  resetConfigForTests();
});

const REFUSED = [
  ["127.0.0.1", "loopback"],
  ["127.1.2.3", "loopback"],
  ["10.0.0.1", "private"],
  ["172.16.5.4", "private"],
  ["192.168.1.10", "private"],
  ["169.254.169.254", "linkLocal"],
  ["100.64.0.1", "carrierGradeNat"],
  ["0.0.0.0", "unspecified"],
  ["224.0.0.1", "multicast"],
  ["255.255.255.255", "broadcast"],
  ["240.0.0.1", "reserved"],
  ["::1", "loopback"],
  ["::", "unspecified"],
  ["fc00::1", "uniqueLocal"],
  ["fd12:3456::1", "uniqueLocal"],
  ["fe80::1", "linkLocal"],
  ["ff02::1", "multicast"],
  // IPv4-mapped IPv6 counts as the IPv4 address it carries.
  ["::ffff:127.0.0.1", "loopback"],
  ["::ffff:10.1.2.3", "private"],
  ["::ffff:169.254.169.254", "linkLocal"],
  // NAT64 embeds an IPv4 address a gateway would reach: not public unicast, so refused.
  ["64:ff9b::7f00:1", "rfc6052"],
  // IPv4-compatible (::127.0.0.1) and anything else outside IPv6's global unicast (2000::/3),
  // which ipaddr.js would call "unicast".
  ["::7f00:1", "reserved"],
  ["4000::1", "reserved"],
] as const;

describe("address classification", () => {
  it.each(REFUSED)("%s is %s: refused", (address, range) => {
    expect(addressRange(address)).toBe(range);
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(["93.184.216.34", "1.1.1.1", "8.8.8.8", "2606:4700:4700::1111", "::ffff:1.1.1.1"])(
    "%s is public: accepted",
    (address) => {
      expect(isPublicAddress(address)).toBe(true);
    },
  );

  it("what is not an address is not public", () => {
    expect(isPublicAddress("example.com")).toBe(false);
    expect(isPublicAddress("")).toBe(false);
  });
});

describe("checkWebhookTarget", () => {
  it.each([
    "http://127.0.0.1/hook",
    "https://localhost/hook",
    "http://localhost:3000/hook",
    "http://10.0.0.5/hook",
    "http://192.168.0.1:8080/",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/",
    "http://[::1]/hook",
    "http://[fc00::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://0.0.0.0/hook",
    // WHATWG URL parsing turns these spellings into 127.0.0.1 before any check.
    "http://0x7f000001/hook",
    "http://2130706433/hook",
    "http://127.1/hook",
  ])("refuses %s, saying why", async (url) => {
    const result = await checkWebhookTarget(url);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/public addresses/);
  });

  it("names the address a host name resolves to", async () => {
    const result = await checkWebhookTarget("http://localhost/hook");
    expect(result).toMatchObject({
      ok: false,
      // Only the server's log learns what it resolved to; the member sees NOT_PUBLIC.
      reason: NOT_PUBLIC,
      detail: expect.stringMatching(/^localhost resolves to (127\.0\.0\.1|::1), a loopback address/),
    });
  });

  it("accepts a public address (no lookup needed for a literal)", async () => {
    expect(await checkWebhookTarget("https://93.184.216.34/hook")).toEqual({ ok: true });
    expect(await checkWebhookTarget("http://1.1.1.1:8443/a?b=c")).toEqual({ ok: true });
    expect(await checkWebhookTarget("https://[2606:4700:4700::1111]/")).toEqual({ ok: true });
  });

  it.each([
    ["ftp://93.184.216.34/hook", /http or https/],
    ["file:///etc/passwd", /http or https/],
    ["javascript:alert(1)", /http or https/],
    ["https://user:pass@93.184.216.34/hook", /user name or password/],
    ["https://user@93.184.216.34/hook", /user name or password/],
    ["not a url", /not a valid URL/],
  ])("refuses %s", async (url, reason) => {
    const result = await checkWebhookTarget(url);
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(reason) });
  });

  it("refuses a host that does not resolve", async () => {
    const result = await checkWebhookTarget("https://no-such-host.invalid/hook");
    expect(result).toMatchObject({
      ok: false,
      reason: NOT_PUBLIC,
      detail: expect.stringMatching(/could not be resolved/),
    });
  });

  it("with WEBHOOK_ALLOW_PRIVATE, private targets are accepted (tests, local development)", async () => {
    process.env.WEBHOOK_ALLOW_PRIVATE = "true";
    resetConfigForTests();
    try {
      expect(await checkWebhookTarget("http://127.0.0.1:3000/hook")).toEqual({ ok: true });
      expect(await checkWebhookTarget("http://localhost/hook")).toEqual({ ok: true });
      // The scheme and credentials rules stay.
      expect((await checkWebhookTarget("ftp://127.0.0.1/")).ok).toBe(false);
      expect((await checkWebhookTarget("http://a:b@127.0.0.1/")).ok).toBe(false);
    } finally {
      delete process.env.WEBHOOK_ALLOW_PRIVATE;
      resetConfigForTests();
    }
  });
});

describe("the delivery dispatcher refuses private addresses when it connects", () => {
  let server: http.Server;
  let port = 0;
  let received = 0;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      received += 1;
      res.end("ok");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const post = (url: string) =>
    request(url, { method: "POST", body: "{}", dispatcher: webhookDispatcher(), signal: AbortSignal.timeout(5_000) });

  it("an IP literal (no DNS lookup happens for it)", async () => {
    await expect(post(`http://127.0.0.1:${port}/hook`)).rejects.toBeInstanceOf(WebhookTargetRefused);
    expect(received).toBe(0);
  });

  it("a name that resolves to a private address at connect time (as after DNS rebinding)", async () => {
    const error = await post(`http://localhost:${port}/hook`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookTargetRefused);
    expect((error as Error).message).toMatch(/^localhost resolves to .*loopback address/);
    expect(received).toBe(0);
  });

  it("the same server is reached once WEBHOOK_ALLOW_PRIVATE is on: the refusal was the check's", async () => {
    process.env.WEBHOOK_ALLOW_PRIVATE = "true";
    resetConfigForTests();
    try {
      const response = await post(`http://127.0.0.1:${port}/hook`);
      expect(response.statusCode).toBe(200);
      expect(await response.body.text()).toBe("ok");
      expect(received).toBe(1);
    } finally {
      delete process.env.WEBHOOK_ALLOW_PRIVATE;
      resetConfigForTests();
    }
  });
});
