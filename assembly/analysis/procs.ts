// Procs kernel: per-P busy time over time buckets, runnable-while-idle time, and how running slices
// ended (src/analysis/procs.ts, ProcsAnalyzer, whose state this reproduces exactly; JavaScript
// reads it out with the exports at the end).
import { COL_A0, COL_FROM, COL_KIND, COL_P, COL_REASON, COL_RES_ID, COL_RES_KIND, COL_TIME_F, COL_TO, COL_TYPE } from '../columns';
import { G_NOT_EXIST, G_RUNNABLE, G_RUNNING, G_SYSCALL, G_WAITING, P_IDLE } from '../order';
import { EV_PROCS_CHANGE, KIND_METRIC, KIND_STATE_TRANSITION, KIND_SYNC } from '../specs';
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
  whileIdleByRunnable: F64Column = new F64Column();
  timeline: Timeline<ProcBucket> = new Timeline<ProcBucket>();
  preemptedSlices: Histogram = new Histogram();
  sliceEnds: StaticArray<f64> = new StaticArray<f64>(5);
  longSliceGoroutines: Set<f64> = new Set<f64>();
  /** The same goroutine ids in the order they were added, for JavaScript to read. */
  longSliceIds: F64Column = new F64Column();
  longPreemptedCount: f64 = 0;
  longPreemptedNs: f64 = 0;

  // Each P's busy intervals come in time order: its current bucket, with the key and width it
  // was found for (the JavaScript analyzer's cache, same invalidation).
  bucketKey: F64Column = new F64Column();
  bucketWidth: F64Column = new F64Column();
  bucket: Array<ProcBucket | null> = new Array<ProcBucket | null>();

  constructor(maxPoints: i32, preempted: i32) {
    this.maxPoints = maxPoints;
    this.preempted = preempted;
  }

  /** Forgets what the part accumulated; the Ps' and goroutines' current state carries on. */
  beginPart(): void {
    this.firstTime = 0;
    this.runnableWhileIdleNs = 0;
    this.idleProcWithWorkNs = 0;
    this.gomaxprocsMax = 0;
    this.busyNs = new F64Column();
    this.whileIdleByRunnable = new F64Column();
    this.timeline = new Timeline<ProcBucket>();
    this.preemptedSlices = new Histogram();
    this.sliceEnds = new StaticArray<f64>(5);
    this.longSliceGoroutines = new Set<f64>();
    this.longSliceIds = new F64Column();
    this.longPreemptedCount = 0;
    this.longPreemptedNs = 0;
    this.bucketKey = new F64Column();
    this.bucketWidth = new F64Column();
    this.bucket = new Array<ProcBucket | null>();
  }

  /** Classifies how a running slice of `length` ns of `goroutine` ended (`to`: its next state). */
  endSlice(goroutine: f64, to: u8, preempted: bool, length: f64): void {
    const ends = this.sliceEnds;
    if (to == G_RUNNABLE) {
      if (!preempted) {
        unchecked((ends[END_YIELDED] += 1));
        return;
      }
      unchecked((ends[END_PREEMPTED] += 1));
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
    } else if (to == G_WAITING) unchecked((ends[END_BLOCKED] += 1));
    else if (to == G_SYSCALL) unchecked((ends[END_SYSCALL] += 1));
    else if (to == G_NOT_EXIST) unchecked((ends[END_EXITED] += 1));
  }

  /** Adds busy time of P `p` over [from, to), split across buckets (procs.ts addBusy). */
  addBusy(p: i32, from: f64, to: f64): void {
    const busyNs = this.busyNs;
    busyNs.ensure(p);
    busyNs.set(p, busyNs.get(p) + (to - from));
    const timeline = this.timeline;
    let t = from;
    while (t < to) {
      const width = timeline.widthNs;
      const end = min(to, (Math.floor(t / width) + 1) * width);
      const key = Math.floor(t / width);
      while (this.bucket.length <= p) this.bucket.push(null);
      this.bucketKey.ensure(p);
      this.bucketWidth.ensure(p);
      let bucket = unchecked(this.bucket[p]);
      if (bucket === null || key != this.bucketKey.get(p) || width != this.bucketWidth.get(p)) {
        bucket = timeline.find(t);
        if (bucket === null) bucket = timeline.add(t, new ProcBucket(), this.maxPoints);
        unchecked((this.bucket[p] = bucket));
        this.bucketWidth.set(p, timeline.widthNs);
        this.bucketKey.set(p, Math.floor(t / timeline.widthNs));
      }
      const busy = bucket.busy;
      busy.ensure(p);
      busy.set(p, busy.get(p) + (end - t));
      t = end;
    }
  }

  /** Whether the reason of transition `event` is "preempted". */
  private reasonIsPreempted(event: i32, id: f64): bool {
    if (id == 0) return false; // ""
    let global = this.reasons.get(id);
    if (global == ABSENT) {
      global = hostReason(this.owner, event);
      this.reasons.set(id, global);
    }
    return global == this.preempted;
  }

  consume(from: i32, count: i32): void {
    const end = rowsEnd(from, count);
    const times = column(COL_TIME_F);
    const kinds = column(COL_KIND);
    for (let i = from; i < end; i++) {
      const t = load<f64>(times + (<usize>i << 3));
      if (this.firstTime == 0) this.firstTime = t;
      const runnable = this.runnable;
      const idle = this.idle;
      if (this.lastTime != 0 && runnable > 0 && idle > 0) {
        const dt = t - this.lastTime;
        this.runnableWhileIdleNs += dt;
        this.idleProcWithWorkNs += dt * <f64>min(runnable, idle);
        const k = 31 - <i32>clz(runnable);
        const byRunnable = this.whileIdleByRunnable;
        byRunnable.ensure(k);
        byRunnable.set(k, byRunnable.get(k) + dt);
      }
      this.lastTime = t;
      const kind = load<u8>(kinds + <usize>i);
      if (kind == KIND_STATE_TRANSITION) this.transition(i, t);
      else if (kind == KIND_METRIC) {
        if (load<u8>(column(COL_TYPE) + <usize>i) == EV_PROCS_CHANGE) {
          this.gomaxprocsMax = max(this.gomaxprocsMax, <f64>load<u64>(column(COL_A0) + (<usize>i << 3)));
        }
      } else if (kind == KIND_SYNC) this.reasons.reset();
    }
  }

  @inline private transition(i: i32, t: f64): void {
    const from = load<u8>(column(COL_FROM) + <usize>i);
    const to = load<u8>(column(COL_TO) + <usize>i);
    if (from == to) return;
    const resourceKind = load<u8>(column(COL_RES_KIND) + <usize>i);
    if (resourceKind == RESOURCE_GOROUTINE) {
      if (from == G_RUNNABLE) this.runnable--;
      if (to == G_RUNNABLE) this.runnable++;
      const pf = load<f64>(column(COL_P) + (<usize>i << 3));
      if (pf < 0) return;
      const p = <i32>pf;
      const busySince = this.busySince;
      if (to == G_RUNNING) {
        busySince.ensure(p);
        busySince.set(p, t);
      } else if (from == G_RUNNING) {
        busySince.ensure(p);
        const since = busySince.get(p);
        if (since != 0) {
          this.addBusy(p, since, t);
          const preempted = to == G_RUNNABLE && this.reasonIsPreempted(i, load<f64>(column(COL_REASON) + (<usize>i << 3)));
          this.endSlice(load<f64>(column(COL_RES_ID) + (<usize>i << 3)), to, preempted, t - since);
        }
        busySince.set(p, 0);
      }
    } else if (resourceKind == RESOURCE_PROC) {
      if (from == P_IDLE) this.idle--;
      if (to == P_IDLE) this.idle++;
      this.procStates.set(load<f64>(column(COL_RES_ID) + (<usize>i << 3)), to);
    }
  }
}

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
const scalars = new StaticArray<f64>(20);

