import { recordAudit } from "../audit/audit-log";
import { UNSPECIFIED, type AuditContext } from "../audit/audit-actions";
import { publishInvalidation } from "../cache/invalidation";
import { batchWriter } from "../db/batch-write";
import { db, dialect, Prisma } from "../db/client";
import { readRows } from "../db/read-rows";
import { epochMs } from "../format/dates";
import { getConfig } from "../config/env";
import { awaitPendingWrites } from "../runtime/pending-writes";
import { keyLimitMessage, maxKeysFor } from "../limits/plans";
import type { GenerateKeyInput, KeyStatus, ListKeysQuery, UpdateKeyInput } from "./key-schemas";
import {
  asEnvironment,
  compileAllowlist,
  maxExpiry,
  type IpMatcher,
  parseJsonList,
  rotationDue,
  storeList,
  suggestEnvironment,
} from "./key-controls";
import { countedKeys } from "./key-limit";
import { KeyAlreadyRotatedError, KeyLimitError, KeyNameTakenError } from "./key-errors";
import { digestSecret, generateKeySecret, hasValidKeyFormat, keyHint } from "./secret";
import { DAY_MS } from "../format/time";

/**
 * API-key queries and mutations. Each takes the owner and puts it in the `where` (the
 * verification lookups by digest excepted), so there is
 * no way to read or change another account's key by forgetting a filter; for the caller,
 * "not yours" and "does not exist" are the same null.
 */

const keyFields = {
  id: true,
  name: true,
  user: true,
  hint: true,
  status: true,
  createdAt: true,
  lastUsedAt: true,
  expiresAt: true,
  scopes: true,
  readOnly: true,
  ipAllowlist: true,
  environment: true,
  rotatedFromId: true,
  rotatedAt: true,
  statusReason: true,
} as const;
export type KeyRecord = Prisma.ApiKeyGetPayload<{ select: typeof keyFields }>;

/** The public shape of a key: built from an explicit field list, never the digest or secret. */
export function toKeyResponse(key: KeyRecord) {
  return {
    id: key.id,
    api_key_name: key.name,
    user: key.user,
    status: key.status as KeyStatus,
    created_at: key.createdAt.toISOString(),
    last_used_at: key.lastUsedAt?.toISOString() ?? null,
    key_hint: key.hint,
    /** The end of its validity: set at generation, or the end of a rotated-out key's grace period. */
    expires_at: key.expiresAt?.toISOString() ?? null,
    /** Route ids the key may read; null = every route its plan allows. */
    routes: parseJsonList<number>(key.scopes),
    read_only: key.readOnly,
    /** Addresses and CIDR ranges it may be used from; null = anywhere. */
    ip_allowlist: parseJsonList<string>(key.ipAllowlist),
    environment: asEnvironment(key.environment),
    rotation_due: rotationDue(key),
    rotated_from_id: key.rotatedFromId,
    /** When a rotation replaced this key (it then works until expires_at, and can't be rotated again). */
    rotated_at: key.rotatedAt?.toISOString() ?? null,
    /** Why it was deactivated by someone other than its owner (reported_leak), else null. */
    status_reason: key.statusReason,
  };
}
export type KeyResponse = ReturnType<typeof toKeyResponse>;

/** A key's name is unique in its account, case-insensitively: two "billing" keys can't be told apart in a list. */
export const nameTakenMessage = (name: string) =>
  `An API key named "${name}" already exists in this account; choose another name.`;

/**
 * SQL: the owner has another key (not `exceptId`) named `name` (a value, or a column of the
 * statement around it), case aside. A key rotated out does not hold its name: its successor
 * takes it over.
 */
function nameTaken(ownerId: number, name: string | Prisma.Sql, exceptId = 0): Prisma.Sql {
  return Prisma.sql`EXISTS (SELECT 1 FROM api_keys other
    WHERE other.owner_id = ${ownerId} AND lower(other.name) = lower(${name}) AND other.id <> ${exceptId}
      AND other.rotated_at IS NULL)`;
}

