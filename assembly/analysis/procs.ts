// Procs kernel: per-P busy time over time buckets, runnable-while-idle time, and how running slices
// ended (src/analysis/procs.ts, ProcsAnalyzer, whose state this reproduces exactly; JavaScript
// reads it out with the exports at the end).
import { COL_A0, COL_FROM, COL_KIND, COL_P, COL_REASON, COL_RES_ID, COL_RES_KIND, COL_TIME_F, COL_TO, COL_TYPE } from '../columns';
import { G_NOT_EXIST, G_RUNNABLE, G_RUNNING, G_SYSCALL, G_WAITING, P_IDLE } from '../order';
import { EV_PROCS_CHANGE, KIND_METRIC, KIND_SYNC } from '../specs';
import { Histogram } from './histogram';
import { ABSENT, F64Column, IdCache, Registry, column, hostReason, rowsEnd } from './kernel';
import { Timeline } from './timeline';

/** runtime.forcePreemptNS (see FORCED_PREEMPTION_NS in procs.ts). */
const FORCED_PREEMPTION_NS: f64 = 10_000_000;
/** Most goroutines remembered individually for longSliceGoroutines (the count goes on). */
const MAX_LONG_SLICE_GOROUTINES: i32 = 10_000;
const RESOURCE_GOROUTINE: u8 = 1;
const RESOURCE_PROC: u8 = 2;

/** Busy ns per P within one time bucket (index = P id). */
class ProcBucket {
  readonly busy: F64Column = new F64Column(8);

  /** procs.ts combine(): per-P sums, as long as the longer of the two. */
  absorb(later: ProcBucket): void {
    const busy = this.busy;
    for (let p = 0; p < later.busy.length; p++) {
      busy.ensure(p);
      busy.set(p, busy.get(p) + later.busy.get(p));
    }
  }
}

/** State of each P seen (procState: P id -> ProcState): P ids are small, kept dense. */
class ProcStates {
  /** By P id below DENSE_PROCS: its state, -1 if never seen. */
  readonly dense: F64Column = new F64Column(16);
  /** Any other id (never seen in real traces): ids and states side by side. */
  readonly sparseIds: F64Column = new F64Column(1);
  readonly sparseStates: F64Column = new F64Column(1);
  private readonly sparseIndex: Map<f64, i32> = new Map<f64, i32>();

  set(p: f64, state: u8): void {
    if (p >= 0 && p < DENSE_PROCS && <f64>(<i32>p) == p) {
      const i = <i32>p;
      const dense = this.dense;
      for (let k = dense.length; k <= i; k++) {
        dense.ensure(k);
        dense.set(k, -1);
      }
      dense.set(i, <f64>state);
      return;
    }
    let at = this.sparseIndex.has(p) ? this.sparseIndex.get(p) : -1;
    if (at < 0) {
      at = this.sparseIds.length;
      this.sparseIndex.set(p, at);
      this.sparseIds.ensure(at);
      this.sparseIds.set(at, p);
      this.sparseStates.ensure(at);
    }
    this.sparseStates.set(at, <f64>state);
  }
}

const DENSE_PROCS: f64 = 65536;

/** How running slices ended: indices into Procs.sliceEnds (the SliceEnds fields in order). */
const END_PREEMPTED: i32 = 0;
const END_YIELDED: i32 = 1;
const END_BLOCKED: i32 = 2;
const END_SYSCALL: i32 = 3;
const END_EXITED: i32 = 4;
/** The other states a slice cannot end in (counted nowhere). */
const END_NONE: i32 = 5;

/** procs.ts endSlice(): the end of a slice by the goroutine's next state (preemption aside). */
const END_BY_STATE = new StaticArray<i32>(256);
END_BY_STATE.fill(END_NONE);
END_BY_STATE[G_RUNNABLE] = END_YIELDED;
END_BY_STATE[G_WAITING] = END_BLOCKED;
END_BY_STATE[G_SYSCALL] = END_SYSCALL;
END_BY_STATE[G_NOT_EXIST] = END_EXITED;

/**
 * What scan() does for a transition of a resource (resource kind << 6 | from << 3 | to; states
 * below 8): RUNNABLE_UP / RUNNABLE_DOWN change the runnable count, STARTS / STOPS a goroutine
 * starts or stops running (on the event's P), SPECIAL leaves it to consume() (a P's transition).
 */