/** Address of the scalars, filled now. */
export function procsScalars(handle: i32): usize {
  const s = changetype<Procs>(procs.get(handle));
  const h = s.preemptedSlices;
  const out = scalars;
  unchecked((out[0] = s.timeline.widthNs));
  unchecked((out[1] = <f64>s.idle));
  unchecked((out[2] = <f64>s.runnable));
  unchecked((out[3] = s.runnableWhileIdleNs));
  unchecked((out[4] = s.lastTime));
  unchecked((out[5] = s.firstTime));
  unchecked((out[6] = s.gomaxprocsMax));
  unchecked((out[7] = s.idleProcWithWorkNs));
  unchecked((out[8] = h.count));
  unchecked((out[9] = h.total));
  unchecked((out[10] = h.min));
  unchecked((out[11] = h.max));
  for (let k = 0; k < 5; k++) unchecked((out[12 + k] = s.sliceEnds[k]));
  unchecked((out[17] = <f64>s.longSliceIds.length));
  unchecked((out[18] = s.longPreemptedCount));
  unchecked((out[19] = s.longPreemptedNs));
  return changetype<usize>(out);
}

/** Column `which` (PROCS_COLUMNS in src/analysis/kernels/procs.ts). */
function procsColumnOf(s: Procs, which: i32): F64Column {
  switch (which) {
    case 0: return s.busyNs;
    case 1: return s.busySince;
    case 2: return s.whileIdleByRunnable;
    case 3: return s.preemptedSlices.buckets;
    case 4: return s.longSliceIds;
    case 5: return s.procStates.dense;
    case 6: return s.procStates.sparseIds;
    default: return s.procStates.sparseStates;
  }
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
