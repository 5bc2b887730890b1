// MMU kernel: the per-event part of src/analysis/mmu.ts (MmuAnalyzer.consume and everything it
// calls, the WindowedMinimum evaluators fed per change point) and the recording a part that begins
// mid-trace makes (src/analysis/mmu-recording.ts), step for step: the binding
// (src/analysis/kernels/mmu.ts) turns this state into the JavaScript analyzer's partial field for
// field (test/analysis/kernels.test.ts), and the utilisation sums and means are the same f64
// operations in the same order, so bit for bit the same. Read mmu.ts for why each step is there;
// the comments here only say where the kernel differs in form.
//
// Strings stay in JavaScript: the binding's callbacks classify a range name or a label (with the
// flags) and intern it in the binding's own name list, answering (name << 2 | RANGE_*) for ranges
// and (name << 1 | 1 if a background mark worker's label) for labels; cached per generation.
//
// At a merge (mergeMmu), the same class restores a state from the values write() writes (read())
// and replays a mid-trace part's recording on it (replayBlock, replayEnd: MmuAnalyzer.replay), in
// a module of the merging thread's own (src/analysis/kernels/merge-host.ts); JavaScript copies
// the recording in block by block, with each range's or label's class in place of its string
// (test/analysis/mmu-replay.test.ts checks the result against MmuAnalyzer.replay's).
import { COL_A0, COL_FROM, COL_G, COL_KIND, COL_P, COL_RES_ID, COL_RES_KIND, COL_TIME_F, COL_TO, COL_TSTACK, COL_TYPE } from '../columns';
import { G_NOT_EXIST, G_RUNNING, G_SYSCALL, G_UNDETERMINED } from '../order';
import { EV_PROCS_CHANGE, EV_STW_BEGIN, EV_STW_END, KIND_LABEL, KIND_METRIC, KIND_RANGE_ACTIVE, KIND_RANGE_BEGIN, KIND_RANGE_END, KIND_STATE_TRANSITION, KIND_SYNC } from '../specs';
import { ABSENT, F64Column, IdCache, Registry, column, hostLabel, hostRangeName, hostStackRoot, rowsEnd } from './kernel';

/** What a range name counts as under the flags (the binding's answer, low two bits). */
const RANGE_OTHER: i32 = 0;
const RANGE_GC_STW: i32 = 1;
const RANGE_SWEEP: i32 = 2;
const RANGE_ASSIST: i32 = 3;

const UTIL_PER_PROC: i32 = 16;
const UTIL_GO_LABEL_COUNT: i32 = 256; // mmu.ts UTIL_GO_LABEL_COUNT (not a Go flag)
const RESOURCE_GOROUTINE: u8 = 1;

/** MmuRecordKind (mmu-recording.ts); ranges are recorded under their event kind (5, 6, 7). */
const RECORD_SYNC: f64 = 1;
const RECORD_PROCS: f64 = 2;
const RECORD_LABEL: f64 = 3;
const RECORD_TRANSITION: f64 = 13;
/** Records per transition block, and the packed value of a tick (mmu-recording.ts BLOCK, TICK). */
const BLOCK: i32 = 1 << 16;
const TICK: i32 = -1;
const MAX_PACKED_PROC: f64 = <f64>((1 << 22) - 2);
/** mmu.ts SKIP_MARGIN: 2^-40 of the running integral. */
const SKIP_MARGIN: f64 = 9.094947017729282e-13;

@inline function isExecuting(state: u8): bool {
  return state == G_RUNNING || state == G_SYSCALL;
}

// The current batch's columns (set by bindColumns() when a call into the kernel begins).
let kindColumn: usize = 0;
let typeColumn: usize = 0;
let timeColumn: usize = 0;
let a0Column: usize = 0;
let goroutineColumn: usize = 0;
let procColumn: usize = 0;
let resourceKindColumn: usize = 0;
let resourceIdColumn: usize = 0;
let fromColumn: usize = 0;
let toColumn: usize = 0;

function bindColumns(): void {
  kindColumn = column(COL_KIND);
  typeColumn = column(COL_TYPE);
  timeColumn = column(COL_TIME_F);
  a0Column = column(COL_A0);
  goroutineColumn = column(COL_G);
  procColumn = column(COL_P);
  resourceKindColumn = column(COL_RES_KIND);
  resourceIdColumn = column(COL_RES_ID);
  fromColumn = column(COL_FROM);
  toColumn = column(COL_TO);
}

@inline function kindAt(row: i32): u8 {
  return load<u8>(kindColumn + <usize>row);
}
@inline function typeAt(row: i32): u8 {
  return load<u8>(typeColumn + <usize>row);
}
@inline function timeAt(row: i32): f64 {
  return load<f64>(timeColumn + (<usize>row << 3));
}
@inline function a0At(row: i32): f64 {
  return <f64>load<u64>(a0Column + (<usize>row << 3));
}
@inline function goroutineAt(row: i32): f64 {
  return load<f64>(goroutineColumn + (<usize>row << 3));
}
@inline function procAt(row: i32): f64 {
  return load<f64>(procColumn + (<usize>row << 3));
}
@inline function resourceKindAt(row: i32): u8 {
  return load<u8>(resourceKindColumn + <usize>row);
}
@inline function resourceIdAt(row: i32): f64 {
  return load<f64>(resourceIdColumn + (<usize>row << 3));
}
@inline function fromAt(row: i32): u8 {
  return load<u8>(fromColumn + <usize>row);
}
@inline function toAt(row: i32): u8 {
  return load<u8>(toColumn + <usize>row);
}

// Eight rows at a time (bytes of a u64): most events are goroutine transitions that neither start
// nor stop execution, which change nothing (but the last event time), and proc transitions, which
// change nothing at all; a few word operations find the rows that matter.
const LOW_BITS: u64 = 0x0101010101010101;
const HIGH_BITS: u64 = 0x8080808080808080;
const LOW_7_BITS: u64 = 0x7f7f7f7f7f7f7f7f;

/** 0x80 in each byte of `bytes` that equals `value`, 0 in the others (exact: no carries between bytes). */
@inline function bytesEqual(bytes: u64, value: u64): u64 {
  const x = bytes ^ (value * LOW_BITS);
  return ~(((x & LOW_7_BITS) + LOW_7_BITS) | x | LOW_7_BITS);
}

/** 0x80 in the bytes of the 8 rows from `row` that are goroutine transitions. */
@inline function goroutineTransitions(row: i32): u64 {
  return bytesEqual(load<u64>(kindColumn + <usize>row), KIND_STATE_TRANSITION) & bytesEqual(load<u64>(resourceKindColumn + <usize>row), RESOURCE_GOROUTINE);
}

/**
 * 0x80 in the bytes of the 8 rows from `row` that may change something besides the last event
 * time: every event but a transition, goroutine transitions that start or stop execution, and
 * goroutine creations (which may be ordinary goroutines', see Mmu.ordinary).
 */
@inline function rowsThatMatter(row: i32, goroutines: u64): u64 {
  const notTransitions = ~bytesEqual(load<u64>(kindColumn + <usize>row), KIND_STATE_TRANSITION) & HIGH_BITS;
  const from = load<u64>(fromColumn + <usize>row);
  const to = load<u64>(toColumn + <usize>row);
  const executing = (bytesEqual(from, G_RUNNING) | bytesEqual(from, G_SYSCALL)) ^ (bytesEqual(to, G_RUNNING) | bytesEqual(to, G_SYSCALL));
  return notTransitions | (goroutines & (executing | bytesEqual(from, G_NOT_EXIST)));
}

/** The row of the first set byte of `rows` (a mask of 8 rows from `row`). */
@inline function firstRow(row: i32, rows: u64): i32 {
  return row + <i32>(ctz(rows) >> 3);
}

/** The row of the last set byte of `rows`. */
@inline function lastRowOf(row: i32, rows: u64): i32 {
  return row + <i32>((63 - clz(rows)) >> 3);
}

@inline function append(list: F64Column, value: f64): void {
  const n = list.length;
  list.ensure(n);
  list.set(n, value);
}

/** Drops the first `count` values of `list`. */
function dropFront(list: F64Column, count: i32): void {
  const data = list.pointer();
  memory.copy(data, data + (<usize>count << 3), <usize>(list.length - count) << 3);
  list.length -= count;
}

/** JavaScript's `ps[proc]` as an index: -1 unless proc is an index of the `count` Ps. */
@inline function procIndex(proc: f64, count: i32): i32 {
  return proc >= 0 && proc < <f64>count && <f64>(<i32>proc) == proc ? <i32>proc : -1;
}

/** Goroutine ids below this live in the dense arrays below; others (never seen in real traces) in Maps. */
const DENSE_GOROUTINES: f64 = 67108864; // 1 << 26

/** 2^52: adding it to an integer below 2^52 puts the integer in the low bits of the f64. */
const INTEGER_BITS: f64 = 4503599627370496;

/** The goroutine's index in the dense arrays, or -1. */
@inline function denseGoroutine(g: f64): i32 {
  if (!(g >= 0 && g < DENSE_GOROUTINES)) return -1;
  // Cheaper than a saturating conversion; the round trip fails for a fraction.
  const shifted = g + INTEGER_BITS;
  return shifted - INTEGER_BITS == g ? <i32>reinterpret<u64>(shifted) : -1;
}

/** `length` or more: the next power of two above `index`. */
function grownLength(length: i32, index: i32): i32 {
  let n = max(length, 64);
  while (n <= index) n <<= 1;
  return n;
}

/**
 * MmuAnalyzer's `states` (Map from goroutine to GoState, kept through the first generation for
 * every transition): dense arrays instead of hashing, with each entry's insertion sequence so
 * that write() lists them in the Map's order (a set keeps an entry's place; a delete then a set
 * moves it to the end).
 */
class GoroutineStates {
  /** Per dense goroutine: its state + 1 (0: absent), and when it was inserted. */
  private states: StaticArray<u16> = new StaticArray<u16>(0);
  private inserted: StaticArray<u32> = new StaticArray<u32>(0);
  private readonly large: Map<f64, u8> = new Map<f64, u8>();
  private readonly largeInserted: Map<f64, u32> = new Map<f64, u32>();
  private sequence: u32 = 0;

  @inline set(g: f64, state: u8): void {
    const id = denseGoroutine(g);
    if (id < 0) {
      if (!this.large.has(g)) this.largeInserted.set(g, ++this.sequence);
      this.large.set(g, state);
      return;
    }
    if (id >= this.states.length) this.grow(id);
    if (unchecked(this.states[id]) == 0) unchecked((this.inserted[id] = ++this.sequence));
    unchecked((this.states[id] = <u16>state + 1));
  }

  @inline delete(g: f64): void {
    const id = denseGoroutine(g);
    if (id < 0) {
      this.large.delete(g);
      this.largeInserted.delete(g);
    } else if (id < this.states.length) {
      unchecked((this.states[id] = 0));
    }
  }

