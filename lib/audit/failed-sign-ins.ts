import { db } from "../db/client";
import { SIGN_IN_LIMITS } from "../limits/sign-in-limits";
import { log } from "../log/logger";
import type { AuditContext } from "./audit-actions";

/**
 * Failed sign-ins are counted in one audit row per account, address and window: the per-email
 * throttle's window, so a row holds at most one throttle's worth of guesses.
 */
const WINDOW_MS = SIGN_IN_LIMITS.perEmailAndIp.windowMs;

/** Writes for one (account, address) run one after another in this process, so a burst adds to one row. */
const queues = new Map<string, Promise<void>>();

/**
 * Records a wrong password for an account (an unknown email has no audit log to write to): the
 * first failure of a window from an address creates an `auth.sign_in_failed` row, later ones in
 * the window add to its count, so a guesser leaves one row per window, not one per guess (the
 * throttle stops them after ten anyway). Logged, not thrown, like every audit write.
 */
export function recordFailedSignIn(ownerId: number, context: AuditContext, now = Date.now()): Promise<void> {
  const queueKey = `${ownerId}|${context.ip ?? ""}`;
  const previous = queues.get(queueKey) ?? Promise.resolve();
  const next = previous.then(() => addFailure(ownerId, context, now));
  queues.set(queueKey, next);
  return next.finally(() => {
    if (queues.get(queueKey) === next) queues.delete(queueKey);
  });
}

async function addFailure(ownerId: number, context: AuditContext, now: number): Promise<void> {
  const windowStart = Math.floor(now / WINDOW_MS) * WINDOW_MS;
  const at = new Date(now).toISOString();
  try {
    const row = await db().auditLog.findFirst({
      where: {
        ownerId,
        action: "auth.sign_in_failed",
        ip: context.ip,
        actor: context.actor,
        createdAt: { gte: new Date(windowStart) },
      },
      orderBy: { id: "desc" },
      select: { id: true, details: true },
    });
    if (row) {
      const details = JSON.parse(row.details ?? "{}") as { failures?: number };
      await db().auditLog.update({
        where: { id: row.id },
        data: { details: JSON.stringify({ ...details, failures: (details.failures ?? 1) + 1, last_at: at }) },
      });
      return;
    }
    await db().auditLog.create({
      data: {
        ownerId,
        action: "auth.sign_in_failed",
        actor: context.actor,
        ip: context.ip,
        details: JSON.stringify({
          failures: 1,
          first_at: at,
          last_at: at,
          window_end: new Date(windowStart + WINDOW_MS).toISOString(),
        }),
      },
    });
  } catch (error) {
    log().error({ err: error }, `[audit] could not record a failed sign-in for account ${ownerId}`);
  }
}
