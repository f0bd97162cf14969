import fs from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as summaryRoute } from "@/app/api/api-usage-logs/summary/route";
import { db, dialect } from "@/lib/db/client";
import { purgeExpiredRollups, RETENTION_BATCH } from "@/lib/usage/retention";
import { outcome, rollupStatements } from "@/lib/usage/rollups";
import { flushUsage, usageRecorder } from "@/lib/usage/usage-recorder";
import type { UsageEntry } from "@/lib/usage/usage-batch";
import {
  createAccount,
  generateKey,
  noParams,
  random,
  readBody,
  request,
  type Account,
  type GeneratedKey,
} from "./support";

const HOUR = 3_600_000;
const MINUTE = 60_000;
const DAY = 24 * HOUR;
const hourOf = (t: number) => Math.floor(t / HOUR) * HOUR;
const minuteOf = (t: number) => Math.floor(t / MINUTE) * MINUTE;

function entry(owner: Account | null, key: GeneratedKey | null, at: number, statusCode = 200, ip = "10.9.0.1") {
  return {
    ownerId: owner?.id ?? null,
    apiKeyId: key?.id ?? null,
    apiKeyName: key?.api_key_name ?? null,
    touchKey: false,
    method: "GET",
    path: "/api/api-routes-data?id=123",
    statusCode,
    ip,
    userAgent: "rollup-test",
    at: new Date(at),
  } satisfies UsageEntry;
}

async function record(entries: UsageEntry[]) {
  for (const e of entries) usageRecorder().record(e);
  await flushUsage();
}

/** What each rollup must hold, computed the slow way from the calls themselves. */
function expected(entries: UsageEntry[], ownerId: number) {
  const mine = entries.filter((e) => e.ownerId === ownerId);
  const hours = new Map<string, Record<string, number | string>>();
  const failures = new Map<string, Record<string, unknown>>();
  const ips = new Map<string, { first: number; last: number }>();
  const ownerIps = new Map<string, number>();
  for (const e of mine) {
    const at = e.at.getTime();
    const hourKey = `${e.apiKeyId}|${hourOf(at)}`;
    const h = (hours.get(hourKey) ?? {
      apiKeyId: e.apiKeyId,
      hour: new Date(hourOf(at)).toISOString(),
      ok: 0,
      authFailed: 0,
      limited: 0,
      other: 0,
      firstAt: at,
      lastAt: at,
    }) as Record<string, number | string>;
    (h[outcome(e.statusCode)] as number)++;
    h.firstAt = Math.min(h.firstAt as number, at);
    h.lastAt = Math.max(h.lastAt as number, at);
    hours.set(hourKey, h);
    if (e.statusCode === 401) {
      const k = `${e.apiKeyId}|${minuteOf(at)}`;
      const f = (failures.get(k) ?? {
        apiKeyId: e.apiKeyId,
        minute: new Date(minuteOf(at)).toISOString(),
        count: 0,
        firstAt: at,
      }) as Record<string, number | string>;
      (f.count as number)++;
      f.firstAt = Math.min(f.firstAt as number, at);
      failures.set(k, f);
    }
    const p = ips.get(`${e.apiKeyId}|${e.ip}`) ?? { first: at, last: at };
    ips.set(`${e.apiKeyId}|${e.ip}`, { first: Math.min(p.first, at), last: Math.max(p.last, at) });
    ownerIps.set(e.ip, Math.max(ownerIps.get(e.ip) ?? hourOf(at), hourOf(at)));
  }
  const iso = (row: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(row).map(([k, v]) => [k, k.endsWith("At") ? new Date(v as number).toISOString() : v]),
    );
  const sort = (rows: Record<string, unknown>[]) =>
    rows.map(iso).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  const totals = new Map<string, Record<string, number | string>>();
  for (const h of hours.values()) {
    const t = totals.get(h.hour as string) ?? { hour: h.hour as string, ok: 0, authFailed: 0, limited: 0, other: 0 };
    for (const column of ["ok", "authFailed", "limited", "other"]) (t[column] as number) += h[column] as number;
    totals.set(h.hour as string, t);
  }
  return {
    hours: sort([...hours.values()]),
    totals: sort([...totals.values()]),
    failures: sort([...failures.values()]),
    ips: [...ips].map(([k, v]) => `${k}|${new Date(v.first).toISOString()}|${new Date(v.last).toISOString()}`).sort(),
    ownerIps: [...ownerIps].map(([ip, last]) => `${ip}|${new Date(last).toISOString()}`).sort(),
  };
}

