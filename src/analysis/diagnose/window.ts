// Where in the trace a finding is worst, so a user can cut that stretch out (`schedscope cut --from
// --to`, whose times share this origin) and open it in `go tool trace`, which cannot load the whole
// of a large trace. Found from what the report already keeps over time (timeline buckets, the GC
// cycles listed), never from events.
import type { DiagnoseInput, TimeWindow } from './types.js';

/**
 * The window [startNs, endNs) (trace-clock times, as the report's timelines give them) in ns since
 * the trace began, clamped to the trace; undefined for a GODEBUG log (no trace clock).
 */
export function windowOf(report: DiagnoseInput, startNs: number, endNs: number, what: string): TimeWindow | undefined {
  if (report.godebug !== undefined || report.trace.durationNs <= 0) return undefined;
  const first = report.trace.firstTimeNs;
  const fromNs = Math.min(Math.max(0, startNs - first), report.trace.durationNs);
  const toNs = Math.min(Math.max(fromNs, endNs - first), report.trace.durationNs);
  return { fromNs, toNs, what };
}

/** The timeline bucket (points of width `bucketNs`) where `value` peaks, as a window; the first of equal peaks. */
export function peakWindow<T extends { timeNs: number }>(report: DiagnoseInput, points: readonly T[] | undefined, bucketNs: number, value: (point: T) => number, what: (point: T) => string): TimeWindow | undefined {
  let peak: T | undefined;
  for (const point of points ?? []) if (peak === undefined || value(point) > value(peak)) peak = point;
  return peak === undefined ? undefined : windowOf(report, peak.timeNs, peak.timeNs + bucketNs, what(peak));
}

/** `{ window }` for a finding, or nothing (a finding without a window has no such key). */
export function windowField(window: TimeWindow | undefined): { window?: TimeWindow } {
  return window === undefined ? {} : { window };
}
