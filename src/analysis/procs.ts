// Per-P utilisation: how much of the time each P ran goroutines (overall and per time bucket), an
// imbalance index, and the time goroutines sat runnable while some P was idle (work the scheduler
// did not spread: Go's "runnable-while-idle" sign of poor balance or wake-up latency).
import type { EventView } from './events.js';
import { GoState, Kind, ProcState, ResourceKind } from './events.js';
import { deferredAnalysis, type StatefulAnalyzer } from './deferred.js';
import { bucketAt, emptyTimeline, mergeTimelines, orderedBuckets, type Timeline } from './timeline.js';
import { procsKernel } from './kernels/procs.js';
import { bucketLowerBound, emptyHistogram, mergeHistogramInto, record, summarize, type HistogramData, type LatencySummary } from './histogram.js';

/**
 * The runtime's sysmon preempts a goroutine that has run this long without a scheduling point
 * (runtime.forcePreemptNS): a running slice ended by preemption after at least this long is
 * CPU-bound work that never blocked or yielded.
 */
export const FORCED_PREEMPTION_NS = 10_000_000;

/** How a running slice ended (GoStop with reason "preempted", a voluntary stop such as runtime.Gosched, or a block/syscall/exit). */
export interface SliceEnds {
  preempted: number;
  yielded: number;
  blocked: number;
  syscall: number;
  exited: number;
}

export interface ProcsOptions {
  /** Maximum number of time buckets (default 256). */
  maxPoints?: number;
}

/** Busy ns per P within one bucket (index = P id). */
type ProcBucket = number[];

export interface ProcsState {
  timeline: Timeline<ProcBucket>;
  busyNs: number[];
  /** P → time its current goroutine started running (0: not running one). */
  busySince: number[];
  procState: Record<string, number>;
  idle: number;
  runnable: number;
  runnableWhileIdleNs: number;
  lastTime: number;
  firstTime: number;
  gomaxprocsMax: number;
  /** ∫ min(runnable goroutines, idle Ps) dt: P time that waiting work could have used. */
  idleProcWithWorkNs: number;
  /** Time with a P idle, by how many goroutines were runnable then: index k counts 2^k..2^(k+1)−1. */
  whileIdleByRunnable: number[];
  /** Lengths of running slices that ended in preemption (Running → Runnable, reason "preempted"). */
  preemptedSlices: HistogramData;
  sliceEnds: SliceEnds;
  /** Goroutines (ids as keys) with at least one preempted slice ≥ FORCED_PREEMPTION_NS (capped). */
  longSliceGoroutines: Record<string, true>;
  longSliceGoroutineCount: number;
  /** Preempted slices of at least FORCED_PREEMPTION_NS: count and total length. */
  longPreemptedCount: number;
  longPreemptedNs: number;
}

/** Most goroutines remembered individually for `longSliceGoroutines` (the count goes on). */
const MAX_LONG_SLICE_GOROUTINES = 10_000;

export interface ProcsReport {
  procs: { proc: number; busyNs: number; busyFraction: number }[];
  /** 1 − mean/max of per-P busy time: 0 when all Ps worked equally, near 1 when one did all. */
  imbalance: number;
  runnableWhileIdleNs: number;
  /** Share of the trace during which a goroutine was runnable while a P was idle. */
  runnableWhileIdleFraction: number;
  bucketNs: number;
  /** Per bucket: busy fraction of each P, and that bucket's imbalance. */
  windows: { timeNs: number; busyFraction: number[]; imbalance: number }[];
  /**
   * ∫ min(runnable goroutines, idle Ps) dt: P time lost while work waited (one runnable goroutine
   * and six idle Ps count once, not six times; unlike runnableWhileIdleNs it grows with how much
   * work waited on how many idle Ps).
   */
  idleProcWithWorkNs: number;
  /** idleProcWithWorkNs over the traced P capacity (duration × number of Ps). */
  idleProcWithWorkFraction: number;
  /**
   * Time a P was idle while at least `minRunnable` goroutines were runnable (minRunnable = 1, 2,
   * 4, …; each entry includes the larger ones). A wake-up hand-off leaves one goroutine waiting
   * for a moment; a backlog of many runnable goroutines beside an idle P is work the scheduler
   * did not spread.
   */
  runnableWhileIdleAtLeast: { minRunnable: number; ns: number }[];
  /** Sum of P busy time (goroutines running), over all Ps. */
  totalBusyNs: number;
  /** How running slices ended, and the lengths of those ended by preemption. */
  slices: {
    ends: SliceEnds;
    preempted: LatencySummary;
    /** Preempted slices that ran at least FORCED_PREEMPTION_NS (sysmon's forced preemption). */
    longPreempted: { count: number; totalNs: number; goroutines: number };
    /** Non-empty buckets of the preempted-slice histogram: [lower bound ns, count]. */
    preemptedBuckets: [number, number][];
  };
}