async function stored(ownerId: number) {
  const iso = (d: Date) => d.toISOString();
  const sort = (rows: Record<string, unknown>[]) =>
    rows.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  const hours = await db().usageHourly.findMany({ where: { ownerId } });
  const totals = await db().usageHourlyTotal.findMany({ where: { ownerId } });
  const failures = await db().usageAuthFailure.findMany({ where: { ownerId } });
  const ips = await db().usageKeyIp.findMany({ where: { ownerId } });
  const ownerIps = await db().usageOwnerIp.findMany({ where: { ownerId } });
  return {
    hours: sort(
      hours.map((r) => ({
        apiKeyId: r.apiKeyId,
        hour: iso(r.hour),
        ok: r.ok,
        authFailed: r.authFailed,
        limited: r.limited,
        other: r.other,
        firstAt: iso(r.firstAt),
        lastAt: iso(r.lastAt),
      })),
    ),
    totals: sort(
      totals.map((r) => ({
        hour: iso(r.hour),
        ok: r.ok,
        authFailed: r.authFailed,
        limited: r.limited,
        other: r.other,
      })),
    ),
    failures: sort(
      failures.map((r) => ({ apiKeyId: r.apiKeyId, minute: iso(r.minute), count: r.count, firstAt: iso(r.firstAt) })),
    ),
    ips: ips.map((r) => `${r.apiKeyId}|${r.ip}|${iso(r.firstSeenAt)}|${iso(r.lastSeenAt)}`).sort(),
    ownerIps: ownerIps.map((r) => `${r.ip}|${iso(r.lastSeenHour)}`).sort(),
  };
}

let alice: Account;
let bob: Account;
let aliceKeys: GeneratedKey[];
let bobKey: GeneratedKey;

beforeAll(async () => {
  alice = await createAccount({ prefix: "rollup-alice", plan: "professional" });
  bob = await createAccount({ prefix: "rollup-bob" });
  aliceKeys = [await generateKey(alice.token, "a-one", "a_one"), await generateKey(alice.token, "a-two", "a_two")];
  bobKey = await generateKey(bob.token, "b-one", "b_one");
});