  /** The state + 1, 0 if absent. */
  stateOf(g: f64): i32 {
    const id = denseGoroutine(g);
    if (id < 0) return this.large.has(g) ? <i32>this.large.get(g) + 1 : 0;
    return id < this.states.length ? <i32>unchecked(this.states[id]) : 0;
  }

  clear(): void {
    this.states = new StaticArray<u16>(0);
    this.inserted = new StaticArray<u32>(0);
    this.large.clear();
    this.largeInserted.clear();
  }

  private grow(id: i32): void {
    const n = grownLength(this.states.length, id);
    const states = new StaticArray<u16>(n);
    const inserted = new StaticArray<u32>(n);
    memory.copy(changetype<usize>(states), changetype<usize>(this.states), <usize>this.states.length << 1);
    memory.copy(changetype<usize>(inserted), changetype<usize>(this.inserted), <usize>this.inserted.length << 2);
    this.states = states;
    this.inserted = inserted;
  }

  /** Appends the count, then [goroutine, state] pairs in insertion order. */
  write(out: F64Column): void {
    // (insertion << 32 | k) sorts entry k of goroutines/states into place.
    const order: u64[] = [];
    const goroutines: f64[] = [];
    const states: u8[] = [];
    for (let id = 0; id < this.states.length; id++) {
      const state = unchecked(this.states[id]);
      if (state == 0) continue;
      order.push((<u64>unchecked(this.inserted[id]) << 32) | <u64>goroutines.length);
      goroutines.push(<f64>id);
      states.push(<u8>(state - 1));
    }
    const large = this.large.keys();
    for (let k = 0; k < large.length; k++) {
      const g = unchecked(large[k]);
      order.push((<u64>this.largeInserted.get(g) << 32) | <u64>goroutines.length);
      goroutines.push(g);
      states.push(this.large.get(g));
    }
    order.sort();
    append(out, <f64>order.length);
    for (let k = 0; k < order.length; k++) {
      const entry = <i32>(unchecked(order[k]) & 0xffffffff);
      append(out, unchecked(goroutines[entry]));
      append(out, <f64>unchecked(states[entry]));
    }
  }
}

/**
 * inGC ∪ bgMark (the goroutines whose transitions count towards GC) as bits over dense ids: the
 * test nearly every transition that starts or stops execution makes.
 */
class MemberBits {
  private bits: StaticArray<u32> = new StaticArray<u32>(0);

  /** The bits, for a loop that tests many ids while no member changes. */
  @inline words(): StaticArray<u32> {
    return this.bits;
  }

  @inline has(id: i32): bool {
    const word = id >>> 5;
    return word < this.bits.length && ((unchecked(this.bits[word]) >>> (id & 31)) & 1) != 0;
  }

  assign(id: i32, member: bool): void {
    const word = id >>> 5;
    if (word >= this.bits.length) {
      if (!member) return;
      const grown = new StaticArray<u32>(grownLength(this.bits.length, word));
      memory.copy(changetype<usize>(grown), changetype<usize>(this.bits), <usize>this.bits.length << 2);
      this.bits = grown;
    }
    const mask = (<u32>1) << (id & 31);
    unchecked((this.bits[word] = member ? unchecked(this.bits[word]) | mask : unchecked(this.bits[word]) & ~mask));
  }
}

/**
 * MmuAnalyzer.ordinary: bits for dense ids (a goroutine is added at its creation and deleted at its
 * end, so every creation and end of a trace touches it: a bit each, not a hash), a Set for others.
 */
class GoroutineSet {
  private readonly bits: MemberBits = new MemberBits();
  private readonly others: Set<f64> = new Set<f64>();
  size: i32 = 0;

  has(g: f64): bool {
    const id = denseGoroutine(g);
    return id >= 0 ? this.bits.has(id) : this.others.has(g);
  }

  add(g: f64): void {
    const id = denseGoroutine(g);
    if (id >= 0) {
      if (this.bits.has(id)) return;
      this.bits.assign(id, true);
    } else {
      if (this.others.has(g)) return;
      this.others.add(g);
    }
    this.size++;
  }

  delete(g: f64): void {
    const id = denseGoroutine(g);
    if (id >= 0) {
      if (!this.bits.has(id)) return;
      this.bits.assign(id, false);
    } else {
      if (!this.others.has(g)) return;
      this.others.delete(g);
    }
    this.size--;
  }

  /** The ids in ascending order (MmuAnalyzer's snapshot sorts them). */
  write(out: F64Column): void {
    const ids = new Array<f64>();
    const words = this.bits.words();
    for (let word = 0; word < words.length; word++) {
      let bits = unchecked(words[word]);
      while (bits != 0) {
        ids.push(<f64>((word << 5) + <i32>ctz(bits)));
        bits &= bits - 1;
      }
    }
    const others = this.others.values();
    for (let k = 0; k < others.length; k++) ids.push(unchecked(others[k]));
    if (others.length > 0) ids.sort((x: f64, y: f64): i32 => i32(x > y) - i32(x < y));
    append(out, <f64>ids.length);
    for (let k = 0; k < ids.length; k++) append(out, unchecked(ids[k]));
  }
}

/**
 * WindowedMinimum.integralFrom's walk: from point j, the last of the `n` points at `times` whose
 * time is at or before x (j itself if none after it is).
 */
@inline function lastPointAtOrBefore(times: usize, j: i32, n: i32, x: f64): i32 {
  while (j + 1 < n && load<f64>(times + (<usize>(j + 1) << 3)) <= x) j++;
  return j;
}

/** WindowedMinimum.integralFrom's value: the integral up to x, from point j (at or before x). */
@inline function integralAt(times: usize, utils: usize, sums: usize, j: i32, x: f64): f64 {
  return load<f64>(sums + (<usize>j << 3)) + load<f64>(utils + (<usize>j << 3)) * (x - load<f64>(times + (<usize>j << 3)));
}