/** PostgreSQL: the owner's row locked for the transaction, so the owner's key writes queue (see ownerSerialized). */
const lockOwner = (ownerId: number) =>
  // NO KEY UPDATE: queues key writes, but not usage rows, whose foreign key takes KEY SHARE.
  Prisma.sql`SELECT id FROM users WHERE id = ${ownerId} FOR NO KEY UPDATE`;

/**
 * A write that must not race another for the same owner (a plan limit, a unique name), as one
 * statement. SQLite runs one statement atomically; an interactive transaction would not do
 * there (request handlers share one SQLite connection, so other requests' statements would run
 * inside it and a rollback would take them along). PostgreSQL runs statements concurrently (read
 * committed), so two could both see the name free; the owner's row is locked first, in a
 * transaction of its own, which queues them (on every instance) behind each other.
 */
async function ownerSerialized(ownerId: number, statement: Prisma.Sql): Promise<number> {
  if (dialect() === "sqlite") return db().$executeRaw(statement);
  return db().$transaction(
    async (tx) => {
      await tx.$queryRaw(lockOwner(ownerId));
      return tx.$executeRaw(statement);
    },
    { maxWait: 5_000, timeout: 10_000 },
  );
}

/** The columns a key's controls are stored in, from validated input (undefined = leave as is). */
function controlColumns(input: Pick<UpdateKeyInput, "environment" | "routes" | "read_only" | "ip_allowlist">) {
  return {
    ...(input.environment !== undefined ? { environment: input.environment } : {}),
    ...(input.routes !== undefined ? { scopes: storeList(input.routes) } : {}),
    ...(input.read_only !== undefined ? { readOnly: input.read_only } : {}),
    ...(input.ip_allowlist !== undefined ? { ipAllowlist: storeList(input.ip_allowlist) } : {}),
  };
}

/** A key's controls as the audit log shows them: what it may do, never what it is. */
function controlsForAudit(key: KeyRecord) {
  const { environment, routes, read_only, ip_allowlist, expires_at } = toKeyResponse(key);
  return { environment, routes, read_only, ip_allowlist, expires_at };
}

/** Generation's expiry: an ISO time, or a number of days from now, or none. */
function expiryFrom(input: GenerateKeyInput, now: Date): Date | null {
  if (input.expires_at) return input.expires_at;
  if (input.expires_in_days) return new Date(now.getTime() + input.expires_in_days * DAY_MS);
  return null;
}

async function nameExists(ownerId: number, name: string, exceptId = 0): Promise<boolean> {
  const [row] = await db().$queryRaw<{ taken: number | bigint | boolean }[]>`
    SELECT ${nameTaken(ownerId, name, exceptId)} AS taken`;
  return Boolean(Number(row.taken));
}

/**
 * Creates a key; the returned secret exists nowhere else and must be shown exactly once. The
 * plan's key limit and the name's uniqueness are checked by the insert itself (INSERT … SELECT …
 * WHERE), so concurrent requests cannot overshoot the one or duplicate the other.
 */
