import { beforeAll, describe, expect, it, vi } from "vitest";
import { GET as summaryRoute, POST as summaryPost } from "@/app/api/api-usage-logs/summary/route";
import { PUT as putWorkingHours } from "@/app/api/account/working-hours/route";
import { dialect, type Prisma } from "@/lib/db/client";
import { SqliteThread } from "@/lib/db/sqlite-thread";
import { chartOfSummary, usageChart, usageSummaryForAccount } from "@/lib/usage/summary";
import { flushUsage, usageRecorder } from "@/lib/usage/usage-recorder";
import {
  createAccount,
  expectError,
  expectUnauthenticated,
  generateKey,
  noParams,
  readBody,
  request,
  type Account,
  type GeneratedKey,
} from "./support";

const HOUR = 3_600_000;
const now = Date.now();
const hourStart = (t: number) => Math.floor(t / HOUR) * HOUR;

let account: Account;
let prod: GeneratedKey;
let fresh: GeneratedKey;

async function summary(range?: string, token = account.token) {
  const response = await summaryRoute(
    request("GET", `/api/api-usage-logs/summary${range ? `?range=${range}` : ""}`, { token }),
    noParams,
  );
  return { response, body: await readBody(response) };
}

function rows(
  key: GeneratedKey | null,
  at: number,
  count: number,
  options: { ip?: string; status?: number; spacingMs?: number } = {},
) {
  return Array.from({ length: count }, (_, i) => ({
    ownerId: account.id,
    apiKeyId: key?.id ?? null,
    apiKeyName: key?.api_key_name ?? null,
    method: "GET",
    path: "/api/api-routes-data?id=123",
    touchKey: false,
    statusCode: options.status ?? 200,
    ip: options.ip ?? "10.0.0.1",
    userAgent: "summary-test",
    at: new Date(at + i * (options.spacingMs ?? 1000)),
  }));
}

// Two hours ago, at least 10 minutes into its hour, so nothing crosses an hour boundary.
const twoHoursAgo = hourStart(now - 2 * HOUR) + 10 * 60_000;
const threeHoursAgo = hourStart(now - 3 * HOUR) + 10 * 60_000;

beforeAll(async () => {
  account = await createAccount({ prefix: "summary", plan: "professional" });
  prod = await generateKey(account.token, "prod-server", "svc_prod");
  fresh = await generateKey(account.token, "fresh-key", "svc_fresh");
  // Through the recorder, as calls are: it writes the rollups the summary reads.
  for (const entry of [
    // prod: used from 10.0.0.1 for days, then 10.0.0.9 appears (new IP).
    ...rows(prod, now - 3 * 24 * HOUR, 3, { ip: "10.0.0.1" }),
    ...rows(prod, threeHoursAgo, 2, { ip: "10.0.0.1" }),
    ...rows(prod, twoHoursAgo, 25, { ip: "10.0.0.9", spacingMs: 10_000 }), // also a spike: 25 calls after a quiet day
    // fresh: its very first caller is not an alert.
    ...rows(fresh, threeHoursAgo, 1, { ip: "10.0.0.50" }),
    // A burst of failed authentication with prod, 12 in 2 minutes.
    ...rows(prod, threeHoursAgo + 60_000, 12, { ip: "203.0.113.7", status: 401, spacingMs: 10_000 }),
    // Old traffic outside the 7-day range.
    ...rows(prod, now - 9 * 24 * HOUR, 4, { ip: "10.0.0.2" }),
  ])
    usageRecorder().record(entry);
  await flushUsage();
});

