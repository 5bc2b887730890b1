// GC range kernel: the per-event part of src/analysis/gc.ts. Mark assists and sweeps are nearly
// every range event (a begin and an end per assist or sweep: millions in a busy trace), so they
// are paired here, by scope, into count + histogram. The rare mark-phase and stop-the-world ranges
// are handed back to JavaScript as rows (gcRangesOther), which runs the analyzer's own code on
// them: one implementation of what is rare, one fast path for what is common.
import { COL_KIND, COL_RES_ID, COL_RES_KIND, COL_TIME_F, COL_TYPE } from '../columns';
import * as S from '../specs';
import { Histogram } from './histogram';
import { F64Column, KIND_LANES, Registry, column, kindTable, kindsIn, rowsEnd } from './kernel';

const RANGE_BEGIN: u8 = 5;
const RANGE_ACTIVE: u8 = 6;
const RANGE_END: u8 = 7;
const PROC: u8 = 2;
/** P ids below this keep their open range in an array; anything else goes to a Map. */
const DENSE_PROCS: f64 = 65536;

/** Open ranges of one name by scope (JavaScript's open-range Map, keyed by scope number id*4+kind). */
class OpenRanges {
  /** Start by P; NaN: none open. */
  byProc: StaticArray<f64> = new StaticArray<f64>(0);
  /** Start by scope number (id * 4 + kind) for every other scope. */
  others: Map<f64, f64> = new Map<f64, f64>();

  @inline static dense(kind: u8, id: f64): bool {
    return kind == PROC && id >= 0 && id < DENSE_PROCS && Math.floor(id) == id;
  }

  open(kind: u8, id: f64, t: f64): void {
    if (!OpenRanges.dense(kind, id)) {
      this.others.set(id * 4 + <f64>kind, t);
      return;
    }
    const p = <i32>id;
    if (p >= this.byProc.length) {
      const grown = new StaticArray<f64>(max(max(p + 1, this.byProc.length * 2), 8));
      for (let k = 0; k < grown.length; k++) unchecked((grown[k] = k < this.byProc.length ? this.byProc[k] : NaN));
      this.byProc = grown;
    }
    unchecked((this.byProc[p] = t));
  }

  /** Closes the range open on this scope: its start, or NaN if none was open. */
  close(kind: u8, id: f64): f64 {
    if (!OpenRanges.dense(kind, id)) {
      const scope = id * 4 + <f64>kind;
      if (!this.others.has(scope)) return NaN;
      const start = this.others.get(scope);
      this.others.delete(scope);
      return start;
    }
    const p = <i32>id;
    if (p >= this.byProc.length) return NaN;
    const start = unchecked(this.byProc[p]);
    unchecked((this.byProc[p] = NaN));
    return start;
  }

  /** Open ranges as (scope number, start) pairs into `out`; returns how many. */
  list(out: F64Column): i32 {
    out.length = 0;
    let n = 0;
    for (let p = 0; p < this.byProc.length; p++) {
      const start = unchecked(this.byProc[p]);
      if (isNaN(start)) continue;
      out.ensure(2 * n + 1);
      out.set(2 * n, <f64>p * 4 + <f64>PROC);
      out.set(2 * n + 1, start);
      n++;
    }
    const scopes = this.others.keys();
    for (let k = 0; k < scopes.length; k++) {
      const scope = unchecked(scopes[k]);
      out.ensure(2 * n + 1);
      out.set(2 * n, scope);
      out.set(2 * n + 1, this.others.get(scope));
      n++;
    }
    return n;
  }
}

class RangeStats {
  count: f64 = 0;
  hist: Histogram = new Histogram();
}

class GcRanges {
  firstTime: f64 = 0;
  lastTime: f64 = 0;
  assists: RangeStats = new RangeStats();
  sweeps: RangeStats = new RangeStats();
  openAssist: OpenRanges = new OpenRanges();
  openSweep: OpenRanges = new OpenRanges();
  /** Ends without a begin in this part: (scope kind, scope id, end) triples, in order. */
  orphanAssistEnds: F64Column = new F64Column();
  orphanSweepEnds: F64Column = new F64Column();
  /** Rows of the last call's mark-phase and stop-the-world range events, for JavaScript. */
  other: StaticArray<i32> = new StaticArray<i32>(0);
  /** Scratch for listing open ranges. */
  listed: F64Column = new F64Column();
}

const gcs = new Registry<GcRanges>();

export function gcRangesCreate(): i32 {
  return gcs.add(new GcRanges());
}

export function gcRangesRelease(handle: i32): void {
  gcs.release(handle);
}

function orphan(list: F64Column, kind: u8, id: f64, end: f64): void {
  const n = list.length;
  list.ensure(n + 2);
  list.set(n, <f64>kind);
  list.set(n + 1, id);
  list.set(n + 2, end);
}

/**
 * Consumes rows [from, from + count): pairs assists and sweeps, and lists the mark-phase and
 * stop-the-world range rows (gcRangesOther); returns how many it listed, or -1 for an unknown
 * handle.
 */
