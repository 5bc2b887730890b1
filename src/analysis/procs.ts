// Per-P utilisation: how much of the time each P ran goroutines (overall and per time bucket), an
// imbalance index, and the time goroutines sat runnable while some P was idle (work the scheduler
// did not spread: Go's "runnable-while-idle" sign of poor balance or wake-up latency).
import type { EventView } from './events.js';
import { GoState, Kind, ProcState, ResourceKind } from './events.js';
import { deferredAnalysis, type StatefulAnalyzer } from './deferred.js';
import { bucketAt, emptyTimeline, orderedBuckets, type Timeline } from './timeline.js';

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
}

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
}

function combine(a: ProcBucket, b: ProcBucket): ProcBucket {
  const out = a.slice();
  b.forEach((v, p) => (out[p] = (out[p] ?? 0) + v));
  return out;
}

function imbalanceOf(values: readonly number[]): number {
  const max = Math.max(0, ...values);
  if (max <= 0 || values.length === 0) return 0;
  const mean = values.reduce((x, y) => x + y, 0) / values.length;
  return 1 - mean / max;
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
    this.s = state ?? {
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
    };
  }

  /** Adds busy time of P `p` over [from, to), split across buckets. */
  private addBusy(p: number, from: number, to: number): void {
    const s = this.s;
    s.busyNs[p] = (s.busyNs[p] ?? 0) + (to - from);
    let t = from;
    while (t < to) {
      const width = s.timeline.widthNs;
      const end = Math.min(to, (Math.floor(t / width) + 1) * width);
      const key = Math.floor(t / width);
      let bucket = this.bucket[p];
      if (bucket === undefined || key !== this.bucketKey[p] || width !== this.bucketWidth[p]) {
        bucket = bucketAt(s.timeline, t, () => [], combine, this.maxPoints);
        this.bucket[p] = bucket;
        this.bucketWidth[p] = s.timeline.widthNs;
        this.bucketKey[p] = Math.floor(t / s.timeline.widthNs);
      }
      bucket[p] = (bucket[p] ?? 0) + (end - t);
      t = end;
    }
  }

  consume(view: EventView): void {
    const s = this.s;
    for (let i = 0; i < view.length; i++) {
      const t = view.time(i);
      if (s.firstTime === 0) s.firstTime = t;
      if (s.lastTime !== 0 && s.runnable > 0 && s.idle > 0) s.runnableWhileIdleNs += t - s.lastTime;
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
        if (to === GoState.Running) s.busySince[p] = t;
        else if (from === GoState.Running) {
          const since = s.busySince[p] ?? 0;
          if (since !== 0) this.addBusy(p, since, t);
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
    return {
      procs,
      imbalance: imbalanceOf(procs.map((p) => p.busyNs)),
      runnableWhileIdleNs: s.runnableWhileIdleNs,
      runnableWhileIdleFraction: duration > 0 ? s.runnableWhileIdleNs / duration : 0,
      bucketNs: width,
      windows,
    };
  },
);
