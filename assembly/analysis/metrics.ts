// Metrics kernel: heap in use and goal, GOMAXPROCS, goroutine counts by state, threads' first and
// last events, and the bounded timeline of those (src/analysis/metrics.ts, MetricsAnalyzer, whose
// state this reproduces exactly; JavaScript reads it out with the exports at the end).
import { COL_A0, COL_FROM, COL_KIND, COL_M, COL_RES_KIND, COL_TIME_F, COL_TO, COL_TYPE } from '../columns';
import { G_NOT_EXIST, G_RUNNABLE, G_RUNNING, G_SYSCALL, G_UNDETERMINED } from '../order';
import { EV_HEAP_ALLOC, EV_PROCS_CHANGE, KIND_METRIC, KIND_STATE_TRANSITION, KIND_SYNC } from '../specs';
import { F64Column, IdIndex, Registry, column, rowsEnd, selectKinds, selectionPointer } from './kernel';
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
  goroutinesMax: i32 = 0;
  runnableMax: i32 = 0;
  runningMax: i32 = 0;
  inSyscallMax: i32 = 0;
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

/** Goroutine states the tables below cover (Go has 6); transitions of others take the slow path. */
const TABLE_STATES: u8 = 8;
/**
 * By transition (from << 3 | to): how the counts change (metrics.ts, per event), as signed
 * bytes from the lowest: goroutines, runnable, running, in syscall.
 */
const COUNT_CHANGES = new StaticArray<i32>(64);
/** By transition: 1 if it creates a goroutine (from NotExist). */
const CREATES = new StaticArray<u8>(64);
for (let from: u8 = 0; from < TABLE_STATES; from++) {
  for (let to: u8 = 0; to < TABLE_STATES; to++) {
    if (from == to) continue;
    let goroutines = 0;
    let runnable = 0;
    let running = 0;
    let inSyscall = 0;
    if (from == G_UNDETERMINED || from == G_NOT_EXIST) goroutines++;
    else {
      runnable -= i32(from == G_RUNNABLE);
      running -= i32(from == G_RUNNING);
      inSyscall -= i32(from == G_SYSCALL);
    }
    if (to == G_NOT_EXIST) goroutines--;
    else {
      runnable += i32(to == G_RUNNABLE);
      running += i32(to == G_RUNNING);
      inSyscall += i32(to == G_SYSCALL);
    }
    const index = (<i32>from << 3) | to;
    COUNT_CHANGES[index] = (goroutines & 0xff) | ((runnable & 0xff) << 8) | ((running & 0xff) << 16) | (inSyscall << 24);
    CREATES[index] = u8(from == G_NOT_EXIST);
  }
}