export function gcRangesConsume(handle: i32, from: i32, count: i32): i32 {
  const gc = gcs.get(handle);
  if (gc === null) return -1;
  const end = rowsEnd(from, count);
  if (gc.other.length < end - from) gc.other = new StaticArray<i32>(end - from);
  const kinds = column(COL_KIND);
  times = column(COL_TIME_F);
  types = column(COL_TYPE);
  scopeKinds = column(COL_RES_KIND);
  scopeIds = column(COL_RES_ID);
  let others = 0;
  let i = from;
  // Ranges are a tenth of the events: sixteen rows are tested at a time, the ranges among them visited.
  for (; i + KIND_LANES <= end; i += KIND_LANES) {
    let rows = kindsIn(RANGE_KINDS, kinds, i);
    while (rows != 0) {
      const row = i + <i32>ctz(rows);
      others = rangeEvent(gc, load<u8>(kinds + <usize>row), row, from, others);
      rows &= rows - 1;
    }
  }
  for (; i < end; i++) {
    const kind = load<u8>(kinds + <usize>i);
    if (kind >= RANGE_BEGIN && kind <= RANGE_END) others = rangeEvent(gc, kind, i, from, others);
  }
  return others;
}

const RANGE_KINDS: v128 = kindTable((1 << RANGE_BEGIN) | (1 << RANGE_ACTIVE) | (1 << RANGE_END));
/** The columns of the current gcRangesConsume() call. */
let times: usize = 0;
let types: usize = 0;
let scopeKinds: usize = 0;
let scopeIds: usize = 0;

/** Range event `i` (RangeBegin, RangeActive or RangeEnd); returns the count of other ranges listed. */
@inline function rangeEvent(gc: GcRanges, kind: u8, i: i32, from: i32, others: i32): i32 {
  const t = load<f64>(times + (<usize>i << 3));
  if (gc.firstTime == 0) gc.firstTime = t;
  gc.lastTime = t;
  const type = load<u8>(types + <usize>i);
  const assist = type >= S.EV_GC_MARK_ASSIST_ACTIVE;
  if (!assist && type < S.EV_GC_SWEEP_ACTIVE) {
    unchecked((gc.other[others++] = i - from));
    return others;
  }
  // RangeActive: begun in an earlier part; its end stitches at merge time.
  if (kind != RANGE_BEGIN && kind != RANGE_END) return others;
  const scopeKind = load<u8>(scopeKinds + <usize>i);
  const scopeId = load<f64>(scopeIds + (<usize>i << 3));
  const open = assist ? gc.openAssist : gc.openSweep;
  if (kind == RANGE_BEGIN) {
    open.open(scopeKind, scopeId, t);
    return others;
  }
  const start = open.close(scopeKind, scopeId);
  if (!isNaN(start)) {
    const stats = assist ? gc.assists : gc.sweeps;
    stats.count += 1;
    stats.hist.record(t - start);
  } else orphan(assist ? gc.orphanAssistEnds : gc.orphanSweepEnds, scopeKind, scopeId, t);
  return others;
}

export function gcRangesOther(handle: i32): usize {
  const gc = gcs.get(handle);
  return gc === null ? 0 : changetype<usize>(gc.other);
}

/** firstTime, lastTime, assist count, sweep count: four f64s at the returned address. */
const scalars = new StaticArray<f64>(4);
export function gcRangesScalars(handle: i32): usize {
  const gc = gcs.get(handle);
  if (gc === null) return 0;
  unchecked((scalars[0] = gc.firstTime));
  unchecked((scalars[1] = gc.lastTime));
  unchecked((scalars[2] = gc.assists.count));
  unchecked((scalars[3] = gc.sweeps.count));
  return changetype<usize>(scalars);
}

/** Address of the assist (which = 0) or sweep (1) histogram, for histogramHeader(). */
export function gcRangesHistogram(handle: i32, which: i32): usize {
  const gc = gcs.get(handle);
  if (gc === null) return 0;
  return changetype<usize>(which == 0 ? gc.assists.hist : gc.sweeps.hist);
}

/** Lists open assists (which = 0) or sweeps (1) as (scope number, start) pairs; returns how many (read them at gcRangesListed). */
export function gcRangesOpen(handle: i32, which: i32): i32 {
  const gc = gcs.get(handle);
  if (gc === null) return 0;
  return (which == 0 ? gc.openAssist : gc.openSweep).list(gc.listed);
}

export function gcRangesListed(handle: i32): usize {
  const gc = gcs.get(handle);
  return gc === null ? 0 : gc.listed.pointer();
}

/** Orphan assist (which = 0) or sweep (1) ends: the count of (scope kind, scope id, end) triples. */
export function gcRangesOrphanCount(handle: i32, which: i32): i32 {
  const gc = gcs.get(handle);
  if (gc === null) return 0;
  return (which == 0 ? gc.orphanAssistEnds : gc.orphanSweepEnds).length / 3;
}

export function gcRangesOrphans(handle: i32, which: i32): usize {
  const gc = gcs.get(handle);
  if (gc === null) return 0;
  return (which == 0 ? gc.orphanAssistEnds : gc.orphanSweepEnds).pointer();
}
