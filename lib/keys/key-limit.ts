import { db, Prisma } from "../db/client";

/**
 * Which keys count against the plan's key limit. Every key counts (active or not), except a key
 * rotated out while its successor exists: the successor holds its place. Once the successor is
 * deleted, the outgoing key counts again until its grace ends, since it still works and deletion
 * revokes only the key deleted. Without that rule, generate → rotate with a week's grace → delete
 * the new key, repeated, gave a Free account (limit 2) ten working secrets.
 *
 * So no sequence of generate, rotate, delete and status calls holds more working secrets than
 * the limit plus one outgoing key per rotation whose successor lives (a rotation ends the grace
 * of the key before it: lib/keys/key-commands.ts rotateKey). tests/integration/key-limit.test.ts checks
 * it over random sequences.
 *
 * Two counts, each from an index: keys not rotated (owner, rotated_at) and, of the few rotated
 * out, those in grace whose successor is gone (rotated_from_id).
 */
export const countedKeys = (ownerId: number, now: Date) => Prisma.sql`(
  (SELECT COUNT(*) FROM api_keys WHERE owner_id = ${ownerId} AND rotated_at IS NULL)
  + (SELECT COUNT(*) FROM api_keys o
      WHERE o.owner_id = ${ownerId} AND o.rotated_at IS NOT NULL AND o.expires_at > ${now}
        AND NOT EXISTS (SELECT 1 FROM api_keys n WHERE n.rotated_from_id = o.id)))`;

/** The keys that count against the plan's limit now (see countedKeys). */
export async function countKeys(ownerId: number, now = new Date()): Promise<number> {
  const [row] = await db().$queryRaw<{ n: number | bigint }[]>`SELECT ${countedKeys(ownerId, now)} AS n`;
  return Number(row.n);
}
