import fs from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { serveDataRequest } from "@/lib/data-api/serve-data-request";
import { db } from "@/lib/db/client";
import { ANONYMOUS_HOURLY_LIMIT } from "@/lib/limits/plans";
import { flushUsage } from "@/lib/usage/usage-recorder";
import { seedSampleRoutes } from "../helpers";
import { TEST_DATABASE } from "../setup/test-database";
import { createAccount, generateKey } from "./support";

/** FLOOD_CALLS=60000 reproduces the audit's flood (the closing note's figures); CI runs a tenth. */
const FLOOD = Number(process.env.FLOOD_CALLS ?? 6_000);

async function flood(count: number, ip: (i: number) => string, headers: Record<string, string> = {}) {
  const statuses: Record<number, number> = {};
  for (let i = 0; i < count; i++) {
    const response = await serveDataRequest({
      method: "GET",
      url: "/api/api-routes-data?id=123",
      headers: { get: (name: string) => headers[name] ?? null },
      ip: ip(i),
    });
    statuses[response.status] = (statuses[response.status] ?? 0) + 1;
  }
  await flushUsage();
  return statuses;
}

const usageRows = (ipPrefix: string) => db().usageLog.count({ where: { ip: { startsWith: ipPrefix } } });

async function refused(ip: string): Promise<number> {
  const rows = await db().refusedCall.findMany({ where: { ip } });
  return rows.reduce((sum, row) => sum + row.count, 0);
}

/** What the flood costs on disk: the SQLite file and its WAL, or PostgreSQL's usage tables. */
async function databaseBytes(): Promise<number> {
  if (TEST_DATABASE === "postgresql") {
    const [row] = await db().$queryRaw<{ n: bigint | number }[]>`
      SELECT pg_total_relation_size('usage_logs') + pg_total_relation_size('refused_calls') AS n`;
    return Number(row.n);
  }
  const file = process.env.DATABASE_URL!.replace(/^file:/, "");
  return [file, `${file}-wal`].reduce((sum, f) => sum + (fs.existsSync(f) ? fs.statSync(f).size : 0), 0);
}

beforeAll(async () => {
  await seedSampleRoutes();
});

describe("refused data-API calls cost no usage row each", () => {
  it(`a keyless flood of ${FLOOD} calls from one IP: the budget's calls are logged, the rest counted per hour`, async () => {
    const bytesBefore = await databaseBytes();
    const started = Date.now();
    const statuses = await flood(FLOOD, () => "192.0.2.200");
    const rows = await usageRows("192.0.2.200");
    const bytes = (await databaseBytes()) - bytesBefore;
    console.log(
      `[flood] ${FLOOD} keyless calls in ${Date.now() - started} ms: ${JSON.stringify(statuses)}; ` +
        `usage_logs rows ${rows}, refused_calls ${await refused("192.0.2.200")} in ` +
        `${await db().refusedCall.count({ where: { ip: "192.0.2.200" } })} row(s); database +${bytes} bytes`,
    );
    expect(statuses).toEqual({ 401: ANONYMOUS_HOURLY_LIMIT, 429: FLOOD - ANONYMOUS_HOURLY_LIMIT });
    expect(rows).toBe(ANONYMOUS_HOURLY_LIMIT);
    expect(await refused("192.0.2.200")).toBe(FLOOD - ANONYMOUS_HOURLY_LIMIT);
  }, 120_000);

  it("an IPv6 client is one budget per /64, whichever of its addresses it calls from", async () => {
    const calls = ANONYMOUS_HOURLY_LIMIT + 500;
    const statuses = await flood(calls, (i) => `2001:db8:6464:1:${(i % 4096).toString(16)}::${(i % 7) + 1}`);
    expect(statuses).toEqual({ 401: ANONYMOUS_HOURLY_LIMIT, 429: 500 });
    expect(await usageRows("2001:db8:6464:1:")).toBe(ANONYMOUS_HOURLY_LIMIT);
    expect(await refused("2001:db8:6464:1::/64")).toBe(500);
  }, 60_000);

  it("a valid key used past the budget from an address its allow-list does not name is counted, not logged under its owner", async () => {
    const owner = await createAccount({ prefix: "refused-owner" });
    const key = await generateKey(owner.token, "allow-listed", "allow_svc");
    await db().apiKey.update({ where: { id: key.id }, data: { ipAllowlist: JSON.stringify(["198.51.100.1"]) } });
    const headers = { "x-api-key": key.api_key, "x-username": key.user };
    const statuses = await flood(ANONYMOUS_HOURLY_LIMIT + 200, () => "192.0.2.201", headers);
    expect(statuses).toEqual({ 403: ANONYMOUS_HOURLY_LIMIT, 429: 200 });
    expect(await db().usageLog.count({ where: { ownerId: owner.id, statusCode: 429 } })).toBe(0);
    expect(await refused("192.0.2.201")).toBe(200);
  }, 60_000);
});
