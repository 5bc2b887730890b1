// Metrics kernel: heap in use and goal, GOMAXPROCS, goroutine counts by state, threads' first and
// last events, and the bounded timeline of those (src/analysis/metrics.ts, MetricsAnalyzer, whose
// state this reproduces exactly; JavaScript reads it out with the exports at the end).
import { COL_A0, COL_FROM, COL_KIND, COL_M, COL_RES_KIND, COL_TIME_F, COL_TO, COL_TYPE } from '../columns';
import { G_NOT_EXIST, G_RUNNABLE, G_RUNNING, G_SYSCALL, G_UNDETERMINED } from '../order';
import { EV_HEAP_ALLOC, EV_PROCS_CHANGE, KIND_METRIC, KIND_STATE_TRANSITION, KIND_SYNC } from '../specs';
import { F64Column, IdIndex, Registry, column, rowsEnd } from './kernel';
import { Timeline } from './timeline';

/** Bucket value of a gauge a resumed part does not know yet (metrics.ts UNKNOWN). */
const UNKNOWN: f64 = -1;
const RESOURCE_GOROUTINE: u8 = 1;

/** Per bucket: the last value of each gauge and the maximum of each count (metrics.ts MetricBucket). */
class MetricBucket {
  heapAlloc: f64 = 0;
  heapAllocMax: f64 = 0;
  heapGoal: f64 = 0;
  gomaxprocs: f64 = 0;
  goroutinesMax: f64 = 0;
  runnableMax: f64 = 0;
  runningMax: f64 = 0;
  inSyscallMax: f64 = 0;
  /** Saw events while a resumed part did not know the heap yet. */
  allocUnknown: bool = false;

  /** metrics.ts combine(): `later`'s gauges, the larger counts. */
  absorb(later: MetricBucket): void {
    this.heapAlloc = later.heapAlloc;
    this.heapAllocMax = max(this.heapAllocMax, later.heapAllocMax);
    this.heapGoal = later.heapGoal;
    this.gomaxprocs = later.gomaxprocs;
    this.goroutinesMax = max(this.goroutinesMax, later.goroutinesMax);
    this.runnableMax = max(this.runnableMax, later.runnableMax);
    this.runningMax = max(this.runningMax, later.runningMax);
    this.inSyscallMax = max(this.inSyscallMax, later.inSyscallMax);
    this.allocUnknown = this.allocUnknown || later.allocUnknown;
  }
}

class Metrics {
  readonly maxPoints: i32;

  // Carried from part to part (see resetMetrics in metrics.ts).
  heapAlloc: f64 = 0;
  heapGoal: f64 = 0;
  gomaxprocs: f64 = 0;
  goroutines: i32 = 0;
  runnable: i32 = 0;
  running: i32 = 0;
  inSyscall: i32 = 0;
  lastTime: f64 = 0;
  currentThread: f64 = -1;
  currentThreadTime: f64 = 0;
  goalFirst: f64 = 0;
  heapAllocSeen: bool = false;
  allocUnknown: bool = false;
  goalUnknown: bool = false;
  allocUnknownAtStart: bool = false;
  goalUnknownAtStart: bool = false;

  // Accumulated by a part.
  timeline: Timeline<MetricBucket> = new Timeline<MetricBucket>();
  heapAllocMax: f64 = 0;
  gomaxprocsChanges: f64 = 0;
  maxGoroutines: i32 = 0;
  maxRunnable: i32 = 0;
  maxInSyscall: i32 = 0;
  goroutinesCreated: f64 = 0;
  firstTime: f64 = 0;
  syncs: f64 = 0;
  goalChanges: f64 = 0;
  goalRises: f64 = 0;
  goalMax: f64 = 0;
  heapRisesBytes: f64 = 0;
  firstAllocInPart: f64 = 0;
  firstGoalInPart: f64 = 0;
  /** Threads by dense index, with the time of their first and last event (NaN: not in this part). */
  threads: IdIndex = new IdIndex();
  threadFirst: F64Column = new F64Column(32);
  threadLast: F64Column = new F64Column(32);

