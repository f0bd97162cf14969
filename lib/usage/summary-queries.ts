import { db, dialect, Prisma } from "../db/client";

/**
 * The summary's reads. Aggregation happens in SQL (per hour and key, per minute for 401s, per
 * key and IP), so the app receives a few rows per hour and key; the database still reads every
 * usage row of the owner in the range to make them, which is what a big account pays for.
 */

export interface HourKeyRow {
  hour: string;
  keyId: number | null;
  keyName: string | null;
  ok: number;
  total: number;
  /** First and last call in the hour: the off-hours rule checks both ends (offHoursAlert). */
  first: number;
  last: number;
}

export interface FailureGroup {
  at: number;
  keyId: number | null;
  keyName: string | null;
  /** Failures this entry stands for (the summary groups them per minute and key). */
  count?: number;
}

/**
 * created_at cut to its UTC hour or minute as ISO text ("2026-11-29T21", "2026-11-29T21:05").
 * SQLite keeps DateTime as ISO text, so a prefix is the cut; PostgreSQL keeps a UTC timestamp.
 */
function timeBucket(unit: "hour" | "minute"): Prisma.Sql {
  if (dialect() === "sqlite") return Prisma.raw(`substr(created_at, 1, ${unit === "hour" ? 13 : 16})`);
  return Prisma.raw(`to_char(created_at, '${unit === "hour" ? 'YYYY-MM-DD"T"HH24' : 'YYYY-MM-DD"T"HH24:MI'}')`);
}

export async function hourlyByKey(ownerId: number, from: Date, to: Date): Promise<HourKeyRow[]> {
  const rows = await db().$queryRaw<
    Array<{
      hour: string;
      key_id: bigint | number | null;
      key_name: string | null;
      ok: bigint | number;
      total: bigint | number;
      first: string | Date;
      last: string | Date;
    }>
  >`
    SELECT ${timeBucket("hour")} AS hour, api_key_id AS key_id, MAX(api_key_name) AS key_name,
           SUM(CASE WHEN status_code >= 200 AND status_code < 300 THEN 1 ELSE 0 END) AS ok, COUNT(*) AS total,
           MIN(created_at) AS first, MAX(created_at) AS last
    FROM usage_logs
    WHERE owner_id = ${ownerId} AND created_at >= ${from} AND created_at < ${to}
    GROUP BY hour, api_key_id`;
  return rows.map((r) => ({
    hour: `${r.hour}:00:00.000Z`,
    keyId: r.key_id === null ? null : Number(r.key_id),
    keyName: r.key_name,
    ok: Number(r.ok),
    total: Number(r.total),
    first: new Date(r.first).getTime(),
    last: new Date(r.last).getTime(),
  }));
}

/** 401s per minute and key: a flood of failures costs the summary a few rows per minute, not one per call. */
export async function failuresPerMinute(ownerId: number, from: Date, to: Date): Promise<FailureGroup[]> {
  const rows = await db().$queryRaw<
    Array<{
      minute: string;
      key_id: bigint | number | null;
      key_name: string | null;
      n: bigint | number;
      first: string | Date;
    }>
  >`
    SELECT ${timeBucket("minute")} AS minute, api_key_id AS key_id, MAX(api_key_name) AS key_name, COUNT(*) AS n, MIN(created_at) AS first
    FROM usage_logs
    WHERE owner_id = ${ownerId} AND status_code = 401 AND created_at >= ${from} AND created_at < ${to}
    GROUP BY minute, api_key_id`;
  return rows.map((r) => ({
    at: new Date(r.first).getTime(),
    keyId: r.key_id === null ? null : Number(r.key_id),
    keyName: r.key_name,
    count: Number(r.n),
  }));
}

/** Each (key, IP) pair's first call in the range, and its last call in the look-back before it. */
export async function keyIpPairs(ownerId: number, from: Date, to: Date, lookbackMs: number) {
  return Promise.all([
    db().usageLog.groupBy({
      by: ["apiKeyId", "ip"],
      where: { ownerId, apiKeyId: { not: null }, createdAt: { gte: from, lt: to } },
      _min: { createdAt: true },
      _max: { apiKeyName: true },
    }),
    db().usageLog.groupBy({
      by: ["apiKeyId", "ip"],
      where: {
        ownerId,
        apiKeyId: { not: null },
        createdAt: { gte: new Date(from.getTime() - lookbackMs), lt: from },
      },
      _max: { createdAt: true },
    }),
  ]);
}

export async function distinctIps(ownerId: number, from: Date, to: Date): Promise<number> {
  return (await db().usageLog.groupBy({ by: ["ip"], where: { ownerId, createdAt: { gte: from, lt: to } } })).length;
}
