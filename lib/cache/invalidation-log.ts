import { backgroundDb, db } from "../db/client";
import { log } from "../log/logger";
import { metrics } from "../metrics/metrics";
import type { Invalidation } from "./invalidation-message";

/**
 * Invalidations kept in the database (table cache_invalidations) for processes that cannot reach
 * a running server otherwise: the admin CLI beside a server without Redis is a separate process,
 * so its plan change would stay hidden behind the server's key cache. Such a process appends a
 * row; every server polls for rows it has not seen and delivers them to its own caches.
 */

const POLL_INTERVAL_MS = 250;
/** Rows per poll: a backlog is worked off over the next polls instead of in one long read. */
const POLL_BATCH = 500;
const ERROR_LOG_INTERVAL_MS = 60_000;
/**
 * PostgreSQL hands out ids when a row is inserted, not when it commits: an id the poll skipped
 * over may still appear. It is looked for again until its insert must have ended (a statement
 * is bounded at 15 s, lib/db/client.ts). A wider jump is not a race but history (ids go on
 * after a purge emptied the table), and the list stays short either way.
 */
const GAP_WAIT_MS = 30_000;
const MAX_GAP = 100;
const MAX_GAPS = 1_000;
const KEEP_MS = 86_400_000;

/** Appends a row for the servers to poll. Logged, not thrown: the change itself has been made. */
export async function appendInvalidation(message: Invalidation): Promise<void> {
  try {
    await db().cacheInvalidation.create({ data: { payload: JSON.stringify(message) }, select: { id: true } });
  } catch (error) {
    log().error({ err: error }, "[cache] an invalidation was not written for other processes");
  }
}

interface PollerState {
  /** The highest id seen; undefined until the first poll has read where the table ends. */
  lastId: number | undefined;
  /** Ids skipped over, each with when to stop looking for it. */
  gaps: Map<number, number>;
  timer: NodeJS.Timeout | undefined;
  stopped: boolean;
  lastErrorLoggedAt: number;
}

// One poller per process, whichever bundle (Next's or the production server's) starts it.
const holder = globalThis as unknown as { __invalidationPoller?: PollerState };

async function poll(state: PollerState, deliver: (message: Invalidation) => void): Promise<void> {
  if (state.lastId === undefined) {
    // Rows written before this server started describe changes its empty caches cannot hold.
    const { _max } = await backgroundDb().cacheInvalidation.aggregate({ _max: { id: true } });
    state.lastId = _max.id ?? 0;
    return;
  }
  const gaps = [...state.gaps.keys()];
  const rows = await backgroundDb().cacheInvalidation.findMany({
    where: gaps.length ? { OR: [{ id: { gt: state.lastId } }, { id: { in: gaps } }] } : { id: { gt: state.lastId } },
    select: { id: true, payload: true },
    orderBy: { id: "asc" },
    take: POLL_BATCH,
  });
  const now = Date.now();
  for (const row of rows) {
    if (row.id > state.lastId) {
      if (row.id - state.lastId <= MAX_GAP) {
        for (let id = state.lastId + 1; id < row.id && state.gaps.size < MAX_GAPS; id++) {
          state.gaps.set(id, now + GAP_WAIT_MS);
        }
      }
      state.lastId = row.id;
    } else {
      state.gaps.delete(row.id);
    }
    try {
      deliver(JSON.parse(row.payload) as Invalidation);
    } catch {
      log().error(`[cache] ignored a malformed invalidation row (id ${row.id})`);
    }
  }
  for (const [id, until] of state.gaps) if (until < now) state.gaps.delete(id);
}

/**
 * Polls every POLL_INTERVAL_MS for rows appended since the server started, and hands each to
 * `deliver`. The next poll is scheduled when one ends, so a slow database delays polls instead of
 * piling them up; a failing one is logged once a minute. Resolves after the first poll, which
 * reads where the table ends: a row appended later is delivered.
 */
export async function startInvalidationLogPoller(deliver: (message: Invalidation) => void): Promise<void> {
  if (holder.__invalidationPoller && !holder.__invalidationPoller.stopped) return;
  const state: PollerState = (holder.__invalidationPoller = {
    lastId: undefined,
    gaps: new Map(),
    timer: undefined,
    stopped: false,
    lastErrorLoggedAt: 0,
  });
  const tick = async () => {
    try {
      await poll(state, deliver);
    } catch (error) {
      metrics().databaseErrors.inc({ operation: "invalidation_poll" });
      if (Date.now() - state.lastErrorLoggedAt >= ERROR_LOG_INTERVAL_MS) {
        state.lastErrorLoggedAt = Date.now();
        log().error({ err: error }, "[cache] polling the invalidation table failed");
      }
    }
    if (state.stopped) return;
    state.timer = setTimeout(() => void tick(), POLL_INTERVAL_MS);
    state.timer.unref();
  };
  await tick();
}

/** Tests: stops the poller (before their database goes away). */
export function stopInvalidationLogPoller(): void {
  const state = holder.__invalidationPoller;
  if (!state) return;
  state.stopped = true;
  clearTimeout(state.timer);
}

/** Rows a day old have been polled by every running server long ago. */
export async function purgeOldInvalidations(now = new Date()): Promise<number> {
  const { count } = await backgroundDb().cacheInvalidation.deleteMany({
    where: { createdAt: { lt: new Date(now.getTime() - KEEP_MS) } },
  });
  return count;
}