  // Events come in time order: the current bucket, [bucketStart, bucketEnd) and the width it was
  // found for, and the thread of the previous event (the JavaScript analyzer's caches).
  bucket: MetricBucket | null = null;
  bucketWidth: f64 = 0;
  bucketStart: f64 = NaN;
  bucketEnd: f64 = NaN;
  lastThread: f64 = NaN;
  /** Dense index of currentThread's span, -1 until used in this part. */
  currentSpan: i32 = -1;

  constructor(maxPoints: i32) {
    this.maxPoints = maxPoints;
  }

  /** Forgets what the part accumulated; counts, gauges and the current thread carry on. */
  beginPart(): void {
    this.allocUnknown = !this.heapAllocSeen;
    this.goalUnknown = this.goalFirst == 0;
    this.allocUnknownAtStart = this.allocUnknown;
    this.goalUnknownAtStart = this.goalUnknown;
    this.timeline = new Timeline<MetricBucket>();
    this.heapAllocMax = 0;
    this.gomaxprocsChanges = 0;
    this.maxGoroutines = 0;
    this.maxRunnable = 0;
    this.maxInSyscall = 0;
    this.goroutinesCreated = 0;
    this.firstTime = 0;
    this.syncs = 0;
    this.goalChanges = 0;
    this.goalRises = 0;
    this.goalMax = 0;
    this.heapRisesBytes = 0;
    this.firstAllocInPart = 0;
    this.firstGoalInPart = 0;
    this.threads = new IdIndex();
    this.threadFirst = new F64Column(32);
    this.threadLast = new F64Column(32);
    this.bucket = null;
    this.bucketWidth = 0;
    this.bucketStart = NaN;
    this.bucketEnd = NaN;
    this.lastThread = NaN;
    this.currentSpan = -1;
  }

  /** Dense index of thread `id`'s span, a new span (first and last NaN) if it has none. */
  private span(id: f64): i32 {
    const known = this.threads.find(id);
    if (known >= 0) return known;
    const index = this.threads.add(id);
    this.threadFirst.ensure(index);
    this.threadFirst.set(index, NaN);
    this.threadLast.ensure(index);
    this.threadLast.set(index, NaN);
    return index;
  }

  @inline private adjust(state: u8, delta: i32): void {
    if (state == G_RUNNABLE) this.runnable += delta;
    else if (state == G_RUNNING) this.running += delta;
    else if (state == G_SYSCALL) this.inSyscall += delta;
  }

  consume(from: i32, count: i32): void {
    const end = rowsEnd(from, count);
    const times = column(COL_TIME_F);
    const kinds = column(COL_KIND);
    const threads = column(COL_M);
    for (let i = from; i < end; i++) {
      const t = load<f64>(times + (<usize>i << 3));
      if (this.firstTime == 0) this.firstTime = t;
      this.lastTime = t;
      const m = load<f64>(threads + (<usize>i << 3));
      if (m != this.lastThread) this.switchThread(m, t);
      if (m >= 0) {
        this.currentThread = m;
        this.currentThreadTime = t;
      }
      const kind = load<u8>(kinds + <usize>i);
      if (kind == KIND_SYNC) this.syncs++;
      else if (kind == KIND_METRIC) this.metric(load<u8>(column(COL_TYPE) + <usize>i), <f64>load<u64>(column(COL_A0) + (<usize>i << 3)));
      else if (kind == KIND_STATE_TRANSITION && load<u8>(column(COL_RES_KIND) + <usize>i) == RESOURCE_GOROUTINE) {
        const from = load<u8>(column(COL_FROM) + <usize>i);
        const to = load<u8>(column(COL_TO) + <usize>i);
        if (from == to) continue;
        this.transition(from, to);
      } else continue;
      this.updateBucket(t);
    }
  }

  /** The previous event's thread was another one: close its span, open (or go on with) m's. */
  private switchThread(m: f64, t: f64): void {
    if (this.currentThread >= 0) {
      if (this.currentSpan < 0) this.currentSpan = this.span(this.currentThread);
      this.threadLast.set(this.currentSpan, this.currentThreadTime);
    }
    this.lastThread = m;
    if (m >= 0) {
      const span = this.span(m);
      if (isNaN(this.threadFirst.get(span))) this.threadFirst.set(span, t);
      this.currentSpan = span;
    }
  }

