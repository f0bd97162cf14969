import { purgeExpiredAuditLogs } from "../audit/audit-log";
import { purgeExpiredRefreshTokens } from "../auth/refresh-tokens";
import { purgeStaleReauthentications } from "../auth/reauthentication";
import { purgeExpiredRevokedSessions } from "../auth/session-revocation";
import { purgeOldInvalidations } from "../cache/invalidation-log";
import { HOUR_MS } from "../format/time";
import { purgeExpiredCounters } from "../limits/persistent-store";
import { log } from "../log/logger";
import { purgeExpiredRefusedCalls, purgeExpiredRollups, purgeExpiredUsageLogs } from "../usage/retention";
import { purgeExpiredWebhookEvents } from "../webhooks/delivery-retention";

/**
 * The server's hourly clean-up: each domain says what of its own has expired (usage and its
 * rollups, audit entries, refresh tokens, revoked sessions, rate-limit counters, invalidation
 * records, webhook events and their deliveries); this runs them one after another in the background.
 */

/** Runs the purge now and then hourly, in the background of the server process. */
export function startRetentionJob(): void {
  const holder = globalThis as unknown as { __retentionTimer?: NodeJS.Timeout };
  if (holder.__retentionTimer) return;
  const run = () => {
    // One cutoff for rows and rollups: a rollup hour goes only once every row it counts is gone
    // (the usage list's total relies on it, lib/usage/usage-logs.ts).
    const now = new Date();
    return purgeExpiredUsageLogs(now)
      .then((count) => count && log().info(`[retention] deleted ${count} expired usage rows`))
      .then(() => purgeExpiredRollups(now))
      .then(() => purgeExpiredRefusedCalls(now))
      .then(() => purgeExpiredAuditLogs(now))
      .then(() => purgeExpiredRefreshTokens())
      .then(() => purgeExpiredCounters())
      .then(() => purgeExpiredRevokedSessions())
      .then(() => purgeStaleReauthentications(now))
      .then(() => purgeOldInvalidations())
      .then(() => purgeExpiredWebhookEvents(now))
      .catch((error) => log().error({ err: error }, "[retention] purge failed"));
  };
  void run();
  holder.__retentionTimer = setInterval(() => void run(), HOUR_MS);
  holder.__retentionTimer.unref?.();
}
