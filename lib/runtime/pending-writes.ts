/**
 * Writes this process buffers that its own reads must see (read-your-writes). The usage recorder
 * registers its flush here; the key queries wait on it (a key's last use is written with the
 * batched usage rows) without the keys domain importing usage. On globalThis under a registry
 * symbol: Next's bundle and the production server's fast path share one recorder.
 */
type Flush = () => Promise<void>;
const KEY = Symbol.for("keyportal.pendingWrites");
const registry = globalThis as unknown as { [KEY]?: Set<Flush> };

export function onPendingWrites(flush: Flush): void {
  (registry[KEY] ??= new Set()).add(flush);
}

/** Resolves once every registered flush has (each bounds its own wait). */
export async function awaitPendingWrites(): Promise<void> {
  const flushes = registry[KEY];
  if (flushes?.size) await Promise.all([...flushes].map((flush) => flush()));
}