/** WindowedMinimum.skipTo: the first of the `n` points at `times`, from `lo` on, whose time is past `limit`. */
@inline function firstPointAfter(times: usize, lo: i32, n: i32, limit: f64): i32 {
  let hi = n;
  while (lo < hi) {
    const mid = <i32>(<u32>(lo + hi) >>> 1);
    if (load<f64>(times + (<usize>mid << 3)) <= limit) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** How far from evalAt a window's positions keep their bound above its minimum (MmuAnalyzer.reachOf). */
@inline function reachOf(evalMean: f64, minimum: f64, margin: f64, width: f64): f64 {
  return (evalMean - minimum - 2 * margin) * width;
}

/** WindowedMinimum (mmu.ts): the same points, pointers, trimming and arithmetic. */
class WindowedMinimum {
  readonly windows: StaticArray<f64>;
  readonly times: F64Column = new F64Column(64);
  readonly utils: F64Column = new F64Column(64);
  /** Integral of the function from the series start up to times[j]. */
  readonly sums: F64Column = new F64Column(64);
  /** Index offset of times[0] in the whole series. */
  base: i32 = 0;
  readonly cursor: StaticArray<i32>;
  readonly leftPtr: StaticArray<i32>;
  readonly rightPtr: StaticArray<i32>;
  readonly minimum: StaticArray<f64>;
  /** MmuAnalyzer's evalAt / evalMean: per window, the position last computed and its mean. */
  readonly evalAt: StaticArray<f64>;
  readonly evalMean: StaticArray<f64>;
  /** MmuAnalyzer's quietUntil: the window is not looked at until the newest point passes it. */
  readonly quietUntil: StaticArray<f64>;
  startTime: f64 = NaN;
  maxWindow: f64;
  readonly headTimes: F64Column = new F64Column();
  readonly headUtils: F64Column = new F64Column();
  headOpen: bool = true;
  sinceTrim: i32 = 0;

  constructor(windows: StaticArray<f64>) {
    const n = windows.length;
    this.windows = windows;
    this.cursor = new StaticArray<i32>(n);
    this.leftPtr = new StaticArray<i32>(n);
    this.rightPtr = new StaticArray<i32>(n);
    this.minimum = new StaticArray<f64>(n);
    this.evalAt = new StaticArray<f64>(n);
    this.evalMean = new StaticArray<f64>(n);
    this.quietUntil = new StaticArray<f64>(n);
    for (let w = 0; w < n; w++) unchecked((this.evalMean[w] = -Infinity));
    this.forgetMinima();
    // Math.max(0, ...windows): NaN if any is.
    let largest: f64 = 0;
    for (let w = 0; w < n; w++) largest = max(largest, unchecked(windows[w]));
    this.maxWindow = largest;
  }

  push(time: f64, util: f64): void {
    if (this.headOpen) {
      if (this.headTimes.length == 0 || time - this.headTimes.get(0) <= this.maxWindow) {
        append(this.headTimes, time);
        append(this.headUtils, util);
      } else {
        this.headOpen = false;
      }
    }
    const n = this.times.length;
    if (n == 0) {
      this.startTime = time;
      append(this.times, time);
      append(this.utils, util);
      append(this.sums, 0);
      return;
    }
    const sum = this.sums.get(n - 1) + this.utils.get(n - 1) * (time - this.times.get(n - 1));
    append(this.times, time);
    append(this.utils, util);
    append(this.sums, sum);
    this.evaluate(time);
    this.trim(time);
  }

  /**
   * MmuAnalyzer's evaluate(): per window, the right edge on the newest point, then the left edges
   * whose windows are now complete, skipping the positions whose bound from the last computed one
   * keeps them above the minimum (a run of left edges at once), with integralFrom()'s pointer walks
   * inlined. The same decisions and values in the same order as the JavaScript evaluator (the
   * arithmetic is spelled identically); only where they are read from differs: raw addresses of
   * the point columns and per-window state, hoisted out of the loop (every point comes through
   * here, once per window).
   */
  private evaluate(known: f64): void {
    const n = this.times.length;
    const last = n - 1;
    const base = this.base;
    const times = changetype<usize>(this.times.data);
    const utils = changetype<usize>(this.utils.data);
    const sums = changetype<usize>(this.sums.data);
    const windows = changetype<usize>(this.windows);
    const cursors = changetype<usize>(this.cursor);
    const leftPtrs = changetype<usize>(this.leftPtr);
    const rightPtrs = changetype<usize>(this.rightPtr);
    const minima = changetype<usize>(this.minimum);
    const evalAts = changetype<usize>(this.evalAt);
    const evalMeans = changetype<usize>(this.evalMean);
    const quiets = changetype<usize>(this.quietUntil);
    const sumLast = load<f64>(sums + (<usize>last << 3));
    const slack = abs<f64>(sumLast) * SKIP_MARGIN;
    const start = this.startTime;
    const count = this.windows.length;
    for (let w = 0; w < count; w++) {
      const width = load<f64>(windows + (<usize>w << 3));
      if (width <= 0 || known <= load<f64>(quiets + (<usize>w << 3))) continue;
      const margin = slack / width + SKIP_MARGIN;
      let minimum = load<f64>(minima + (<usize>w << 3));
      if (minimum == 0) {
        // MmuAnalyzer: no mean is below 0; only the cursor moves (skipTo from max(cursor, base)).
        const from = max(load<i32>(cursors + (<usize>w << 2)), base) - base;
        store<i32>(cursors + (<usize>w << 2), firstPointAfter(times, from, n, known - width) + base);
        continue;
      }
      let evalAt = load<f64>(evalAts + (<usize>w << 3));
      let evalMean = load<f64>(evalMeans + (<usize>w << 3));
      const left = known - width;
      if (left >= start && !(evalMean - abs<f64>(left - evalAt) / width > minimum + margin)) {
        // integralFrom(leftPtr, w, left)
        const j = lastPointAtOrBefore(times, max(load<i32>(leftPtrs + (<usize>w << 2)) - base, 0), n, left);
        store<i32>(leftPtrs + (<usize>w << 2), j + base);
        const mean = (sumLast - integralAt(times, utils, sums, j, left)) / width;
        evalAt = left;
        evalMean = mean;
        if (mean < minimum) minimum = mean;
      }
      let c = load<i32>(cursors + (<usize>w << 2));
      let r = load<i32>(rightPtrs + (<usize>w << 2));
      while (c - base <= last) {
        const at = c - base;
        const edge = load<f64>(times + (<usize>at << 3));
        if (!(edge + width <= known)) break;
        const reach = reachOf(evalMean, minimum, margin, width);
        if (reach > 0 && edge >= evalAt - reach && edge <= evalAt + reach) {
          // skipTo: the first point past the run that stays above the minimum.
          c = firstPointAfter(times, at, n, min(evalAt + reach, known - width)) + base;
          continue;
        }
        const x = edge + width;
        // integralFrom(rightPtr, w, x)
        const j = lastPointAtOrBefore(times, max(r - base, 0), n, x);
        r = j + base;
        const mean = (integralAt(times, utils, sums, j, x) - load<f64>(sums + (<usize>at << 3))) / width;
        evalAt = edge;
        evalMean = mean;
        if (mean < minimum) minimum = mean;
        c++;
      }
      store<i32>(cursors + (<usize>w << 2), c);
      store<i32>(rightPtrs + (<usize>w << 2), r);
      store<f64>(minima + (<usize>w << 3), minimum);
      store<f64>(evalAts + (<usize>w << 3), evalAt);
      store<f64>(evalMeans + (<usize>w << 3), evalMean);
      // MmuAnalyzer: every later position is past evalAt; quiet until one could be out of reach.
      const reach = reachOf(evalMean, minimum, margin, width);
      if (reach > 0) store<f64>(quiets + (<usize>w << 3), evalAt + reach + width);
    }
  }

  forgetMinima(): void {
    for (let w = 0; w < this.minimum.length; w++) unchecked((this.minimum[w] = 1));
    for (let w = 0; w < this.quietUntil.length; w++) unchecked((this.quietUntil[w] = -Infinity));
  }

  private trim(now: f64): void {
    if (++this.sinceTrim < 1024) return;
    this.sinceTrim = 0;
    let minCursor: f64 = Infinity;
    for (let w = 0; w < this.windows.length; w++) {
      if (unchecked(this.windows[w]) <= 0) continue;
      // Cursors only (MmuAnalyzer.trim): pointers of a window that computed nothing lag behind.
      minCursor = min(minCursor, <f64>unchecked(this.cursor[w]));
    }
    const horizon = now - this.maxWindow;
    const n = this.times.length;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.times.get(mid) <= horizon) lo = mid;
      else hi = mid - 1;
    }
    const keepFrom = min(minCursor - <f64>this.base, <f64>lo);
    if (keepFrom > 4096 && keepFrom > <f64>n / 2) {
      const k = <i32>keepFrom;
      dropFront(this.times, k);
      dropFront(this.utils, k);
      dropFront(this.sums, k);
      this.base += k;
    }
  }

  /** Restores the state write() writes (the evaluator must be new). */
  read(r: StateReader): void {
    this.startTime = r.next();
    this.base = r.nextI32();
    this.headOpen = r.next() == 1;
    this.sinceTrim = r.nextI32();
    this.maxWindow = r.next();
    const n = r.nextI32();
    r.column(this.times, n);
    r.column(this.utils, n);
    r.column(this.sums, n);
    const count = this.windows.length;
    for (let w = 0; w < count; w++) unchecked((this.cursor[w] = r.nextI32()));
    for (let w = 0; w < count; w++) unchecked((this.leftPtr[w] = r.nextI32()));
    for (let w = 0; w < count; w++) unchecked((this.rightPtr[w] = r.nextI32()));
    for (let w = 0; w < count; w++) unchecked((this.minimum[w] = r.next()));
    for (let w = 0; w < count; w++) unchecked((this.evalAt[w] = r.next()));
    for (let w = 0; w < count; w++) unchecked((this.evalMean[w] = r.next()));
    for (let w = 0; w < count; w++) unchecked((this.quietUntil[w] = r.next()));
    const head = r.nextI32();
    for (let j = 0; j < head; j++) {
      append(this.headTimes, r.next());
      append(this.headUtils, r.next());
    }
  }

  /** Appends the state as the binding reads it (exportState). */
  write(out: F64Column): void {
    append(out, this.startTime);
    append(out, <f64>this.base);
    append(out, this.headOpen ? 1 : 0);
    append(out, <f64>this.sinceTrim);
    append(out, this.maxWindow);
    const n = this.times.length;
    append(out, <f64>n);
    for (let j = 0; j < n; j++) append(out, this.times.get(j));
    for (let j = 0; j < n; j++) append(out, this.utils.get(j));
    for (let j = 0; j < n; j++) append(out, this.sums.get(j));
    for (let w = 0; w < this.windows.length; w++) append(out, <f64>unchecked(this.cursor[w]));
    for (let w = 0; w < this.windows.length; w++) append(out, <f64>unchecked(this.leftPtr[w]));
    for (let w = 0; w < this.windows.length; w++) append(out, <f64>unchecked(this.rightPtr[w]));
    for (let w = 0; w < this.windows.length; w++) append(out, unchecked(this.minimum[w]));
    for (let w = 0; w < this.windows.length; w++) append(out, unchecked(this.evalAt[w]));
    for (let w = 0; w < this.windows.length; w++) append(out, unchecked(this.evalMean[w]));
    for (let w = 0; w < this.windows.length; w++) append(out, unchecked(this.quietUntil[w]));
    append(out, <f64>this.headTimes.length);
    for (let j = 0; j < this.headTimes.length; j++) {
      append(out, this.headTimes.get(j));
      append(out, this.headUtils.get(j));
    }
  }
}

/** Reads a state written by Mmu.write (as the binding writes it back for a merge), value by value. */
class StateReader {
  constructor(public at: usize, public readonly end: usize) {}

  @inline next(): f64 {
    // Past the end (a layout the binding got wrong) reads NaN, and mmuRestore reports the overrun.
    const value = this.at < this.end ? load<f64>(this.at) : NaN;
    this.at += 8;
    return value;
  }

  @inline nextI32(): i32 {
    return <i32>this.next();
  }

  /** The next `count` values into `list` (which holds them alone). */
  column(list: F64Column, count: i32): void {
    list.length = 0;
    if (count <= 0) return;
    list.ensure(count - 1);
    const bytes = <usize>count << 3;
    if (this.at + bytes <= this.end) memory.copy(list.pointer(), this.at, bytes);
    else for (let j = 0; j < count; j++) list.set(j, NaN);
    this.at += bytes;
  }
}

/**
 * A recording being replayed (MmuAnalyzer.replay): its other records, column after column (kind,
 * at, time, a, b, c, d, e; the binding writes a range's or label's class in `a` instead of its
 * string), which one is next, and how many transitions were replayed so far.
 */
class Replay {
  readonly others: StaticArray<f64>;
  readonly count: i32;
  next: i32 = 0;
  position: f64 = 0;

  constructor(count: i32) {
    this.count = count;
    this.others = new StaticArray<f64>(max(count, 1) << 3);
  }

  /** Field `field` (0 kind, 1 at, ..., 7 e) of other record k. */
  @inline field(field: i32, k: i32): f64 {
    return unchecked(this.others[field * this.count + k]);
  }
}

// What a hinted part knows of each goroutine (RecordingFilter's sets, one bit each): a transition
// costs one load, where a set per question cost five lookups and made the filter dearer than the
// recording it saves.
const FIXED: u32 = 1;
const ASSISTING: u32 = 2;
const SETTLED: u32 = 4;
const DROPPED: u32 = 8;
const DROPPED_UNSETTLED: u32 = 16;
const CREATED: u32 = 32;
const ORDINARY_CREATED: u32 = 64;
const ENDED_BEFORE: u32 = 128;
const HINTED_ORDINARY: u32 = 256;
const ORDINARY_ASSUMED: u32 = 512;
/** Above the flags: transitions of an unknown goroutine kept so far (RecordingFilter.unknownKept). */
const KEPT_SHIFT: u32 = 16;
const KEPT_ONE: u32 = 1 << KEPT_SHIFT;
/** mmu-recording.ts UNKNOWN_KEPT: the most MmuHint.keepUnknown may be (fits above KEPT_SHIFT). */
const UNKNOWN_KEPT: u32 = 8192;

/** The lists mmuHintResult hands out, in order. */
const HINT_RESULT_BITS: StaticArray<u32> = [DROPPED, DROPPED_UNSETTLED, ENDED_BEFORE, ORDINARY_CREATED, ORDINARY_ASSUMED];

/** Ids per page of GoroutineBits. */
const PAGE_SHIFT: i32 = 12;
const PAGE_IDS: i32 = 1 << PAGE_SHIFT;

/**
 * Bits per goroutine: pages of PAGE_IDS dense ids made when first written (a part touches the
 * goroutines from before it, scattered over low ids, and the run of ids it creates; one array up
 * to the highest id took 4 bytes per goroutine the trace ever created, in each worker's memory,
 * which never shrinks), a Map for other ids.
 */
class GoroutineBits {
  private pages: StaticArray<StaticArray<u32> | null> = new StaticArray<StaticArray<u32> | null>(0);
  private readonly others: Map<f64, u32> = new Map<f64, u32>();

  @inline get(g: f64): u32 {
    const id = denseGoroutine(g);
    if (id < 0) return this.others.has(g) ? this.others.get(g) : 0;
    const index = id >> PAGE_SHIFT;
    if (index >= this.pages.length) return 0;
    const page = unchecked(this.pages[index]);
    return page === null ? 0 : unchecked(page[id & (PAGE_IDS - 1)]);
  }

