import { db } from "../db/client";
import { compileAllowlist, type IpMatcher, parseJsonList } from "./key-controls";

/**
 * What the data API looks a key up by: its digest alone (the digest is what identifies it), and
 * the tombstone of a deleted one.
 */

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
  /** production | staging | development. */
  environment: string;
  /** Whether a client address may use it; null = any address. */
  allowsIp: IpMatcher | null;
  owner: { plan: string; subscription: string; rateLimitPerHour: number | null };
}

/**
 * The verification lookup, by digest alone since the digest is what identifies the key. It is
 * on every data-API call, so it is one indexed join in SQL, far cheaper than Prisma's findUnique
 * with the owner relation. The allow-list is compiled
 * here, once per cached record, not per call.
 */
export async function findKeyByDigest(digest: string): Promise<KeyForVerification | null> {
  const rows = await db().$queryRaw<Array<Record<string, unknown>>>`
    SELECT k.id, k.owner_id, k.name, k."user", k.status, k.expires_at, k.scopes, k.read_only, k.ip_allowlist, k.environment,
      o.plan, o.subscription, o.rate_limit_per_hour
    FROM api_keys k JOIN organizations o ON o.id = k.owner_id
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
    environment: String(row.environment),
    allowsIp: allowlist ? compileAllowlist(allowlist) : null,
    owner: {
      plan: String(row.plan),
      subscription: String(row.subscription),
      rateLimitPerHour: row.rate_limit_per_hour == null ? null : Number(row.rate_limit_per_hour),
    },
  };
}