  private metric(type: u8, value: f64): void {
    if (type == EV_HEAP_ALLOC) {
      if (this.allocUnknown) {
        this.allocUnknown = false;
        this.firstAllocInPart = value;
      }
      this.heapAllocSeen = true;
      if (value > this.heapAlloc && this.heapAlloc > 0) this.heapRisesBytes += value - this.heapAlloc;
      this.heapAlloc = value;
      if (value > this.heapAllocMax) this.heapAllocMax = value;
    } else if (type == EV_PROCS_CHANGE) {
      if (this.gomaxprocs != 0 && value != this.gomaxprocs) this.gomaxprocsChanges++;
      this.gomaxprocs = value;
    } else {
      // The heap goal (metricName() names every other metric so).
      if (this.goalUnknown) {
        this.goalUnknown = false;
        this.firstGoalInPart = value;
      }
      if (this.goalFirst == 0) this.goalFirst = value;
      else if (value != this.heapGoal) {
        this.goalChanges++;
        if (value > this.heapGoal) this.goalRises++;
      }
      if (value > this.goalMax) this.goalMax = value;
      this.heapGoal = value;
    }
  }

  @inline private transition(from: u8, to: u8): void {
    if (from == G_UNDETERMINED || from == G_NOT_EXIST) {
      this.goroutines++;
      if (from == G_NOT_EXIST) this.goroutinesCreated++;
    } else this.adjust(from, -1);
    if (to == G_NOT_EXIST) this.goroutines--;
    else this.adjust(to, 1);
    if (this.goroutines > this.maxGoroutines) this.maxGoroutines = this.goroutines;
    if (this.runnable > this.maxRunnable) this.maxRunnable = this.runnable;
    if (this.inSyscall > this.maxInSyscall) this.maxInSyscall = this.inSyscall;
  }

  private newBucket(): MetricBucket {
    const b = new MetricBucket();
    b.heapAlloc = this.allocUnknown ? UNKNOWN : this.heapAlloc;
    b.heapAllocMax = this.allocUnknown ? 0 : this.heapAlloc;
    b.heapGoal = this.goalUnknown ? UNKNOWN : this.heapGoal;
    b.gomaxprocs = this.gomaxprocs;
    b.goroutinesMax = <f64>this.goroutines;
    b.runnableMax = <f64>this.runnable;
    b.runningMax = <f64>this.running;
    b.inSyscallMax = <f64>this.inSyscall;
    return b;
  }

  @inline private updateBucket(t: f64): void {
    let b = this.bucket;
    const timeline = this.timeline;
    if (b === null || !(t >= this.bucketStart && t < this.bucketEnd) || timeline.widthNs != this.bucketWidth) {
      b = timeline.find(t);
      if (b === null) b = timeline.add(t, this.newBucket(), this.maxPoints);
      this.bucket = b;
      this.bucketWidth = timeline.widthNs;
      this.bucketStart = Math.floor(t / this.bucketWidth) * this.bucketWidth;
      this.bucketEnd = this.bucketStart + this.bucketWidth;
      // Past 2^53 the bounds may be inexact: look the bucket up every time instead.
      if (this.bucketEnd > 9007199254740991) this.bucketEnd = this.bucketStart;
    }
    if (this.allocUnknown) {
      b.heapAlloc = UNKNOWN;
      b.allocUnknown = true;
    } else {
      b.heapAlloc = this.heapAlloc;
      if (this.heapAlloc > b.heapAllocMax) b.heapAllocMax = this.heapAlloc;
    }
    b.heapGoal = this.goalUnknown ? UNKNOWN : this.heapGoal;
    b.gomaxprocs = this.gomaxprocs;
    const goroutines = <f64>this.goroutines;
    const runnable = <f64>this.runnable;
    const running = <f64>this.running;
    const inSyscall = <f64>this.inSyscall;
    if (goroutines > b.goroutinesMax) b.goroutinesMax = goroutines;
    if (runnable > b.runnableMax) b.runnableMax = runnable;
    if (running > b.runningMax) b.runningMax = running;
    if (inSyscall > b.inSyscallMax) b.inSyscallMax = inSyscall;
  }
}

const metrics = new Registry<Metrics>();

export function metricsCreate(maxPoints: i32): i32 {
  return metrics.add(new Metrics(maxPoints));
}