const TRANSITION_ACTIONS = new StaticArray<u8>(256);
const RUNNABLE_UP: u32 = 1;
const RUNNABLE_DOWN: u32 = 2;
const STARTS: u32 = 4;
const STOPS: u32 = 8;
const SPECIAL: u32 = 16;
for (let from: u8 = 0; from < 8; from++) {
  for (let to: u8 = 0; to < 8; to++) {
    if (from == to) continue;
    const index = (<i32>from << 3) | to;
    let goroutine: u32 = 0;
    if (to == G_RUNNABLE) goroutine |= RUNNABLE_UP;
    if (from == G_RUNNABLE) goroutine |= RUNNABLE_DOWN;
    if (to == G_RUNNING) goroutine |= STARTS;
    else if (from == G_RUNNING) goroutine |= STOPS;
    TRANSITION_ACTIONS[(RESOURCE_GOROUTINE << 6) | index] = <u8>goroutine;
    TRANSITION_ACTIONS[(RESOURCE_PROC << 6) | index] = <u8>SPECIAL;
  }
}

/**
 * A P id from the context column (an integer-valued f64, -1 for none) as an i32: adding
 * 1.5 * 2^52 puts the integer in the low bits of the double, cheaper than a checked conversion.
 */
@inline function procId(p: f64): i32 {
  return <i32>reinterpret<u64>(p + 6755399441055744.0);
}

/** Global string id no reason has: the cached answer for reason id 0 (""). */
const NO_REASON: i32 = -1;

class Procs {
  /** This instance's handle (the callbacks' owner). */
  owner: i32 = 0;
  readonly maxPoints: i32;
  /** Global string id of "preempted" (the reasons' ids come from JavaScript's interning). */
  readonly preempted: i32;
  /** Generation-local reason string id -> global id. */
  readonly reasons: IdCache = new IdCache();

  // Carried from part to part (see resetProcs in procs.ts).
  /** P -> time its current goroutine started running (0: not running one). */
  busySince: F64Column = new F64Column();
  procStates: ProcStates = new ProcStates();
  idle: i32 = 0;
  runnable: i32 = 0;
  lastTime: f64 = 0;

  // Accumulated by a part.
  firstTime: f64 = 0;
  runnableWhileIdleNs: f64 = 0;
  idleProcWithWorkNs: f64 = 0;
  gomaxprocsMax: f64 = 0;
  busyNs: F64Column = new F64Column();
  /** Indexed by floor(log2(runnable goroutines)), so within its 32 entries. */
  whileIdleByRunnable: F64Column = new F64Column(32);
  timeline: Timeline<ProcBucket> = new Timeline<ProcBucket>();
  preemptedSlices: Histogram = new Histogram();
  /** By END_*. */
  sliceEnds: StaticArray<f64> = new StaticArray<f64>(5);
  longSliceGoroutines: Set<f64> = new Set<f64>();
  /** The same goroutine ids in the order they were added, for JavaScript to read. */
  longSliceIds: F64Column = new F64Column();
  longPreemptedCount: f64 = 0;
  longPreemptedNs: f64 = 0;

  // Each P's busy intervals come in time order: per P, the bucket its last interval went to, the
  // times that bucket holds [cachedStart, cachedEnd) and the width it was found at. An interval
  // within them is one add; JavaScript's analyzer keeps the same cache by bucket key.
  cachedBucket: StaticArray<ProcBucket | null> = new StaticArray<ProcBucket | null>(0);
  cachedStart: StaticArray<f64> = new StaticArray<f64>(0);
  cachedEnd: StaticArray<f64> = new StaticArray<f64>(0);
  cachedWidth: StaticArray<f64> = new StaticArray<f64>(0);

  // Running slices that ended in the rows being consumed: the row and when the slice began.
  endedRows: StaticArray<i32> = new StaticArray<i32>(0);
  endedSince: StaticArray<f64> = new StaticArray<f64>(0);
  ended: i32 = 0;
  /** Rows scan() went over where a goroutine started or stopped running. */
  touchRows: StaticArray<i32> = new StaticArray<i32>(0);
  /**
   * Waiting time is accounted up to this time (see flushWaiting), at this row of the batch being
   * consumed (-1: before it).
   */
  accounted: f64 = 0;
  accountedRow: i32 = -1;

