/**
 * Work to finish before the process exits (flushing buffered usage rows). scripts/server.mjs
 * runs these on SIGTERM/SIGINT; it reaches them through this global symbol because it lives
 * outside Next's bundle.
 */
type Hook = () => Promise<void>;
const KEY = Symbol.for("keyportal.shutdownHooks");
const registry = globalThis as unknown as { [KEY]?: Hook[] };

export function onShutdown(hook: Hook): void {
  (registry[KEY] ??= []).push(hook);
}

export async function runShutdownHooks(): Promise<void> {
  await Promise.allSettled((registry[KEY] ?? []).map((hook) => hook()));
}
