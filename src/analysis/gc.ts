// Garbage collection: cycles (start, duration, interval), stop-the-world pauses by reason, mark
// assist and sweep time (overall, and assists by goroutine group via the goroutine state machine),
// and the MMU curve (mmu.ts).
import type { AnalysisDefinition, AnalyzerInstance } from './analyzer.js';
import type { EventView } from './events.js';
import { Kind, ResourceKind, idKey } from './events.js';
import { GoroutineTracker, type TrackerState } from './goroutine-tracker.js';
import { emptyHistogram, mergeHistogramInto, record, summarize, type HistogramData, type LatencySummary } from './histogram.js';
import { gcRangesKernel } from './kernels/gc.js';
import { kernelOrScript } from './kernels/kernel.js';
import { finishedTracker, mergeTrackerStates, trackerInstance } from './tracker-shared.js';

const MARK_PHASE = 'GC concurrent mark phase';
const ASSIST = 'GC mark assist';
const SWEEP = 'GC incremental sweep';
const STW_PREFIX = 'stop-the-world (';

/** Cycles kept individually (the earliest ones); later ones only feed the aggregates. */
const MAX_LISTED_CYCLES = 1000;

export interface GcCycle {
  startNs: number;
  durationNs: number;
  /** Time since the previous cycle started (0 for the first). */
  intervalNs: number;
}

export interface RangeStats {
  count: number;
  hist: HistogramData;
}

export interface GcPartial {
  tracker: TrackerState;
  cycles: GcCycle[];
  cycleCount: number;
  cycleDurations: HistogramData;
  cycleIntervals: HistogramData;
  firstCycleStart: number;
  lastCycleStart: number;
  /** The longest cycle (the earliest of equals), wherever it is; `cycles` lists only the first ones. */
  longestCycle: { startNs: number; durationNs: number } | null;
  /** Mark phase open at the end of this part (start time). */
  openCycle: number;
  /** Mark phase already running when this part began: its end time (0 if none). */
  cycleEndedBeforeBegin: number;
  stw: Record<string, RangeStats>;
  openStw: Record<string, { reason: string; start: number }>;
  /** STW ends seen without their begin (a partial starting mid-pause). */
  orphanStwEnds: { key: string; end: number }[];
  assists: RangeStats;
  sweeps: RangeStats;
  openAssist: Record<string, number>;
  openSweep: Record<string, number>;
  orphanAssistEnds: { key: string; end: number }[];
  orphanSweepEnds: { key: string; end: number }[];
  firstTime: number;
  lastTime: number;
}

export interface GcReport {
  cycles: {
    count: number;
    duration: LatencySummary;
    interval: LatencySummary;
    /** The longest cycle of the trace (the earliest of equals), null without a complete cycle. */
    longest: { startNs: number; durationNs: number } | null;
    /** The first cycles, in order (at most 1000). */
    list: GcCycle[];
    /** Cycles per second of trace. */
    perSecond: number;
  };
  stw: {
    count: number;
    totalNs: number;
    maxNs: number;
    byReason: (LatencySummary & { reason: string })[];
  };
  assists: LatencySummary & { byGroup: { group: string; ns: number }[] };
  sweeps: LatencySummary;
  /** Fraction of the trace's wall time spent in STW pauses. */
  stwFraction: number;
}

export function emptyRange(): RangeStats {
  return { count: 0, hist: emptyHistogram() };
}

export function addRange(stats: RangeStats, ns: number): void {
  stats.count++;
  record(stats.hist, ns);
}

function mergeRange(a: RangeStats, b: RangeStats): RangeStats {
  const out = emptyRange();
  out.count = a.count + b.count;
  mergeHistogramInto(out.hist, a.hist);
  mergeHistogramInto(out.hist, b.hist);
  return out;
}

