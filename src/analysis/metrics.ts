// Metrics over time: heap in use and heap goal, GOMAXPROCS, goroutines (alive, runnable, running),
// threads seen and goroutines in syscalls at once (each holds a thread), downsampled to a bounded
// number of time buckets (per bucket: the maximum of each count, the last value of each gauge).
import type { EventView } from './events.js';
import { GoState, Kind, ResourceKind, idKey } from './events.js';
import { deferredAnalysis, type StatefulAnalyzer } from './deferred.js';
import { metricsKernel } from './kernels/metrics.js';
import { bucketAt, emptyTimeline, mergeTimelines, orderedBuckets, type Timeline } from './timeline.js';

export interface MetricsOptions {
  /** Maximum number of points in each series (default 512). */
  maxPoints?: number;
}

export interface MetricBucket {
  heapAlloc: number;
  heapAllocMax: number;
  heapGoal: number;
  gomaxprocs: number;
  goroutinesMax: number;
  runnableMax: number;
  runningMax: number;
  inSyscallMax: number;
  /** The bucket saw events while a resumed part did not know the heap yet (heapAllocMax lacks it). */
  allocUnknown?: boolean;
}

/** Bucket value of a gauge a resumed part does not know yet (filled in at merge). */
const UNKNOWN = -1;

export interface MetricsState {
  timeline: Timeline<MetricBucket>;
  heapAlloc: number;
  heapAllocMax: number;
  heapGoal: number;
  gomaxprocs: number;
  gomaxprocsChanges: number;
  goroutines: number;
  runnable: number;
  running: number;
  inSyscall: number;
  maxGoroutines: number;
  maxRunnable: number;
  maxInSyscall: number;
  goroutinesCreated: number;
  /** Thread ids seen (as object keys, for JSON). */
  threads: Record<string, true>;
  firstTime: number;
  lastTime: number;
  syncs: number;
  /** Per thread (id as key): time of its first and of its last event, for threads alive at once. */
  threadFirst: Record<string, number>;
  threadLast: Record<string, number>;
  /** The thread of the latest event and that event's time (its span is closed at the end). */
  currentThread: number;
  currentThreadTime: number;
  /** Heap goal as the GC sets it at the end of each cycle: first and last value, changes, rises. */
  goalFirst: number;
  goalChanges: number;
  goalRises: number;
  goalMax: number;
  /** Sum of the rises of the heap-in-use counter (bytes allocated, at span granularity). */
  heapRisesBytes: number;
  /** A heap-in-use value was seen (so `heapAlloc` is the true value, not a placeholder 0). */
  heapAllocSeen: boolean;
  /**
   * A part begun with beginPart() before any heap (goal) value was seen: the runtime does not
   * restate them every generation, so a worker warmed up on one generation may not know them.
   * Until it sees one, its buckets hold UNKNOWN and merge() fills in the preceding part's value.
   */
  allocUnknown: boolean;
  goalUnknown: boolean;
  allocUnknownAtStart: boolean;
  goalUnknownAtStart: boolean;
  /** First value seen while unknown (0: none), for rises and changes across the cut. */
  firstAllocInPart: number;
  firstGoalInPart: number;
}

export interface MetricsPoint {
  timeNs: number;
  heapAllocBytes: number;
  heapAllocMaxBytes: number;
  heapGoalBytes: number;
  gomaxprocs: number;
  goroutines: number;
  runnable: number;
  running: number;
  inSyscall: number;
}

export interface MetricsReport {
  bucketNs: number;
  points: MetricsPoint[];
  heap: { firstBytes: number; lastBytes: number; maxBytes: number; growthBytesPerSecond: number };
  gomaxprocs: { last: number; changes: number };
  goroutines: { created: number; max: number; maxRunnable: number; atEnd: number };
  threads: {
    seen: number;
    maxInSyscall: number;
    /**
     * Most threads alive at once, a thread counting as alive from its first to its last event (a
     * lower bound: an idle thread's silence before and after is not seen).
     */
    peakAlive?: number;
  };
  /**
   * The heap goal the GC sets at the end of each cycle (live heap after marking × (1 + GOGC/100)):
   * a goal that keeps rising means the heap that survives GC keeps growing.
   */
  heapGoal?: { firstBytes: number; lastBytes: number; maxBytes: number; changes: number; rises: number };
  /** Bytes allocated per second (sum of the heap-in-use counter's rises over the trace). */
  allocBytesPerSecond?: number;
}

