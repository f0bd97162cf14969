/**
 * Shown at once while a portal page's data loads (a segment's loading.tsx): the nav stays, the
 * content area says it is loading instead of keeping the old page on screen. Not for /keys: a
 * loading boundary makes Next stream the page, and a key page's notFound() would then answer 200.
 */
export function PageLoading() {
  return (
    <div role="status" aria-live="polite" className="animate-pulse">
      <span className="sr-only">Loading…</span>
      <div aria-hidden className="h-8 w-48 rounded bg-slate-200 dark:bg-slate-800" />
      <div aria-hidden className="mt-3 h-4 w-72 max-w-full rounded bg-slate-200 dark:bg-slate-800" />
      <div aria-hidden className="mt-8 h-40 w-full rounded-lg bg-slate-100 dark:bg-slate-900" />
      <div aria-hidden className="mt-6 space-y-3">
        {[0, 1, 2, 3].map((row) => (
          <div key={row} className="h-6 w-full rounded bg-slate-100 dark:bg-slate-900" />
        ))}
      </div>
    </div>
  );
}