export function emptyRangesPartial(): GcRangesPartial {
  return {
    cycles: [],
    cycleCount: 0,
    cycleDurations: emptyHistogram(),
    cycleIntervals: emptyHistogram(),
    firstCycleStart: 0,
    lastCycleStart: 0,
    openCycle: 0,
    cycleEndedBeforeBegin: 0,
    longestCycle: null,
    stw: {},
    openStw: {},
    orphanStwEnds: [],
    assists: emptyRange(),
    sweeps: emptyRange(),
    openAssist: {},
    openSweep: {},
    orphanAssistEnds: [],
    orphanSweepEnds: [],
    firstTime: 0,
    lastTime: 0,
  };
}

export function scopeKey(view: EventView, i: number): string {
  return `${view.rangeScopeKind(i)}:${view.rangeScopeId(i)}`;
}

/**
 * A range's scope (kind 0-3, id) as one number, exact for any id below 2^50. Assists and sweeps
 * open and close a range per event pair (a million in a 40 MB trace); building the "kind:id"
 * string for each and adding/deleting it on an object showed up hot in profiles, so open ranges
 * are kept in Maps under this number and written out by partial().
 */
function scopeNumber(view: EventView, i: number): number {
  return idKey(view.rangeScopeId(i) * 4 + view.rangeScopeKind(i));
}

/** scopeKey() of a scopeNumber(). */
export function scopeKeyOf(scope: number): string {
  const kind = ((scope % 4) + 4) % 4;
  return `${kind}:${(scope - kind) / 4}`;
}

/**
 * Value of a closed P-scoped range in the open-range Maps. Map.delete shrinks a table that empties
 * and the next set grows it again (see slot-map.ts), and a sweep opens and closes on every P all
 * the time; Ps are few, so their entries stay. Goroutine-scoped entries (assists) are deleted:
 * goroutines are unbounded in number.
 */
const CLOSED = Number.NaN;

function openRecord(open: ReadonlyMap<number, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [scope, start] of open) if (!Number.isNaN(start)) out[scopeKeyOf(scope)] = start;
  return out;
}

/** The range part of the gc partial (the tracker part comes from the shared goroutine tracker). */
export type GcRangesPartial = Omit<GcPartial, 'tracker'>;

/**
 * The mark-phase and stop-the-world part of a range event (rare: a few per GC cycle); assists and
 * sweeps are paired by GcRangesAnalyzer or the kernel. Shared by both.
 */
export function rareRange(p: GcRangesPartial, view: EventView, i: number, kind: Kind, t: number, name: string): void {
  if (name === MARK_PHASE) {
    if (kind === Kind.RangeEnd) {
      if (p.openCycle !== 0) cycleDone(p, p.openCycle, t);
      else if (p.cycleEndedBeforeBegin === 0 && p.cycleCount === 0) p.cycleEndedBeforeBegin = t;
      p.openCycle = 0;
    } else if (kind === Kind.RangeBegin) {
      p.openCycle = t;
    }
  } else if (name.startsWith(STW_PREFIX)) {
    const key = scopeKey(view, i);
    if (kind === Kind.RangeBegin) p.openStw[key] = { reason: name.slice(STW_PREFIX.length, -1), start: t };
    else if (kind === Kind.RangeEnd) {
      const open = p.openStw[key];
      if (open) {
        addStw(p, open.reason, t - open.start);
        delete p.openStw[key];
      } else p.orphanStwEnds.push({ key: `${key}|${name.slice(STW_PREFIX.length, -1)}`, end: t });
    }
  }
}

/** The ranges in JavaScript (the kernel's reference; src/analysis/kernels/gc.ts is the fast path). */
class GcRangesAnalyzer implements AnalyzerInstance<GcRangesPartial> {
  private readonly p: GcRangesPartial = emptyRangesPartial();
  /** Open assists and sweeps by scopeNumber() → start time (the partial's openAssist/openSweep). */
  private readonly openAssist = new Map<number, number>();
  private readonly openSweep = new Map<number, number>();