const HEAP = '/memory/classes/heap/objects:bytes';
const GOAL = '/gc/heap/goal:bytes';
const PROCS = '/sched/gomaxprocs:threads';

function newBucket(s: MetricsState): MetricBucket {
  return {
    heapAlloc: s.allocUnknown ? UNKNOWN : s.heapAlloc,
    heapAllocMax: s.allocUnknown ? 0 : s.heapAlloc,
    heapGoal: s.goalUnknown ? UNKNOWN : s.heapGoal,
    gomaxprocs: s.gomaxprocs,
    goroutinesMax: s.goroutines,
    runnableMax: s.runnable,
    runningMax: s.running,
    inSyscallMax: s.inSyscall,
  };
}

function combine(a: MetricBucket, b: MetricBucket): MetricBucket {
  return {
    heapAlloc: b.heapAlloc,
    heapAllocMax: Math.max(a.heapAllocMax, b.heapAllocMax),
    heapGoal: b.heapGoal,
    gomaxprocs: b.gomaxprocs,
    goroutinesMax: Math.max(a.goroutinesMax, b.goroutinesMax),
    runnableMax: Math.max(a.runnableMax, b.runnableMax),
    runningMax: Math.max(a.runningMax, b.runningMax),
    inSyscallMax: Math.max(a.inSyscallMax, b.inSyscallMax),
    ...(a.allocUnknown || b.allocUnknown ? { allocUnknown: true } : {}),
  };
}

function initialState(): MetricsState {
  return {
    timeline: emptyTimeline(),
    heapAlloc: 0,
    heapAllocMax: 0,
    heapGoal: 0,
    gomaxprocs: 0,
    gomaxprocsChanges: 0,
    goroutines: 0,
    runnable: 0,
    running: 0,
    inSyscall: 0,
    maxGoroutines: 0,
    maxRunnable: 0,
    maxInSyscall: 0,
    goroutinesCreated: 0,
    threads: {},
    firstTime: 0,
    lastTime: 0,
    syncs: 0,
    threadFirst: {},
    threadLast: {},
    currentThread: -1,
    currentThreadTime: 0,
    goalFirst: 0,
    goalChanges: 0,
    goalRises: 0,
    goalMax: 0,
    heapRisesBytes: 0,
    heapAllocSeen: false,
    allocUnknown: false,
    goalUnknown: false,
    allocUnknownAtStart: false,
    goalUnknownAtStart: false,
    firstAllocInPart: 0,
    firstGoalInPart: 0,
  };
}

/** Most intervals [first, last] open at once (an interval ending at t still overlaps one starting at t). */
export function peakOverlap(first: Record<string, number>, last: Record<string, number>): number {
  const edges: [number, number][] = [];
  for (const [id, start] of Object.entries(first)) {
    edges.push([start, 1]);
    edges.push([last[id] ?? start, -1]);
  }
  edges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  let alive = 0;
  let peak = 0;
  for (const [, delta] of edges) {
    alive += delta;
    if (alive > peak) peak = alive;
  }
  return peak;
}

/** A thread's first and last event times (NaN: not seen in this part). */
interface ThreadSpan {
  first: number;
  last: number;
}

class MetricsAnalyzer implements StatefulAnalyzer<MetricsState> {
  private readonly s: MetricsState;
  private readonly maxPoints: number;
  // Events come in time order: remember the current bucket and the last thread seen.
  private bucketWidth = 0;
  /**
   * Times the current bucket holds: [bucketStart, bucketEnd), i.e. floor(t / width) is its key
   * (exact while times and bounds are below 2^53). Two compares per event instead of a division.
   */
  private bucketStart = Number.NaN;
  private bucketEnd = Number.NaN;
  private bucket: MetricBucket | undefined;
  private lastThread = Number.NaN;
  // Per thread: time of its first and of its last event. The state keeps them as objects keyed by
  // thread id (JSON); thread ids are OS thread ids, sparse and large, so those objects hold their
  // entries in dictionary mode, and a store into one on every thread switch was measured as a
  // quarter of this analyzer's time. One Map lookup per switch (ids as small integers) finds the
  // thread's span; state() copies the spans into the state objects.
  private readonly spans = new Map<number, ThreadSpan>();
  /** Span of s.currentThread (found on first use in a resumed part). */
  private currentSpan: ThreadSpan | undefined;

