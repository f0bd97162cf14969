/**
 * The Date constructor as it was before Next's server started (scripts/server.mjs keeps it). Next
 * wraps the global one to detect clock reads during prerendering; on the fast path, which renders
 * nothing, each wrapped `new Date()` is measurable work on the request thread (two
 * AsyncLocalStorage reads and a Reflect.construct). Under `next dev` and in tests: the global one.
 */
export const NativeDate: DateConstructor =
  (globalThis as Record<symbol, DateConstructor | undefined>)[Symbol.for("keyportal.nativeDate")] ?? Date;