describe("usage rollups written with each batch", () => {
  it("hold exactly what the calls add up to, per key and hour, per minute of 401s, per key and IP, per IP", async () => {
    const next = random(42);
    const pick = <T>(items: T[]) => items[Math.floor(next() * items.length)];
    const start = hourOf(Date.now()) - 30 * HOUR;
    const entries: UsageEntry[] = [];
    for (let i = 0; i < 1_500; i++) {
      const who = pick(["alice", "alice", "bob", "nobody"] as const);
      const owner = who === "alice" ? alice : who === "bob" ? bob : null;
      const key = who === "alice" ? pick(aliceKeys) : who === "bob" ? bobKey : null;
      const at =
        start + Math.floor(next() * 30) * HOUR + Math.floor(next() * 4) * 15 * MINUTE + Math.floor(next() * 120_000);
      entries.push(
        entry(
          owner,
          key,
          at,
          pick([200, 200, 201, 401, 401, 403, 429, 404, 500]),
          pick(["10.9.0.1", "10.9.0.2", "2001:db8::7"]),
        ),
      );
    }
    // In several flushes, out of time order: later batches add to the rows earlier ones made.
    for (let i = 0; i < entries.length; i += 333) await record(entries.slice(i, i + 333));
    for (const account of [alice, bob]) expect(await stored(account.id)).toEqual(expected(entries, account.id));
    const a = await stored(alice.id);
    expect(a.hours.length).toBeGreaterThan(30);
    expect(a.failures.length).toBeGreaterThan(10);
    expect(a.ownerIps.map((row) => row.split("|")[0])).toEqual(["10.9.0.1", "10.9.0.2", "2001:db8::7"]);
  });

  it("hold what the calls add up to when they come in runs of one key, hour and IP (the common case), interleaved", async () => {
    const carol = await createAccount({ prefix: "rollup-carol", plan: "professional" });
    const carolKeys = [
      await generateKey(carol.token, "c-one", "c_one"),
      await generateKey(carol.token, "c-two", "c_two"),
    ];
    const next = random(7);
    const pick = <T>(items: T[]) => items[Math.floor(next() * items.length)];
    const start = hourOf(Date.now()) - 6 * HOUR;
    const entries: UsageEntry[] = [];
    while (entries.length < 1_200) {
      // A run: the same account, key, hour and IP, calls at any time within that hour.
      const who = pick(["carol", "carol", "carol", "bob", "nobody"] as const);
      const owner = who === "carol" ? carol : who === "bob" ? bob : null;
      const key = who === "carol" ? pick(carolKeys) : who === "bob" ? bobKey : null;
      const hour = start + Math.floor(next() * 6) * HOUR;
      const ip = pick(["10.9.1.1", "10.9.1.2"]);
      for (let n = 1 + Math.floor(next() * 12); n > 0; n--) {
        entries.push(entry(owner, key, hour + Math.floor(next() * HOUR), pick([200, 200, 401, 429, 404]), ip));
      }
    }
    for (let i = 0; i < entries.length; i += 250) await record(entries.slice(i, i + 250));
    expect(await stored(carol.id)).toEqual(expected(entries, carol.id));
    expect((await stored(carol.id)).hours.length).toBe(12);
  });

  it("keep the name of each key's latest call, and move appeared_at only after 7 days without a call from that IP", async () => {
    const owner = await createAccount({ prefix: "rollup-appear" });
    const key = await generateKey(owner.token, "appear", "appear_user");
    const t0 = hourOf(Date.now()) - 20 * DAY;
    const at = (t: number, name: string) => ({ ...entry(owner, key, t, 200, "203.0.113.40"), apiKeyName: name });
    const pair = () => db().usageKeyIp.findFirstOrThrow({ where: { ownerId: owner.id, apiKeyId: key.id } });

    await record([at(t0, "first-name")]);
    await record([at(t0 + 6 * DAY, "second-name")]); // under 7 days later
    expect(await pair()).toMatchObject({
      appearedAt: new Date(t0),
      firstSeenAt: new Date(t0),
      lastSeenAt: new Date(t0 + 6 * DAY),
      apiKeyName: "second-name",
    });
    await record([at(t0 + 14 * DAY, "third-name")]); // 8 days after the last call
    expect(await pair()).toMatchObject({ appearedAt: new Date(t0 + 14 * DAY), firstSeenAt: new Date(t0) });
    // An older call arriving late (another instance's batch) changes neither the name nor the appearance.
    await record([at(t0 + DAY, "late-name")]);
    expect(await pair()).toMatchObject({ appearedAt: new Date(t0 + 14 * DAY), apiKeyName: "third-name" });
    const hour = await db().usageHourly.findFirstOrThrow({
      where: { ownerId: owner.id, apiKeyId: key.id, hour: new Date(t0) },
    });
    expect(hour).toMatchObject({ ok: 1, apiKeyName: "first-name" });
  });

  it("write an (account, IP) pair's hour once: later calls in that hour add no upsert, a failed batch leaves it to the next", async () => {
    const t = hourOf(Date.now()) - 5 * HOUR;
    const call = (at: number, ip = "192.0.2.77") => ({
      ownerId: alice.id,
      apiKeyId: aliceKeys[0].id,
      apiKeyName: "a-one",
      statusCode: 200,
      ip,
      at: new Date(at),
    });
    const ownerIpUpserts = (batch: ReturnType<typeof rollupStatements>) =>
      batch.statements.filter((statement) => statement.sql.includes("usage_owner_ips")).length;

    const first = rollupStatements([call(t + MINUTE)]);
    expect(ownerIpUpserts(first)).toBe(1);
    // Not committed (the batch failed): the next batch still writes the pair.
    const retried = rollupStatements([call(t + MINUTE)]);
    expect(ownerIpUpserts(retried)).toBe(1);
    retried.committed();
    expect(ownerIpUpserts(rollupStatements([call(t + 30 * MINUTE)]))).toBe(0);
    expect(ownerIpUpserts(rollupStatements([call(t - HOUR)]))).toBe(0); // an earlier hour: the row is later already
    expect(ownerIpUpserts(rollupStatements([call(t + 30 * MINUTE, "192.0.2.78")]))).toBe(1); // another IP
    expect(ownerIpUpserts(rollupStatements([call(t + HOUR + MINUTE)]))).toBe(1); // the next hour

    // Through the recorder: the stored hour follows the calls' latest hour.
    await record([entry(alice, aliceKeys[0], t + MINUTE, 200, "192.0.2.79")]);
    await record([entry(alice, aliceKeys[0], t + 40 * MINUTE, 200, "192.0.2.79")]);
    await record([entry(alice, aliceKeys[0], t + 2 * HOUR + MINUTE, 200, "192.0.2.79")]);
    const row = await db().usageOwnerIp.findUniqueOrThrow({
      where: { ownerId_ip: { ownerId: alice.id, ip: "192.0.2.79" } },
    });
    expect(row.lastSeenHour).toEqual(new Date(t + 2 * HOUR));
  });

  it("count no call whose row was not written: a deleted account's rows are dropped, the rest counted", async () => {
    const doomed = await createAccount({ prefix: "rollup-doomed" });
    const survivor = await createAccount({ prefix: "rollup-survivor" });
    const doomedKey = await generateKey(doomed.token, "doomed", "doomed_user");
    const survivorKey = await generateKey(survivor.token, "survivor", "survivor_user");
    await db().user.delete({ where: { id: doomed.id } });
    const t = hourOf(Date.now()) - 2 * HOUR + 5 * MINUTE;
    const entries = [
      entry(survivor, survivorKey, t),
      entry(doomed, doomedKey, t + 1_000),
      entry(survivor, survivorKey, t + 2_000, 429),
    ];
    await record(entries);
    expect(await db().usageLog.count({ where: { ownerId: survivor.id } })).toBe(2);
    expect(await stored(survivor.id)).toEqual(expected(entries, survivor.id));
    expect(await db().usageHourly.count({ where: { ownerId: doomed.id } })).toBe(0);
  });

  it("name a top key by its latest call, not by the greatest of its names", async () => {
    const owner = await createAccount({ prefix: "rollup-names" });
    const key = await generateKey(owner.token, "names", "names_user");
    const t = hourOf(Date.now()) - HOUR + 10 * MINUTE;
    const named = (at: number, name: string) => ({ ...entry(owner, key, at), apiKeyName: name });
    await record([named(t, "before-rename"), named(t + MINUTE, "after-rename")]);
    await record([named(t - 20 * MINUTE, "zzz-late")]); // an older call, in the hour before, arriving late
    const body = readBody(
      await summaryRoute(request("GET", "/api/api-usage-logs/summary", { token: owner.token }), noParams),
    );
    expect((await body).top_keys).toEqual([{ api_key_id: key.id, api_key_name: "after-rename", calls: 3 }]);
  });

  it("are what the summary reads: removing the raw rows leaves the summary as it was", async () => {
    const owner = await createAccount({ prefix: "rollup-summary" });
    const key = await generateKey(owner.token, "sum", "sum_user");
    const t = hourOf(Date.now()) - HOUR + 7 * MINUTE;
    await record([
      ...Array.from({ length: 5 }, (_, i) => entry(owner, key, t + i * 1_000)),
      ...Array.from({ length: 3 }, (_, i) => entry(owner, key, t + i * 1_000, 401, "198.51.100.9")),
      entry(owner, key, t + 9_000, 429),
      entry(owner, key, t + 9_500, 404),
    ]);
    const read = async () =>
      readBody(await summaryRoute(request("GET", "/api/api-usage-logs/summary", { token: owner.token }), noParams));
    const before = await read();
    expect(before.totals).toEqual({ calls: 10, ok: 5, failed: 5 });
    expect(before.calls_per_hour.find((b: { hour: string }) => b.hour === new Date(hourOf(t)).toISOString())).toEqual({
      hour: new Date(hourOf(t)).toISOString(),
      ok: 5,
      failed: 5,
      auth_failed: 3,
      limited: 1,
      other: 1,
    });
    expect(before.failed_auth_attempts).toBe(3);
    expect(before.distinct_ips).toBe(2);
    await db().usageLog.deleteMany({ where: { ownerId: owner.id } });
    const after = await read();
    expect({ ...after, to: before.to }).toEqual(before);
  });
});