  constructor(options: MetricsOptions, state?: MetricsState) {
    this.s = state ?? initialState();
    this.maxPoints = options.maxPoints ?? 512;
    for (const [id, t] of Object.entries(this.s.threadFirst)) this.span(Number(id)).first = t;
    for (const [id, t] of Object.entries(this.s.threadLast)) this.span(Number(id)).last = t;
  }

  private span(id: number): ThreadSpan {
    const key = idKey(id);
    let span = this.spans.get(key);
    if (span === undefined) this.spans.set(key, (span = { first: Number.NaN, last: Number.NaN }));
    return span;
  }

  private adjust(state: number, delta: number): void {
    const s = this.s;
    if (state === GoState.Runnable) s.runnable += delta;
    else if (state === GoState.Running) s.running += delta;
    else if (state === GoState.Syscall) s.inSyscall += delta;
  }

  consume(view: EventView): void {
    const s = this.s;
    for (let i = 0; i < view.length; i++) {
      const kind = view.kind(i);
      const t = view.time(i);
      if (s.firstTime === 0) s.firstTime = t;
      s.lastTime = t;
      const m = view.thread(i);
      if (m !== this.lastThread) {
        if (s.currentThread >= 0) (this.currentSpan ??= this.span(s.currentThread)).last = s.currentThreadTime;
        this.lastThread = m;
        if (m >= 0) {
          const span = this.span(m);
          if (Number.isNaN(span.first)) span.first = t;
          this.currentSpan = span;
        }
      }
      if (m >= 0) {
        s.currentThread = m;
        s.currentThreadTime = t;
      }
      if (kind === Kind.Sync) s.syncs++;
      else if (kind === Kind.Metric) {
        const name = view.metricName(i);
        const value = view.metricValue(i);
        if (name === HEAP) {
          if (s.allocUnknown) {
            s.allocUnknown = false;
            s.firstAllocInPart = value;
          }
          s.heapAllocSeen = true;
          if (value > s.heapAlloc && s.heapAlloc > 0) s.heapRisesBytes += value - s.heapAlloc;
          s.heapAlloc = value;
          if (value > s.heapAllocMax) s.heapAllocMax = value;
        } else if (name === GOAL) {
          if (s.goalUnknown) {
            s.goalUnknown = false;
            s.firstGoalInPart = value;
          }
          if (s.goalFirst === 0) s.goalFirst = value;
          else if (value !== s.heapGoal) {
            s.goalChanges++;
            if (value > s.heapGoal) s.goalRises++;
          }
          if (value > s.goalMax) s.goalMax = value;
          s.heapGoal = value;
        }
        else if (name === PROCS) {
          if (s.gomaxprocs !== 0 && value !== s.gomaxprocs) s.gomaxprocsChanges++;
          s.gomaxprocs = value;
        }
      } else if (kind === Kind.StateTransition && view.resourceKind(i) === ResourceKind.Goroutine) {
        const from = view.fromState(i);
        const to = view.toState(i);
        if (from === to) continue;
        if (from === GoState.Undetermined || from === GoState.NotExist) {
          s.goroutines++;
          if (from === GoState.NotExist) s.goroutinesCreated++;
        } else this.adjust(from, -1);
        if (to === GoState.NotExist) s.goroutines--;
        else this.adjust(to, +1);
        if (s.goroutines > s.maxGoroutines) s.maxGoroutines = s.goroutines;
        if (s.runnable > s.maxRunnable) s.maxRunnable = s.runnable;
        if (s.inSyscall > s.maxInSyscall) s.maxInSyscall = s.inSyscall;
      } else continue;
      let b = this.bucket;
      if (b === undefined || !(t >= this.bucketStart && t < this.bucketEnd) || s.timeline.widthNs !== this.bucketWidth) {
        b = bucketAt(s.timeline, t, () => newBucket(s), combine, this.maxPoints);
        this.bucket = b;
        this.bucketWidth = s.timeline.widthNs;
        this.bucketStart = Math.floor(t / this.bucketWidth) * this.bucketWidth;
        this.bucketEnd = this.bucketStart + this.bucketWidth;
        // Past 2^53 the bounds may be inexact: look the bucket up every time instead.
        if (this.bucketEnd > Number.MAX_SAFE_INTEGER) this.bucketEnd = this.bucketStart;
      }
      if (s.allocUnknown) {
        b.heapAlloc = UNKNOWN;
        b.allocUnknown = true;
      } else {
        b.heapAlloc = s.heapAlloc;
        if (s.heapAlloc > b.heapAllocMax) b.heapAllocMax = s.heapAlloc;
      }
      b.heapGoal = s.goalUnknown ? UNKNOWN : s.heapGoal;
      b.gomaxprocs = s.gomaxprocs;
      if (s.goroutines > b.goroutinesMax) b.goroutinesMax = s.goroutines;
      if (s.runnable > b.runnableMax) b.runnableMax = s.runnable;
      if (s.running > b.runningMax) b.runningMax = s.running;
      if (s.inSyscall > b.inSyscallMax) b.inSyscallMax = s.inSyscall;
    }
  }

