import { recordAudit } from "../audit/audit-log";
import { db } from "../db/client";
import { log } from "../log/logger";
import { metrics } from "../metrics/metrics";

/**
 * An endpoint that has answered nothing but failures for a day is disabled: its deliveries would
 * otherwise keep being retried for ever, and its owners would not learn that their receiver is
 * gone. The organization's audit log records it (actor "system"), and enabling it again is
 * theirs to do.
 */

/** The disabled_reason the server gives (an owner's own disabling gives none or theirs). */
export const FAILING_ENDPOINT_REASON = "No successful delivery for 24 hours";

/**
 * Called when a delivery queued at `failingSince` was given up on after its day of retries: the
 * endpoint has failed since then, unless another delivery to it succeeded meanwhile. Returns
 * whether this call disabled it (of concurrent callers, one does, and records it once).
 */
export async function disableEndpointIfFailing(endpointId: number, failingSince: Date): Promise<boolean> {
  const succeeded = await db().webhookDelivery.findFirst({
    where: { endpointId, status: "delivered", deliveredAt: { gte: failingSince } },
    select: { id: true },
  });
  if (succeeded) return false;
  const { count } = await db().webhookEndpoint.updateMany({
    where: { id: endpointId, status: "enabled" },
    data: { status: "disabled", disabledReason: FAILING_ENDPOINT_REASON },
  });
  if (!count) return false;
  const endpoint = await db().webhookEndpoint.findUnique({
    where: { id: endpointId },
    select: { ownerId: true, url: true },
  });
  if (!endpoint) return true; // deleted meanwhile: nobody left to tell
  metrics().webhookEndpointsDisabled.inc();
  log().warn(
    `[webhooks] endpoint ${endpointId} of organization ${endpoint.ownerId} disabled: ${FAILING_ENDPOINT_REASON}`,
  );
  await recordAudit(
    endpoint.ownerId,
    "webhook.disabled",
    { actor: "system", ip: null },
    {
      details: {
        endpoint_id: endpointId,
        url: endpoint.url,
        reason: FAILING_ENDPOINT_REASON,
        failing_since: failingSince.toISOString(),
      },
    },
  );
  return true;
}