function combine(a: ProcBucket, b: ProcBucket): ProcBucket {
  const out = a.slice();
  b.forEach((v, p) => (out[p] = (out[p] ?? 0) + v));
  return out;
}

/**
 * Per-P arrays are kept without holes so the per-event code reads them without `?? 0`: a read
 * that may find a hole in an array of doubles makes the JIT box every value it loads (measured:
 * a heap-number allocation per event). Missing entries mean 0 everywhere they are read.
 */
function growTo(values: number[], p: number): void {
  while (values.length <= p) values.push(0);
}

/** `values` with holes and non-numbers (null from JSON) as 0, in a fresh array of numbers. */
function numbersOnly(values: readonly (number | null | undefined)[]): number[] {
  return Array.from(values, (v) => (typeof v === 'number' ? v : 0));
}

/** The same, in place (a bucket may be shared with the timeline). */
function fillHoles(values: number[]): void {
  for (let k = 0; k < values.length; k++) if (typeof values[k] !== 'number') values[k] = 0;
}

function imbalanceOf(values: readonly number[]): number {
  const max = Math.max(0, ...values);
  if (max <= 0 || values.length === 0) return 0;
  const mean = values.reduce((x, y) => x + y, 0) / values.length;
  return 1 - mean / max;
}

function initialProcsState(): ProcsState {
  return {
    timeline: emptyTimeline(),
    busyNs: [],
    busySince: [],
    procState: {},
    idle: 0,
    runnable: 0,
    runnableWhileIdleNs: 0,
    lastTime: 0,
    firstTime: 0,
    gomaxprocsMax: 0,
    idleProcWithWorkNs: 0,
    whileIdleByRunnable: [],
    preemptedSlices: emptyHistogram(),
    sliceEnds: { preempted: 0, yielded: 0, blocked: 0, syscall: 0, exited: 0 },
    longSliceGoroutines: {},
    longSliceGoroutineCount: 0,
    longPreemptedCount: 0,
    longPreemptedNs: 0,
  };
}

class ProcsAnalyzer implements StatefulAnalyzer<ProcsState> {
  private readonly s: ProcsState;
  private readonly maxPoints: number;
  // Each P's busy intervals come in time order: keep its current bucket.
  private readonly bucketKey: number[] = [];
  private readonly bucketWidth: number[] = [];
  private readonly bucket: (ProcBucket | undefined)[] = [];

  constructor(options: ProcsOptions, state?: ProcsState) {
    this.maxPoints = options.maxPoints ?? 256;
    this.s = state ?? initialProcsState();
    this.s.busySince = numbersOnly(this.s.busySince);
    this.s.busyNs = numbersOnly(this.s.busyNs);
  }

  /** Classifies how a running slice of `length` ns ended (`to`: the goroutine's next state). */
  private endSlice(goroutine: number, to: number, reason: string, length: number): void {
    const s = this.s;
    if (to === GoState.Runnable) {
      // Only sysmon's and the GC's preemptions say "preempted"; runtime.Gosched (and any other
      // voluntary stop) gives up the P on purpose.
      if (reason !== 'preempted') {
        s.sliceEnds.yielded++;
        return;
      }
      s.sliceEnds.preempted++;
      record(s.preemptedSlices, length);
      if (length >= FORCED_PREEMPTION_NS) {
        s.longPreemptedCount++;
        s.longPreemptedNs += length;
        if (s.longSliceGoroutines[goroutine] === undefined && s.longSliceGoroutineCount < MAX_LONG_SLICE_GOROUTINES) {
          s.longSliceGoroutines[goroutine] = true;
          s.longSliceGoroutineCount++;
        }
      }
    } else if (to === GoState.Waiting) s.sliceEnds.blocked++;
    else if (to === GoState.Syscall) s.sliceEnds.syscall++;
    else if (to === GoState.NotExist) s.sliceEnds.exited++;
  }