  set(g: f64, value: u32): void {
    const id = denseGoroutine(g);
    if (id < 0) {
      this.others.set(g, value);
      return;
    }
    const index = id >> PAGE_SHIFT;
    if (index >= this.pages.length) {
      const grown = new StaticArray<StaticArray<u32> | null>(grownLength(this.pages.length, index));
      for (let k = 0; k < this.pages.length; k++) unchecked((grown[k] = unchecked(this.pages[k])));
      this.pages = grown;
    }
    let page = unchecked(this.pages[index]);
    if (page === null) {
      page = new StaticArray<u32>(PAGE_IDS);
      unchecked((this.pages[index] = page));
    }
    unchecked((page[id & (PAGE_IDS - 1)] = value));
  }

  /**
   * For each of `bits` in turn, the ids with that bit set, ascending, as GoroutineSet.write writes
   * them (count first). One pass over the pages, two ids at a time: most are 0 by the end (a
   * goroutine created and ended in the part keeps no bit).
   */
  write(out: F64Column, bits: StaticArray<u32>): void {
    const lists = new Array<Array<f64>>(bits.length);
    for (let b = 0; b < bits.length; b++) unchecked((lists[b] = new Array<f64>()));
    for (let index = 0; index < this.pages.length; index++) {
      const page = unchecked(this.pages[index]);
      if (page === null) continue;
      const base = changetype<usize>(page);
      for (let k = 0; k < PAGE_IDS; k += 2) {
        if (load<u64>(base + (<usize>k << 2)) == 0) continue;
        for (let j = k; j < k + 2; j++) {
          const c = unchecked(page[j]);
          if (c == 0) continue;
          for (let b = 0; b < bits.length; b++) if ((c & unchecked(bits[b])) != 0) unchecked(lists[b]).push(<f64>((index << PAGE_SHIFT) + j));
        }
      }
    }
    const others = this.others.keys();
    for (let b = 0; b < bits.length; b++) {
      const ids = unchecked(lists[b]);
      const dense = ids.length;
      for (let k = 0; k < others.length; k++) if ((this.others.get(unchecked(others[k])) & unchecked(bits[b])) != 0) ids.push(unchecked(others[k]));
      if (ids.length > dense) ids.sort((x: f64, y: f64): i32 => i32(x > y) - i32(x < y));
      append(out, <f64>ids.length);
      for (let k = 0; k < ids.length; k++) append(out, unchecked(ids[k]));
    }
  }
}

/** RecordingFilter (mmu-recording.ts), step for step: which transitions a part under a hint keeps. */
class RecordingFilter {
  readonly bits: GoroutineBits = new GoroutineBits();
  active: bool = false;
  /** MmuHint.keepUnknown: transitions kept of each unknown goroutine from before the part. */
  keepUnknown: u32 = 0;

  @inline private update(g: f64, before: u32, after: u32): void {
    if (after != before) this.bits.set(g, after);
  }

  addFixed(g: f64): void {
    const c = this.bits.get(g);
    this.update(g, c, c | FIXED);
  }

  addHintedOrdinary(g: f64): void {
    const c = this.bits.get(g);
    this.update(g, c, c | HINTED_ORDINARY);
  }

  onAssist(kind: u8, g: f64): void {
    const c = this.bits.get(g);
    this.update(g, c, kind == KIND_RANGE_END ? (c | SETTLED) & ~ASSISTING : c | SETTLED | ASSISTING);
  }

  onCreate(g: f64, ordinary: bool): void {
    const c = this.bits.get(g);
    this.update(g, c, c | CREATED | (ordinary ? ORDINARY_CREATED : 0));
  }

  labelsOrdinary(g: f64): bool {
    const c = this.bits.get(g);
    if ((c & ORDINARY_CREATED) != 0) return true;
    if ((c & HINTED_ORDINARY) == 0 || (c & CREATED) != 0) return false;
    this.update(g, c, c | ORDINARY_ASSUMED);
    return true;
  }

  @inline keeps(g: f64): bool {
    const c = this.bits.get(g);
    if ((c & (FIXED | ASSISTING)) != 0) return true;
    if ((c & CREATED) != 0) return false;
    if ((c & HINTED_ORDINARY) == 0 && c >> KEPT_SHIFT < this.keepUnknown) {
      this.bits.set(g, c + KEPT_ONE);
      return true;
    }
    this.update(g, c, c | DROPPED | ((c & SETTLED) != 0 ? 0 : DROPPED_UNSETTLED));
    return false;
  }

  onEnd(g: f64): void {
    const c = this.bits.get(g);
    this.update(g, c, (c & CREATED) != 0 ? c & ~(CREATED | ORDINARY_CREATED) : c | ENDED_BEFORE);
  }
}

/** MmuRecorder (mmu-recording.ts): the block being filled and the other records. */
class Recording {
  /** Set for a part recording under a hint (mmuHint). */
  filter: RecordingFilter | null = null;
  readonly times: StaticArray<f64> = new StaticArray<f64>(BLOCK);
  readonly goroutines: StaticArray<u32> = new StaticArray<u32>(BLOCK);
  readonly packed: StaticArray<i32> = new StaticArray<i32>(BLOCK);
  /** Records in the block; when it is full the kernel stops until JavaScript took it (mmuTakeBlock). */
  fill: i32 = 0;
  /** Records in all blocks together. */
  transitions: f64 = 0;
  dirty: bool = false;
  lastTime: f64 = 0;
  readonly kind: F64Column = new F64Column();
  readonly at: F64Column = new F64Column();
  readonly time: F64Column = new F64Column();
  readonly a: F64Column = new F64Column();
  readonly b: F64Column = new F64Column();
  readonly c: F64Column = new F64Column();
  readonly d: F64Column = new F64Column();
  readonly e: F64Column = new F64Column();

  /** False when the block is full (nothing recorded). */
  @inline push(time: f64, goroutine: u32, packed: i32): bool {
    const n = this.fill;
    if (n == BLOCK) return false;
    unchecked((this.times[n] = time));
    unchecked((this.goroutines[n] = goroutine));
    unchecked((this.packed[n] = packed));
    this.fill = n + 1;
    this.transitions++;
    this.dirty = packed != TICK;
    return true;
  }

  /** MmuRecorder.transition; false when the block is full (nothing recorded). */
  transition(time: f64, goroutine: f64, from: u8, to: u8, proc: f64): bool {
    if (!(goroutine >= 0 && goroutine <= 4294967295 && <f64>(<u32>goroutine) == goroutine) || proc < -1 || proc > MAX_PACKED_PROC || from > 15 || to > 15) {
      this.record(RECORD_TRANSITION, time, goroutine, <f64>from, <f64>to, proc, 0);
      return true;
    }
    return this.push(time, <u32>goroutine, ((<i32>proc + 1) << 8) | (<i32>from << 4) | <i32>to);
  }

  /** MmuRecorder.tick; false when the block is full (nothing recorded). */
  @inline tick(time: f64): bool {
    if (!this.dirty) return true;
    if (!this.push(time, 0, TICK)) return false;
    this.dirty = false;
    return true;
  }

  record(kind: f64, time: f64, a: f64, b: f64, c: f64, d: f64, e: f64): void {
    this.dirty = true;
    append(this.kind, kind);
    append(this.at, this.transitions);
    append(this.time, time);
    append(this.a, a);
    append(this.b, b);
    append(this.c, c);
    append(this.d, d);
    append(this.e, e);
  }
}

/** MmuAnalyzer (mmu.ts), with the fields a partial carries. */
class Mmu {
  owner: i32 = 0;
  readonly perProc: bool;
  /** mmu.ts UTIL_GO_LABEL_COUNT: count a worker's label even when its start counted it (Go). */
  readonly goLabelCount: bool;
  readonly windows: StaticArray<f64>;
  readonly series: WindowedMinimum[] = [];
  readonly seriesLive: bool[] = [];
  /** lastPoint per series (every series has one from its creation on). */
  readonly lastPointTime: f64[] = [];
  readonly lastPointUtil: f64[] = [];
  /** pending: as long as the highest series index ever assigned; unset entries are holes. */
  readonly pendingSet: bool[] = [];
  readonly pendingTime: f64[] = [];
  readonly pendingUtil: f64[] = [];
  stw: i32 = 0;
  /** ps: gc count and series of each P. */
  readonly psGc: i32[] = [];
  readonly psSeries: i32[] = [];
  /** Ps whose gc count is above 0 (record() counts them per point). */
  gcProcs: i32 = 0;
  readonly inGC: Set<f64> = new Set<f64>();
  readonly states: GoroutineStates = new GoroutineStates();
  readonly bgMark: Set<f64> = new Set<f64>();
  /** MmuAnalyzer.ordinary: live goroutines created with another start function than a mark worker's. */
  readonly ordinary: GoroutineSet = new GoroutineSet();
  /** The binding's answer per transition stack id (per generation): 1 if it starts an ordinary goroutine. */
  private readonly ordinaryStarts: IdCache = new IdCache();
  /** inGC ∪ bgMark for dense ids. */
  private readonly members: MemberBits = new MemberBits();
  readonly procsTime: F64Column = new F64Column();
  readonly procsN: F64Column = new F64Column();
  nSync: i32 = 0;
  lastEventTime: f64 = NaN;
  /** held !== null: the first generation's points, per series. */
  holding: bool = true;
  readonly heldTimes: F64Column[] = [];
  readonly heldUtils: F64Column[] = [];
  membershipChanges: i32 = 0;
  bgMarkLow: f64 = 0;
  bgMarkHigh: f64 = -1;
  bgMarkRangeOf: i32 = 0;
  /** The part's recording (deferred !== null): it began mid-trace. */
  recording: Recording | null = null;
  /** The binding's answers per STW kind string id and per label string id (per generation), and per range wire type. */
  private readonly stwRanges: IdCache = new IdCache();
  private readonly labels: IdCache = new IdCache();
  private readonly typeRanges: StaticArray<i32> = new StaticArray<i32>(256);

  constructor(flags: i32, windowCount: i32) {
    this.perProc = (flags & UTIL_PER_PROC) != 0;
    this.goLabelCount = (flags & UTIL_GO_LABEL_COUNT) != 0;
    this.windows = new StaticArray<f64>(windowCount);
    for (let t = 0; t < 256; t++) unchecked((this.typeRanges[t] = ABSENT));
  }

  // ---- Strings, through the binding ----

  @inline private resetGenerationCaches(): void {
    this.stwRanges.reset();
    this.labels.reset();
    this.ordinaryStarts.reset();
  }