export async function createKey(
  ownerId: number,
  input: GenerateKeyInput,
  context: AuditContext = UNSPECIFIED,
): Promise<{ key: KeyRecord; secret: string }> {
  const owner = await db().user.findUniqueOrThrow({ where: { id: ownerId }, select: { plan: true } });
  const limit = maxKeysFor(owner.plan);
  const secret = generateKeySecret();
  const digest = digestSecret(secret, getConfig().keyPepper);
  const name = input.api_key_name;
  const now = new Date();
  const controls = {
    environment: input.environment ?? suggestEnvironment(name),
    scopes: storeList(input.routes),
    readOnly: input.read_only ?? false,
    ipAllowlist: storeList(input.ip_allowlist),
  };
  const underLimit = limit === null ? Prisma.sql`true` : Prisma.sql`${countedKeys(ownerId, now)} < ${limit}`;
  const inserted = await ownerSerialized(
    ownerId,
    Prisma.sql`
      INSERT INTO api_keys (owner_id, name, "user", digest, hint, status, created_at, expires_at,
        environment, scopes, read_only, ip_allowlist)
      SELECT ${ownerId}, ${name}, ${input.user}, ${digest}, ${keyHint(secret)}, 'active', ${now},
        ${expiryFrom(input, now)}, ${controls.environment}, ${controls.scopes}, ${controls.readOnly},
        ${controls.ipAllowlist}
      WHERE ${underLimit} AND NOT ${nameTaken(ownerId, name)}`,
  );
  if (inserted === 0) {
    if (await nameExists(ownerId, name)) throw new KeyNameTakenError(nameTakenMessage(name));
    throw new KeyLimitError(keyLimitMessage(owner.plan));
  }
  const key = await db().apiKey.findUniqueOrThrow({ where: { digest }, select: keyFields });
  await recordAudit(ownerId, "key.generate", context, {
    keyId: key.id,
    keyName: key.name,
    details: { user: key.user, ...controlsForAudit(key) },
  });
  return { key, secret };
}

/**
 * Replaces the owner's key with a new one (same name, user, environment, routes, read-only flag
 * and allow-list; an expiry is renewed for the same length). The old key keeps working until
 * min(now + grace, its own expiry), then fails like any bad key; while the new key exists the old
 * one no longer counts against the plan's key limit (lib/keys/key-limit.ts), and it cannot be
 * rotated again. Null: not the owner's key.
 *
 * One transaction (the batch writer's: on SQLite its own connection, where a multi-statement
 * transaction cannot take other requests' statements along): the new key, the old key's end, and
 * the end of any grace still running for the key before it, so a chain of rotations keeps at most
 * one outgoing key alive (rotating every few minutes with a week's grace must not multiply the
 * plan's key limit).
 */
export async function rotateKey(
  ownerId: number,
  id: number,
  graceSeconds: number,
  context: AuditContext = UNSPECIFIED,
): Promise<{ key: KeyRecord; secret: string } | null> {
  const old = await db().apiKey.findFirst({ where: { id, ownerId }, select: keyFields });
  if (!old) return null;
  if (old.rotatedAt) throw new KeyAlreadyRotatedError(alreadyRotatedMessage(old.name));
  const now = new Date();
  const secret = generateKeySecret();
  const digest = digestSecret(secret, getConfig().keyPepper);
  // expires_at is set at generation or by a rotation only (which this one excludes), so the
  // snapshot's is current.
  const lifetime = old.expiresAt ? old.expiresAt.getTime() - old.createdAt.getTime() : null;
  const expiresAt =
    lifetime === null
      ? null
      : new Date(Math.min(now.getTime() + Math.max(lifetime, 0), maxExpiry(now.getTime()).getTime()));
  const graceEnd = new Date(now.getTime() + graceSeconds * 1000);
  // Never later than the key's own expiry: a grace period must not make an expiring key outlive it.
  const end = old.expiresAt && old.expiresAt < graceEnd ? old.expiresAt : graceEnd;
  const inserted = Prisma.sql`EXISTS (SELECT 1 FROM api_keys n WHERE n.digest = ${digest})`;
  await batchWriter().write([
    // PostgreSQL: queued behind the owner's other key writes, as ownerSerialized does.
    ...(dialect() === "postgresql" ? [lockOwner(ownerId)] : []),
    // Name and controls from the row itself, not the snapshot: a PATCH that narrowed them since
    // must not be undone. The name may be shared with the old key only, which this rotation
    // retires; a concurrent rotation's new key holds it, so only one of two rotations inserts.
    Prisma.sql`
      INSERT INTO api_keys (owner_id, name, "user", digest, hint, status, created_at, expires_at,
        environment, scopes, read_only, ip_allowlist, rotated_from_id)
      SELECT o.owner_id, o.name, o."user", ${digest}, ${keyHint(secret)}, 'active', ${now}, ${expiresAt},
        o.environment, o.scopes, o.read_only, o.ip_allowlist, o.id
      FROM api_keys o
      WHERE o.id = ${id} AND o.owner_id = ${ownerId} AND o.rotated_at IS NULL
        AND NOT ${nameTaken(ownerId, Prisma.sql`o.name`, id)}`,
    Prisma.sql`UPDATE api_keys SET rotated_at = ${now}, expires_at = ${end}
      WHERE id = ${id} AND owner_id = ${ownerId} AND rotated_at IS NULL AND ${inserted}`,
    ...(old.rotatedFromId
      ? [
          Prisma.sql`UPDATE api_keys SET expires_at = ${now}
            WHERE id = ${old.rotatedFromId} AND owner_id = ${ownerId} AND rotated_at IS NOT NULL
              AND (expires_at IS NULL OR expires_at > ${now}) AND ${inserted}`,
        ]
      : []),
  ]);
  const key = await db().apiKey.findUnique({ where: { digest }, select: keyFields });
  if (!key) {
    const current = await db().apiKey.findFirst({ where: { id, ownerId }, select: { rotatedAt: true, name: true } });
    if (!current) return null;
    if (current.rotatedAt) throw new KeyAlreadyRotatedError(alreadyRotatedMessage(current.name));
    throw new KeyNameTakenError(nameTakenMessage(current.name));
  }
  await publishInvalidation({ kind: "key", keyId: id });
  if (old.rotatedFromId) await publishInvalidation({ kind: "key", keyId: old.rotatedFromId });
  await recordAudit(ownerId, "key.rotate", context, {
    keyId: id,
    keyName: old.name,
    details: { new_key_id: key.id, grace_period_seconds: graceSeconds, old_key_expires_at: end.toISOString() },
  });
  return { key, secret };
}