  constructor(maxPoints: i32, preempted: i32) {
    this.maxPoints = maxPoints;
    this.preempted = preempted;
    this.reasons.set(0, NO_REASON);
  }

  /** Forgets what the part accumulated; the Ps' and goroutines' current state carries on. */
  beginPart(): void {
    this.firstTime = 0;
    this.runnableWhileIdleNs = 0;
    this.idleProcWithWorkNs = 0;
    this.gomaxprocsMax = 0;
    this.busyNs = new F64Column();
    this.whileIdleByRunnable = new F64Column(32);
    this.timeline = new Timeline<ProcBucket>();
    this.preemptedSlices = new Histogram();
    this.sliceEnds = new StaticArray<f64>(5);
    this.longSliceGoroutines = new Set<f64>();
    this.longSliceIds = new F64Column();
    this.longPreemptedCount = 0;
    this.longPreemptedNs = 0;
    this.cachedBucket = new StaticArray<ProcBucket | null>(0);
    this.cachedStart = new StaticArray<f64>(0);
    this.cachedEnd = new StaticArray<f64>(0);
    this.cachedWidth = new StaticArray<f64>(0);
  }

  // The per-event work runs in loops without calls (a call in a loop makes V8 keep the loop's
  // values on the stack, which measured 2-3x slower), branch-free where the outcome flips from
  // event to event; each loop stops at what it leaves to its caller (rare events, cache misses),
  // which handles it the way procs.ts does.

  consume(from: i32, count: i32): void {
    const end = rowsEnd(from, count);
    if (end <= from) return;
    if (this.endedRows.length < end - from) {
      this.endedRows = new StaticArray<i32>(end - from);
      this.endedSince = new StaticArray<f64>(end - from);
      this.touchRows = new StaticArray<i32>(end - from);
    }
    const times = column(COL_TIME_F);
    const kinds = column(COL_KIND);
    // The first event with a nonzero time (times only increase: the first row, unless at 0).
    for (let i = from; i < end && this.firstTime == 0; i++) this.firstTime = load<f64>(times + (<usize>i << 3));
    this.accounted = this.lastTime;
    this.accountedRow = -1;
    let i = from;
    while (i < end) {
      i = this.scan(i, end);
      if (i == end) break;
      const kind = load<u8>(kinds + <usize>i);
      if (kind == KIND_SYNC) {
        // Reason ids are per generation: classify the slices that ended before it first.
        this.endSlices();
        this.reasons.reset();
        this.reasons.set(0, NO_REASON);
      } else if (kind == KIND_METRIC) this.metric(i);
      else this.transition(i);
      i++;
    }
    this.endSlices();
    const last = load<f64>(times + (<usize>(end - 1) << 3));
    // The stretch after the last change, if an event came after it (procs.ts accounts at events).
    if (this.accountedRow != end - 1) this.flushWaiting(last, end - 1);
    this.lastTime = last;
  }

  /**
   * Goroutine transitions of rows [from, end) up to the first event it leaves to consume()
   * (returned; `end` if none): Syncs, Metrics, proc transitions. The runnable count here; the
   * goroutines that start or stop running are listed for runSlices().
   */
  private scan(from: i32, end: i32): i32 {
    const times = column(COL_TIME_F);
    const kinds = column(COL_KIND);
    const froms = column(COL_FROM);
    const tos = column(COL_TO);
    const resourceKinds = column(COL_RES_KIND);
    const actions = changetype<usize>(TRANSITION_ACTIONS);
    const touchRows = changetype<usize>(this.touchRows);
    // Idle Ps change only at proc transitions, which end the loop.
    const someIdle = this.idle > 0;
    let runnable = this.runnable;
    let touches = 0;
    let i = from;
    for (; i < end; i++) {
      const kind = load<u8>(kinds + <usize>i);
      if (<u32>(kind - KIND_SYNC) < 2) break; // a Sync or a Metric
      const resourceKind = <u32>load<u8>(resourceKinds + <usize>i);
      const fromState = <u32>load<u8>(froms + <usize>i);
      const toState = <u32>load<u8>(tos + <usize>i);
      // Other events than transitions have from = to = 0: no action.
      if (((resourceKind >> 2) | ((fromState | toState) >> 3)) != 0) break; // beyond the table
      const action = <u32>load<u8>(actions + ((resourceKind << 6) | (fromState << 3) | toState));
      if (action & SPECIAL) break;
      const runnableChange = <i32>(action & RUNNABLE_UP) - <i32>((action >> 1) & 1);
      if (someIdle & (runnableChange != 0)) {
        this.runnable = runnable;
        this.flushWaitingInline(load<f64>(times + (<usize>i << 3)), i);
      }
      runnable += runnableChange;
      // Listed without a branch: stored always, counted if the goroutine starts or stops running.
      store<i32>(touchRows + (<usize>touches << 2), i);
      touches += i32((action & (STARTS | STOPS)) != 0);
    }
    this.runnable = runnable;
    for (let k = 0; k < touches; ) {
      k = this.runSlices(k, touches);
      if (k < touches) this.busySince.ensure(procId(load<f64>(column(COL_P) + (<usize>unchecked(this.touchRows[k]) << 3))));
    }
    return i;
  }

