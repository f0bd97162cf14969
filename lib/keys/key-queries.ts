import { db, Prisma } from "../db/client";
import { containsText } from "../db/sql-dialect";
import { readRows } from "../db/read-rows";
import { epochMs } from "../format/dates";
import { awaitPendingWrites } from "../runtime/pending-writes";
import type { ListKeysQuery } from "./key-schemas";
import { keyFields, type KeyRecord } from "./key-response";

/**
 * API-key reads: lists, searches, pickers, the export's pages and one key. Each function takes the
 * owner and puts it in the `where`, so there is no way to read or change another account's key by
 * forgetting a filter; for the caller, "not yours" and "does not exist" are the same null.
 */

/** Which keys a list or an export is narrowed to: a search text, a status, their maker. */
export type KeyFilter = Pick<ListKeysQuery, "q" | "status" | "created_by">;

/**
 * Keys by their maker: a user id, or "removed" for makers no longer members of the key's
 * organization (owner_id names it). Keys made before makers were recorded have none and match
 * neither.
 */
function makerSql(createdBy: KeyFilter["created_by"]): Prisma.Sql {
  if (createdBy === undefined) return Prisma.sql`true`;
  if (createdBy !== "removed") return Prisma.sql`created_by_id = ${createdBy}`;
  return Prisma.sql`created_by_id IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM memberships m WHERE m.organization_id = api_keys.owner_id AND m.user_id = api_keys.created_by_id)`;
}

/** A KeyFilter as SQL over api_keys (see searchKeys for how q matches). */
function filterSql({ q, status, created_by }: KeyFilter): Prisma.Sql {
  const withStatus = status ? Prisma.sql`status = ${status}` : Prisma.sql`true`;
  const narrowed = Prisma.sql`${withStatus} AND ${makerSql(created_by)}`;
  if (!q) return narrowed;
  return Prisma.sql`${narrowed} AND ${containsText(["name", '"user"'], q)}`;
}

/**
 * The owner's keys (with `status`, if given) whose name or username contains `q`,
 * case-insensitively: a count and a page of ids, newest first, each one pass over the account's
 * (owner, created) index (a page of a broad search stops early; fetching every matching id costs
 * time in proportion to the account's keys, and an IN list of them can be more than SQLite
 * takes). Prisma's `contains` becomes LIKE without an escape, where % and _ in the search text
 * would act as wildcards: SQLite's LIKE escapes them here (it folds ASCII case only, as its
 * lower() does), PostgreSQL's strpos() takes the text literally.
 */
async function searchKeys(ownerId: number, query: ListKeysQuery): Promise<{ ids: number[]; total: number }> {
  const where = Prisma.sql`owner_id = ${ownerId} AND ${filterSql(query)}`;
  const [page, [count]] = await Promise.all([
    db().$queryRaw<{ id: number | bigint }[]>`
      SELECT id FROM api_keys WHERE ${where} ORDER BY created_at DESC, id DESC
      LIMIT ${query.per_page} OFFSET ${(query.page - 1) * query.per_page}`,
    db().$queryRaw<{ n: number | bigint }[]>`SELECT COUNT(*) AS n FROM api_keys WHERE ${where}`,
  ]);
  return { ids: page.map((row) => Number(row.id)), total: Number(count.n) };
}

export async function listKeys(ownerId: number, query: ListKeysQuery): Promise<{ items: KeyRecord[]; total: number }> {
  // last_used_at is written with the batched usage rows: read-your-writes within this process.
  await awaitPendingWrites();
  const orderBy = [{ createdAt: "desc" }, { id: "desc" }] satisfies Prisma.ApiKeyOrderByWithRelationInput[];
  if (query.q || query.created_by !== undefined) {
    const { ids, total } = await searchKeys(ownerId, query);
    const items = ids.length
      ? await db().apiKey.findMany({ where: { ownerId, id: { in: ids } }, select: keyFields, orderBy })
      : [];
    return { items, total };
  }
  const where: Prisma.ApiKeyWhereInput = { ownerId, ...(query.status ? { status: query.status } : {}) };
  const [items, total] = await Promise.all([
    db().apiKey.findMany({
      where,
      select: keyFields,
      orderBy,
      skip: (query.page - 1) * query.per_page,
      take: query.per_page,
    }),
    db().apiKey.count({ where }),
  ]);
  return { items, total };
}

