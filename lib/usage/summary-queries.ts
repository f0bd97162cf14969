import { Prisma } from "../db/client";
import { epochMsSql, jsonArrayOfArrays, unindexed, withinDaysBefore } from "../db/sql-dialect";
import { readRows } from "../db/read-rows";
import type { HourTotal } from "./rollups";
import { epochMs } from "../format/dates";

/**
 * The summary's reads, all from the rollups (lib/usage/rollups.ts), never from usage_logs: an
 * account's summary reads at most one row per key and hour (plus one per key and minute with
 * 401s, one per key and IP seen, and one per IP), however many calls those rows count.
 */

/** One key's calls in one UTC hour, with its first and last call (the off-hours rule reads both). */
export interface HourKeyRow {
  hour: number;
  keyId: number;
  keyName: string | null;
  total: number;
  first: number;
  last: number;
}

/** One key's calls over several hours, with the first of them. */
export interface KeyCalls {
  keyId: number;
  keyName: string | null;
  calls: number;
  first: number;
}

export interface FailureGroup {
  at: number;
  keyId: number | null;
  keyName: string | null;
  /** Failures this entry stands for (the rollup holds them per minute and key). */
  count?: number;
}

export interface NewIp {
  keyId: number;
  keyName: string | null;
  ip: string;
  at: number;
}

type Count = bigint | number;
type Time = string | Date;
// A week of 401s is thousands of rows: epochMs keeps them out of Next's instrumented Date constructor.
const time = epochMs;
const total = Prisma.raw("(ok + auth_failed + limited + other)");

/** Calls per UTC hour, by outcome: the account's (all keys), or one key's (its detail page's chart). */
export async function hourlyTotals(ownerId: number, from: Date, to: Date, keyId?: number): Promise<HourTotal[]> {
  const source =
    keyId === undefined
      ? Prisma.sql`usage_hourly_totals WHERE owner_id = ${ownerId}`
      : Prisma.sql`usage_hourly WHERE owner_id = ${ownerId} AND api_key_id = ${keyId}`;
  const rows = await readRows<Array<{ hour: Time; ok: Count; auth_failed: Count; limited: Count; other: Count }>>(
    Prisma.sql`SELECT hour, ok, auth_failed, limited, other FROM ${source} AND hour >= ${from} AND hour < ${to}`,
  );
  return rows.map((r) => ({
    hour: time(r.hour),
    ok: Number(r.ok),
    authFailed: Number(r.auth_failed),
    limited: Number(r.limited),
    other: Number(r.other),
  }));
}

/**
 * A key's name at its latest call, for a key id `t.key_id` of the query around it: from its
 * (key, IP) rows, a lookup by primary key. Looked up for the few keys a query returns, not carried
 * through its GROUP BY: each value a GROUP BY carries goes through its sorter, over every hourly
 * row of the range, so carrying MAX(api_key_name) costs a big account's week more than the lookup.
 */
function latestName(ownerId: number): Prisma.Sql {
  // SQLite's planner would walk the (owner_id, last_seen_at) index for the ORDER BY, over all of
  // the account's pairs; unindexed() leaves it the primary key's (owner_id, api_key_id) prefix.
  const newest = unindexed("i.last_seen_at");
  return Prisma.sql`(SELECT i.api_key_name FROM usage_key_ips i
    WHERE i.owner_id = ${ownerId} AND i.api_key_id = t.key_id ORDER BY ${newest} DESC LIMIT 1)`;
}

/** The keys with the most calls in the range, without their first call (the summary shows none). */
export async function topKeys(
  ownerId: number,
  from: Date,
  to: Date,
  limit: number,
): Promise<Omit<KeyCalls, "first">[]> {
  const rows = await readRows<Array<{ key_id: Count; key_name: string | null; calls: Count }>>(Prisma.sql`
    SELECT t.key_id, t.calls, ${latestName(ownerId)} AS key_name FROM (
      SELECT api_key_id AS key_id, SUM(${total}) AS calls
      FROM usage_hourly WHERE owner_id = ${ownerId} AND api_key_id <> 0 AND hour >= ${from} AND hour < ${to}
      GROUP BY api_key_id ORDER BY calls DESC, api_key_id LIMIT ${limit}) t
    ORDER BY t.calls DESC, t.key_id`);
  return rows.map((r) => ({ keyId: Number(r.key_id), keyName: r.key_name, calls: Number(r.calls) }));
}

