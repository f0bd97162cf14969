import { batchWriter, writeWithin } from "../db/batch-write";
import { backgroundDb, db, Prisma } from "../db/client";
import { jsonRows, sqlTime } from "../db/json-rows";
import { log } from "../log/logger";
import { onShutdown } from "../runtime/shutdown";
import { MemoryRateLimitStore, type RateLimitDecision, type RateLimitStore } from "./rate-limiter";

const WRITE_BEHIND_MS = 1_000;
const WRITE_TIMEOUT_MS = 10_000;

/**
 * The in-memory limiter (one instance, no Redis) with its counters kept in the database, so a
 * restart does not hand every account a fresh hour and every password guesser a fresh
 * throttle. Decisions stay in memory (exact under concurrency, no database read per call): the
 * first time a key is used after the process starts, its stored counts are read and added;
 * counters that changed are written behind once a second and at shutdown. A crash loses at most
 * the last second's counts.
 */
export class PersistentRateLimitStore implements RateLimitStore {
  private readonly memory = new MemoryRateLimitStore();
  /** Keys whose stored counts are being read (the read), or were read (true). */
  private readonly loading = new Map<string, Promise<void> | true>();
  private readonly dirty = new Map<string, number>(); // key → its window
  private timer: NodeJS.Timeout | undefined;
  // Writes run one after another: a caller of flush() must see the timer's write done too, and
  // two absolute counts must not land out of order.
  private writing: Promise<void> = Promise.resolve();

  constructor() {
    onShutdown(() => this.flush());
  }

  /** At once once the key's stored counts are in memory (every call but a key's first since the start). */
  consume(key: string, limit: number, windowMs: number, now: number): RateLimitDecision | Promise<RateLimitDecision> {
    const loading = this.load(key, windowMs, now);
    if (loading) return loading.then(() => this.count(key, limit, windowMs, now));
    return this.count(key, limit, windowMs, now);
  }

  async peek(key: string, windowMs: number, now: number): Promise<number> {
    await this.load(key, windowMs, now);
    return this.memory.peek(key, windowMs, now);
  }

  release(key: string, windowMs: number, now: number): void {
    this.memory.release(key, windowMs, now);
    this.markDirty(key, windowMs);
  }

  private count(key: string, limit: number, windowMs: number, now: number): RateLimitDecision {
    const decision = this.memory.consume(key, limit, windowMs, now);
    if (decision.allowed) this.markDirty(key, windowMs);
    return decision;
  }

  /** Writes the changed counters now; resolves once every write begun before it has landed. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const next = this.writing.catch(() => undefined).then(() => this.write());
    this.writing = next;
    return next;
  }

  private async write(): Promise<void> {
    if (!this.dirty.size) return;
    const rows: unknown[][] = [];
    for (const [key, windowMs] of this.dirty) {
      const counter = this.memory.counter(key);
      if (!counter) continue;
      const { windowStart } = counter;
      rows.push([key, sqlTime(windowStart), counter.current, sqlTime(windowStart + 2 * windowMs)]);
      // The window may have turned since the last write: the one before still counts (weighted).
      if (counter.previous > 0)
        rows.push([key, sqlTime(windowStart - windowMs), counter.previous, sqlTime(windowStart + windowMs)]);
    }
    const written = new Map(this.dirty);
    this.dirty.clear();
    if (!rows.length) return;
    const source = jsonRows(
      [
        ["key", "text"],
        ["window_start", "timestamp"],
        ["count", "int"],
        ["expires_at", "timestamp"],
      ],
      rows,
    );
    try {
      // Through the usage writer (on SQLite its own thread), not the request connection: through
      // Prisma on the request thread this write stalls every request once a second under load,
      // and those stalled requests set the data API's tail latency.
      // `WHERE true`: SQLite would read ON CONFLICT as part of the SELECT's join.
      // Bounded: a flush (the shutdown's too) must not wait on a stuck thread; the counts are
      // absolute, so a write that lands after its timeout counts nothing twice.
      await writeWithin(
        batchWriter().write([
          Prisma.sql`
            INSERT INTO rate_limit_counters (key, window_start, count, expires_at)
            SELECT key, window_start, count, expires_at FROM ${source} AS s WHERE true
            ON CONFLICT (key, window_start) DO UPDATE SET count = excluded.count`,
        ]),
        WRITE_TIMEOUT_MS,
        "rate-limit counters",
      );
    } catch (error) {
      // Written with the next change (the counts are absolute, so nothing is counted twice).
      for (const [key, windowMs] of written) if (!this.dirty.has(key)) this.dirty.set(key, windowMs);
      throw error;
    }
  }

  /** The read of the key's stored counts while it runs; null once they are in memory. */
  private load(key: string, windowMs: number, now: number): Promise<void> | null {
    const loaded = this.loading.get(key);
    if (loaded) return loaded === true ? null : loaded;
    // Counted in memory already: its stored counts were read then, or are this process's own.
    if (this.memory.counter(key)) return null;
    const reading = this.read(key, windowMs, now).then(() => {
      // Read (or failed and logged: counting from zero, not re-reading at every call).
      if (this.loading.get(key) === reading) this.loading.set(key, true);
    });
    this.loading.set(key, reading);
    // Bounded memory: forget which keys were read once there are many (a re-read adds nothing
    // new: the counts read before are in memory or expired).
    if (this.loading.size > 100_000) this.loading.clear();
    return reading;
  }

  private async read(key: string, windowMs: number, now: number): Promise<void> {
    const since = Math.floor(now / windowMs) * windowMs - windowMs;
    try {
      const rows = await db().rateLimitCounter.findMany({
        where: { key, windowStart: { gte: new Date(since) } },
        select: { windowStart: true, count: true },
      });
      this.memory.restore(
        key,
        windowMs,
        now,
        rows.map((r) => ({ windowStart: r.windowStart.getTime(), count: r.count })),
      );
    } catch (error) {
      // Counting in memory from zero is better than refusing every call.
      log().error({ err: error }, "[limits] reading stored counters failed");
    }
  }

  private markDirty(key: string, windowMs: number): void {
    this.dirty.set(key, windowMs);
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch((error: unknown) => log().error({ err: error }, "[limits] writing counters failed"));
    }, WRITE_BEHIND_MS);
    this.timer.unref?.();
  }
}

/** Rate-limit counters two windows old can no longer affect a decision. */
export async function purgeExpiredCounters(now = new Date()): Promise<number> {
  const { count } = await backgroundDb().rateLimitCounter.deleteMany({ where: { expiresAt: { lt: now } } });
  return count;
}
