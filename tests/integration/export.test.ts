import Papa from "papaparse";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as exportKeys } from "@/app/api/api-keys/export/route";
import { db } from "@/lib/db/client";
import {
  ISO_8601,
  callData,
  createAccount,
  generateKey,
  noParams,
  request,
  type Account,
  type GeneratedKey,
} from "./support";
import { seedSampleRoutes } from "../helpers";
import { flushUsage } from "@/lib/usage/usage-recorder";

const HEADER = "id,api_key_name,user,status,created_at,last_used_at";

async function exportCsv(token: string, query = "") {
  const response = await exportKeys(request("GET", `/api/api-keys/export${query}`, { token }), noParams);
  const text = await response.text();
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: true });
  return { response, text, parsed, rows: parsed.data.slice(1) };
}

/** The CSV text of a cell as papaparse writes a quoted one. */
function quoted(cell: string): string {
  return `"${cell.replace(/"/g, '""')}"`;
}

describe("GET /api/api-keys/export", () => {
  let account: Account;
  let other: Account;
  const keys: GeneratedKey[] = [];
  const dangerousNames = ['=HYPERLINK("x")', "+1", "-1", "@x", "=1+2", "@SUM(A1:A2)"];

  beforeAll(async () => {
    await seedSampleRoutes();
    account = await createAccount({ prefix: "export", plan: "enterprise" });
    other = await createAccount({ prefix: "export-other", plan: "enterprise" });
    keys.push(await generateKey(account.token, "Production API Key", "api_user_prod"));
    keys.push(await generateKey(account.token, 'Comma, "quote" name', "svc.quote"));
    for (const name of dangerousNames) keys.push(await generateKey(account.token, name, "svc_formula"));
    keys.push(await generateKey(account.token, "user starts with at", "@admin"));
    keys.push(await generateKey(account.token, "user starts with dash", "-cmd"));
    keys.push(await generateKey(account.token, "\tx", "svc_tab"));
  });

  it("answers text/csv as an attachment, not cacheable", async () => {
    const { response } = await exportCsv(account.token);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(response.headers.get("content-disposition")).toMatch(/^attachment;\s*filename="?[^"]+\.csv"?$/);
    expect(response.headers.get("cache-control") ?? "").toContain("no-store");
  });

  it("starts with exactly the header row id,api_key_name,user,status,created_at,last_used_at", async () => {
    const { text, parsed } = await exportCsv(account.token);
    expect(text.split(/\r?\n/)[0]).toBe(HEADER);
    expect(parsed.errors).toEqual([]);
    expect(parsed.data[0]).toEqual(HEADER.split(","));
  });

  it("has one row per key, with the key's fields", async () => {
    const { rows } = await exportCsv(account.token);
    expect(rows).toHaveLength(keys.length);
    expect(rows.map((row) => Number(row[0])).sort((a, b) => a - b)).toEqual(
      keys.map((k) => k.id).sort((a, b) => a - b),
    );
    for (const row of rows) expect(row).toHaveLength(6);
    const production = rows.find((row) => Number(row[0]) === keys[0].id)!;
    expect(production).toEqual([
      String(keys[0].id),
      "Production API Key",
      "api_user_prod",
      "active",
      keys[0].created_at,
      "",
    ]);
  });

  it("round-trips commas and quotes in a name", async () => {
    const { rows } = await exportCsv(account.token);
    expect(rows.find((row) => Number(row[0]) === keys[1].id)![1]).toBe('Comma, "quote" name');
  });

  it("contains no key material", async () => {
    const { text } = await exportCsv(account.token);
    for (const key of keys) {
      expect(text).not.toContain(key.api_key);
      expect(text).not.toContain(key.api_key.slice("sk_live_".length));
    }
    expect(text).not.toContain("sk_live_");
    expect(text).not.toMatch(/digest/i);
  });

  it.each(['=HYPERLINK("x")', "+1", "-1", "@x", "=1+2", "@SUM(A1:A2)"])(
    "neutralizes the formula-like name %j: a leading single quote, inside quotes",
    async (name) => {
      const { text, rows } = await exportCsv(account.token);
      const key = keys.find((k) => k.api_key_name === name)!;
      const row = rows.find((r) => Number(r[0]) === key.id)!;
      expect(row[1]).toBe(`'${name}`);
      expect(text).toContain(`,${quoted(`'${name}`)},`);
    },
  );

  it.each([
    ["@admin", "user starts with at"],
    ["-cmd", "user starts with dash"],
  ])("neutralizes the formula-like user %j", async (user, name) => {
    const { text, rows } = await exportCsv(account.token);
    const row = rows.find((r) => r[1] === name)!;
    expect(row[2]).toBe(`'${user}`);
    expect(text).toContain(`,${quoted(`'${user}`)},`);
  });

  it('never lets a name submitted as "\\tx" start its cell with a tab', async () => {
    const { rows } = await exportCsv(account.token);
    const key = keys.find((k) => k.user === "svc_tab")!;
    const cell = rows.find((r) => Number(r[0]) === key.id)![1];
    // Either the input was trimmed to "x", or the tab is kept behind a quote.
    expect(cell.startsWith("\t")).toBe(false);
    expect(["x", "'\tx"]).toContain(cell);
  });

  it.each([
    ["a leading tab", "\tx"],
    ["a leading carriage return", "\rcmd"],
  ])("neutralizes a stored name with %s", async (_label, name) => {
    // The API trims names, so this row is written directly, as a migration or older version might have.
    const row = await db().apiKey.create({
      data: {
        ownerId: account.id,
        name,
        user: "svc_direct",
        digest: `test-digest-${Math.random()}`,
        hint: "sk_live_xxxx…xxxx",
      },
    });
    try {
      const { text, rows } = await exportCsv(account.token);
      const cell = rows.find((r) => Number(r[0]) === row.id)![1];
      expect(cell).toBe(`'${name}`);
      expect(text).toContain(`,${quoted(`'${name}`)},`);
    } finally {
      await db().apiKey.delete({ where: { id: row.id } });
    }
  });

  it("leaves harmless cells alone", async () => {
    const { rows } = await exportCsv(account.token);
    const row = rows.find((r) => Number(r[0]) === keys[0].id)!;
    expect(row[1]).toBe("Production API Key");
    expect(row[3]).toBe("active");
  });

  it("fills last_used_at once the key was used, and shows the current status", async () => {
    const used = keys[0];
    const call = await callData({ key: used.api_key, username: used.user });
    expect(call.status).toBe(200);
    await flushUsage(); // last_used_at follows the batched usage write
    const { rows } = await exportCsv(account.token);
    const row = rows.find((r) => Number(r[0]) === used.id)!;
    expect(row[5]).toMatch(ISO_8601);
    expect(row[3]).toBe("active");
  });

  it("exports only the caller's keys: another account gets the header alone", async () => {
    const { response, text, rows } = await exportCsv(other.token);
    expect(response.status).toBe(200);
    expect(rows).toEqual([]);
    expect(text.trim()).toBe(HEADER);
  });
});

describe("GET /api/api-keys/export of many keys (streamed in pages of 1,000)", () => {
  it("has every one of 2,345 keys exactly once, in id order, and the same bytes as one unparse", async () => {
    const owner = await createAccount({ prefix: "export-many", plan: "enterprise" });
    const count = 2_345;
    const created = new Date("2026-01-02T03:04:05.000Z");
    await db().apiKey.createMany({
      data: Array.from({ length: count }, (_, i) => ({
        ownerId: owner.id,
        name: `bulk-${i}`,
        user: "bulk_user",
        digest: `bulk-digest-${owner.id}-${i}`,
        hint: "sk_live_bulk…bulk",
        createdAt: created,
      })),
    });
    const { response, text, rows } = await exportCsv(owner.token);
    expect(response.status).toBe(200);
    expect(rows).toHaveLength(count);
    const ids = rows.map((row) => Number(row[0]));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(count);
    expect(rows.map((row) => row[1])).toEqual(Array.from({ length: count }, (_, i) => `bulk-${i}`));
    const whole = Papa.unparse({ fields: HEADER.split(","), data: rows.map((row) => [...row]) }, { newline: "\r\n" });
    expect(text).toBe(whole);
  });
});

describe("GET /api/api-keys/export with the list's filter", () => {
  let owner: Account;

  beforeAll(async () => {
    owner = await createAccount({ prefix: "export-filter", plan: "enterprise" });
    await db().apiKey.createMany({
      data: Array.from({ length: 2_100 }, (_, i) => ({
        ownerId: owner.id,
        // Every 7th key is a "Billing" key; every 3rd one is inactive.
        name: i % 7 === 0 ? `Billing-${i}` : `other-${i}`,
        user: i === 5 ? "svc_billing" : "svc",
        digest: `filter-digest-${owner.id}-${i}`,
        hint: "sk_live_filt…filt",
        status: i % 3 === 0 ? "inactive" : "active",
      })),
    });
  });

  it("exports only the keys matching q (name or user, case-insensitively) and status, across pages", async () => {
    const { response, text, rows } = await exportCsv(owner.token, "?q=billing&status=inactive");
    expect(response.status).toBe(200);
    expect(text.startsWith(HEADER)).toBe(true);
    const expected = Array.from({ length: 2_100 }, (_, i) => i).filter((i) => (i % 7 === 0 || i === 5) && i % 3 === 0);
    expect(rows.map((row) => row[1])).toEqual(expected.map((i) => (i % 7 === 0 ? `Billing-${i}` : `other-${i}`)));
    expect(rows.every((row) => row[3] === "inactive")).toBe(true);
    // q or status alone, each matching more than one page of 1,000 keys for "other" and "active".
    expect((await exportCsv(owner.token, "?q=BILLING")).rows).toHaveLength(300 + 1);
    expect((await exportCsv(owner.token, "?q=other")).rows).toHaveLength(1_800);
    expect((await exportCsv(owner.token, "?status=active")).rows).toHaveLength(1_400);
    expect((await exportCsv(owner.token, "?q=%25")).rows).toHaveLength(0);
  });

  it("answers 400 naming the parameter for a bad status or q", async () => {
    for (const query of ["?status=deleted", `?q=${"x".repeat(101)}`]) {
      const { response, text } = await exportCsv(owner.token, query);
      expect(response.status).toBe(400);
      expect(JSON.parse(text)).toMatchObject({ success: false, message: expect.stringMatching(/status|q/) });
    }
  });
});
