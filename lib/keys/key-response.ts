import type { Prisma } from "../db/client";
import { asEnvironment, parseJsonList, rotationDue } from "./key-controls";
import type { KeyStatus } from "./key-schemas";

/** What every key read selects: never the digest. */
export const keyFields = {
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
  createdById: true,
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
    /** The member who made it (generated or rotated); null when no account did, or before it was recorded. */
    created_by: key.createdById,
  };
}
export type KeyResponse = ReturnType<typeof toKeyResponse>;

/**
 * The body of a 201 that creates a key (generation, rotation): the reference's fields in its
 * order, then the extras. The only responses that carry the secret.
 */
export function generatedKeyBody(key: KeyRecord, secret: string) {
  const { id, api_key_name, user, status, created_at, ...rest } = toKeyResponse(key);
  return { id, api_key_name, api_key: secret, user, status, created_at, ...rest };
}