  consume(view: EventView): void {
    const p = this.p;
    const n = view.length;
    for (let i = 0; i < n; i++) {
      const kind = view.kind(i);
      if (kind < Kind.RangeBegin || kind > Kind.RangeEnd) continue;
      const t = view.time(i);
      if (p.firstTime === 0) p.firstTime = t;
      p.lastTime = t;
      const name = view.rangeName(i);
      if (name === ASSIST || name === SWEEP) {
        const open = name === ASSIST ? this.openAssist : this.openSweep;
        const scope = scopeNumber(view, i);
        if (kind === Kind.RangeBegin) open.set(scope, t);
        else if (kind === Kind.RangeEnd) {
          const start = open.get(scope);
          if (start !== undefined && !Number.isNaN(start)) {
            addRange(name === ASSIST ? p.assists : p.sweeps, t - start);
            if (view.rangeScopeKind(i) === ResourceKind.Proc) open.set(scope, CLOSED);
            else open.delete(scope);
          } else (name === ASSIST ? p.orphanAssistEnds : p.orphanSweepEnds).push({ key: scopeKey(view, i), end: t });
        }
        // RangeActive: the range began in an earlier part; its end stitches at merge time.
      } else rareRange(p, view, i, kind, t, name);
    }
  }

  partial(): GcRangesPartial {
    return structuredClone({ ...this.p, openAssist: openRecord(this.openAssist), openSweep: openRecord(this.openSweep) });
  }
}

function addStw(p: GcRangesPartial, reason: string, ns: number): void {
  let stats = p.stw[reason];
  if (stats === undefined) p.stw[reason] = stats = emptyRange();
  addRange(stats, ns);
}

function cycleDone(p: GcRangesPartial, start: number, end: number): void {
  const interval = p.lastCycleStart === 0 ? 0 : start - p.lastCycleStart;
  if (p.lastCycleStart !== 0) record(p.cycleIntervals, interval);
  if (p.firstCycleStart === 0) p.firstCycleStart = start;
  p.lastCycleStart = start;
  p.cycleCount++;
  record(p.cycleDurations, end - start);
  if (p.cycles.length < MAX_LISTED_CYCLES) p.cycles.push({ startNs: start, durationNs: end - start, intervalNs: interval });
  if (p.longestCycle === null || end - start > p.longestCycle.durationNs) p.longestCycle = { startNs: start, durationNs: end - start };
}