  /**
   * The goroutines scan() listed as starting or stopping running, from the k-th up to the first
   * on a P beyond busySince's room (returned; `touches` if none): busySince, and the slices that
   * ended listed for endSlices(). A loop of its own: stores and loads of busySince in the loop
   * over all events made the CPU mispredict which load reads which store.
   */
  private runSlices(k: i32, touches: i32): i32 {
    const times = column(COL_TIME_F);
    const tos = column(COL_TO);
    const procs = column(COL_P);
    const busySince = this.busySince.pointer();
    const room = this.busySince.data.length;
    let length = this.busySince.length;
    const endedRows = changetype<usize>(this.endedRows);
    const endedSince = changetype<usize>(this.endedSince);
    let ended = this.ended;
    for (; k < touches; k++) {
      const i = unchecked(this.touchRows[k]);
      const p = procId(load<f64>(procs + (<usize>i << 3)));
      if (p < 0) continue; // procs.ts: not on a P
      if (p >= room) break;
      // busySince grows as procs.ts's array does: to the highest P a goroutine started or stopped on.
      length = max(length, p + 1);
      const slot = busySince + (<usize>p << 3);
      const since = load<f64>(slot);
      const starts = load<u8>(tos + <usize>i) == G_RUNNING;
      // t when the goroutine starts running, 0 when it stops.
      store<u64>(slot, reinterpret<u64>(load<f64>(times + (<usize>i << 3))) & -<u64>starts);
      store<i32>(endedRows + (<usize>ended << 2), i);
      store<f64>(endedSince + (<usize>ended << 3), since);
      ended += i32(!starts & (since != 0));
    }
    this.busySince.length = length;
    this.ended = ended;
    return k;
  }

  // Waiting time (runnable goroutines while a P idles) changes only where the runnable or idle
  // count does, so it is added per stretch between such events, not per event as procs.ts does:
  // the same integer sums (exact below 2^53).

  /** Adds the stretch up to time t (row `row`) if work waited over it, and starts the next. */
  @inline private flushWaitingInline(t: f64, row: i32): void {
    const runnable = this.runnable;
    const idle = this.idle;
    if ((this.accounted != 0) & (runnable > 0) & (idle > 0)) {
      const dt = t - this.accounted;
      this.runnableWhileIdleNs += dt;
      this.idleProcWithWorkNs += dt * <f64>min(runnable, idle);
      // k < 32: whileIdleByRunnable has room for it (no call to grow it here).
      const k = 31 - <i32>clz(runnable);
      const byRunnable = this.whileIdleByRunnable;
      byRunnable.set(k, byRunnable.get(k) + dt);
      if (k >= byRunnable.length) byRunnable.length = k + 1;
    }
    this.accounted = t;
    this.accountedRow = row;
  }

  /** flushWaitingInline() for the paths outside the loops. */
  private flushWaiting(t: f64, row: i32): void {
    this.flushWaitingInline(t, row);
  }

  /** Metric event `event`: GOMAXPROCS is the one read. */
  private metric(event: i32): void {
    if (load<u8>(column(COL_TYPE) + <usize>event) == EV_PROCS_CHANGE) {
      this.gomaxprocsMax = max(this.gomaxprocsMax, <f64>load<u64>(column(COL_A0) + (<usize>event << 3)));
    }
  }

