"use client";

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { HourBucket } from "@/lib/usage/summary";

/** The outcomes, stacked bottom to top, with colours that keep their meaning in both themes. */
const SERIES = [
  { key: "ok", name: "Successful (2xx)", color: "#059669" },
  { key: "auth_failed", name: "Auth failed (401/403)", color: "#dc2626" },
  { key: "limited", name: "Rate limited (429)", color: "#d97706" },
  { key: "other", name: "Other", color: "#64748b" },
] as const;

/** Which outcomes to draw: the usage list's status filter applies to the chart too. */
export type ChartStatus = "success" | "failed" | undefined;

function formatter(timeZone: string, options: Intl.DateTimeFormatOptions) {
  const format = new Intl.DateTimeFormat("en-GB", { timeZone, hourCycle: "h23", ...options });
  return (t: number) => format.format(t);
}

/**
 * Calls over time, stacked by outcome (recharts: the React ecosystem's default, and a bar chart
 * with axes, grid, tooltip and legend is a few lines of it): a time axis in the account's zone,
 * a count axis, a tooltip per bar. The figure's accessible name says what it shows in words.
 */
export function UsageChart({
  buckets: all,
  bucketMs = 3_600_000,
  label,
  timeZone = "UTC",
  status,
}: {
  buckets: HourBucket[];
  /** An hour or a day per bar. */
  bucketMs?: number;
  label: string;
  timeZone?: string;
  status?: ChartStatus;
}) {
  // The status filter keeps only its outcomes, in the bars and in the words.
  const buckets = all.map((b) =>
    status === "success"
      ? { ...b, failed: 0, auth_failed: 0, limited: 0, other: 0 }
      : status === "failed"
        ? { ...b, ok: 0 }
        : b,
  );
  const daily = bucketMs >= 86_400_000;
  const span = buckets.length * bucketMs;
  const tick = formatter(
    timeZone,
    daily
      ? { day: "numeric", month: "short" }
      : span > 86_400_000
        ? { weekday: "short", hour: "2-digit", minute: "2-digit" }
        : { hour: "2-digit", minute: "2-digit" },
  );
  const full = formatter(timeZone, {
    weekday: "short",
    day: "numeric",
    month: "short",
    ...(daily ? {} : { hour: "2-digit", minute: "2-digit", timeZoneName: "short" }),
  });
  const series = SERIES.filter((s) =>
    status === "success" ? s.key === "ok" : status === "failed" ? s.key !== "ok" : true,
  );
  const data = buckets.map((b) => ({
    t: Date.parse(b.hour),
    ok: b.ok,
    auth_failed: b.auth_failed,
    limited: b.limited,
    other: b.other,
  }));

  const ok = buckets.reduce((sum, b) => sum + b.ok, 0);
  const failed = buckets.reduce((sum, b) => sum + b.failed, 0);
  const busiest = buckets.reduce((best, b) => (b.ok + b.failed > best.ok + best.failed ? b : best), buckets[0]);
  const summary =
    ok + failed === 0
      ? `No calls in the ${label}.`
      : `${ok + failed} calls in the ${label}: ${ok} successful, ${failed} failed. Busiest ${daily ? "day" : "hour"}: ${full(Date.parse(busiest.hour))} with ${busiest.ok + busiest.failed} calls.`;

  return (
    <figure className="mt-4 min-w-0">
      <div
        role="img"
        aria-label={summary}
        className="h-56 w-full min-w-0 overflow-hidden text-xs text-slate-600 dark:text-slate-400"
      >
        <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 720, height: 224 }}>
          <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -8 }}>
            <CartesianGrid vertical={false} stroke="currentColor" strokeOpacity={0.2} />
            <XAxis
              dataKey="t"
              tickFormatter={tick}
              tick={{ fill: "currentColor" }}
              stroke="currentColor"
              minTickGap={24}
              name="Time"
            />
            <YAxis
              allowDecimals={false}
              tick={{ fill: "currentColor" }}
              stroke="currentColor"
              width={48}
              name="Calls"
            />
            <Tooltip
              labelFormatter={(t) => full(Number(t))}
              cursor={{ fill: "currentColor", fillOpacity: 0.08 }}
              contentStyle={{ borderRadius: 6, fontSize: 12 }}
            />
            {/* In stacking order, in the page's text colour (series colours as text fail contrast). */}
            <Legend
              wrapperStyle={{ fontSize: 12 }}
              itemSorter={null}
              formatter={(value) => <span className="text-slate-700 dark:text-slate-300">{value}</span>}
            />
            {series.map((s) => (
              <Bar key={s.key} dataKey={s.key} name={s.name} stackId="calls" fill={s.color} isAnimationActive={false} />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="mt-2 text-sm text-slate-700 dark:text-slate-300">{summary}</figcaption>
    </figure>
  );
}