/** First row in [from, end) whose time is not below `bound` (times only increase); `end` if none. */
function firstAtOrAfter(times: usize, from: i32, end: i32, bound: f64): i32 {
  let low = from;
  let high = end;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (load<f64>(times + (<usize>middle << 3)) < bound) low = middle + 1;
    else high = middle;
  }
  return low;
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

  // Events come in time order: the current bucket and the times it holds [bucketStart, bucketEnd)
  // (NaN: none; the timeline coarsens only when a bucket is entered), and the thread of the
  // previous event (the JavaScript analyzer's caches).
  bucket: MetricBucket | null = null;
  bucketStart: f64 = NaN;
  bucketEnd: f64 = NaN;
  lastThread: f64 = NaN;
  /** Dense index of currentThread's span, -1 until used in this part. */
  currentSpan: i32 = -1;
  /** A goroutine transition was counted in this part (the counts are no longer the carried ones). */
  transitionSeen: bool = false;
  /** Rows where the thread changes (consumeThreads()). */
  switches: StaticArray<i32> = new StaticArray<i32>(0);
  /** Per row of the run countRun() counts: its transition code (from << 3 | to, 0: none). */
  codes: StaticArray<u8> = new StaticArray<u8>(0);

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
    this.bucketStart = NaN;
    this.bucketEnd = NaN;
    this.lastThread = NaN;
    this.currentSpan = -1;
    this.transitionSeen = false;
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

  consume(from: i32, count: i32): void {
    const end = rowsEnd(from, count);
    if (end <= from) return;
    const times = column(COL_TIME_F);
    // The first event with a nonzero time (times only increase: the first row, but at time 0).
    for (let i = from; i < end && this.firstTime == 0; i++) this.firstTime = load<f64>(times + (<usize>i << 3));
    this.lastTime = load<f64>(times + (<usize>(end - 1) << 3));
    // Separate passes (the threads' spans do not depend on the counts): fewer values live in each.
    this.consumeThreads(from, end);
    this.consumeCounts(from, end);
  }

  /**
   * Rows [from, end): the current thread, and each thread's first and last event. First the rows
   * where the thread changes, without a branch per event (a switch every few events is too
   * irregular to predict), then the switches.
   */
  private consumeThreads(from: i32, end: i32): void {
    const times = column(COL_TIME_F);
    const threads = column(COL_M);
    if (this.switches.length < end - from) this.switches = new StaticArray<i32>(end - from);
    const switches = changetype<usize>(this.switches);
    let count = 0;
    // Compared as bits: the same for thread ids (never NaN), and lastThread starts as NaN.
    let previous = reinterpret<u64>(this.lastThread);
    for (let i = from; i < end; i++) {
      const m = load<u64>(threads + (<usize>i << 3));
      store<i32>(switches + (<usize>count << 2), i);
      count += i32(m != previous);
      previous = m;
    }
    for (let k = 0; k < count; k++) {
      const i = unchecked(this.switches[k]);
      // The run that ends here set the current thread if it had one (metrics.ts sets it at
      // every event with a thread); a run that began in an earlier call already did.
      if (i > from) {
        const m = load<f64>(threads + (<usize>(i - 1) << 3));
        if (m >= 0) {
          this.currentThread = m;
          this.currentThreadTime = load<f64>(times + (<usize>(i - 1) << 3));
        }
      }
      this.switchThread(load<f64>(threads + (<usize>i << 3)), load<f64>(times + (<usize>i << 3)));
    }
    const last = load<f64>(threads + (<usize>(end - 1) << 3));
    if (last >= 0) {
      this.currentThread = last;
      this.currentThreadTime = load<f64>(times + (<usize>(end - 1) << 3));
    }
    this.lastThread = last;
  }

  /** The previous event's thread was another one: close its span, open (or go on with) m's. */
  private switchThread(m: f64, t: f64): void {
    if (this.currentThread >= 0) {
      if (this.currentSpan < 0) this.currentSpan = this.span(this.currentThread);
      this.threadLast.set(this.currentSpan, this.currentThreadTime);
    }
    if (m >= 0) {
      const span = this.span(m);
      if (isNaN(this.threadFirst.get(span))) this.threadFirst.set(span, t);
      this.currentSpan = span;
    }
  }

  // The per-event loops run without calls (a call in a loop makes V8 keep the loop's values on
  // the stack, measured 2-3x slower) and stop at what they leave to their caller.

  /** Rows [from, end): goroutine counts, gauges and their buckets. */
  private consumeCounts(from: i32, end: i32): void {
    if (this.codes.length < end - from) this.codes = new StaticArray<u8>(end - from);
    const times = column(COL_TIME_F);
    let i = from;
    while (i < end) {
      // The rows within the current bucket (times only increase), once the part has counted a
      // transition (its first one enters a bucket): counted as a run, the rest one by one.
      const stop = this.transitionSeen ? firstAtOrAfter(times, i, end, this.bucketEnd) : i;
      if (stop == i) this.event(i++);
      else {
        if (this.countRun(i, stop)) this.gaugeEvents(i, stop);
        else for (let k = i; k < stop; k++) this.event(k);
        i = stop;
      }
    }
  }

  /**
   * The counts over rows [from, stop), all in the current bucket, and their maxima into the
   * bucket and the part's maxima; false (nothing counted) if a transition has a state beyond
   * the tables. Two loops of two counts each: few enough values for registers. The counts they
   * start with are those after the part's previous transition, which both maxima already hold.
   */
  private countRun(from: i32, stop: i32): bool {
    const froms = column(COL_FROM);
    const tos = column(COL_TO);
    const resourceKinds = column(COL_RES_KIND);
    const changes = changetype<usize>(COUNT_CHANGES);
    const creates = changetype<usize>(CREATES);
    const codes = changetype<usize>(this.codes) - <usize>from;
    let goroutines = this.goroutines;
    let runnable = this.runnable;
    let maxGoroutines = goroutines;
    let maxRunnable = runnable;
    let created = 0;
    let states: u32 = 0;
    for (let i = from; i < stop; i++) {
      const fromState = <u32>load<u8>(froms + <usize>i);
      const toState = <u32>load<u8>(tos + <usize>i);
      states |= fromState | toState;
      // Other events have from = to = 0: code 0, no change.
      const code = select<u32>(((fromState << 3) | toState) & 63, 0, load<u8>(resourceKinds + <usize>i) == RESOURCE_GOROUTINE);
      store<u8>(codes + <usize>i, <u8>code);
      const change = load<i32>(changes + (<usize>code << 2));
      goroutines += (change << 24) >> 24;
      runnable += (change << 16) >> 24;
      created += <i32>load<u8>(creates + <usize>code);
      maxGoroutines = max(maxGoroutines, goroutines);
      maxRunnable = max(maxRunnable, runnable);
    }
    if (states >= <u32>TABLE_STATES) return false;
    let running = this.running;
    let inSyscall = this.inSyscall;
    let maxRunning = running;
    let maxInSyscall = inSyscall;
    for (let i = from; i < stop; i++) {
      const change = load<i32>(changes + (<usize>load<u8>(codes + <usize>i) << 2));
      running += (change << 8) >> 24;
      inSyscall += change >> 24;
      maxRunning = max(maxRunning, running);
      maxInSyscall = max(maxInSyscall, inSyscall);
    }
    this.goroutines = goroutines;
    this.runnable = runnable;
    this.running = running;
    this.inSyscall = inSyscall;
    this.goroutinesCreated += <f64>created;
    const b = changetype<MetricBucket>(this.bucket);
    b.goroutinesMax = max(b.goroutinesMax, maxGoroutines);
    b.runnableMax = max(b.runnableMax, maxRunnable);
    b.runningMax = max(b.runningMax, maxRunning);
    b.inSyscallMax = max(b.inSyscallMax, maxInSyscall);
    this.maxGoroutines = max(this.maxGoroutines, maxGoroutines);
    this.maxRunnable = max(this.maxRunnable, maxRunnable);
    this.maxInSyscall = max(this.maxInSyscall, maxInSyscall);
    return true;
  }

  /** The Metric and Sync events of rows [from, stop), all in the current bucket. */
  private gaugeEvents(from: i32, stop: i32): void {
    const count = selectKinds((1 << KIND_SYNC) | (1 << KIND_METRIC), from, stop - from);
    const selection = selectionPointer();
    for (let k = 0; k < count; k++) this.gaugeEvent(from + load<i32>(selection + (<usize>k << 2)));
  }

  /** Row i, any event (metrics.ts, per event). */
  private event(i: i32): void {
    const kind = load<u8>(column(COL_KIND) + <usize>i);
    if (kind == KIND_SYNC || kind == KIND_METRIC) this.gaugeEvent(i);
    else if (kind == KIND_STATE_TRANSITION && load<u8>(column(COL_RES_KIND) + <usize>i) == RESOURCE_GOROUTINE) {
      this.transition(load<u8>(column(COL_FROM) + <usize>i), load<u8>(column(COL_TO) + <usize>i), load<f64>(column(COL_TIME_F) + (<usize>i << 3)));
    }
  }

  /** A goroutine's state transition at time t, any case (metrics.ts, per event). */
  private transition(from: u8, to: u8, t: f64): void {
    if (from == to) return;
    if (from == G_UNDETERMINED || from == G_NOT_EXIST) {
      this.goroutines++;
      if (from == G_NOT_EXIST) this.goroutinesCreated++;
    } else this.adjust(from, -1);
    if (to == G_NOT_EXIST) this.goroutines--;
    else this.adjust(to, 1);
    this.maxGoroutines = max(this.maxGoroutines, this.goroutines);
    this.maxRunnable = max(this.maxRunnable, this.runnable);
    this.maxInSyscall = max(this.maxInSyscall, this.inSyscall);
    this.transitionSeen = true;
    const b = this.bucket;
    if (b === null || !(t >= this.bucketStart && t < this.bucketEnd)) this.enterBucket(t);
    else {
      b.goroutinesMax = max(b.goroutinesMax, this.goroutines);
      b.runnableMax = max(b.runnableMax, this.runnable);
      b.runningMax = max(b.runningMax, this.running);
      b.inSyscallMax = max(b.inSyscallMax, this.inSyscall);
    }
  }

  private adjust(state: u8, delta: i32): void {
    if (state == G_RUNNABLE) this.runnable += delta;
    else if (state == G_RUNNING) this.running += delta;
    else if (state == G_SYSCALL) this.inSyscall += delta;
  }

  /** A Metric or Sync event. */
  private gaugeEvent(event: i32): void {
    const kind = load<u8>(column(COL_KIND) + <usize>event);
    const t = load<f64>(column(COL_TIME_F) + (<usize>event << 3));
    if (kind == KIND_SYNC) this.syncs++;
    else this.metric(load<u8>(column(COL_TYPE) + <usize>event), <f64>load<u64>(column(COL_A0) + (<usize>event << 3)));
    const b = this.bucket;
    if (b === null || !(t >= this.bucketStart && t < this.bucketEnd)) this.enterBucket(t);
    else this.updateGauges(b);
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

  private newBucket(): MetricBucket {
    const b = new MetricBucket();
    b.heapAlloc = this.allocUnknown ? UNKNOWN : this.heapAlloc;
    b.heapAllocMax = this.allocUnknown ? 0 : this.heapAlloc;
    b.heapGoal = this.goalUnknown ? UNKNOWN : this.heapGoal;
    b.gomaxprocs = this.gomaxprocs;
    b.goroutinesMax = this.goroutines;
    b.runnableMax = this.runnable;
    b.runningMax = this.running;
    b.inSyscallMax = this.inSyscall;
    return b;
  }

  /**
   * The bucket of time t becomes the current one (created, or found after the timeline
   * coarsened), updated with the state as metrics.ts updates a bucket at each event it counts.
   * Between such events only the counts change (gauges change at Metric events, which update
   * them), so the loops update only the counts' maxima per event.
   */
  private enterBucket(t: f64): void {
    const timeline = this.timeline;
    let b = timeline.find(t);
    if (b === null) b = timeline.add(t, this.newBucket(), this.maxPoints);
    this.bucket = b;
    const width = timeline.widthNs;
    this.bucketStart = Math.floor(t / width) * width;
    this.bucketEnd = this.bucketStart + width;
    // Past 2^53 the bounds may be inexact: look the bucket up every time instead.
    if (this.bucketEnd > 9007199254740991) this.bucketEnd = this.bucketStart;
    this.updateGauges(b);
    b.goroutinesMax = max(b.goroutinesMax, this.goroutines);
    b.runnableMax = max(b.runnableMax, this.runnable);
    b.runningMax = max(b.runningMax, this.running);
    b.inSyscallMax = max(b.inSyscallMax, this.inSyscall);
  }

  private updateGauges(b: MetricBucket): void {
    if (this.allocUnknown) {
      b.heapAlloc = UNKNOWN;
      b.allocUnknown = true;
    } else {
      b.heapAlloc = this.heapAlloc;
      if (this.heapAlloc > b.heapAllocMax) b.heapAllocMax = this.heapAlloc;
    }
    b.heapGoal = this.goalUnknown ? UNKNOWN : this.heapGoal;
    b.gomaxprocs = this.gomaxprocs;
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
  unchecked((out[5] = <f64>b.goroutinesMax));
  unchecked((out[6] = <f64>b.runnableMax));
  unchecked((out[7] = <f64>b.runningMax));
  unchecked((out[8] = <f64>b.inSyscallMax));
  unchecked((out[9] = <f64>b.allocUnknown));
  return changetype<usize>(out);
}