  /** State transition `event` of a P, or of states beyond the table: as procs.ts handles any. */
  private transition(event: i32): void {
    const from = load<u8>(column(COL_FROM) + <usize>event);
    const to = load<u8>(column(COL_TO) + <usize>event);
    if (from == to) return;
    const resourceKind = load<u8>(column(COL_RES_KIND) + <usize>event);
    if (resourceKind == RESOURCE_PROC) this.procTransition(event);
    if (resourceKind != RESOURCE_GOROUTINE) return;
    const t = load<f64>(column(COL_TIME_F) + (<usize>event << 3));
    const runnable = i32(to == G_RUNNABLE) - i32(from == G_RUNNABLE);
    if (runnable != 0) {
      this.flushWaiting(t, event);
      this.runnable += runnable;
    }
    const p = procId(load<f64>(column(COL_P) + (<usize>event << 3)));
    if (p < 0) return;
    const busySince = this.busySince;
    if (to == G_RUNNING) {
      busySince.ensure(p);
      busySince.set(p, t);
    } else if (from == G_RUNNING) {
      busySince.ensure(p);
      const since = busySince.get(p);
      if (since != 0) {
        // After the slices listed before it (buckets are made in time order).
        unchecked((this.endedRows[this.ended] = event));
        unchecked((this.endedSince[this.ended] = since));
        this.ended++;
        this.endSlices();
      }
      busySince.set(p, 0);
    }
  }

  /** State transition `event` of a P. */
  private procTransition(event: i32): void {
    const from = load<u8>(column(COL_FROM) + <usize>event);
    const to = load<u8>(column(COL_TO) + <usize>event);
    if (from == to) return;
    const idle = i32(to == P_IDLE) - i32(from == P_IDLE);
    if (idle != 0) {
      this.flushWaiting(load<f64>(column(COL_TIME_F) + (<usize>event << 3)), event);
      this.idle += idle;
    }
    this.procStates.set(load<f64>(column(COL_RES_ID) + (<usize>event << 3)), to);
  }

  /** Slices listed by scan(): busy time and how each ended (procs.ts addBusy, endSlice). */
  private endSlices(): void {
    let k = 0;
    while (k < this.ended) {
      k = this.endSlicesCommon(k);
      if (k < this.ended) this.endSlice(k++);
    }
    this.ended = 0;
  }

  /**
   * Slices k, k + 1, ... up to the first it leaves to endSlice() (returned): one whose busy
   * time leaves its P's cached bucket, whose P is beyond busyNs, whose reason is not cached, or
   * that was preempted.
   */
  private endSlicesCommon(from: i32): i32 {
    const times = column(COL_TIME_F);
    const tos = column(COL_TO);
    const procs = column(COL_P);
    const reasons = column(COL_REASON);
    const busyNs = this.busyNs.pointer();
    const busyNsLength = this.busyNs.length;
    const cachedProcs = this.cachedBucket.length;
    const width = this.timeline.widthNs;
    // Counts by END_* in locals (a counter in memory incremented slice after slice waits for its
    // previous store).
    let yielded = 0;
    let blocked = 0;
    let syscall = 0;
    let exited = 0;
    let k = from;
    for (; k < this.ended; k++) {
      const i = unchecked(this.endedRows[k]);
      const since = unchecked(this.endedSince[k]);
      const t = load<f64>(times + (<usize>i << 3));
      const p = procId(load<f64>(procs + (<usize>i << 3)));
      const to = load<u8>(tos + <usize>i);
      if (p >= busyNsLength || p >= cachedProcs) break;
      const bucket = unchecked(this.cachedBucket[p]);
      // Busy time within p's cached bucket (procs.ts adds nothing to buckets for since >= t).
      const inBucket = since >= t || (bucket !== null && since >= unchecked(this.cachedStart[p]) && t <= unchecked(this.cachedEnd[p]) && unchecked(this.cachedWidth[p]) == width);
      if (!inBucket) break;
      // Only a stop to Runnable has its reason read: only sysmon's and the GC's preemptions say
      // "preempted"; runtime.Gosched (and any other voluntary stop) gives up the P on purpose.
      const reason = select<i32>(this.reasons.getDense(load<f64>(reasons + (<usize>i << 3))), NO_REASON, to == G_RUNNABLE);
      if ((reason == ABSENT) | (reason == this.preempted)) break;
      const at = busyNs + (<usize>p << 3);
      store<f64>(at, load<f64>(at) + (t - since));
      if (since < t) {
        const busy = changetype<ProcBucket>(bucket).busy;
        busy.set(p, busy.get(p) + (t - since));
      }
      const end = unchecked(END_BY_STATE[to]);
      yielded += i32(end == END_YIELDED);
      blocked += i32(end == END_BLOCKED);
      syscall += i32(end == END_SYSCALL);
      exited += i32(end == END_EXITED);
    }
    const ends = this.sliceEnds;
    unchecked((ends[END_YIELDED] += <f64>yielded));
    unchecked((ends[END_BLOCKED] += <f64>blocked));
    unchecked((ends[END_SYSCALL] += <f64>syscall));
    unchecked((ends[END_EXITED] += <f64>exited));
    return k;
  }