  /** MmuAnalyzer.createsOrdinary: row creates a goroutine known not to be a mark worker. */
  private createsOrdinary(row: i32): bool {
    if (this.goLabelCount || toAt(row) == G_NOT_EXIST) return false;
    // Read only here: asking for a column the batch left unwritten makes the decoder write it.
    const stack = load<f64>(column(COL_TSTACK) + (<usize>row << 3));
    let answer = this.ordinaryStarts.get(stack);
    if (answer == ABSENT) {
      answer = hostStackRoot(this.owner, stack);
      this.ordinaryStarts.set(stack, answer);
    }
    return answer == 1;
  }

  /** MmuAnalyzer.consume's and onTransition's upkeep of `ordinary` at goroutine transition `row`. */
  @inline private trackOrdinary(row: i32, from: u8, to: u8): void {
    if (from == G_NOT_EXIST) {
      if (this.createsOrdinary(row)) this.ordinary.add(resourceIdAt(row));
    } else if (to == G_NOT_EXIST && this.ordinary.size != 0) {
      this.ordinary.delete(resourceIdAt(row));
    }
  }

  /** (name << 2 | RANGE_*) of the range event at `row`. */
  @inline private rangeOf(row: i32): i32 {
    const type = typeAt(row);
    if (type == EV_STW_BEGIN || type == EV_STW_END) return this.stwRangeOf(row);
    const answer = unchecked(this.typeRanges[type]);
    return answer != ABSENT ? answer : this.askRange(row, type);
  }

  /** rangeOf() of an STW range: its name holds the STW kind string (a0), an id of this generation. */
  private stwRangeOf(row: i32): i32 {
    const kindId = a0At(row);
    let answer = this.stwRanges.get(kindId);
    if (answer == ABSENT) {
      answer = hostRangeName(this.owner, row);
      this.stwRanges.set(kindId, answer);
    }
    return answer;
  }

  /** rangeOf() of another range type, asked once: its name depends on the type only. */
  private askRange(row: i32, type: u8): i32 {
    const answer = hostRangeName(this.owner, row);
    unchecked((this.typeRanges[type] = answer));
    return answer;
  }

  /** (name << 1 | 1 if a background mark worker's label) of the label event at `row`. */
  private labelOf(row: i32): i32 {
    const id = a0At(row);
    let answer = this.labels.get(id);
    if (answer == ABSENT) {
      answer = hostLabel(this.owner, row);
      this.labels.set(id, answer);
    }
    return answer;
  }

  // ---- The live analyzer (MmuAnalyzer.consume) ----

  /** Row of the last event that set the last event time in the current call, -1 if none. */
  private lastRow: i32 = -1;

  /**
   * Consumes rows [from, end); returns -1, or the row a recording stopped at (see mmuConsume).
   * Every event but a proc's transition or another metric sets the last event time; only the
   * last one's counts, so the kernel notes its row and reads the time once at the end.
   */
  consume(from: i32, end: i32): i32 {
    bindColumns();
    if (this.recording !== null) return this.recordEvents(this.recording!, from, end);
    this.lastRow = -1;
    let i = from;
    while (i < end) {
      if (this.holding) {
        i = this.firstGeneration(i, end);
        continue;
      }
      // Rows that change nothing are skipped eight at a time, unless a new background worker
      // awaits its id range (refreshed by the next transition's membership test): row by row then.
      if (end - i < 8 || this.bgMark.size != this.bgMarkRangeOf) {
        this.event(i++);
        continue;
      }
      const goroutines = goroutineTransitions(i);
      let rows = rowsThatMatter(i, goroutines);
      let next = i + 8;
      while (rows != 0) {
        const row = firstRow(i, rows);
        rows &= rows - 1;
        if ((goroutines >> (<u64>(row - i) << 3)) & 0x80) {
          // A goroutine transition that starts or stops execution, or a creation (onTransition,
          // the id range current).
          const from = fromAt(row);
          const to = toAt(row);
          this.trackOrdinary(row, from, to);
          if (this.psGc.length != 0 && this.isMember(resourceIdAt(row))) this.gcTransition(timeAt(row), from, to, procAt(row));
          continue;
        }
        if (kindAt(row) == KIND_METRIC && typeAt(row) != EV_PROCS_CHANGE) continue; // changes nothing
        this.event(row);
        if (this.bgMark.size != this.bgMarkRangeOf) {
          next = row + 1;
          break;
        }
      }
      // The goroutine transitions set the last event time too.
      const done = next - i == 8 ? goroutines : goroutines & ((<u64>1 << (<u64>(next - i) << 3)) - 1);
      if (done != 0) this.lastRow = max(this.lastRow, lastRowOf(i, done));
      i = next;
    }
    if (this.lastRow >= 0) this.lastEventTime = timeAt(this.lastRow);
    return -1;
  }

  /**
   * The first generation, row by row, from `from` until it ends (at a Sync) or `end`; returns the
   * next row. Its goroutine transitions also keep every goroutine's state.
   */
  private firstGeneration(from: i32, end: i32): i32 {
    let i = from;
    for (; i < end && this.holding; i++) {
      if (kindAt(i) == KIND_STATE_TRANSITION) {
        if (resourceKindAt(i) == RESOURCE_GOROUTINE) this.onTransition(i);
      } else {
        this.event(i);
      }
    }
    return i;
  }

  /** MmuAnalyzer.consume's step for the event at `row`. */
  private event(row: i32): void {
    const kind = kindAt(row);
    switch (kind) {
      case KIND_STATE_TRANSITION:
        if (resourceKindAt(row) == RESOURCE_GOROUTINE) this.onTransition(row);
        return;
      case KIND_SYNC:
        this.resetGenerationCaches();
        this.onSync();
        break;
      case KIND_METRIC:
        if (typeAt(row) != EV_PROCS_CHANGE) return; // other metrics leave the last event time
        this.onProcs(timeAt(row), a0At(row));
        break;
      case KIND_RANGE_BEGIN:
      case KIND_RANGE_ACTIVE:
      case KIND_RANGE_END:
        this.onRange(kind, timeAt(row), this.rangeOf(row) & 3, resourceKindAt(row), resourceIdAt(row), procAt(row), goroutineAt(row));
        break;
      case KIND_LABEL:
        this.onLabel(timeAt(row), (this.labelOf(row) & 1) != 0, goroutineAt(row), procAt(row));
        break;
      default:
        break;
    }
    this.lastRow = row;
  }

  @inline private onTransition(row: i32): void {
    this.lastRow = row;
    const from = fromAt(row);
    const to = toAt(row);
    this.trackOrdinary(row, from, to);
    if (this.psGc.length == 0) return;
    // The time and P are read only for the few transitions that count.
    if (this.countsTowardsGC(resourceIdAt(row), from, to)) this.gcTransition(timeAt(row), from, to, procAt(row));
  }

  /**
   * MmuAnalyzer.onTransition up to the point where the transition changes a P's GC count: keeps
   * the first generation's goroutine states, and says whether goroutine g is assisting or a
   * background mark worker (the only transitions that count).
   */
  @inline private countsTowardsGC(g: f64, from: u8, to: u8): bool {
    if (this.holding) {
      if (to == G_NOT_EXIST) this.states.delete(g);
      else this.states.set(g, to);
    }
    // Once the background workers' id range is current, MmuAnalyzer's test is plain membership.
    if (this.bgMark.size == this.bgMarkRangeOf) return isExecuting(from) != isExecuting(to) && this.isMember(g);
    return (this.inGC.size != 0 && this.inGC.has(g)) || this.isBackgroundMarkWorker(g);
  }

  private onSync(): void {
    this.nSync++;
    if (this.nSync > 1 && this.holding) {
      this.release();
      this.states.clear();
    }
  }

  private onProcs(t: f64, value: f64): void {
    this.setProcs(value, t);
    this.record(t);
  }

  private onRange(kind: u8, t: f64, range: i32, scopeKind: u8, scopeId: f64, proc: f64, goroutine: f64): void {
    if (this.psGc.length == 0) return;
    if (kind == KIND_RANGE_ACTIVE && this.nSync > 1) return;
    // A range the flags ignore changes no GC state (but Go still evaluates the utilisation).
    if (range != RANGE_OTHER) {
      if (kind == KIND_RANGE_ACTIVE) {
        this.rangeActiveFixup(range, goroutine);
        this.rangeBegin(range, scopeKind, scopeId, proc);
      } else if (kind == KIND_RANGE_BEGIN) {
        this.rangeBegin(range, scopeKind, scopeId, proc);
      } else {
        this.rangeEnd(range, scopeKind, scopeId, proc);
      }
    }
    this.record(t);
  }

  private gcTransition(t: f64, from: u8, to: u8, proc: f64): void {
    const wasExec = isExecuting(from);
    const isExec = isExecuting(to);
    const p = procIndex(proc, this.psGc.length);
    if (p >= 0 && wasExec != isExec) {
      this.addGc(p, isExec ? 1 : -1);
      this.record(t);
    }
  }

  /**
   * inGC.has(g) || bgMark.has(g): MmuAnalyzer's membership test once the background workers' id
   * range is current (then its range check only saves a lookup).
   */
  @inline private isMember(g: f64): bool {
    const id = denseGoroutine(g);
    return id >= 0 ? this.members.has(id) : this.inGC.has(g) || this.bgMark.has(g);
  }

  @inline private isBackgroundMarkWorker(g: f64): bool {
    if (this.bgMark.size != this.bgMarkRangeOf) this.refreshBackgroundMarkRange();
    return g >= this.bgMarkLow && g <= this.bgMarkHigh && this.bgMark.has(g);
  }

  private refreshBackgroundMarkRange(): void {
    const members = this.bgMark.values();
    let low: f64 = Infinity;
    let high: f64 = -Infinity;
    for (let k = 0; k < members.length; k++) {
      low = min(low, unchecked(members[k]));
      high = max(high, unchecked(members[k]));
    }
    this.bgMarkLow = low;
    this.bgMarkHigh = high;
    this.bgMarkRangeOf = this.bgMark.size;
  }

  private onLabel(t: f64, backgroundMark: bool, g: f64, proc: f64): void {
    if (this.psGc.length == 0) return;
    if (backgroundMark && !this.ordinary.has(g)) {
      // The label follows the worker's start, which counted it if it already was a member.
      const counted = !this.goLabelCount && (this.inGC.has(g) || this.bgMark.has(g));
      this.addMember(this.bgMark, g);
      this.membershipChanges++;
      const p = procIndex(proc, this.psGc.length);
      if (p >= 0 && !counted) this.addGc(p, 1);
    }
    this.record(t);
  }