/** What localeCompare does, with the collator made once instead of per comparison. */
const byName = new Intl.Collator();

/**
 * A key picker's options: every key of the account up to `limit`, else the `limit` newest (read
 * from the (owner, created) index, so 100,000 keys cost what 200 do), with `selectedId` kept in.
 */
export async function keyChoices(
  ownerId: number,
  limit: number,
  selectedId?: number,
): Promise<{ keys: Array<{ id: number; name: string }>; truncated: boolean }> {
  // Through readRows (a reader thread on SQLite): the usage and audit pages ask for 201 keys, and
  // through Prisma the request thread planned and decoded them.
  const newest = (
    await readRows<Array<{ id: number | bigint; name: string }>>(Prisma.sql`
      SELECT id, name FROM api_keys WHERE owner_id = ${ownerId} ORDER BY created_at DESC, id DESC LIMIT ${limit + 1}`)
  ).map((k) => ({ id: Number(k.id), name: k.name }));
  const truncated = newest.length > limit;
  const keys = newest.slice(0, limit);
  if (selectedId !== undefined && !keys.some((k) => k.id === selectedId)) {
    const selected = await db().apiKey.findFirst({
      where: { id: selectedId, ownerId },
      select: { id: true, name: true },
    });
    if (selected) keys.unshift(selected);
  }
  return { keys: keys.sort((a, b) => byName.compare(a.name, b.name) || a.id - b.id), truncated };
}

/** The username of one of the account's keys (its first), for the docs' examples. */
export async function someKeyUser(ownerId: number): Promise<string | null> {
  const key = await db().apiKey.findFirst({ where: { ownerId }, select: { user: true }, orderBy: { id: "asc" } });
  return key?.user ?? null;
}

/** A key as the CSV export lists it: its times as ISO 8601. */
export interface ExportedKey {
  id: number;
  name: string;
  user: string;
  status: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/**
 * The export's columns of the owner's keys in id order after `afterId`, `take` at a time: a keyset
 * page, as cheap for the last page of 100,000 keys as for the first (an OFFSET would read every
 * row before it). Through readRows: on SQLite a reader thread reads each page while the request
 * thread serves. Through Prisma, planning and decoding a page of 1,000 keys held the request
 * thread, and every data-API call waiting on it, for milliseconds per page.
 */
export async function keysAfter(
  ownerId: number,
  afterId: number,
  take: number,
  filter: KeyFilter = {},
): Promise<ExportedKey[]> {
  // last_used_at is written with the batched usage rows: read-your-writes within this process.
  if (afterId === 0) await awaitPendingWrites();
  type Time = string | Date;
  const rows = await readRows<
    Array<{
      id: number | bigint;
      name: string;
      user: string;
      status: string;
      created_at: Time;
      last_used_at: Time | null;
    }>
  >(Prisma.sql`
    SELECT id, name, "user", status, created_at, last_used_at FROM api_keys
    WHERE owner_id = ${ownerId} AND id > ${afterId} AND ${filterSql(filter)}
    ORDER BY id LIMIT ${take}`);
  const iso = (t: Time) => new Date(epochMs(t)).toISOString();
  return rows.map((r) => ({
    id: Number(r.id),
    name: r.name,
    user: r.user,
    status: r.status,
    createdAt: iso(r.created_at),
    lastUsedAt: r.last_used_at === null ? null : iso(r.last_used_at),
  }));
}

export async function getKey(ownerId: number, id: number): Promise<KeyRecord | null> {
  await awaitPendingWrites();
  return db().apiKey.findFirst({ where: { id, ownerId }, select: keyFields });
}