export function metricsRelease(handle: i32): void {
  metrics.release(handle);
}

/** Adds rows [from, from + count) of the columns; false for an unknown handle. */
export function metricsConsume(handle: i32, from: i32, count: i32): bool {
  const instance = metrics.get(handle);
  if (instance === null) return false;
  instance.consume(from, count);
  return true;
}

export function metricsBeginPart(handle: i32): void {
  const instance = metrics.get(handle);
  if (instance !== null) instance.beginPart();
}

// ---- Reading the state out (JavaScript builds MetricsState from these) ----

/** The scalar fields, in the order of Scalar in src/analysis/kernels/metrics.ts. */
const scalars = new StaticArray<f64>(34);

/** Address of the scalars, filled now (booleans as 0 / 1). */
export function metricsScalars(handle: i32): usize {
  const s = changetype<Metrics>(metrics.get(handle));
  const out = scalars;
  unchecked((out[0] = s.timeline.widthNs));
  unchecked((out[1] = <f64>s.timeline.count));
  unchecked((out[2] = s.heapAlloc));
  unchecked((out[3] = s.heapAllocMax));
  unchecked((out[4] = s.heapGoal));
  unchecked((out[5] = s.gomaxprocs));
  unchecked((out[6] = s.gomaxprocsChanges));
  unchecked((out[7] = <f64>s.goroutines));
  unchecked((out[8] = <f64>s.runnable));
  unchecked((out[9] = <f64>s.running));
  unchecked((out[10] = <f64>s.inSyscall));
  unchecked((out[11] = <f64>s.maxGoroutines));
  unchecked((out[12] = <f64>s.maxRunnable));
  unchecked((out[13] = <f64>s.maxInSyscall));
  unchecked((out[14] = s.goroutinesCreated));
  unchecked((out[15] = s.firstTime));
  unchecked((out[16] = s.lastTime));
  unchecked((out[17] = s.syncs));
  unchecked((out[18] = s.currentThread));
  unchecked((out[19] = s.currentThreadTime));
  unchecked((out[20] = s.goalFirst));
  unchecked((out[21] = s.goalChanges));
  unchecked((out[22] = s.goalRises));
  unchecked((out[23] = s.goalMax));
  unchecked((out[24] = s.heapRisesBytes));
  unchecked((out[25] = <f64>s.heapAllocSeen));
  unchecked((out[26] = <f64>s.allocUnknown));
  unchecked((out[27] = <f64>s.goalUnknown));
  unchecked((out[28] = <f64>s.allocUnknownAtStart));
  unchecked((out[29] = <f64>s.goalUnknownAtStart));
  unchecked((out[30] = s.firstAllocInPart));
  unchecked((out[31] = s.firstGoalInPart));
  unchecked((out[32] = <f64>s.threads.size));
  return changetype<usize>(out);
}

/** Thread column `which`: 0 ids, 1 first event times, 2 last event times (metricsScalars()[32] long). */
export function metricsThreads(handle: i32, which: i32): usize {
  const s = changetype<Metrics>(metrics.get(handle));
  return (which == 0 ? s.threads.ids : which == 1 ? s.threadFirst : s.threadLast).pointer();
}

/** Bucket i of the timeline, in the order of Bucket in src/analysis/kernels/metrics.ts. */
const bucketOut = new StaticArray<f64>(10);

/** Address of bucket i's key (time / width) and fields, filled now. */
export function metricsBucket(handle: i32, i: i32): usize {
  const timeline = changetype<Metrics>(metrics.get(handle)).timeline;
  const b = timeline.buckets[i];
  const out = bucketOut;
  unchecked((out[0] = timeline.keys[i]));
  unchecked((out[1] = b.heapAlloc));
  unchecked((out[2] = b.heapAllocMax));
  unchecked((out[3] = b.heapGoal));
  unchecked((out[4] = b.gomaxprocs));
  unchecked((out[5] = b.goroutinesMax));
  unchecked((out[6] = b.runnableMax));
  unchecked((out[7] = b.runningMax));
  unchecked((out[8] = b.inSyscallMax));
  unchecked((out[9] = <f64>b.allocUnknown));
  return changetype<usize>(out);
}