const alreadyRotatedMessage = (name: string) =>
  `The API key "${name}" has already been rotated; rotate its replacement instead.`;

/**
 * Renames the owner's key and/or changes what it may do. Null when it is not theirs (or gone), a
 * 409 when another of their keys has the name. Effective on the very next call: the key's cached
 * verification records are dropped on every instance.
 */
export async function updateKey(
  ownerId: number,
  id: number,
  input: UpdateKeyInput,
  context: AuditContext = UNSPECIFIED,
): Promise<KeyRecord | null> {
  const before = await db().apiKey.findFirst({ where: { id, ownerId }, select: keyFields });
  if (!before) return null;
  const name = input.api_key_name;
  if (name !== undefined && name !== before.name) {
    const updated = await ownerSerialized(
      ownerId,
      Prisma.sql`UPDATE api_keys SET name = ${name}
        WHERE id = ${id} AND owner_id = ${ownerId} AND NOT ${nameTaken(ownerId, name, id)}`,
    );
    if (updated === 0) {
      if (!(await db().apiKey.count({ where: { id, ownerId } }))) return null;
      throw new KeyNameTakenError(nameTakenMessage(name));
    }
  }
  const columns = controlColumns(input);
  if (Object.keys(columns).length) {
    const { count } = await db().apiKey.updateMany({ where: { id, ownerId }, data: columns });
    if (!count) return null;
  }
  // Verification records carry the name and the controls: drop them everywhere.
  await publishInvalidation({ kind: "key", keyId: id });
  const after = await getKey(ownerId, id);
  if (!after) return null;
  if (after.name !== before.name) {
    await recordAudit(ownerId, "key.rename", context, {
      keyId: id,
      keyName: after.name,
      details: { from: before.name, to: after.name },
    });
  }
  const [was, now] = [controlsForAudit(before), controlsForAudit(after)];
  const changed = (Object.keys(now) as Array<keyof typeof now>).filter(
    (field) => JSON.stringify(was[field]) !== JSON.stringify(now[field]),
  );
  if (changed.length) {
    await recordAudit(ownerId, "key.update", context, {
      keyId: id,
      keyName: after.name,
      details: {
        before: Object.fromEntries(changed.map((field) => [field, was[field]])),
        after: Object.fromEntries(changed.map((field) => [field, now[field]])),
      },
    });
  }
  return after;
}

