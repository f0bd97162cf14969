import { isBusy } from "../db/errors";
import { log } from "../log/logger";
import { metrics } from "../metrics/metrics";
import { onShutdown } from "../runtime/shutdown";
import { attemptDelivery } from "./delivery-attempt";
import { disableEndpointIfFailing } from "./delivery-disable";
import {
  claimDueDeliveries,
  readClaimedDeliveries,
  recordDelivered,
  recordFailedAttempt,
  recordSkipped,
  type ClaimedDelivery,
} from "./delivery-queue";

/**
 * The webhook sender: one loop per process claims due deliveries and attempts them. Instances
 * share the queue (lib/webhooks/delivery-queue.ts), so any number of them can run.
 *
 * Delivery is at least once: a process that dies after a receiver got the POST and before the
 * row says delivered leaves its claim to lapse (CLAIM_MS), and the delivery is sent again, with
 * the same webhook-id, by which receivers recognise a repeat. Never sending twice would need the
 * receiver's answer and our write to be one step, which HTTP cannot give.
 */

/** Deliveries claimed (and attempted side by side) per pass: each attempt takes up to 10 s. */
const BATCH_SIZE = 10;
/** The wait between passes that found nothing due. After a pass with work the next starts at once. */
const IDLE_POLL_MS = 500;
/** The wait after a pass failed (the database away): one error line per pause, not per poll. */
const ERROR_PAUSE_MS = 5_000;
/** How long shutdown waits for the attempts under way; later ones are re-sent after their claims lapse. */
const STOP_WAIT_MS = 5_000;

async function deliver(delivery: ClaimedDelivery): Promise<void> {
  const { endpoint, event } = delivery;
  if (endpoint.status !== "enabled") {
    await recordSkipped(delivery);
    metrics().webhookAttempts.inc({ outcome: "skipped" });
    return;
  }
  const outcome = await attemptDelivery(endpoint, { messageId: event.messageId, payload: event.payload });
  metrics().webhookAttemptSeconds.observe(outcome.durationMs / 1000);
  const at = new Date();
  if (outcome.delivered) {
    await recordDelivered(delivery, outcome, at);
    metrics().webhookAttempts.inc({ outcome: "delivered" });
    return;
  }
  const { written, gaveUp } = await recordFailedAttempt(delivery, outcome, at);
  metrics().webhookAttempts.inc({ outcome: gaveUp ? "gave_up" : "retry" });
  if (written && gaveUp) await disableEndpointIfFailing(endpoint.id, delivery.createdAt);
}

/**
 * One pass: claims up to BATCH_SIZE due deliveries and attempts them, each bounded by its
 * timeout. Returns how many were claimed (0: nothing was due). Tests call it directly.
 */
export async function deliverDueWebhooks(): Promise<number> {
  const claim = await claimDueDeliveries(BATCH_SIZE);
  if (!claim.ids.length) return 0;
  const deliveries = await readClaimedDeliveries(claim);
  await Promise.all(
    deliveries.map((delivery) =>
      deliver(delivery).catch((error: unknown) =>
        // The row keeps its claim until it lapses, then is attempted again.
        log().error({ err: error }, `[webhooks] delivery ${delivery.id} could not be completed`),
      ),
    ),
  );
  return claim.ids.length;
}

interface WorkerState {
  stopping: boolean;
  /** Ends the pause between passes early (shutdown). */
  wake: () => void;
  /** Settles when the loop has ended. */
  done: Promise<void>;
}

// One worker per process, whichever copy of this module starts it (Next re-evaluates modules in dev).
const WORKER = Symbol.for("keyportal.webhookWorker");
const slot = globalThis as unknown as { [WORKER]?: WorkerState };

async function run(state: WorkerState): Promise<void> {
  while (!state.stopping) {
    let pause = IDLE_POLL_MS;
    try {
      if ((await deliverDueWebhooks()) > 0) pause = 0;
    } catch (error) {
      // SQLite's write lock held by another connection: the next poll tries again, nothing is wrong.
      if (!isBusy(error)) {
        pause = ERROR_PAUSE_MS;
        log().error({ err: error }, `[webhooks] delivery pass failed; next try in ${ERROR_PAUSE_MS / 1000} s`);
      }
    }
    if (pause && !state.stopping) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pause);
        timer.unref();
        state.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}

/** Starts this process's delivery loop (instrumentation.ts); a second call does nothing. */
export function startDeliveryWorker(): void {
  if (slot[WORKER]) return;
  const state: WorkerState = { stopping: false, wake: () => {}, done: Promise.resolve() };
  slot[WORKER] = state;
  state.done = run(state).catch((error: unknown) => log().error({ err: error }, "[webhooks] delivery loop stopped"));
  onShutdown(stopDeliveryWorker);
}

/** Stops the loop: no new claims; the attempts under way get STOP_WAIT_MS to finish and be written. */
export async function stopDeliveryWorker(): Promise<void> {
  const state = slot[WORKER];
  if (!state) return;
  state.stopping = true;
  state.wake();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([state.done, new Promise((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)))]);
  clearTimeout(timer);
}
