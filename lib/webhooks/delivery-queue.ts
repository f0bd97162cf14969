import { db, Prisma } from "../db/client";
import { skipLockedRows } from "../db/sql-dialect";
import { DAY_MS, HOUR_MS } from "../format/time";

/**
 * The delivery queue is the webhook_deliveries table: a worker claims due rows (locked_until),
 * attempts them, and writes each outcome back under its claim. Every write here goes through
 * db(), whose statements wait out SQLite's write lock (up to seconds) instead of failing: an
 * outcome lost to a held lock would mean sending the delivery again once the claim lapses.
 */

/** How long a claim keeps other workers off a row: well past one attempt (10 s) and its writes. */
const CLAIM_MS = 60_000;
/** A delivery is retried until this long after it was queued, then given up (status failed). */
const RETRY_WINDOW_MS = DAY_MS;
/** The first retry's longest wait; each retry doubles it, up to RETRY_CAP_MS. */
const RETRY_BASE_MS = 5_000;
const RETRY_CAP_MS = HOUR_MS;
/** The shortest wait: full jitter can draw zero, and a failing receiver should not be hit in a loop. */
const RETRY_MIN_MS = 1_000;
/** The longest last_error kept (a receiver's error text is not ours to store in full). */
const MAX_ERROR_LENGTH = 500;

/** A row this worker claimed: its claim's end identifies the claim in every write that follows. */
interface Claim {
  ids: number[];
  lockedUntil: Date;
}

/**
 * Claims up to `limit` due deliveries (pending, next_attempt_at reached, no live claim), oldest
 * due first, for CLAIM_MS. One statement: on PostgreSQL its subquery skips rows another
 * instance's claim has locked (skipLockedRows), on SQLite statements run one at a time, so two
 * claims never return the same row.
 */
export async function claimDueDeliveries(limit: number, now: Date = new Date()): Promise<Claim> {
  const lockedUntil = new Date(now.getTime() + CLAIM_MS);
  // A read first: nearly every pass finds nothing due, and an UPDATE would take SQLite's write
  // lock (or write a PostgreSQL transaction) every poll for nothing.
  const due = await db().webhookDelivery.findFirst({
    where: {
      status: "pending",
      nextAttemptAt: { lte: now },
      OR: [{ lockedUntil: null }, { lockedUntil: { lte: now } }],
    },
    select: { id: true },
  });
  if (!due) return { ids: [], lockedUntil };
  const rows = await db().$queryRaw<{ id: number | bigint }[]>`
    UPDATE webhook_deliveries SET locked_until = ${lockedUntil}
    WHERE id IN (
      SELECT id FROM webhook_deliveries
      WHERE status = 'pending' AND next_attempt_at <= ${now} AND (locked_until IS NULL OR locked_until <= ${now})
      ORDER BY next_attempt_at, id
      LIMIT ${limit}
      ${skipLockedRows()}
    )
    RETURNING id`;
  return { ids: rows.map((row) => Number(row.id)), lockedUntil };
}

const claimedFields = {
  id: true,
  attempts: true,
  createdAt: true,
  endpoint: {
    select: {
      id: true,
      ownerId: true,
      url: true,
      status: true,
      secret: true,
      previousSecret: true,
      previousSecretUntil: true,
    },
  },
  event: { select: { messageId: true, payload: true } },
} as const;
export type ClaimedDelivery = Prisma.WebhookDeliveryGetPayload<{ select: typeof claimedFields }> & {
  lockedUntil: Date;
};

/** The claimed rows with what an attempt needs: the endpoint (URL, secrets, status) and the event. */
export async function readClaimedDeliveries(claim: Claim): Promise<ClaimedDelivery[]> {
  if (!claim.ids.length) return [];
  const rows = await db().webhookDelivery.findMany({
    where: { id: { in: claim.ids }, lockedUntil: claim.lockedUntil },
    select: claimedFields,
    orderBy: { id: "asc" },
  });
  return rows.map((row) => ({ ...row, lockedUntil: claim.lockedUntil }));
}

/** What one attempt came to (lib/webhooks/delivery-attempt.ts). */
export interface AttemptResult {
  statusCode: number | null;
  durationMs: number;
  error: string | null;
}

/**
 * Writes an outcome under the claim: if the claim was lost meanwhile (it lapsed and another
 * worker took the row, or its owner asked for a redelivery), the row is the other's to write.
 */
async function writeUnderClaim(delivery: ClaimedDelivery, data: Prisma.WebhookDeliveryUpdateManyMutationInput) {
  const { count } = await db().webhookDelivery.updateMany({
    where: { id: delivery.id, status: "pending", lockedUntil: delivery.lockedUntil },
    data: { ...data, lockedUntil: null },
  });
  return count > 0;
}

export function recordDelivered(delivery: ClaimedDelivery, result: AttemptResult, at: Date): Promise<boolean> {
  return writeUnderClaim(delivery, {
    status: "delivered",
    attempts: delivery.attempts + 1,
    deliveredAt: at,
    lastStatusCode: result.statusCode,
    lastDurationMs: result.durationMs,
    lastError: null,
  });
}

/** A delivery to an endpoint disabled since it was queued: given up on without sending. */
export function recordSkipped(delivery: ClaimedDelivery): Promise<boolean> {
  return writeUnderClaim(delivery, { status: "failed", lastError: "endpoint disabled" });
}

/**
 * The wait before retry number `attempt` (1 for the first retry): "full jitter", a random time up
 * to 5 s doubled per attempt (capped at an hour), so receivers that failed together (one outage)
 * are not all retried at the same moment.
 */
function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.min(attempt - 1, 30));
  return Math.max(RETRY_MIN_MS, Math.floor(random() * ceiling));
}

/**
 * A failed attempt: retried after retryDelayMs, or, once RETRY_WINDOW_MS have passed since the
 * delivery was queued, given up on (status failed). Returns whether it was given up on.
 */
export async function recordFailedAttempt(
  delivery: ClaimedDelivery,
  result: AttemptResult,
  at: Date,
): Promise<{ written: boolean; gaveUp: boolean }> {
  const attempts = delivery.attempts + 1;
  const gaveUp = at.getTime() - delivery.createdAt.getTime() >= RETRY_WINDOW_MS;
  const written = await writeUnderClaim(delivery, {
    attempts,
    lastStatusCode: result.statusCode,
    lastDurationMs: result.durationMs,
    lastError: result.error?.slice(0, MAX_ERROR_LENGTH) ?? null,
    ...(gaveUp ? { status: "failed" } : { nextAttemptAt: new Date(at.getTime() + retryDelayMs(attempts)) }),
  });
  return { written, gaveUp };
}