  state(): MetricsState {
    const s = this.s;
    for (const [id, span] of this.spans) {
      if (!Number.isNaN(span.first)) {
        s.threads[id] = true;
        s.threadFirst[id] = span.first;
      }
      if (!Number.isNaN(span.last)) s.threadLast[id] = span.last;
    }
    return s;
  }
}

function wanted(kind: number): boolean {
  return kind === Kind.Sync || kind === Kind.Metric || kind === Kind.StateTransition;
}

/** Last-event times with the current thread's span closed at its latest event. */
function closedThreadLast(s: MetricsState): Record<string, number> {
  if (s.currentThread < 0) return s.threadLast;
  return { ...s.threadLast, [s.currentThread]: s.currentThreadTime };
}

/** What a part accumulates starts over; counts, gauges and the current thread carry on. */
function resetMetrics(s: MetricsState): MetricsState {
  // Assigned onto a fresh literal: the analyzer reads this object per event, and a clone or a
  // spread has another hidden class (measured: per-event code 3x slower on workers).
  return Object.assign(initialState(), {
    heapAlloc: s.heapAlloc,
    heapGoal: s.heapGoal,
    gomaxprocs: s.gomaxprocs,
    goroutines: s.goroutines,
    runnable: s.runnable,
    running: s.running,
    inSyscall: s.inSyscall,
    lastTime: s.lastTime,
    currentThread: s.currentThread,
    currentThreadTime: s.currentThreadTime,
    // Also says "a goal was seen", so the part's first goal counts as a change.
    goalFirst: s.goalFirst,
    heapAllocSeen: s.heapAllocSeen,
    allocUnknown: !s.heapAllocSeen,
    goalUnknown: s.goalFirst === 0,
    allocUnknownAtStart: !s.heapAllocSeen,
    goalUnknownAtStart: s.goalFirst === 0,
  });
}

/** Fills in what resumed part `b` could not know at its start from the part before it, `a`. */
function settleUnknownGauges(a: MetricsState, b: MetricsState): MetricsState {
  const out = structuredClone(b);
  for (const bucket of Object.values(out.timeline.buckets)) {
    if (bucket.heapAlloc === UNKNOWN) bucket.heapAlloc = a.heapAlloc;
    if (bucket.allocUnknown) {
      bucket.heapAllocMax = Math.max(bucket.heapAllocMax, a.heapAlloc);
      delete bucket.allocUnknown;
    }
    if (bucket.heapGoal === UNKNOWN) bucket.heapGoal = a.heapGoal;
  }
  if (b.allocUnknownAtStart) {
    if (b.firstAllocInPart > a.heapAlloc && a.heapAlloc > 0) out.heapRisesBytes += b.firstAllocInPart - a.heapAlloc;
    if (b.allocUnknown) out.heapAlloc = a.heapAlloc;
  }
  if (b.goalUnknownAtStart) {
    if (b.firstGoalInPart !== 0 && a.goalFirst !== 0 && b.firstGoalInPart !== a.heapGoal) {
      out.goalChanges++;
      if (b.firstGoalInPart > a.heapGoal) out.goalRises++;
    }
    if (b.goalUnknown) out.heapGoal = a.heapGoal;
  }
  return out;
}