export const gcAnalysis: AnalysisDefinition<Record<string, never>, GcPartial, GcReport> = {
  name: 'gc',
  create(_options, context) {
    const tracker = trackerInstance({}, context);
    const ranges = kernelOrScript(context, gcRangesKernel, () => new GcRangesAnalyzer());
    return {
      consume(view) {
        tracker.consume(view);
        ranges.consume(view);
      },
      partial: () => ({ ...ranges.partial(), tracker: tracker.partial() }),
    };
  },
  merge(a, b) {
    // The tracker state is merged (and shared with the other tracker analyses), not copied.
    const { tracker: earlier, ...ranges } = a;
    const out: GcPartial = { ...structuredClone(ranges), tracker: mergeTrackerStates(earlier, b.tracker, {}) };
    // A mark phase spanning the boundary.
    if (a.openCycle !== 0 && b.cycleEndedBeforeBegin !== 0) cycleDone(out, a.openCycle, b.cycleEndedBeforeBegin);
    // b's own cycles follow.
    if (b.cycleCount > 0) {
      const firstB = b.cycles[0];
      if (firstB && out.lastCycleStart !== 0) {
        // Interval between a's last cycle and b's first, which b could not know.
        record(out.cycleIntervals, firstB.startNs - out.lastCycleStart);
        firstB.intervalNs = firstB.startNs - out.lastCycleStart;
      }
      out.cycleCount += b.cycleCount;
      mergeHistogramInto(out.cycleDurations, b.cycleDurations);
      mergeHistogramInto(out.cycleIntervals, b.cycleIntervals);
      for (const c of b.cycles) if (out.cycles.length < MAX_LISTED_CYCLES) out.cycles.push(c);
      // Strictly longer, as one pass keeps it: the earliest of equal cycles.
      if (b.longestCycle !== null && (out.longestCycle === null || b.longestCycle.durationNs > out.longestCycle.durationNs)) out.longestCycle = { ...b.longestCycle };
      if (out.firstCycleStart === 0) out.firstCycleStart = b.firstCycleStart;
      out.lastCycleStart = b.lastCycleStart;
    }
    out.openCycle = b.openCycle !== 0 ? b.openCycle : a.openCycle !== 0 && b.cycleEndedBeforeBegin === 0 ? a.openCycle : 0;
    if (out.cycleEndedBeforeBegin === 0 && a.cycleCount === 0 && a.openCycle === 0) out.cycleEndedBeforeBegin = b.cycleEndedBeforeBegin;
    // STW pauses, assists and sweeps spanning the boundary.
    for (const orphan of b.orphanStwEnds) {
      const [key] = orphan.key.split('|') as [string];
      const open = out.openStw[key];
      if (open) {
        addStw(out, open.reason, orphan.end - open.start);
        delete out.openStw[key];
      } else out.orphanStwEnds.push(orphan);
    }
    for (const [reason, stats] of Object.entries(b.stw)) out.stw[reason] = mergeRange(out.stw[reason] ?? emptyRange(), stats);
    Object.assign(out.openStw, b.openStw);
    for (const [which, orphans] of [
      ['assist', b.orphanAssistEnds],
      ['sweep', b.orphanSweepEnds],
    ] as const) {
      const open = which === 'assist' ? out.openAssist : out.openSweep;
      for (const orphan of orphans) {
        const start = open[orphan.key];
        if (start !== undefined) {
          addRange(which === 'assist' ? out.assists : out.sweeps, orphan.end - start);
          delete open[orphan.key];
        } else (which === 'assist' ? out.orphanAssistEnds : out.orphanSweepEnds).push(orphan);
      }
    }
    out.assists = mergeRange(out.assists, b.assists);
    out.sweeps = mergeRange(out.sweeps, b.sweeps);
    Object.assign(out.openAssist, b.openAssist);
    Object.assign(out.openSweep, b.openSweep);
    if (out.firstTime === 0) out.firstTime = b.firstTime;
    if (b.lastTime !== 0) out.lastTime = b.lastTime;
    return out;
  },
  finish(p) {
    const tracker: GoroutineTracker = finishedTracker(p.tracker, {});
    const span = tracker.timeSpan();
    const durationNs = span.last - span.first;
    const byReason = Object.entries(p.stw)
      .map(([reason, s]) => ({ reason, ...summarize(s.hist) }))
      .sort((x, y) => y.totalNs - x.totalNs);
    const stwTotal = byReason.reduce((sum, r) => sum + r.totalNs, 0);
    const byGroup = tracker
      .groupsList()
      .map((g) => ({ group: g.name, ns: g.stats.rangeNs[ASSIST] ?? 0 }))
      .filter((g) => g.ns > 0)
      .sort((x, y) => y.ns - x.ns);
    return {
      cycles: {
        count: p.cycleCount,
        duration: summarize(p.cycleDurations),
        interval: summarize(p.cycleIntervals),
        list: p.cycles,
        longest: p.longestCycle,
        perSecond: durationNs > 0 ? p.cycleCount / (durationNs / 1e9) : 0,
      },
      stw: {
        count: byReason.reduce((sum, r) => sum + r.count, 0),
        totalNs: stwTotal,
        maxNs: Math.max(0, ...byReason.map((r) => r.maxNs)),
        byReason,
      },
      assists: { ...summarize(p.assists.hist), byGroup },
      sweeps: summarize(p.sweeps.hist),
      stwFraction: durationNs > 0 ? stwTotal / durationNs : 0,
    };
  },
};