  private rangeActiveFixup(range: i32, goroutine: f64): void {
    if (range == RANGE_ASSIST) {
      const state = this.states.stateOf(goroutine) - 1;
      if (state != G_RUNNING && state != G_SYSCALL) return;
    } else if (range != RANGE_SWEEP) {
      return;
    }
    if (this.perProc || !this.holding) return;
    // Subtract 1/GOMAXPROCS from every point so far (we are still in the first generation).
    const times = unchecked(this.heldTimes[0]);
    const utils = unchecked(this.heldUtils[0]);
    let pi = 0;
    for (let k = 0; k < times.length; k++) {
      const time = times.get(k);
      while (pi < this.procsTime.length - 1 && this.procsTime.get(pi + 1) < time) pi++;
      utils.set(k, max(0, utils.get(k) - 1 / this.procsN.get(pi)));
    }
    if (this.lastPointTime.length > 0 && times.length > 0) unchecked((this.lastPointUtil[0] = utils.get(times.length - 1)));
  }

  private rangeBegin(range: i32, scopeKind: u8, scopeId: f64, proc: f64): void {
    if (range == RANGE_GC_STW) {
      this.stw++;
    } else if (range == RANGE_SWEEP) {
      const p = procIndex(proc, this.psGc.length);
      if (p >= 0) this.addGc(p, 1);
    } else if (range == RANGE_ASSIST) {
      const p = procIndex(proc, this.psGc.length);
      if (p >= 0) this.addGc(p, 1);
      if (scopeKind == RESOURCE_GOROUTINE) {
        this.inGC.add(scopeId);
        const id = denseGoroutine(scopeId);
        if (id >= 0) this.members.assign(id, true);
      }
      this.membershipChanges++;
    }
  }

  private rangeEnd(range: i32, scopeKind: u8, scopeId: f64, proc: f64): void {
    if (range == RANGE_GC_STW) {
      this.stw--;
    } else if (range == RANGE_SWEEP) {
      const p = procIndex(proc, this.psGc.length);
      if (p >= 0) this.addGc(p, -1);
    } else if (range == RANGE_ASSIST) {
      const p = procIndex(proc, this.psGc.length);
      if (p >= 0) this.addGc(p, -1);
      if (scopeKind == RESOURCE_GOROUTINE) {
        this.inGC.delete(scopeId);
        const id = denseGoroutine(scopeId);
        if (id >= 0) this.members.assign(id, this.bgMark.has(scopeId));
      }
      this.membershipChanges++;
    }
  }

  /** Moves P p's GC count by delta, keeping gcProcs. */
  @inline private addGc(p: i32, delta: i32): void {
    const before = unchecked(this.psGc[p]);
    const after = before + delta;
    unchecked((this.psGc[p] = after));
    if (before > 0 != after > 0) this.gcProcs += after > 0 ? 1 : -1;
  }

  private setProcs(value: f64, t: f64): void {
    const gomaxprocs = max<f64>(0, Math.floor(value));
    if (<f64>this.psGc.length > gomaxprocs) {
      const keep = <i32>gomaxprocs;
      for (let k = keep; k < this.psGc.length; k++) if (unchecked(this.psGc[k]) > 0) this.gcProcs--;
      if (this.perProc) {
        for (let k = keep; k < this.psGc.length; k++) {
          const series = unchecked(this.psSeries[k]);
          this.addUtilBuffered(series, t, 0);
          unchecked((this.seriesLive[series] = false));
        }
      }
      this.psGc.length = keep;
      this.psSeries.length = keep;
    }
    while (<f64>this.psGc.length < gomaxprocs) {
      let series = 0;
      if (this.perProc || this.series.length == 0) series = this.newSeries(t);
      this.psGc.push(0);
      this.psSeries.push(series);
    }
    const count = this.procsN.length;
    if (count == 0 || this.procsN.get(count - 1) != gomaxprocs) {
      append(this.procsTime, t);
      append(this.procsN, gomaxprocs);
      if (!this.holding && this.procsN.length > 2) {
        // procs.splice(0, length - 1): only the newest stays.
        dropFront(this.procsTime, this.procsTime.length - 1);
        dropFront(this.procsN, this.procsN.length - 1);
      }
    }
  }

  private newSeries(time: f64): i32 {
    this.series.push(new WindowedMinimum(this.windows));
    this.seriesLive.push(true);
    const index = this.series.length - 1;
    if (this.holding) {
      this.heldTimes.push(new F64Column());
      this.heldUtils.push(new F64Column());
    }
    this.addUtil(index, time, 1, true);
    return index;
  }

  /**
   * MmuAnalyzer.record(): the utilisation now, as a point. Most evaluations repeat the last
   * point, which addUtilBuffered drops first thing: those return here, without a call.
   */
  @inline private record(t: f64): void {
    if (!this.perProc && !this.holding && this.series.length != 0) {
      const count = this.psGc.length;
      const util = 1 - <f64>(this.stw > 0 ? count : this.gcProcs) / <f64>count;
      if (util == (this.hasPending(0) ? unchecked(this.pendingUtil[0]) : unchecked(this.lastPointUtil[0]))) return;
    }
    this.addPoints(t);
  }

  private addPoints(t: f64): void {
    const count = this.psGc.length;
    if (!this.perProc) {
      // GOMAXPROCS 0 before any P: the JavaScript analyzer fails on its missing series too.
      if (this.series.length == 0) throw new Error('MMU: GOMAXPROCS 0 before any P');
      const gcPs = this.stw > 0 ? count : this.gcProcs;
      this.addUtilBuffered(0, t, 1 - <f64>gcPs / <f64>count);
    } else {
      for (let k = 0; k < count; k++) this.addUtilBuffered(unchecked(this.psSeries[k]), t, this.stw > 0 || unchecked(this.psGc[k]) > 0 ? 0 : 1);
    }
  }

  private addUtil(series: i32, time: f64, util: f64, first: bool): void {
    if (!first && series < this.lastPointTime.length) {
      const lastUtil = unchecked(this.lastPointUtil[series]);
      if (util == lastUtil) return;
      if (time == unchecked(this.lastPointTime[series])) {
        if (util < lastUtil) {
          unchecked((this.lastPointUtil[series] = util));
          this.replaceLast(series, time, util);
        }
        return;
      }
    }
    if (series == this.lastPointTime.length) {
      this.lastPointTime.push(time);
      this.lastPointUtil.push(util);
    } else {
      unchecked((this.lastPointTime[series] = time));
      unchecked((this.lastPointUtil[series] = util));
    }
    if (this.holding) {
      append(unchecked(this.heldTimes[series]), time);
      append(unchecked(this.heldUtils[series]), util);
    } else {
      unchecked(this.series[series]).push(time, util);
    }
  }

  private replaceLast(series: i32, time: f64, util: f64): void {
    if (this.holding) {
      const times = unchecked(this.heldTimes[series]);
      const utils = unchecked(this.heldUtils[series]);
      times.set(times.length - 1, time);
      utils.set(utils.length - 1, util);
    } else {
      this.setPending(series, time, util);
    }
  }

  private setPending(series: i32, time: f64, util: f64): void {
    while (this.pendingSet.length <= series) {
      this.pendingSet.push(false);
      this.pendingTime.push(0);
      this.pendingUtil.push(0);
    }
    unchecked((this.pendingSet[series] = true));
    unchecked((this.pendingTime[series] = time));
    unchecked((this.pendingUtil[series] = util));
  }

  @inline private hasPending(series: i32): bool {
    return series < this.pendingSet.length && unchecked(this.pendingSet[series]);
  }

  private addUtilBuffered(series: i32, time: f64, util: f64): void {
    if (this.holding) {
      this.addUtil(series, time, util, false);
      return;
    }
    const pending = this.hasPending(series);
    if (pending || series < this.lastPointTime.length) {
      const lastTime = pending ? unchecked(this.pendingTime[series]) : unchecked(this.lastPointTime[series]);
      const lastUtil = pending ? unchecked(this.pendingUtil[series]) : unchecked(this.lastPointUtil[series]);
      if (util == lastUtil) return;
      if (time == lastTime) {
        if (util < lastUtil) this.setPending(series, time, util);
        return;
      }
    }
    if (pending) {
      const readyTime = unchecked(this.pendingTime[series]);
      const readyUtil = unchecked(this.pendingUtil[series]);
      unchecked(this.series[series]).push(readyTime, readyUtil);
      unchecked((this.lastPointTime[series] = readyTime));
      unchecked((this.lastPointUtil[series] = readyUtil));
    }
    this.setPending(series, time, util);
  }

  /** End of the first generation: hand the held points to the evaluators. */
  private release(): void {
    this.holding = false;
    for (let s = 0; s < this.heldTimes.length; s++) {
      const times = unchecked(this.heldTimes[s]);
      const utils = unchecked(this.heldUtils[s]);
      for (let k = 0; k < times.length; k++) {
        if (k == times.length - 1) this.setPending(s, times.get(k), utils.get(k));
        else unchecked(this.series[s]).push(times.get(k), utils.get(k));
      }
    }
    this.heldTimes.length = 0;
    this.heldUtils.length = 0;
  }

  forgetMinima(): void {
    for (let s = 0; s < this.series.length; s++) unchecked(this.series[s]).forgetMinima();
  }

  // ---- A part that begins mid-trace (MmuAnalyzer.defer) ----

  private recordEvents(r: Recording, from: i32, end: i32): i32 {
    let i = from;
    while (i < end) {
      if (end - i < 8) {
        if (!this.recordEvent(r, i)) return i;
        i++;
        continue;
      }
      let rows = rowsThatMatter(i, goroutineTransitions(i));
      while (rows != 0) {
        const row = firstRow(i, rows);
        rows &= rows - 1;
        if (kindAt(row) == KIND_METRIC && typeAt(row) != EV_PROCS_CHANGE) continue; // not recorded
        if (!this.recordEvent(r, row)) return row;
      }
      i += 8;
    }
    if (end > from) r.lastTime = timeAt(end - 1);
    return -1;
  }

