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

const DRAINING = Symbol.for("keyportal.draining");

/**
 * Whether the server is shutting down (scripts/server.mjs sets this on SIGTERM/SIGINT, before it
 * stops taking connections): readiness then answers 503 so load balancers stop sending.
 */
export function isDraining(): boolean {
  return (globalThis as unknown as { [DRAINING]?: boolean })[DRAINING] === true;
}