/** Which keys a list or an export is narrowed to: a search text, a status, or both. */
export type KeyFilter = Pick<ListKeysQuery, "q" | "status">;

/** A KeyFilter as SQL over api_keys (see searchKeys for how q matches). */
function filterSql({ q, status }: KeyFilter): Prisma.Sql {
  const withStatus = status ? Prisma.sql`status = ${status}` : Prisma.sql`true`;
  if (!q) return withStatus;
  const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const matches =
    dialect() === "sqlite"
      ? Prisma.sql`(name LIKE ${pattern} ESCAPE '\\' OR "user" LIKE ${pattern} ESCAPE '\\')`
      : Prisma.sql`(strpos(lower(name), lower(${q})) > 0 OR strpos(lower("user"), lower(${q})) > 0)`;
  return Prisma.sql`${withStatus} AND ${matches}`;
}

/**
 * The owner's keys (with `status`, if given) whose name or username contains `q`,
 * case-insensitively: a count and a page of ids, newest first, each one pass over the account's
 * (owner, created) index (a page of a broad search stops early; fetching every matching id took
 * 275 ms for 100,000 keys, and an IN list of them was more than SQLite takes). Prisma's
 * `contains` becomes LIKE without an escape, where % and _ in the search text would act as
 * wildcards: SQLite's LIKE escapes them here (it folds ASCII case only, as its lower() does),
 * PostgreSQL's strpos() takes the text literally.
 */