describe("purgeExpiredRollups(now)", () => {
  it("deletes rollup rows past the plan's retention, in batches, and keeps Enterprise's", async () => {
    const now = Date.now();
    await purgeExpiredRollups(new Date(now)); // anything already expired is not this test's
    const free = await createAccount({ prefix: "rollup-ret-free" });
    const ent = await createAccount({ prefix: "rollup-ret-ent", plan: "enterprise" });
    const freeKey = await generateKey(free.token, "free", "free_user");
    const entKey = await generateKey(ent.token, "ent", "ent_user");
    // More expired hours than one batch deletes, with a 401 and an IP of their own each.
    const old = Array.from({ length: RETENTION_BATCH + 100 }, (_, i) =>
      entry(free, freeKey, now - 31 * DAY - i * HOUR, 401, `10.77.${Math.floor(i / 250)}.${i % 250}`),
    );
    const recent = [entry(free, freeKey, now - 29 * DAY, 401, "10.78.0.1"), entry(free, freeKey, now - HOUR)];
    const ancient = [entry(ent, entKey, now - 400 * DAY, 401, "10.79.0.1")];
    await record([...old, ...recent, ...ancient]);
    expect(await db().usageHourly.count({ where: { ownerId: free.id } })).toBe(old.length + 2);

    const deleted = await purgeExpiredRollups(new Date(now));
    // Per expired call: its key's hour, the account's hour, its minute of 401s, its (key, IP) pair and its IP.
    expect(deleted).toBe(5 * old.length);
    expect((await stored(free.id)).hours.map((h) => h.hour).sort()).toEqual(
      recent.map((e) => new Date(hourOf(e.at.getTime())).toISOString()).sort(),
    );
    expect(await db().usageAuthFailure.count({ where: { ownerId: free.id } })).toBe(1);
    expect((await db().usageKeyIp.findMany({ where: { ownerId: free.id } })).map((r) => r.ip)).toEqual(
      ["10.9.0.1", "10.78.0.1"].sort(),
    );
    expect((await db().usageOwnerIp.findMany({ where: { ownerId: free.id } })).map((r) => r.ip).sort()).toEqual(
      ["10.9.0.1", "10.78.0.1"].sort(),
    );
    expect(await stored(ent.id)).toEqual(expected(ancient, ent.id));
    expect(await purgeExpiredRollups(new Date(now))).toBe(0);
  });
});

