import { beforeAll, describe, expect, it } from "vitest";
import { adminUsageSummary } from "@/lib/admin/usage-overview";
import { db } from "@/lib/db/client";
import { random } from "./support";

// The operator's usage summary across organizations (issue 25) reads hours that can no longer
// change once per instance and hour, and the last two at every call. Its hourly calls and both
// top tens must equal a plain sum over every rollup row of the range, whatever changed in the
// live hours or was deleted since the settled part was read.

const HOUR = 3_600_000;
const ORGANIZATIONS = 40;
const rand = random(25);
let ids: number[] = [];

/** The range as the summary takes it: whole hours up to the end of the current one. */
function rangeOf(range: "24h" | "7d") {
  const to = Math.floor(Date.now() / HOUR) * HOUR + HOUR;
  return { from: to - (range === "24h" ? 24 : 168) * HOUR, to };
}

/** The summary's figures from every row of the range, summed here. */
async function plainSums(range: "24h" | "7d") {
  const { from, to } = rangeOf(range);
  const rows = await db().usageHourlyTotal.findMany({ where: { hour: { gte: new Date(from), lt: new Date(to) } } });
  const byOrganization = new Map<number, { organization_id: number; calls: number; auth_failed: number }>();
  const byHour = new Map<number, number>();
  for (const row of rows) {
    const calls = row.ok + row.authFailed + row.limited + row.other;
    const sums = byOrganization.get(row.ownerId) ?? { organization_id: row.ownerId, calls: 0, auth_failed: 0 };
    sums.calls += calls;
    sums.auth_failed += row.authFailed;
    byOrganization.set(row.ownerId, sums);
    byHour.set(row.hour.getTime(), (byHour.get(row.hour.getTime()) ?? 0) + calls);
  }
  const all = [...byOrganization.values()];
  return {
    byHour: [...byHour].sort(([a], [b]) => a - b),
    topCalls: all.sort((a, b) => b.calls - a.calls || a.organization_id - b.organization_id).slice(0, 10),
    topFailed: all
      .filter((row) => row.auth_failed > 0)
      .sort((a, b) => b.auth_failed - a.auth_failed || a.organization_id - b.organization_id)
      .slice(0, 10),
  };
}

async function expectExact(range: "24h" | "7d") {
  const summary = await adminUsageSummary(range);
  const plain = await plainSums(range);
  const pick = (row: { organization_id: number; calls: number; auth_failed: number }) => ({
    organization_id: row.organization_id,
    calls: row.calls,
    auth_failed: row.auth_failed,
  });
  expect(summary.top_by_calls.map(pick)).toEqual(plain.topCalls);
  expect(summary.top_by_auth_failed.map(pick)).toEqual(plain.topFailed);
  const calls = summary.hourly.map((row) => [Date.parse(row.hour), row.ok + row.auth_failed + row.limited + row.other]);
  expect(calls).toEqual(plain.byHour);
  return summary;
}

async function addCalls(ownerId: number, hoursAgo: number, ok: number, authFailed = 0) {
  const hour = new Date(Math.floor(Date.now() / HOUR) * HOUR - hoursAgo * HOUR);
  await db().usageHourlyTotal.upsert({
    where: { ownerId_hour: { ownerId, hour } },
    create: { ownerId, hour, ok, authFailed },
    update: { ok: { increment: ok }, authFailed: { increment: authFailed } },
  });
}

beforeAll(async () => {
  for (let i = 0; i < ORGANIZATIONS; i++) {
    ids.push((await db().organization.create({ data: { name: `Summary org ${i}` } })).id);
  }
  // A week and a day of hours, some in the live hours (the current one and the one before).
  for (const id of ids) {
    for (let n = 0; n < 12; n++) {
      const hoursAgo = Math.floor(rand() * 190);
      await addCalls(id, hoursAgo, Math.floor(rand() * 500), rand() < 0.5 ? Math.floor(rand() * 50) : 0);
    }
  }
});

describe("the operator's usage summary", () => {
  it("equals a plain sum over every rollup row, for 24 h and 7 d", async () => {
    const week = await expectExact("7d");
    expect(week.top_by_calls).toHaveLength(10);
    await expectExact("24h");
  });

  it("stays exact when an organization outside the top ten calls in the live hours", async () => {
    await expectExact("7d");
    const { topCalls } = await plainSums("7d");
    const quiet = ids.find((id) => !topCalls.some((row) => row.organization_id === id))!;
    // Enough in the current hour to lead both rankings, after the settled part was read above.
    await addCalls(quiet, 0, 1_000_000, 100_000);
    const summary = await expectExact("7d");
    expect(summary.top_by_calls[0].organization_id).toBe(quiet);
    expect(summary.top_by_auth_failed[0].organization_id).toBe(quiet);
    await expectExact("24h");
  });

  it("reads the settled hours again when a batch lands in them late (after a database outage)", async () => {
    await expectExact("7d");
    const { topCalls } = await plainSums("7d");
    const quiet = ids.find((id) => !topCalls.some((row) => row.organization_id === id))!;
    // Five hours ago: long settled, where only a write held back by an outage can still land.
    await addCalls(quiet, 5, 2_000_000);
    const summary = await expectExact("7d");
    expect(summary.top_by_calls[0]).toMatchObject({ organization_id: quiet });
    await expectExact("24h");
  });

  it("leaves out an organization deleted after the settled part was read", async () => {
    const first = (await expectExact("7d")).top_by_calls;
    // The leader of those that did not call in the live hours: it is known from the settled part alone.
    const liveSince = new Date(Math.floor(Date.now() / HOUR) * HOUR - HOUR);
    const live = await db().usageHourlyTotal.findMany({
      where: { hour: { gte: liveSince } },
      select: { ownerId: true },
    });
    const settledLeader = first.find(
      (row) => !live.some((one) => one.ownerId === row.organization_id),
    )!.organization_id;
    await db().organization.delete({ where: { id: settledLeader } });
    ids = ids.filter((id) => id !== settledLeader);
    const after = await expectExact("7d");
    expect(after.top_by_calls.map((row) => row.organization_id)).not.toContain(settledLeader);
    expect(after.top_by_calls).toHaveLength(10);
  });
});