async function searchKeys(
  ownerId: number,
  query: ListKeysQuery & { q: string },
): Promise<{ ids: number[]; total: number }> {
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
  if (query.q) {
    const { ids, total } = await searchKeys(ownerId, { ...query, q: query.q });
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

export async function setKeyStatus(
  ownerId: number,
  id: number,
  status: KeyStatus,
  context: AuditContext = UNSPECIFIED,
): Promise<KeyRecord | null> {
  const before = await db().apiKey.findFirst({ where: { id, ownerId }, select: { status: true } });
  if (!before) return null;
  // The owner's own change replaces any reason someone else deactivated it for (a leak report).
  const { count } = await db().apiKey.updateMany({ where: { id, ownerId }, data: { status, statusReason: null } });
  if (!count) return null;
  await publishInvalidation({ kind: "key", keyId: id });
  const key = await getKey(ownerId, id);
  if (key) {
    await recordAudit(ownerId, "key.status", context, {
      keyId: id,
      keyName: key.name,
      details: { from: before.status, to: status },
    });
  }
  return key;
}

/**
 * Permanent, and effective on the very next request: verification reads the row every time
 * (and any cache of it is dropped on every instance by the invalidation).
 * The digest is kept as a tombstone so later attempts with the key reach the owner's usage log.
 */
export async function deleteKey(ownerId: number, id: number, context: AuditContext = UNSPECIFIED): Promise<boolean> {
  const key = await db().apiKey.findFirst({
    where: { id, ownerId },
    select: { digest: true, name: true, hint: true, user: true },
  });
  if (!key) return false;
  // Tombstone first: should the delete fail, a tombstone beside a live key changes nothing.
  await db().revokedKey.upsert({
    where: { digest: key.digest },
    create: { digest: key.digest, ownerId, keyId: id, keyName: key.name },
    update: {},
  });
  const deleted = await db().apiKey.deleteMany({ where: { id, ownerId } });
  if (!deleted.count) return false;
  await publishInvalidation({ kind: "key", keyId: id, digest: key.digest });
  await recordAudit(ownerId, "key.delete", context, {
    keyId: id,
    keyName: key.name,
    details: { user: key.user, key_hint: key.hint },
  });
  return true;
}

/**
 * Someone found this key where it should not be (a public repository, a paste): if it is a live
 * key, it is deactivated at once (reason reported_leak) and its owner sees an alert and an audit
 * entry with the reporter's address. Holding the key is the proof, as with GitHub's secret-scanning
 * partners; the caller learns nothing either way (the edge answers the same whatever this finds).
 */
export const LEAK_REPORT_MESSAGE =
  "Thank you. If this is a live API key, it has been deactivated and its owner has been told.";

export async function reportLeakedKey(secret: string, context: AuditContext): Promise<void> {
  if (!hasValidKeyFormat(secret)) return;
  const digest = digestSecret(secret, getConfig().keyPepper);
  const key = await db().apiKey.findUnique({
    where: { digest },
    select: { id: true, ownerId: true, name: true, status: true },
  });
  if (!key) return;
  // Only a live key: reports of a key already off change nothing and record nothing, so holding
  // a leaked key does not let anyone bury its owner's audit log and alerts under repeats.
  const { count } = await db().apiKey.updateMany({
    where: { id: key.id, ownerId: key.ownerId, status: "active" },
    data: { status: "inactive", statusReason: "reported_leak" },
  });
  if (!count) return;
  await publishInvalidation({ kind: "key", keyId: key.id, digest });
  await recordAudit(key.ownerId, "key.leak_report", context, {
    keyId: key.id,
    keyName: key.name,
    details: { previous_status: key.status, reason: "reported_leak" },
  });
}

/** Who a deleted key belonged to, for attributing a refused call; never grants access. */
export function findRevokedKey(digest: string) {
  return db().revokedKey.findUnique({ where: { digest }, select: { ownerId: true, keyId: true, keyName: true } });
}

export interface KeyForVerification {
  id: number;
  ownerId: number;
  name: string;
  user: string;
  status: string;
  expiresAt: Date | null;
  /** Route ids it may read; null = all. */
  routes: number[] | null;
  readOnly: boolean;
  /** Whether a client address may use it; null = any address. */
  allowsIp: IpMatcher | null;
  owner: { plan: string; subscription: string; rateLimitPerHour: number | null };
}

/**
 * The verification lookup, by digest alone since the digest is what identifies the key. It is
 * on every data-API call, so it is one indexed join in SQL: a third of the cost of Prisma's
 * findUnique with the owner relation (0.32 ms against 0.89 ms here). The allow-list is compiled
 * here, once per cached record, not per call.
 */
export async function findKeyByDigest(digest: string): Promise<KeyForVerification | null> {
  const rows = await db().$queryRaw<Array<Record<string, unknown>>>`
    SELECT k.id, k.owner_id, k.name, k."user", k.status, k.expires_at, k.scopes, k.read_only, k.ip_allowlist,
      u.plan, u.subscription, u.rate_limit_per_hour
    FROM api_keys k JOIN users u ON u.id = k.owner_id
    WHERE k.digest = ${digest}`;
  const row = rows[0];
  if (!row) return null;
  const allowlist = parseJsonList<string>(row.ip_allowlist as string | null);
  return {
    id: Number(row.id),
    ownerId: Number(row.owner_id),
    name: String(row.name),
    user: String(row.user),
    status: String(row.status),
    expiresAt: row.expires_at == null ? null : new Date(row.expires_at as string | Date),
    routes: parseJsonList<number>(row.scopes as string | null),
    // SQLite answers 0/1, PostgreSQL a boolean.
    readOnly: Boolean(Number(row.read_only)),
    allowsIp: allowlist ? compileAllowlist(allowlist) : null,
    owner: {
      plan: String(row.plan),
      subscription: String(row.subscription),
      rateLimitPerHour: row.rate_limit_per_hour == null ? null : Number(row.rate_limit_per_hour),
    },
  };
}