describe("GET /api/api-usage-logs/summary", () => {
  it("counts calls per hour, failures, IPs and top keys for the last 24 hours", async () => {
    const { response, body } = await summary("24h");
    expect(response.status).toBe(200);
    expect(body.range).toBe("24h");
    expect(body.calls_per_hour).toHaveLength(24);
    expect(body.calls_per_hour.at(-1).hour).toBe(new Date(hourStart(now)).toISOString());
    const hour2 = body.calls_per_hour.find((b: any) => b.hour === new Date(hourStart(twoHoursAgo)).toISOString());
    expect(hour2).toEqual({
      hour: new Date(hourStart(twoHoursAgo)).toISOString(),
      ok: 25,
      failed: 0,
      auth_failed: 0,
      limited: 0,
      other: 0,
    });
    const hour3 = body.calls_per_hour.find((b: any) => b.hour === new Date(hourStart(threeHoursAgo)).toISOString());
    expect(hour3).toEqual({ hour: hour3.hour, ok: 3, failed: 12, auth_failed: 12, limited: 0, other: 0 });
    expect(body.totals).toEqual({ calls: 40, ok: 28, failed: 12 });
    expect(body.failed_auth_attempts).toBe(12);
    expect(body.distinct_ips).toBe(4); // 10.0.0.1, 10.0.0.9, 10.0.0.50, 203.0.113.7
    expect(body.top_keys).toEqual([
      { api_key_id: prod.id, api_key_name: "prod-server", calls: 39 },
      { api_key_id: fresh.id, api_key_name: "fresh-key", calls: 1 },
    ]);
  });

  it("covers 7 days hour by hour, without the older rows", async () => {
    const { body } = await summary("7d");
    expect(body.calls_per_hour).toHaveLength(168);
    expect(body.totals.calls).toBe(43); // the 40 above + 3 from three days ago
  });

  it("raises new-IP, spike and failed-authentication alerts", async () => {
    const { body } = await summary("24h");
    const byType = (type: string) => body.alerts.filter((a: any) => a.type === type);
    for (const alert of body.alerts) {
      expect(Object.keys(alert).sort()).toEqual(["api_key_id", "api_key_name", "at", "message", "type"]);
    }
    // 10.0.0.9 and 203.0.113.7 are new for prod; fresh's first caller and prod's usual IP are not.
    expect(
      byType("new_ip")
        .map((a: any) => [a.api_key_id, a.message.match(/from (\S+),/)?.[1]])
        .sort(),
    ).toEqual(
      [
        [prod.id, "10.0.0.9"],
        [prod.id, "203.0.113.7"],
      ].sort(),
    );
    expect(byType("spike").map((a: any) => a.at)).toEqual([new Date(hourStart(twoHoursAgo)).toISOString()]);
    const bursts = byType("failed_auth_burst");
    expect(bursts).toHaveLength(1);
    expect(bursts[0]).toMatchObject({
      api_key_id: prod.id,
      api_key_name: "prod-server",
      at: new Date(threeHoursAgo + 60_000).toISOString(),
    });
  });

  it("raises off-hours alerts outside the account's working hours, and none when every hour is working time", async () => {
    const offHour = new Date(twoHoursAgo).getUTCHours();
    // Working hours that exclude the hour of the spike: one hour, starting right after it.
    const set = await putWorkingHours(
      request("PUT", "/api/account/working-hours", {
        token: account.token,
        body: { time_zone: "UTC", work_start_hour: (offHour + 1) % 24, work_end_hour: (offHour + 2) % 24 || 24 },
      }),
      noParams,
    );
    expect(set.status).toBe(200);
    let { body } = await summary("24h");
    // One alert per key; "at" is its first call outside working hours, not the start of an hour.
    const off = body.alerts.filter((a: any) => a.type === "off_hours");
    expect(off.map((a: any) => [a.api_key_id, a.api_key_name, a.at]).sort()).toEqual(
      [
        [prod.id, "prod-server", new Date(threeHoursAgo).toISOString()],
        [fresh.id, "fresh-key", new Date(threeHoursAgo).toISOString()],
      ].sort(),
    );
    // prod: 2 calls and 12 failures three hours ago, 25 calls two hours ago; fresh: 1 call.
    expect(off.find((a: any) => a.api_key_id === prod.id).message).toMatch(/made 39 calls outside working hours/);
    expect(off.find((a: any) => a.api_key_id === fresh.id).message).toMatch(/made 1 call outside working hours/);

    await putWorkingHours(
      request("PUT", "/api/account/working-hours", {
        token: account.token,
        body: { time_zone: "UTC", work_start_hour: 0, work_end_hour: 24 },
      }),
      noParams,
    );
    ({ body } = await summary("24h"));
    expect(body.alerts.filter((a: any) => a.type === "off_hours")).toEqual([]);
    expect(body.working_hours).toEqual({ time_zone: "UTC", start_hour: 0, end_hour: 24 });
  });

  it.runIf(dialect() === "sqlite")(
    "answers 503 when the reader thread stops under a read, and reads again on a new one",
    async () => {
      // The thread stops as the summary's first read reaches it.
      const original = SqliteThread.prototype.read;
      const read = vi.spyOn(SqliteThread.prototype, "read").mockImplementationOnce(function (
        this: SqliteThread,
        sql: Prisma.Sql,
      ) {
        this.close();
        return original.call(this, sql);
      });
      const reading = summary("7d");
      const { response, body } = await reading;
      expect(response.status).toBe(503);
      expect(body).toMatchObject({ success: false });
      expect(JSON.stringify(body)).not.toMatch(/thread|sqlite/i);
      read.mockRestore();
      const again = await summary("7d");
      expect(again.response.status).toBe(200);
      expect(again.body.totals.calls).toBeGreaterThan(0);
    },
  );

  it("gives the usage page's default chart from the summary's own reading: the buckets usageChart reads", async () => {
    const at = new Date();
    const owner = { id: account.id, timeZone: "UTC", workStartHour: 9, workEndHour: 17 };
    for (const [range, hours] of [
      ["24h", 24],
      ["7d", 168],
    ] as const) {
      const fromSummary = chartOfSummary(await usageSummaryForAccount(owner, range, at));
      expect(fromSummary).toEqual(await usageChart(account.id, { hours }, at));
      expect(fromSummary.buckets).toHaveLength(hours);
      expect(fromSummary.buckets.find((b) => b.hour === new Date(hourStart(twoHoursAgo)).toISOString())?.ok).toBe(25);
    }
  });

  it("shows an account only its own usage", async () => {
    const other = await createAccount({ prefix: "summary-other" });
    const { body } = await summary("7d", other.token);
    expect(body.totals).toEqual({ calls: 0, ok: 0, failed: 0 });
    expect(body.alerts).toEqual([]);
    expect(body.top_keys).toEqual([]);
  });

  it("defaults to 24h, rejects other ranges and needs a Bearer token", async () => {
    expect((await summary()).body.range).toBe("24h");
    const bad = await summary("30d");
    expect(bad.response.status).toBe(400);
    expect(bad.body).toEqual({ success: false, message: 'range must be "24h" or "7d"' });
    await expectUnauthenticated(await summaryRoute(request("GET", "/api/api-usage-logs/summary"), noParams));
    await expectError(
      await summaryPost(request("POST", "/api/api-usage-logs/summary", { token: account.token }), noParams),
      405,
    );
  });
});

describe("PUT /api/account/working-hours", () => {
  it("validates the time zone and hours", async () => {
    const put = (body: unknown) =>
      putWorkingHours(request("PUT", "/api/account/working-hours", { token: account.token, body }), noParams);
    await expectError(
      await put({ time_zone: "Mars/Olympus", work_start_hour: 8, work_end_hour: 20 }),
      400,
      /^time_zone must be an IANA time zone/,
    );
    await expectError(
      await put({ time_zone: "UTC", work_start_hour: 24, work_end_hour: 20 }),
      400,
      "work_start_hour must be a whole hour from 0 to 23",
    );
    await expectError(
      await put({ time_zone: "UTC", work_start_hour: 9, work_end_hour: 9 }),
      400,
      "work_end_hour must differ from work_start_hour",
    );
    await expectError(await put({ time_zone: "UTC", work_start_hour: 9 }), 400, /^work_end_hour/);
    const ok = await put({ time_zone: "Europe/Paris", work_start_hour: 9, work_end_hour: 18 });
    expect(await readBody(ok)).toEqual({ time_zone: "Europe/Paris", work_start_hour: 9, work_end_hour: 18 });
  });
});