  /** Adds busy time of P `p` over [from, to), split across buckets. */
  private addBusy(p: number, from: number, to: number): void {
    const s = this.s;
    growTo(s.busyNs, p);
    s.busyNs[p]! += to - from;
    let t = from;
    while (t < to) {
      const width = s.timeline.widthNs;
      const end = Math.min(to, (Math.floor(t / width) + 1) * width);
      const key = Math.floor(t / width);
      let bucket = this.bucket[p];
      if (bucket === undefined || key !== this.bucketKey[p] || width !== this.bucketWidth[p]) {
        bucket = bucketAt(s.timeline, t, () => [], combine, this.maxPoints);
        fillHoles(bucket);
        this.bucket[p] = bucket;
        this.bucketWidth[p] = s.timeline.widthNs;
        this.bucketKey[p] = Math.floor(t / s.timeline.widthNs);
      }
      growTo(bucket, p);
      bucket[p]! += end - t;
      t = end;
    }
  }

  consume(view: EventView): void {
    const s = this.s;
    for (let i = 0; i < view.length; i++) {
      const t = view.time(i);
      if (s.firstTime === 0) s.firstTime = t;
      if (s.lastTime !== 0 && s.runnable > 0 && s.idle > 0) {
        s.runnableWhileIdleNs += t - s.lastTime;
        s.idleProcWithWorkNs += (t - s.lastTime) * Math.min(s.runnable, s.idle);
        const k = 31 - Math.clz32(s.runnable);
        while (s.whileIdleByRunnable.length <= k) s.whileIdleByRunnable.push(0);
        s.whileIdleByRunnable[k]! += t - s.lastTime;
      }
      s.lastTime = t;
      const kind = view.kind(i);
      if (kind === Kind.Metric) {
        if (view.metricName(i) === '/sched/gomaxprocs:threads') s.gomaxprocsMax = Math.max(s.gomaxprocsMax, view.metricValue(i));
        continue;
      }
      if (kind !== Kind.StateTransition) continue;
      const from = view.fromState(i);
      const to = view.toState(i);
      if (from === to) continue;
      if (view.resourceKind(i) === ResourceKind.Goroutine) {
        if (from === GoState.Runnable) s.runnable--;
        if (to === GoState.Runnable) s.runnable++;
        const p = view.proc(i);
        if (p < 0) continue;
        if (to === GoState.Running) {
          growTo(s.busySince, p);
          s.busySince[p] = t;
        } else if (from === GoState.Running) {
          growTo(s.busySince, p);
          const since = s.busySince[p]!;
          if (since !== 0) {
            this.addBusy(p, since, t);
            this.endSlice(view.resourceId(i), to, to === GoState.Runnable ? view.reason(i) : '', t - since);
          }
          s.busySince[p] = 0;
        }
      } else if (view.resourceKind(i) === ResourceKind.Proc) {
        const p = view.resourceId(i);
        if (from === ProcState.Idle) s.idle--;
        if (to === ProcState.Idle) s.idle++;
        s.procState[p] = to;
      }
    }
  }

  state(): ProcsState {
    return this.s;
  }
}

function addInto(into: number[], from: readonly number[]): number[] {
  const out = into.slice();
  from.forEach((v, i) => (out[i] = (out[i] ?? 0) + v));
  return out;
}

/** What a part accumulates starts over; the Ps' and goroutines' current state carries on. */
function resetProcs(s: ProcsState): ProcsState {
  // Assigned onto a fresh literal: the analyzer reads this object per event, and a clone or a
  // spread has another hidden class (measured: per-event code 3x slower on workers).
  return Object.assign(initialProcsState(), { busySince: s.busySince, procState: s.procState, idle: s.idle, runnable: s.runnable, lastTime: s.lastTime });
}