  /** Slice k of the list, any case. */
  private endSlice(k: i32): void {
    const i = unchecked(this.endedRows[k]);
    const since = unchecked(this.endedSince[k]);
    const t = load<f64>(column(COL_TIME_F) + (<usize>i << 3));
    const to = load<u8>(column(COL_TO) + <usize>i);
    this.addBusy(<i32>load<f64>(column(COL_P) + (<usize>i << 3)), since, t);
    let preempted = false;
    if (to == G_RUNNABLE) {
      const id = load<f64>(column(COL_REASON) + (<usize>i << 3));
      let reason = this.reasons.get(id);
      if (reason == ABSENT) {
        reason = hostReason(this.owner, i);
        this.reasons.set(id, reason);
      }
      preempted = reason == this.preempted;
    }
    const end = preempted ? END_PREEMPTED : unchecked(END_BY_STATE[to]);
    if (end != END_NONE) unchecked((this.sliceEnds[end] += 1));
    if (preempted) this.recordPreempted(load<f64>(column(COL_RES_ID) + (<usize>i << 3)), t - since);
  }

  /** A running slice of `goroutine` of `length` ns ended by preemption. */
  private recordPreempted(goroutine: f64, length: f64): void {
    this.preemptedSlices.record(length);
    if (length >= FORCED_PREEMPTION_NS) {
      this.longPreemptedCount++;
      this.longPreemptedNs += length;
      if (!this.longSliceGoroutines.has(goroutine) && this.longSliceIds.length < MAX_LONG_SLICE_GOROUTINES) {
        this.longSliceGoroutines.add(goroutine);
        const at = this.longSliceIds.length;
        this.longSliceIds.ensure(at);
        this.longSliceIds.set(at, goroutine);
      }
    }
  }

  /** Adds busy time of P `p` over [from, to), split across buckets (procs.ts addBusy). */
  private addBusy(p: i32, from: f64, to: f64): void {
    const busyNs = this.busyNs;
    busyNs.ensure(p);
    busyNs.set(p, busyNs.get(p) + (to - from));
    if (p >= this.cachedBucket.length) this.growProcCache(p);
    const timeline = this.timeline;
    let t = from;
    while (t < to) {
      const width = timeline.widthNs;
      const end = min(to, (Math.floor(t / width) + 1) * width);
      let bucket = unchecked(this.cachedBucket[p]);
      if (bucket === null || !(t >= unchecked(this.cachedStart[p]) && t < unchecked(this.cachedEnd[p])) || width != unchecked(this.cachedWidth[p])) {
        bucket = timeline.find(t);
        if (bucket === null) bucket = timeline.add(t, new ProcBucket(), this.maxPoints);
        const found = timeline.widthNs;
        const start = Math.floor(t / found) * found;
        unchecked((this.cachedBucket[p] = bucket));
        unchecked((this.cachedWidth[p] = found));
        unchecked((this.cachedStart[p] = start));
        // Past 2^53 the bounds may be inexact: look the bucket up every time instead.
        unchecked((this.cachedEnd[p] = start + found > MAX_SAFE_INTEGER ? start : start + found));
      }
      const busy = bucket.busy;
      busy.ensure(p);
      busy.set(p, busy.get(p) + (end - t));
      t = end;
    }
  }