/** Per key, the calls in the given hours (each wholly outside working hours), newest first. */
export async function callsInHours(ownerId: number, hours: number[], limit: number): Promise<KeyCalls[]> {
  if (!hours.length) return [];
  const rows = await readRows<Array<{ key_id: Count; key_name: string | null; calls: Count; first: Time }>>(Prisma.sql`
    SELECT t.key_id, t.calls, t.first, ${latestName(ownerId)} AS key_name FROM (
      SELECT api_key_id AS key_id, SUM(${total}) AS calls, MIN(first_at) AS first
      FROM usage_hourly
      WHERE owner_id = ${ownerId} AND api_key_id <> 0 AND hour IN (${Prisma.join(hours.map((h) => new Date(h)))})
      GROUP BY api_key_id ORDER BY first DESC, api_key_id LIMIT ${limit}) t
    ORDER BY t.first DESC, t.key_id`);
  return rows.map((r) => ({
    keyId: Number(r.key_id),
    keyName: r.key_name,
    calls: Number(r.calls),
    first: time(r.first),
  }));
}

/** Each key's row in the given hours (those a working-hours boundary cuts in two). */
export async function keyRowsInHours(ownerId: number, hours: number[]): Promise<HourKeyRow[]> {
  if (!hours.length) return [];
  const rows = await readRows<
    Array<{ hour: Time; key_id: Count; key_name: string | null; total: Count; first: Time; last: Time }>
  >(Prisma.sql`
    SELECT hour, api_key_id AS key_id, api_key_name AS key_name, ${total} AS total, first_at AS first, last_at AS last
    FROM usage_hourly
    WHERE owner_id = ${ownerId} AND api_key_id <> 0 AND hour IN (${Prisma.join(hours.map((h) => new Date(h)))})`);
  return rows.map((r) => ({
    hour: time(r.hour),
    keyId: Number(r.key_id),
    keyName: r.key_name,
    total: Number(r.total),
    first: time(r.first),
    last: time(r.last),
  }));
}

/**
 * 401s per minute and key: a flood of failures is a few rows per minute, not one per call. A week
 * of them is thousands of rows, so they come as one JSON text built by the database (each row an
 * array: key, name, count, the first failure's epoch ms), not as row objects: building, copying
 * and rebuilding that many objects between the reader thread and this one costs several times the
 * CPU that building and parsing the text does, much of it on this thread.
 */
export async function failuresPerMinute(ownerId: number, from: Date, to: Date): Promise<FailureGroup[]> {
  const rows = jsonArrayOfArrays([
    Prisma.raw("api_key_id"),
    Prisma.raw("api_key_name"),
    Prisma.raw("count"),
    epochMsSql("first_at"),
  ]);
  const [{ json }] = await readRows<Array<{ json: string }>>(Prisma.sql`
    SELECT ${rows} AS json FROM usage_auth_failures
    WHERE owner_id = ${ownerId} AND minute >= ${from} AND minute < ${to}`);
  return (JSON.parse(json) as Array<[number, string | null, number, number]>).map(([keyId, keyName, count, at]) => ({
    at,
    keyId: keyId || null,
    keyName,
    count,
  }));
}

/**
 * (key, IP) pairs that appeared in the range (first call, or first after 7 days or more without
 * one) while the key had been called from another IP in the 7 days before: a key's very first
 * caller is not "unexpected". Newest first.
 */
export async function newIps(ownerId: number, from: Date, to: Date, limit: number): Promise<NewIp[]> {
  const lookback = withinDaysBefore("o.last_seen_at", "p.appeared_at", 7);
  const rows = await readRows<Array<{ key_id: Count; key_name: string | null; ip: string; at: Time }>>(Prisma.sql`
    SELECT p.api_key_id AS key_id, p.api_key_name AS key_name, p.ip, p.appeared_at AS at
    FROM usage_key_ips p
    WHERE p.owner_id = ${ownerId} AND p.api_key_id <> 0 AND p.appeared_at >= ${from} AND p.appeared_at < ${to}
      AND EXISTS (
        SELECT 1 FROM usage_key_ips o
        WHERE o.owner_id = p.owner_id AND o.api_key_id = p.api_key_id AND o.ip <> p.ip
          AND o.first_seen_at < p.appeared_at AND ${lookback})
    ORDER BY p.appeared_at DESC LIMIT ${limit}`);
  return rows.map((r) => ({ keyId: Number(r.key_id), keyName: r.key_name, ip: r.ip, at: time(r.at) }));
}

/**
 * IPs that called one of the account's keys since `from`, the start of an hour: one row each in
 * usage_owner_ips, so no DISTINCT. Its hours answer exactly for a range that starts on an hour.
 */
export async function distinctIps(ownerId: number, fromHour: Date): Promise<number> {
  const [row] = await readRows<Array<{ n: Count }>>(Prisma.sql`
    SELECT COUNT(*) AS n FROM usage_owner_ips WHERE owner_id = ${ownerId} AND last_seen_hour >= ${fromHour}`);
  return Number(row.n);
}
