import { recordAudit } from "../audit/audit-log";
import { UNSPECIFIED, type AuditContext } from "../audit/audit-actions";
import { publishInvalidation } from "../cache/invalidation";
import { batchWriter } from "../db/batch-write";
import { db, Prisma } from "../db/client";
import { ownerLock, ownerSerialized } from "../db/sql-dialect";
import { getConfig } from "../config/env";
import { keyLimitMessage, maxKeysFor } from "../limits/plans";
import type { GenerateKeyInput, KeyStatus, UpdateKeyInput } from "./key-schemas";
import { maxExpiry, storeList, suggestEnvironment } from "./key-controls";
import { countedKeys } from "./key-limit";
import { DomainError } from "../errors/domain-error";
import { digestSecret, generateKeySecret, hasValidKeyFormat, keyHint } from "./secret";
import { DAY_MS } from "../format/time";
import { getKey } from "./key-queries";
import { keyFields, toKeyResponse, type KeyRecord } from "./key-response";
import type { DomainEvent, WebhookEventType } from "../events/webhook-events";

/**
 * API-key writes: generate, rotate, update, status, delete, and leak reports. Each function takes
 * the owner and puts it in the `where`, so there is no way to read or change another account's key
 * by forgetting a filter; for the caller, "not yours" and "does not exist" are the same null.
 */

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
  const owner = await db().organization.findUniqueOrThrow({ where: { id: ownerId }, select: { plan: true } });
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
        environment, scopes, read_only, ip_allowlist, created_by_id)
      SELECT ${ownerId}, ${name}, ${input.user}, ${digest}, ${keyHint(secret)}, 'active', ${now},
        ${expiryFrom(input, now)}, ${controls.environment}, ${controls.scopes}, ${controls.readOnly},
        ${controls.ipAllowlist}, ${context.userId ?? null}
      WHERE ${underLimit} AND NOT ${nameTaken(ownerId, name)}`,
  );
  if (inserted === 0) {
    if (await nameExists(ownerId, name)) throw new DomainError("key_name_taken", nameTakenMessage(name));
    throw new DomainError("key_limit_reached", keyLimitMessage(owner.plan));
  }
  const key = await db().apiKey.findUniqueOrThrow({ where: { digest }, select: keyFields });
  await recordAudit(ownerId, "key.generate", context, {
    keyId: key.id,
    keyName: key.name,
    details: { user: key.user, ...controlsForAudit(key) },
    event: keyEvent("key.created", key),
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
  if (old.rotatedAt) throw new DomainError("key_already_rotated", alreadyRotatedMessage(old.name));
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
    // Queued behind the owner's other key writes, as ownerSerialized does.
    ...ownerLock(ownerId),
    // Name and controls from the row itself, not the snapshot: a PATCH that narrowed them since
    // must not be undone. The name may be shared with the old key only, which this rotation
    // retires; a concurrent rotation's new key holds it, so only one of two rotations inserts.
    Prisma.sql`
      INSERT INTO api_keys (owner_id, name, "user", digest, hint, status, created_at, expires_at,
        environment, scopes, read_only, ip_allowlist, rotated_from_id, created_by_id)
      SELECT o.owner_id, o.name, o."user", ${digest}, ${keyHint(secret)}, 'active', ${now}, ${expiresAt},
        o.environment, o.scopes, o.read_only, o.ip_allowlist, o.id, ${context.userId ?? null}
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
    if (current.rotatedAt) throw new DomainError("key_already_rotated", alreadyRotatedMessage(current.name));
    throw new DomainError("key_name_taken", nameTakenMessage(current.name));
  }
  await publishInvalidation({ kind: "key", keyId: id });
  if (old.rotatedFromId) await publishInvalidation({ kind: "key", keyId: old.rotatedFromId });
  await recordAudit(ownerId, "key.rotate", context, {
    keyId: id,
    keyName: old.name,
    details: { new_key_id: key.id, grace_period_seconds: graceSeconds, old_key_expires_at: end.toISOString() },
    event: keyEvent("key.rotated", key, { previous_key_id: id, previous_key_expires_at: end.toISOString() }),
  });
  return { key, secret };
}

/**
 * A key event's data: the key as the key list shows it, without its hint (part of the secret has
 * no business at a third party's URL), and `extra`.
 */
function keyEvent(type: WebhookEventType, key: KeyRecord, extra: Record<string, unknown> = {}): DomainEvent {
  const { key_hint: _hint, ...shown } = toKeyResponse(key);
  return { type, data: { key: shown, ...extra } };
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
      throw new DomainError("key_name_taken", nameTakenMessage(name));
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
  const [was, now] = [controlsForAudit(before), controlsForAudit(after)];
  const changed = (Object.keys(now) as Array<keyof typeof now>).filter(
    (field) => JSON.stringify(was[field]) !== JSON.stringify(now[field]),
  );
  // One key.updated event per change, with the audit row written last.
  const updated = keyEvent("key.updated", after);
  if (after.name !== before.name) {
    await recordAudit(ownerId, "key.rename", context, {
      keyId: id,
      keyName: after.name,
      details: { from: before.name, to: after.name },
      ...(!changed.length && { event: updated }),
    });
  }
  if (changed.length) {
    await recordAudit(ownerId, "key.update", context, {
      keyId: id,
      keyName: after.name,
      details: {
        before: Object.fromEntries(changed.map((field) => [field, was[field]])),
        after: Object.fromEntries(changed.map((field) => [field, now[field]])),
      },
      event: updated,
    });
  }
  return after;
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
      event: keyEvent("key.status_changed", key, { previous_status: before.status }),
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
  const key = await db().apiKey.findFirst({ where: { id, ownerId }, select: { ...keyFields, digest: true } });
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
    event: keyEvent("key.deleted", key),
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
  const key = await db().apiKey.findUnique({ where: { digest }, select: { ...keyFields, ownerId: true } });
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
    event: keyEvent(
      "key.leak_reported",
      { ...key, status: "inactive", statusReason: "reported_leak" },
      {
        previous_status: key.status,
      },
    ),
  });
}