  /** MmuAnalyzer.defer's step for the event at `row`; false if the transition block is full (nothing recorded). */
  private recordEvent(r: Recording, row: i32): bool {
    const kind = kindAt(row);
    switch (kind) {
      case KIND_STATE_TRANSITION: {
        if (resourceKindAt(row) != RESOURCE_GOROUTINE) return true;
        const filter = r.filter;
        if (filter !== null && filter.active) return this.recordHinted(r, row, filter);
        const from = fromAt(row);
        const to = toAt(row);
        // A creation is recorded from NotExist only if it is an ordinary goroutine's (the replay
        // adds those to `ordinary`); any other that starts execution, from Undetermined.
        if (from == G_NOT_EXIST) {
          const ordinary = this.createsOrdinary(row);
          if (!ordinary && !isExecuting(to)) return true;
          return r.transition(timeAt(row), resourceIdAt(row), ordinary ? G_NOT_EXIST : G_UNDETERMINED, to, procAt(row));
        }
        if (isExecuting(from) == isExecuting(to)) return true;
        return r.transition(timeAt(row), resourceIdAt(row), from, to, procAt(row));
      }
      case KIND_SYNC:
        this.resetGenerationCaches();
        r.record(RECORD_SYNC, timeAt(row), 0, 0, 0, 0, 0);
        if (r.filter !== null) r.filter!.active = true;
        return true;
      case KIND_METRIC:
        if (typeAt(row) == EV_PROCS_CHANGE) r.record(RECORD_PROCS, timeAt(row), a0At(row), 0, 0, 0, 0);
        return true;
      case KIND_RANGE_BEGIN:
      case KIND_RANGE_ACTIVE:
      case KIND_RANGE_END: {
        const range = this.rangeOf(row);
        if ((range & 3) != RANGE_OTHER) {
          r.record(<f64>kind, timeAt(row), <f64>(range >> 2), <f64>resourceKindAt(row), resourceIdAt(row), procAt(row), goroutineAt(row));
          if (r.filter !== null && (range & 3) == RANGE_ASSIST && resourceKindAt(row) == RESOURCE_GOROUTINE) r.filter!.onAssist(kind, resourceIdAt(row));
          return true;
        }
        return kind == KIND_RANGE_ACTIVE || r.tick(timeAt(row));
      }
      case KIND_LABEL: {
        const label = this.labelOf(row);
        if ((label & 1) == 0) return r.tick(timeAt(row));
        // An ordinary goroutine's label changes nothing either (onLabel).
        const filter = r.filter;
        if (filter !== null && filter.active && filter.labelsOrdinary(goroutineAt(row))) return r.tick(timeAt(row));
        r.record(RECORD_LABEL, timeAt(row), <f64>(label >> 1), goroutineAt(row), procAt(row), 0, 0);
        if (filter !== null) filter.addFixed(goroutineAt(row));
        return true;
      }
      default:
        return true;
    }
  }

  /**
   * MmuAnalyzer.deferHinted: under a hint, creations and ends go to the filter's bookkeeping, and
   * a transition that starts or stops execution is recorded only if its goroutine may count.
   * A full block stops it before anything is decided (keeps() counts what it keeps of unknown
   * goroutines), so the call again for the same row after JavaScript took the block decides once.
   */
  private recordHinted(r: Recording, row: i32, filter: RecordingFilter): bool {
    if (r.fill == BLOCK) return false;
    const from = fromAt(row);
    const to = toAt(row);
    const g = resourceIdAt(row);
    if (from == G_NOT_EXIST) {
      filter.onCreate(g, this.createsOrdinary(row));
      if (isExecuting(to) && filter.keeps(g)) return r.transition(timeAt(row), g, G_UNDETERMINED, to, procAt(row));
      return true;
    }
    if (isExecuting(from) == isExecuting(to)) return true;
    if (filter.keeps(g)) r.transition(timeAt(row), g, from, to, procAt(row));
    if (to == G_NOT_EXIST) filter.onEnd(g);
    return true;
  }

  // ---- The state, for the binding ----

  /** Appends the analyzer's state in the order the binding's readState() reads it. */
  write(out: F64Column): void {
    append(out, <f64>this.stw);
    append(out, <f64>this.nSync);
    append(out, this.lastEventTime);
    append(out, <f64>this.membershipChanges);
    append(out, this.bgMarkLow);
    append(out, this.bgMarkHigh);
    append(out, <f64>this.bgMarkRangeOf);
    append(out, this.holding ? 1 : 0);
    const seriesCount = this.series.length;
    append(out, <f64>seriesCount);
    for (let s = 0; s < seriesCount; s++) {
      append(out, unchecked(this.seriesLive[s]) ? 1 : 0);
      append(out, unchecked(this.lastPointTime[s]));
      append(out, unchecked(this.lastPointUtil[s]));
    }
    append(out, <f64>this.pendingSet.length);
    for (let s = 0; s < this.pendingSet.length; s++) {
      append(out, unchecked(this.pendingSet[s]) ? 1 : 0);
      append(out, unchecked(this.pendingTime[s]));
      append(out, unchecked(this.pendingUtil[s]));
    }
    append(out, <f64>this.psGc.length);
    for (let p = 0; p < this.psGc.length; p++) {
      append(out, <f64>unchecked(this.psGc[p]));
      append(out, <f64>unchecked(this.psSeries[p]));
    }
    writeSet(out, this.inGC);
    writeSet(out, this.bgMark);
    this.ordinary.write(out);
    this.states.write(out);
    append(out, <f64>this.procsN.length);
    for (let k = 0; k < this.procsN.length; k++) {
      append(out, this.procsTime.get(k));
      append(out, this.procsN.get(k));
    }
    if (this.holding) {
      for (let s = 0; s < seriesCount; s++) {
        const times = unchecked(this.heldTimes[s]);
        const utils = unchecked(this.heldUtils[s]);
        append(out, <f64>times.length);
        for (let k = 0; k < times.length; k++) {
          append(out, times.get(k));
          append(out, utils.get(k));
        }
      }
    }
    for (let s = 0; s < seriesCount; s++) unchecked(this.series[s]).write(out);
  }

  /**
   * Restores the state write() writes (MmuAnalyzer.restore, for a merge that replays a recording
   * on it); the instance must be new. What write() leaves out is derived: the Ps counting towards
   * GC, and the member bits of inGC and bgMark.
   */
  read(r: StateReader): void {
    this.stw = r.nextI32();
    this.nSync = r.nextI32();
    this.lastEventTime = r.next();
    this.membershipChanges = r.nextI32();
    this.bgMarkLow = r.next();
    this.bgMarkHigh = r.next();
    this.bgMarkRangeOf = r.nextI32();
    this.holding = r.next() == 1;
    const seriesCount = r.nextI32();
    for (let s = 0; s < seriesCount; s++) {
      this.seriesLive.push(r.next() == 1);
      this.lastPointTime.push(r.next());
      this.lastPointUtil.push(r.next());
    }
    const pendingLength = r.nextI32();
    for (let s = 0; s < pendingLength; s++) {
      this.pendingSet.push(r.next() == 1);
      this.pendingTime.push(r.next());
      this.pendingUtil.push(r.next());
    }
    const procs = r.nextI32();
    for (let p = 0; p < procs; p++) {
      const gc = r.nextI32();
      this.psGc.push(gc);
      this.psSeries.push(r.nextI32());
      if (gc > 0) this.gcProcs++;
    }
    const inGC = r.nextI32();
    for (let k = 0; k < inGC; k++) this.addMember(this.inGC, r.next());
    const bgMark = r.nextI32();
    for (let k = 0; k < bgMark; k++) this.addMember(this.bgMark, r.next());
    const ordinary = r.nextI32();
    for (let k = 0; k < ordinary; k++) this.ordinary.add(r.next());
    // In the Map's order: each set() of a new goroutine goes last, as it did.
    const states = r.nextI32();
    for (let k = 0; k < states; k++) {
      const g = r.next();
      this.states.set(g, <u8>r.nextI32());
    }
    const changes = r.nextI32();
    for (let k = 0; k < changes; k++) {
      append(this.procsTime, r.next());
      append(this.procsN, r.next());
    }
    if (this.holding) {
      for (let s = 0; s < seriesCount; s++) {
        const times = new F64Column();
        const utils = new F64Column();
        const points = r.nextI32();
        for (let k = 0; k < points; k++) {
          append(times, r.next());
          append(utils, r.next());
        }
        this.heldTimes.push(times);
        this.heldUtils.push(utils);
      }
    }
    for (let s = 0; s < seriesCount; s++) {
      const evaluator = new WindowedMinimum(this.windows);
      evaluator.read(r);
      this.series.push(evaluator);
    }
  }

  private addMember(set: Set<f64>, g: f64): void {
    set.add(g);
    const id = denseGoroutine(g);
    if (id >= 0) this.members.assign(id, true);
  }

  // ---- A recording replayed on this state (MmuAnalyzer.replay), at a merge ----

  /** The recording being replayed (mmuReplayOthers to mmuReplayEnd). */
  replaying: Replay | null = null;

  /**
   * Replays `count` transition records (the next ones of the recording) from the columns at
   * `base` (time f64, goroutine u32, packed i32, one column after the other), with the other
   * records due before each, as MmuAnalyzer.replay does: a tick re-evaluates the utilisation, a
   * transition goes to onTransition if its goroutine counts towards GC or while the first
   * generation's states are kept, and every other transition changes only the last event time.
   */
  replayBlock(r: Replay, base: usize, count: i32): void {
    const times = base;
    const goroutines = base + (<usize>count << 3);
    const packedColumn = goroutines + (<usize>count << 2);
    let i = 0;
    while (i < count) {
      const position = r.position + <f64>i;
      while (r.next < r.count && r.field(1, r.next) <= position) this.replayOther(r, r.next++);
      let stop = count;
      if (r.next < r.count) stop = <i32>min(<f64>count, r.field(1, r.next) - r.position);
      if (!(stop > i)) stop = count; // (only for a position that is not a number)
      if (this.holding) {
        for (let j = i; j < stop; j++) {
          const packed = load<i32>(packedColumn + (<usize>j << 2));
          const t = load<f64>(times + (<usize>j << 3));
          if (packed == TICK) {
            if (this.psGc.length != 0) this.record(t);
          } else {
            this.replayedTransition(t, <f64>load<u32>(goroutines + (<usize>j << 2)), <u8>((packed >> 4) & 15), <u8>(packed & 15), <f64>((packed >> 8) - 1));
          }
        }
      } else {
        // Membership changes only at other records (labels, assist ranges), none inside this run:
        // the member bits are read once, and a transition of any other goroutine costs one test.
        const bits = this.members.words();
        const words = <u32>bits.length;
        for (let j = i; j < stop; j++) {
          const packed = load<i32>(packedColumn + (<usize>j << 2));
          if (packed == TICK) {
            if (this.psGc.length != 0) this.record(load<f64>(times + (<usize>j << 3)));
            continue;
          }
          const id = load<u32>(goroutines + (<usize>j << 2));
          this.replayOrdinary(<f64>id, <u8>((packed >> 4) & 15), <u8>(packed & 15));
          if (id < <u32>DENSE_GOROUTINES) {
            const word = id >>> 5;
            if (word >= words || ((unchecked(bits[word]) >>> (id & 31)) & 1) == 0) continue;
          } else if (!this.isMember(<f64>id)) {
            continue;
          }
          this.countTransition(load<f64>(times + (<usize>j << 3)), <f64>id, <u8>((packed >> 4) & 15), <u8>(packed & 15), <f64>((packed >> 8) - 1));
        }
      }
      // The run's last record sets the last event time (MmuAnalyzer.replay sets it once per run).
      this.lastEventTime = load<f64>(times + (<usize>(stop - 1) << 3));
      i = stop;
    }
    r.position += <f64>count;
  }