describe("the migrations that add the rollups", () => {
  it("backfills from usage_logs the same rows the recorder writes", async () => {
    const owner = await createAccount({ prefix: "rollup-backfill" });
    const key = await generateKey(owner.token, "backfill", "backfill_user");
    const next = random(7);
    const start = hourOf(Date.now()) - 48 * HOUR;
    const entries = Array.from({ length: 400 }, () =>
      entry(
        owner,
        key,
        start + Math.floor(next() * 48 * HOUR),
        [200, 401, 403, 429, 500][Math.floor(next() * 5)],
        `10.5.0.${Math.floor(next() * 4)}`,
      ),
    );
    await record(entries);
    const written = await stored(owner.id);

    const provider = dialect() === "sqlite" ? "sqlite" : "postgresql";
    for (const table of [
      "usage_hourly",
      "usage_hourly_totals",
      "usage_auth_failures",
      "usage_key_ips",
      "usage_owner_ips",
    ])
      await db().$executeRawUnsafe(`DELETE FROM ${table}`);
    for (const migration of ["20261130000000_usage_rollups", "20261205000000_usage_owner_ips"]) {
      const sql = fs.readFileSync(`prisma/${provider}/migrations/${migration}/migration.sql`, "utf8");
      const backfill = sql.slice(sql.indexOf("-- Backfill"));
      for (const statement of backfill.split(";").filter((s) => s.includes("INSERT")))
        await db().$executeRawUnsafe(statement);
    }

    expect(await stored(owner.id)).toEqual(written);
    expect(written.hours.length).toBeGreaterThan(20);
    expect(written.ownerIps.length).toBe(4);
  });
});