  private growProcCache(p: i32): void {
    const n = max(p + 1, this.cachedBucket.length * 2);
    const buckets = new StaticArray<ProcBucket | null>(n);
    const starts = new StaticArray<f64>(n);
    const ends = new StaticArray<f64>(n);
    const widths = new StaticArray<f64>(n);
    for (let k = 0; k < this.cachedBucket.length; k++) {
      unchecked((buckets[k] = this.cachedBucket[k]));
      unchecked((starts[k] = this.cachedStart[k]));
      unchecked((ends[k] = this.cachedEnd[k]));
      unchecked((widths[k] = this.cachedWidth[k]));
    }
    this.cachedBucket = buckets;
    this.cachedStart = starts;
    this.cachedEnd = ends;
    this.cachedWidth = widths;
  }
}

/** Number.MAX_SAFE_INTEGER: bucket bounds above it may be inexact. */
const MAX_SAFE_INTEGER: f64 = 9007199254740991;

const procs = new Registry<Procs>();

/** A new instance; `preempted` is the global string id of "preempted". */
export function procsCreate(maxPoints: i32, preempted: i32): i32 {
  const instance = new Procs(maxPoints, preempted);
  instance.owner = procs.add(instance);
  return instance.owner;
}

export function procsRelease(handle: i32): void {
  procs.release(handle);
}

/** Adds rows [from, from + count) of the columns; false for an unknown handle. */
export function procsConsume(handle: i32, from: i32, count: i32): bool {
  const instance = procs.get(handle);
  if (instance === null) return false;
  instance.consume(from, count);
  return true;
}

export function procsBeginPart(handle: i32): void {
  const instance = procs.get(handle);
  if (instance !== null) instance.beginPart();
}

// ---- Reading the state out (JavaScript builds ProcsState from these) ----

/** The scalar fields, in the order of PROCS_SCALARS in src/analysis/kernels/procs.ts. */
const scalars = new StaticArray<f64>(16);

/** Address of the scalars, filled now. */
export function procsScalars(handle: i32): usize {
  const s = changetype<Procs>(procs.get(handle));
  const out = scalars;
  unchecked((out[0] = s.timeline.widthNs));
  unchecked((out[1] = <f64>s.idle));
  unchecked((out[2] = <f64>s.runnable));
  unchecked((out[3] = s.runnableWhileIdleNs));
  unchecked((out[4] = s.lastTime));
  unchecked((out[5] = s.firstTime));
  unchecked((out[6] = s.gomaxprocsMax));
  unchecked((out[7] = s.idleProcWithWorkNs));
  for (let k = 0; k < 5; k++) unchecked((out[8 + k] = s.sliceEnds[k]));
  unchecked((out[13] = <f64>s.longSliceIds.length));
  unchecked((out[14] = s.longPreemptedCount));
  unchecked((out[15] = s.longPreemptedNs));
  return changetype<usize>(out);
}

/** Column `which` (PROCS_COLUMNS in src/analysis/kernels/procs.ts). */
function procsColumnOf(s: Procs, which: i32): F64Column {
  switch (which) {
    case 0: return s.busyNs;
    case 1: return s.busySince;
    case 2: return s.whileIdleByRunnable;
    case 3: return s.longSliceIds;
    case 4: return s.procStates.dense;
    case 5: return s.procStates.sparseIds;
    default: return s.procStates.sparseStates;
  }
}

/** Address of the preempted-slice histogram, for histogramHeader(). */
export function procsPreemptedHistogram(handle: i32): usize {
  return changetype<usize>(changetype<Procs>(procs.get(handle)).preemptedSlices);
}

export function procsColumn(handle: i32, which: i32): usize {
  return procsColumnOf(changetype<Procs>(procs.get(handle)), which).pointer();
}

export function procsColumnLength(handle: i32, which: i32): i32 {
  return procsColumnOf(changetype<Procs>(procs.get(handle)), which).length;
}

export function procsBuckets(handle: i32): i32 {
  return changetype<Procs>(procs.get(handle)).timeline.count;
}

/** Absolute index (time / width) of bucket i. */
export function procsBucketKey(handle: i32, i: i32): f64 {
  return changetype<Procs>(procs.get(handle)).timeline.keys[i];
}

/** Address of bucket i's busy ns per P. */
export function procsBucketBusy(handle: i32, i: i32): usize {
  return changetype<Procs>(procs.get(handle)).timeline.buckets[i].busy.pointer();
}

export function procsBucketProcs(handle: i32, i: i32): i32 {
  return changetype<Procs>(procs.get(handle)).timeline.buckets[i].busy.length;
}
