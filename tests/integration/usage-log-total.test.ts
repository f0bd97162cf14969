import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { purgeExpiredRollups, purgeExpiredUsageLogs } from "@/lib/usage/retention";
import { flushUsage, usageRecorder } from "@/lib/usage/usage-recorder";
import type { UsageEntry } from "@/lib/usage/usage-batch";
import { listUsageLogs } from "@/lib/usage/usage-logs";
import type { UsageLogQuery } from "@/lib/usage/usage-schemas";
import { createAccount, generateKey, random, type Account, type GeneratedKey } from "./support";

/**
 * The usage list's total adds the hourly rollups for whole hours to row counts of the partial
 * hours (lib/usage/usage-logs.ts): it must equal a plain count of the rows for any filter, also
 * once retention has deleted rows mid-hour and before it has deleted their rollups.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Half past an hour and a bit, so that the retention cutoff (30 days before) falls inside an hour.
const now = Math.floor(Date.now() / HOUR) * HOUR + 30 * 60_000 + 17;
// A Free account keeps 30 days: the oldest rows are past it, so retention has something to cut.
const start = now - 33 * DAY;

let owner: Account;
let other: Account;
let keys: GeneratedKey[];
let entries: UsageEntry[];

const STATUSES = [200, 201, 401, 403, 404, 429, 500, 102];

function expectedTotal(query: UsageLogQuery, ownerId: number, from = -Infinity): number {
  return entries.filter((e) => {
    const at = e.at.getTime();
    if (e.ownerId !== ownerId || at < from) return false;
    if (query.api_key_id && e.apiKeyId !== query.api_key_id) return false;
    const ok = e.statusCode >= 200 && e.statusCode < 300;
    if (query.status === "success" && !ok) return false;
    if (query.status === "failed" && ok) return false;
    if (query.from && at < query.from.getTime()) return false;
    if (query.to && at > query.to.getTime()) return false;
    return true;
  }).length;
}

/** Times near the data: hour boundaries, a millisecond either side, and anywhere in between. */
const instant = fc.oneof(
  fc.integer({ min: start - 2 * HOUR, max: now + 2 * HOUR }),
  fc
    .integer({ min: Math.floor(start / HOUR) - 1, max: Math.ceil(now / HOUR) + 1 })
    .chain((h) => fc.constantFrom(h * HOUR - 1, h * HOUR, h * HOUR + 1)),
);

function queries() {
  return fc
    .record({
      key: fc.constantFrom(undefined, 0, 1, -1),
      status: fc.constantFrom(undefined, "success" as const, "failed" as const),
      from: fc.option(instant, { nil: undefined }),
      to: fc.option(instant, { nil: undefined }),
    })
    .map(({ key, status, from, to }): UsageLogQuery => {
      const [a, b] = from !== undefined && to !== undefined && from > to ? [to, from] : [from, to];
      return {
        page: 1,
        per_page: 5,
        // -1: a key of another account, so nothing.
        ...(key !== undefined ? { api_key_id: key === -1 ? otherKeyId : keys[key].id } : {}),
        ...(status ? { status } : {}),
        ...(a !== undefined ? { from: new Date(a) } : {}),
        ...(b !== undefined ? { to: new Date(b) } : {}),
      };
    });
}

let otherKeyId: number;

beforeAll(async () => {
  owner = await createAccount({ prefix: "total", plan: "free" });
  other = await createAccount({ prefix: "total-other" });
  // A Free account may hold two keys.
  keys = [await generateKey(owner.token, "total-a", "a"), await generateKey(owner.token, "total-b", "b")];
  otherKeyId = (await generateKey(other.token, "total-other", "o")).id;
  const next = random(7);
  entries = [];
  // ~700 calls over 33 days, clustered so that some hours hold many and most none.
  for (let i = 0; i < 700; i++) {
    const at = start + Math.floor((next() < 0.5 ? next() ** 3 : next()) * (now - start));
    const mine = next() < 0.9;
    const key = mine ? keys[Math.floor(next() * keys.length)] : null;
    entries.push({
      ownerId: mine ? owner.id : other.id,
      apiKeyId: mine ? key!.id : otherKeyId,
      apiKeyName: mine ? key!.api_key_name : "total-other",
      touchKey: false,
      method: "GET",
      path: "/api/api-routes-data?id=123",
      statusCode: STATUSES[Math.floor(next() * STATUSES.length)],
      ip: "10.9.0.1",
      userAgent: "total-test",
      at: new Date(at),
    });
  }
  // Rows at the very edges of an hour too.
  const edge = Math.floor((now - 5 * DAY) / HOUR) * HOUR;
  const cutoff = now - 30 * DAY;
  for (const at of [edge - 1, edge, edge + 1, edge + HOUR - 1, cutoff - 60_000, cutoff - 1, cutoff, cutoff + 60_000])
    entries.push({ ...entries[0], ownerId: owner.id, apiKeyId: keys[0].id, at: new Date(at) });
  for (const e of entries) usageRecorder().record(e);
  await flushUsage();
});

async function totalsMatch(from?: number) {
  await fc.assert(
    fc.asyncProperty(queries(), async (query) => {
      const { total } = await listUsageLogs(owner.id, query);
      expect(total).toBe(expectedTotal(query, owner.id, from));
    }),
    { numRuns: 300, seed: 20261203 },
  );
}

describe("the usage list's total from rollups", () => {
  it("equals a count of the rows for any key, status and time range", async () => {
    // The data are as intended: the property below would hold trivially on an empty list.
    expect(expectedTotal({ page: 1, per_page: 5 }, owner.id)).toBeGreaterThan(600);
    await totalsMatch();
  });

  it("still does after retention deleted rows mid-hour, before and after their rollups go", async () => {
    // Plain counts of what is left: the cutoff (30 days ago) falls inside an hour.
    const cutoff = now - 30 * DAY;
    expect(await purgeExpiredUsageLogs(new Date(now))).toBeGreaterThan(0);
    expect(expectedTotal({ page: 1, per_page: 5 }, owner.id, cutoff)).toBeLessThan(
      expectedTotal({ page: 1, per_page: 5 }, owner.id),
    );
    await totalsMatch(cutoff);
    expect(await purgeExpiredRollups(new Date(now))).toBeGreaterThan(0);
    await totalsMatch(cutoff);
  });
});
