import type { HourBucket } from "@/lib/usage/summary";

/** Stacked bars per hour (successful below, failed above), drawn as plain SVG on the server. */
export function UsageChart({ buckets, label }: { buckets: HourBucket[]; label: string }) {
  const width = 720;
  const height = 160;
  const max = Math.max(1, ...buckets.map((b) => b.ok + b.failed));
  const slot = width / Math.max(1, buckets.length);
  const bar = Math.max(1, slot * 0.8);
  const ok = buckets.reduce((sum, b) => sum + b.ok, 0);
  const failed = buckets.reduce((sum, b) => sum + b.failed, 0);
  const busiest = buckets.reduce((best, b) => (b.ok + b.failed > best.ok + best.failed ? b : best), buckets[0]);
  const summary =
    ok + failed === 0
      ? `No calls in the ${label}.`
      : `${ok + failed} calls in the ${label}: ${ok} successful, ${failed} failed. Busiest hour: ${busiest.hour.slice(0, 13).replace("T", " ")}:00 UTC with ${busiest.ok + busiest.failed} calls.`;

  return (
    <figure className="mt-4">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        className="h-40 w-full"
        role="img"
        aria-label={summary}
        preserveAspectRatio="none"
      >
        <line
          x1="0"
          y1={height - 0.5}
          x2={width}
          y2={height - 0.5}
          className="stroke-slate-300 dark:stroke-slate-700"
        />
        {buckets.map((b, i) => {
          const okHeight = (b.ok / max) * (height - 4);
          const failedHeight = (b.failed / max) * (height - 4);
          const x = i * slot + (slot - bar) / 2;
          return (
            <g key={b.hour}>
              <title>{`${b.hour.slice(0, 13).replace("T", " ")}:00 UTC: ${b.ok} successful, ${b.failed} failed`}</title>
              <rect x={x} y={height - okHeight} width={bar} height={okHeight} className="fill-emerald-600" />
              <rect
                x={x}
                y={height - okHeight - failedHeight}
                width={bar}
                height={failedHeight}
                className="fill-red-600"
              />
            </g>
          );
        })}
      </svg>
      <figcaption className="mt-2 flex flex-wrap items-center gap-4 text-sm text-slate-700 dark:text-slate-300">
        <span className="inline-flex items-center gap-1">
          <span aria-hidden className="inline-block h-3 w-3 rounded-sm bg-emerald-600" /> Successful (2xx)
        </span>
        <span className="inline-flex items-center gap-1">
          <span aria-hidden className="inline-block h-3 w-3 rounded-sm bg-red-600" /> Failed
        </span>
        <span>{summary}</span>
      </figcaption>
    </figure>
  );
}