  /** The other records left (those after the last transition), then the part's last event time. */
  replayEnd(r: Replay, lastTime: f64): void {
    while (r.next < r.count) this.replayOther(r, r.next++);
    if (lastTime != 0) this.lastEventTime = lastTime;
  }

  /** MmuAnalyzer.replayOther. */
  private replayOther(r: Replay, k: i32): void {
    const kind = <i32>r.field(0, k);
    const t = r.field(2, k);
    const a = r.field(3, k);
    this.lastEventTime = t;
    switch (kind) {
      case <i32>RECORD_SYNC:
        this.onSync();
        break;
      case <i32>RECORD_PROCS:
        this.onProcs(t, a);
        break;
      case <i32>RECORD_TRANSITION:
        this.replayedTransition(t, a, <u8>(<i32>r.field(4, k)), <u8>(<i32>r.field(5, k)), r.field(6, k));
        break;
      case <i32>RECORD_LABEL:
        this.onLabel(t, a != 0, r.field(4, k), r.field(5, k));
        break;
      default:
        // A range, recorded under its event kind; `a` is its class.
        this.onRange(<u8>kind, t, <i32>a, <u8>(<i32>r.field(4, k)), r.field(5, k), r.field(6, k), r.field(7, k));
        break;
    }
  }

  /**
   * MmuAnalyzer.replay's step for a recorded transition: a recorded creation (from NotExist) is an
   * ordinary goroutine's; then onTransition, which a row's transition calls above.
   */
  private replayedTransition(t: f64, g: f64, from: u8, to: u8, proc: f64): void {
    this.replayOrdinary(g, from, to);
    this.countTransition(t, g, from, to, proc);
  }

  /** MmuAnalyzer.replay's upkeep of `ordinary`: a recorded creation is an ordinary goroutine's. */
  @inline private replayOrdinary(g: f64, from: u8, to: u8): void {
    if (from == G_NOT_EXIST) this.ordinary.add(g);
    else if (to == G_NOT_EXIST && this.ordinary.size != 0) this.ordinary.delete(g);
  }

  /** MmuAnalyzer.onTransition's counting for a recorded transition. */
  private countTransition(t: f64, g: f64, from: u8, to: u8, proc: f64): void {
    if (this.psGc.length == 0) return;
    if (this.countsTowardsGC(g, from, to)) this.gcTransition(t, from, to, proc);
  }
}

function writeSet(out: F64Column, set: Set<f64>): void {
  const members = set.values();
  append(out, <f64>members.length);
  for (let k = 0; k < members.length; k++) append(out, unchecked(members[k]));
}

const instances = new Registry<Mmu>();
/** What mmuState() and mmuRecording() hand JavaScript (valid until the next call). */
const exported = new F64Column(1024);

/**
 * A kernel instance for `flags` (UTIL_* bits) and `windowCount` window sizes, which JavaScript
 * writes at mmuWindows() before the first consume. `recording`: a part that begins mid-trace.
 */
export function mmuCreate(flags: i32, windowCount: i32, recording: bool): i32 {
  const mmu = new Mmu(flags, windowCount);
  if (recording) mmu.recording = new Recording();
  const handle = instances.add(mmu);
  mmu.owner = handle;
  return handle;
}

export function mmuRelease(handle: i32): void {
  instances.release(handle);
}

/** Address of the instance's window sizes (f64). */
export function mmuWindows(handle: i32): usize {
  const mmu = instances.get(handle);
  return mmu === null ? 0 : changetype<usize>(mmu.windows);
}

/**
 * Consumes rows [from, from + count) of the columns; returns -1 when done, or (recording) the row
 * whose record found the transition block full: JavaScript takes the block (mmuRecording, then
 * mmuTakeBlock) and calls again from that row. -1 for an unknown handle.
 */
export function mmuConsume(handle: i32, from: i32, count: i32): i32 {
  const mmu = instances.get(handle);
  if (mmu === null) return -1;
  return mmu.consume(from, rowsEnd(from, count));
}

/** Empties the full transition block after JavaScript copied it. */
export function mmuTakeBlock(handle: i32): void {
  const mmu = instances.get(handle);
  if (mmu !== null && mmu.recording !== null) mmu.recording!.fill = 0;
}

/**
 * Makes a recording part record under a hint (RecordingFilter): its `workers` mark worker ids,
 * then its `ordinary` ids, written at mmuStateInput(), and its keepUnknown. Call before the first
 * consume.
 */
export function mmuHint(handle: i32, workers: i32, ordinary: i32, keepUnknown: i32): void {
  const mmu = instances.get(handle);
  if (mmu === null || mmu.recording === null) return;
  const filter = new RecordingFilter();
  filter.keepUnknown = <u32>min(max(keepUnknown, 0), <i32>UNKNOWN_KEPT);
  const ids = stateInput.pointer();
  for (let k = 0; k < workers; k++) filter.addFixed(load<f64>(ids + (<usize>k << 3)));
  for (let k = workers; k < workers + ordinary; k++) filter.addHintedOrdinary(load<f64>(ids + (<usize>k << 3)));
  mmu.recording!.filter = filter;
}

/**
 * What a hinted recording kept in bulk (RecordingFilter.result): four id lists, each its count
 * then its ids ascending: dropped, droppedUnsettled, endedBefore, ordinaryCreated, ordinaryAssumed.
 * 0 without a hint.
 */
export function mmuHintResult(handle: i32): usize {
  const mmu = instances.get(handle);
  if (mmu === null || mmu.recording === null || mmu.recording!.filter === null) return 0;
  const filter = mmu.recording!.filter!;
  exported.length = 0;
  filter.bits.write(exported, HINT_RESULT_BITS);
  return exported.pointer();
}

/**
 * After a hinted recording's replay (mmuReplayEnd): removes the first `ended` ids written at
 * mmuStateInput() from `ordinary` and adds the `created` after them (MmuAnalyzer.replay's bulk
 * step). -1 for an unknown handle.
 */
export function mmuReplayOrdinary(handle: i32, ended: i32, created: i32): i32 {
  const mmu = instances.get(handle);
  if (mmu === null) return -1;
  const ids = stateInput.pointer();
  for (let k = 0; k < ended; k++) mmu.ordinary.delete(load<f64>(ids + (<usize>k << 3)));
  for (let k = ended; k < ended + created; k++) mmu.ordinary.add(load<f64>(ids + (<usize>k << 3)));
  return 0;
}

/** beginPart() of a part that cannot resume: it records from here on, in a new recording. */
export function mmuStartRecording(handle: i32): void {
  const mmu = instances.get(handle);
  if (mmu !== null) mmu.recording = new Recording();
}

/** beginPart() of a part that resumes: minima count from here on. */
export function mmuForgetMinima(handle: i32): void {
  const mmu = instances.get(handle);
  if (mmu !== null) mmu.forgetMinima();
}

/** The live state as f64 values (count first), in the order of Mmu.write; 0 for an unknown handle. */
export function mmuState(handle: i32): usize {
  const mmu = instances.get(handle);
  if (mmu === null) return 0;
  exported.length = 0;
  append(exported, 0);
  mmu.write(exported);
  exported.set(0, <f64>(exported.length - 1));
  return exported.pointer();
}

/** State values for mmuRestore(), written by JavaScript. */
const stateInput = new F64Column(1024);

/** Address of room for `length` f64 state values (Mmu.write's layout) that mmuRestore() reads. */
export function mmuStateInput(length: i32): usize {
  stateInput.length = 0;
  if (length > 0) stateInput.ensure(length - 1);
  return stateInput.pointer();
}

/**
 * Restores the state in the values written at mmuStateInput() into a new instance (mmuCreate,
 * windows written); returns the count of values read (the binding checks it is all of them), -1
 * for an unknown handle.
 */
export function mmuRestore(handle: i32): i32 {
  const mmu = instances.get(handle);
  if (mmu === null) return -1;
  const start = stateInput.pointer();
  const reader = new StateReader(start, start + (<usize>stateInput.length << 3));
  mmu.read(reader);
  return <i32>((reader.at - start) >> 3);
}

/**
 * Starts replaying a recording that has `others` other records: returns the address where
 * JavaScript writes them (8 columns of `others` f64: kind, at, time, a, b, c, d, e, with a range's
 * or label's class in `a`), 0 for an unknown handle.
 */
export function mmuReplayOthers(handle: i32, others: i32): usize {
  const mmu = instances.get(handle);
  if (mmu === null) return 0;
  const replay = new Replay(others);
  mmu.replaying = replay;
  return changetype<usize>(replay.others);
}

/** Room for the columns of `count` transition records that mmuReplay() reads (grown, never shrunk). */
let replayColumns: StaticArray<u8> = new StaticArray<u8>(0);

/** Address of room for `count` transition records: time f64 [count], goroutine u32 [count], packed i32 [count]. */
export function mmuReplayInput(count: i32): usize {
  const bytes = count << 4;
  if (replayColumns.length < bytes) replayColumns = new StaticArray<u8>(bytes);
  return changetype<usize>(replayColumns);
}

/**
 * Replays the next `count` transition records, written at mmuReplayInput(count), with the other
 * records due before each. Returns 0, or -1 for an unknown handle or one not replaying.
 */
export function mmuReplay(handle: i32, count: i32): i32 {
  const mmu = instances.get(handle);
  if (mmu === null || mmu.replaying === null) return -1;
  mmu.replayBlock(mmu.replaying!, changetype<usize>(replayColumns), count);
  return 0;
}

/** Ends a replay: the other records after the last transition, then the last event time (0: none). */
export function mmuReplayEnd(handle: i32, lastTime: f64): i32 {
  const mmu = instances.get(handle);
  if (mmu === null || mmu.replaying === null) return -1;
  mmu.replayEnd(mmu.replaying!, lastTime);
  mmu.replaying = null;
  return 0;
}

/**
 * The recording's layout as f64 values: records in the block, records in all blocks, the last
 * event time, the block's columns' addresses (time f64, goroutine u32, packed i32), the count of
 * other records and their columns' addresses (kind, at, time, a, b, c, d, e; f64). 0 if none.
 */
export function mmuRecording(handle: i32): usize {
  const mmu = instances.get(handle);
  if (mmu === null || mmu.recording === null) return 0;
  const r = mmu.recording!;
  exported.length = 0;
  append(exported, <f64>r.fill);
  append(exported, r.transitions);
  append(exported, r.lastTime);
  append(exported, <f64>changetype<usize>(r.times));
  append(exported, <f64>changetype<usize>(r.goroutines));
  append(exported, <f64>changetype<usize>(r.packed));
  append(exported, <f64>r.kind.length);
  const others = [r.kind, r.at, r.time, r.a, r.b, r.c, r.d, r.e];
  for (let k = 0; k < others.length; k++) append(exported, <f64>unchecked(others[k]).pointer());
  return exported.pointer();
}