function combineMetrics(a: MetricsState, resumed: MetricsState, maxPoints: number): MetricsState {
  const b = settleUnknownGauges(a, resumed);
  const threadFirst = { ...a.threadFirst };
  for (const [id, t] of Object.entries(b.threadFirst)) threadFirst[id] = Math.min(threadFirst[id] ?? t, t);
  const threadLast = { ...a.threadLast };
  for (const [id, t] of Object.entries(b.threadLast)) threadLast[id] = Math.max(threadLast[id] ?? t, t);
  return {
    ...b,
    timeline: mergeTimelines(a.timeline, b.timeline, combine, maxPoints),
    heapAllocMax: Math.max(a.heapAllocMax, b.heapAllocMax),
    gomaxprocsChanges: a.gomaxprocsChanges + b.gomaxprocsChanges,
    maxGoroutines: Math.max(a.maxGoroutines, b.maxGoroutines),
    maxRunnable: Math.max(a.maxRunnable, b.maxRunnable),
    maxInSyscall: Math.max(a.maxInSyscall, b.maxInSyscall),
    goroutinesCreated: a.goroutinesCreated + b.goroutinesCreated,
    threads: { ...a.threads, ...b.threads },
    firstTime: a.firstTime !== 0 ? a.firstTime : b.firstTime,
    lastTime: b.lastTime !== 0 ? b.lastTime : a.lastTime,
    syncs: a.syncs + b.syncs,
    threadFirst,
    threadLast,
    goalFirst: a.goalFirst !== 0 ? a.goalFirst : b.goalFirst,
    goalChanges: a.goalChanges + b.goalChanges,
    goalRises: a.goalRises + b.goalRises,
    goalMax: Math.max(a.goalMax, b.goalMax),
    heapRisesBytes: a.heapRisesBytes + b.heapRisesBytes,
    heapAllocSeen: a.heapAllocSeen || b.heapAllocSeen,
    // The merged part starts where `a` starts: it knows what `a` knew there.
    allocUnknown: a.allocUnknown && b.allocUnknown,
    goalUnknown: a.goalUnknown && b.goalUnknown,
    allocUnknownAtStart: a.allocUnknownAtStart,
    goalUnknownAtStart: a.goalUnknownAtStart,
    firstAllocInPart: a.firstAllocInPart,
    firstGoalInPart: a.firstGoalInPart,
  };
}

export const metricsAnalysis = deferredAnalysis<MetricsOptions, MetricsState, MetricsReport>(
  'metrics',
  (options, state) => new MetricsAnalyzer(options, state),
  wanted,
  (s) => {
    const points = orderedBuckets(s.timeline).map(({ startNs, bucket }) => ({
      timeNs: startNs,
      heapAllocBytes: bucket.heapAlloc,
      heapAllocMaxBytes: bucket.heapAllocMax,
      heapGoalBytes: bucket.heapGoal,
      gomaxprocs: bucket.gomaxprocs,
      goroutines: bucket.goroutinesMax,
      runnable: bucket.runnableMax,
      running: bucket.runningMax,
      inSyscall: bucket.inSyscallMax,
    }));
    const withHeap = points.filter((p) => p.heapAllocBytes > 0);
    const first = withHeap[0];
    const last = withHeap[withHeap.length - 1];
    const span = first && last ? (last.timeNs - first.timeNs) / 1e9 : 0;
    return {
      bucketNs: s.timeline.widthNs,
      points,
      heap: {
        firstBytes: first?.heapAllocBytes ?? 0,
        lastBytes: s.heapAlloc,
        maxBytes: s.heapAllocMax,
        growthBytesPerSecond: span > 0 && first ? (s.heapAlloc - first.heapAllocBytes) / span : 0,
      },
      gomaxprocs: { last: s.gomaxprocs, changes: s.gomaxprocsChanges },
      goroutines: { created: s.goroutinesCreated, max: s.maxGoroutines, maxRunnable: s.maxRunnable, atEnd: s.goroutines },
      threads: { seen: Object.keys(s.threads).length, maxInSyscall: s.maxInSyscall, peakAlive: peakOverlap(s.threadFirst, closedThreadLast(s)) },
      heapGoal: { firstBytes: s.goalFirst, lastBytes: s.heapGoal, maxBytes: s.goalMax, changes: s.goalChanges, rises: s.goalRises },
      allocBytesPerSecond: s.lastTime > s.firstTime ? s.heapRisesBytes / ((s.lastTime - s.firstTime) / 1e9) : 0,
    };
  },
  { reset: resetMetrics, combine: (a, b, options) => combineMetrics(a, b, options.maxPoints ?? 512) },
  metricsKernel,
);