function combineProcs(a: ProcsState, b: ProcsState, maxPoints: number): ProcsState {
  const long = { ...a.longSliceGoroutines };
  let longCount = a.longSliceGoroutineCount;
  for (const id of Object.keys(b.longSliceGoroutines)) {
    if (long[id] === undefined && longCount < MAX_LONG_SLICE_GOROUTINES) {
      long[id] = true;
      longCount++;
    }
  }
  const preempted = structuredClone(a.preemptedSlices);
  mergeHistogramInto(preempted, b.preemptedSlices);
  const ends = { ...a.sliceEnds };
  for (const key of Object.keys(ends) as (keyof SliceEnds)[]) ends[key] += b.sliceEnds[key];
  return {
    ...b,
    timeline: mergeTimelines(a.timeline, b.timeline, combine, maxPoints),
    busyNs: addInto(a.busyNs, b.busyNs),
    runnableWhileIdleNs: a.runnableWhileIdleNs + b.runnableWhileIdleNs,
    firstTime: a.firstTime !== 0 ? a.firstTime : b.firstTime,
    lastTime: b.lastTime !== 0 ? b.lastTime : a.lastTime,
    gomaxprocsMax: Math.max(a.gomaxprocsMax, b.gomaxprocsMax),
    idleProcWithWorkNs: a.idleProcWithWorkNs + b.idleProcWithWorkNs,
    whileIdleByRunnable: addInto(a.whileIdleByRunnable, b.whileIdleByRunnable),
    preemptedSlices: preempted,
    sliceEnds: ends,
    longSliceGoroutines: long,
    longSliceGoroutineCount: longCount,
    longPreemptedCount: a.longPreemptedCount + b.longPreemptedCount,
    longPreemptedNs: a.longPreemptedNs + b.longPreemptedNs,
  };
}

export const procsAnalysis = deferredAnalysis<ProcsOptions, ProcsState, ProcsReport>(
  'procs',
  (options, state) => new ProcsAnalyzer(options, state),
  (kind) => kind === Kind.StateTransition || kind === Kind.Metric || kind === Kind.Sync,
  (state) => {
    const s = structuredClone(state);
    const duration = s.lastTime - s.firstTime;
    // Goroutines still running at the end count until the end.
    const busy = s.busyNs.slice();
    s.busySince.forEach((since, p) => {
      if (since) busy[p] = (busy[p] ?? 0) + (s.lastTime - since);
    });
    const procCount = Math.max(s.gomaxprocsMax, busy.length);
    const procs = Array.from({ length: procCount }, (_, p) => ({
      proc: p,
      busyNs: busy[p] ?? 0,
      busyFraction: duration > 0 ? (busy[p] ?? 0) / duration : 0,
    }));
    const width = s.timeline.widthNs;
    const windows = orderedBuckets(s.timeline).map(({ startNs, bucket }) => {
      const fractions = Array.from({ length: procCount }, (_, p) => (bucket[p] ?? 0) / width);
      return { timeNs: startNs, busyFraction: fractions, imbalance: imbalanceOf(fractions) };
    });
    const preemptedBuckets: [number, number][] = [];
    s.preemptedSlices.buckets.forEach((n, b) => {
      if (n > 0) preemptedBuckets.push([bucketLowerBound(b), n]);
    });
    const totalBusyNs = procs.reduce((sum, p) => sum + p.busyNs, 0);
    const runnableWhileIdleAtLeast: { minRunnable: number; ns: number }[] = [];
    let atLeast = 0;
    for (let k = s.whileIdleByRunnable.length - 1; k >= 0; k--) {
      atLeast += s.whileIdleByRunnable[k] ?? 0;
      runnableWhileIdleAtLeast.unshift({ minRunnable: 2 ** k, ns: atLeast });
    }
    return {
      procs,
      imbalance: imbalanceOf(procs.map((p) => p.busyNs)),
      runnableWhileIdleNs: s.runnableWhileIdleNs,
      runnableWhileIdleFraction: duration > 0 ? s.runnableWhileIdleNs / duration : 0,
      bucketNs: width,
      windows,
      idleProcWithWorkNs: s.idleProcWithWorkNs,
      idleProcWithWorkFraction: duration > 0 && procCount > 0 ? s.idleProcWithWorkNs / (duration * procCount) : 0,
      runnableWhileIdleAtLeast,
      totalBusyNs,
      slices: {
        ends: s.sliceEnds,
        preempted: summarize(s.preemptedSlices),
        longPreempted: { count: s.longPreemptedCount, totalNs: s.longPreemptedNs, goroutines: s.longSliceGoroutineCount },
        preemptedBuckets,
      },
    };
  },
  { reset: resetProcs, combine: (a, b, options) => combineProcs(a, b, options.maxPoints ?? 256) },
  procsKernel,
);
