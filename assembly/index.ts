// The decoder's entry points. JavaScript copies one generation into inputBuffer(), calls
// loadGeneration(), then nextBatch() until it reports the generation done; events arrive in the
// columns (see columns.ts). Ordering state survives from one generation to the next.
import { Columns, COLUMN_COUNT } from './columns';
import { Ev } from './event';
import { Batch, Generation, readGeneration } from './generation';
import { MState, Ordering } from './order';
import * as S from './specs';
import { ERR_CORRUPT_BATCH, ERR_NONE, ERR_ORDERING, Reader, clearError, errorCode, errorMessage, errorOffset, fail, ticksToNs } from './state';

class Cursor {
  m: i64;
  thread: MState | null = null;
  batches: Array<Batch>;
  idx: i32 = 0;
  dataOff: usize = 0;
  lastTs: i64 = 0;
  ev: Ev = new Ev();

  constructor(m: i64, batches: Array<Batch>) {
    this.m = m;
    this.batches = batches;
  }
}

let version: i32 = 26;
let columns: Columns = new Columns(1);
let ordering: Ordering = new Ordering();
let generation: Generation | null = null;
let frontier: Array<Cursor> = new Array<Cursor>();
let cpuIndex: i32 = 0;
let installed: bool = false;
let finished: bool = false;
let syncs: i64 = 0;
let lastTs: i64 = 0;
let input: usize = 0;
let inputCapacity: usize = 0;
const syncEv = new Ev();
// One reader reused for every event: no allocation in the hot loop.
const eventReader = new Reader(0, 0);
const sampleEv = new Ev();

// Batch status reported after nextBatch().
const MORE: i32 = 0;
const DONE: i32 = 1;
const FAILED: i32 = 2;
let status: i32 = MORE;

export function init(traceVersion: i32, capacity: i32): void {
  S.initSpecs();
  version = traceVersion;
  columns = new Columns(capacity);
  ordering = new Ordering();
  generation = null;
  frontier = new Array<Cursor>();
  syncs = 0;
  lastTs = 0;
  clearError();
}

/** Address of a buffer of at least `length` bytes to copy the next generation into. */
export function inputBuffer(length: i32): usize {
  const need = <usize>max(length, 1);
  if (need > inputCapacity) {
    if (input != 0) heap.free(input);
    input = heap.alloc(need);
    inputCapacity = need;
  }
  return input;
}

/** Decodes the tables of the generation in the input buffer. Returns 0 or an error code. */
export function loadGeneration(length: i32, gen: u64): i32 {
  clearError();
  generation = null;
  frontier = new Array<Cursor>();
  cpuIndex = 0;
  installed = false;
  finished = false;
  status = MORE;
  const g = readGeneration(input, length, version, gen);
  if (g === null) return errorCode;
  generation = g;
  return ERR_NONE;
}

export function columnPointer(column: i32): usize {
  return column >= 0 && column < COLUMN_COUNT ? columns.ptr(column) : 0;
}

export function batchStatus(): i32 {
  return status;
}

export function lastErrorCode(): i32 {
  return errorCode;
}

export function lastErrorMessage(): string {
  return errorMessage;
}

export function lastErrorOffset(): i32 {
  return errorOffset;
}

/** Go's Reader fix-up: every returned event is strictly later than the one before it. */
function emit(ev: Ev): void {
  if (ev.time <= lastTs) ev.time = lastTs + 1;
  lastTs = ev.time;
  columns.write(ev);
}

function emitSync(time: i64, hasTable: bool): void {
  syncs++;
  syncEv.typ = S.EV_READER_SYNC;
  syncEv.time = time;
  syncEv.a0 = <u64>syncs;
  syncEv.a1 = hasTable ? 1 : 0;
  syncEv.a2 = 0;
  syncEv.a3 = 0;
  syncEv.g = -1;
  syncEv.p = -1;
  syncEv.m = -1;
  syncEv.size = 0;
  syncEv.offset = -1;
  emit(syncEv);
}

/** A lone Sync without tables: the end of the trace, or just before a read error is reported. */
export function bareSync(): i32 {
  columns.length = 0;
  emitSync(lastTs, false);
  return columns.length;
}

function nextEvent(c: Cursor, nsPerTick: f64): i32 {
  while (c.idx < c.batches.length) {
    const b = unchecked(c.batches[c.idx]);
    if (b.dataEnd - b.data != c.dataOff) break;
    c.idx++;
    c.dataOff = 0;
    c.lastTs = 0;
  }
  if (c.idx == c.batches.length) return 0;
  const b = unchecked(c.batches[c.idx]);
  if (c.lastTs == 0) c.lastTs = ticksToNs(b.time, nsPerTick);
  const start = b.data + c.dataOff;
  const r = eventReader;
  r.pos = start;
  r.end = b.dataEnd;
  r.ok = true;
  const typ = <u8>r.byte();
  const ev = c.ev;
  if (<i32>typ >= S.SPEC_COUNT) {
    fail(ERR_CORRUPT_BATCH, 'found invalid event type: ' + typ.toString(), b.offset);
    return -1;
  }
  const nargs = S.argCount(typ);
  if (nargs == 0 || !S.isTimed(typ)) {
    fail(ERR_CORRUPT_BATCH, 'found event without a timestamp: type=' + typ.toString(), b.offset);
    return -1;
  }
  const dt = r.uvarint();
  if (!r.ok) {
    fail(ERR_CORRUPT_BATCH, 'found invalid uvarint for timestamp', b.offset);
    return -1;
  }
  for (let i = 0; i < nargs - 1; i++) {
    const v = r.uvarint();
    if (!r.ok) {
      fail(ERR_CORRUPT_BATCH, 'found invalid uvarint', b.offset);
      return -1;
    }
    ev.setArg(i, v);
  }
  ev.typ = typ;
  ev.time = ticksToNs(dt, nsPerTick) + c.lastTs;
  ev.size = <u32>(r.pos - start);
  ev.offset = b.offset;
  c.lastTs = ev.time;
  c.dataOff = r.pos - b.data;
  return 1;
}

// Go's binary min-heap over cursors, with its exact tie-breaking.
function siftUp(h: Array<Cursor>, i: i32): i32 {
  while (i > 0 && unchecked(h[(i - 1) / 2]).ev.time > unchecked(h[i]).ev.time) {
    const parent = (i - 1) / 2;
    const t = unchecked(h[parent]);
    unchecked((h[parent] = h[i]));
    unchecked((h[i] = t));
    i = parent;
  }
  return i;
}

function min3(h: Array<Cursor>, i0: i32, i1: i32, i2: i32): i32 {
  let minIdx = i0;
  let minT = i64.MAX_VALUE;
  const n = h.length;
  if (i0 < n) minT = unchecked(h[i0]).ev.time;
  if (i1 < n) {
    const t = unchecked(h[i1]).ev.time;
    if (t < minT) {
      minT = t;
      minIdx = i1;
    }
  }
  if (i2 < n) {
    const t = unchecked(h[i2]).ev.time;
    if (t < minT) {
      minT = t;
      minIdx = i2;
    }
  }
  return minIdx;
}

function siftDown(h: Array<Cursor>, i: i32): void {
  for (;;) {
    const m = min3(h, i, 2 * i + 1, 2 * i + 2);
    if (m == i) break;
    const t = unchecked(h[i]);
    unchecked((h[i] = h[m]));
    unchecked((h[m] = t));
    i = m;
  }
}

function heapUpdate(h: Array<Cursor>, i: i32): void {
  if (siftUp(h, i) != i) return;
  siftDown(h, i);
}

function heapRemove(h: Array<Cursor>, i: i32): void {
  while (i > 0) {
    const parent = (i - 1) / 2;
    const t = unchecked(h[parent]);
    unchecked((h[parent] = h[i]));
    unchecked((h[i] = t));
    i = parent;
  }
  const last = h.length - 1;
  const t = unchecked(h[0]);
  unchecked((h[0] = h[last]));
  unchecked((h[last] = t));
  h.pop();
  siftDown(h, 0);
}

/** Go sorts the frontier with pdqsort: insertion sort (stable) up to 12 elements. */
function sortFrontier(h: Array<Cursor>): void {
  for (let i = 1; i < h.length; i++) {
    const c = unchecked(h[i]);
    let j = i - 1;
    while (j >= 0 && unchecked(h[j]).ev.time > c.ev.time) {
      unchecked((h[j + 1] = h[j]));
      j--;
    }
    unchecked((h[j + 1] = c));
  }
}

function tryAdvance(g: Generation, i: i32): i32 {
  const c = unchecked(frontier[i]);
  if (c.thread === null && c.m != -1) c.thread = ordering.threadState(c.m);
  const r = ordering.advance(c.ev, g, c.m, c.thread, g.gen);
  if (r != 1) return r;
  const next = nextEvent(c, g.nsPerTick);
  if (next < 0) return -1;
  if (next == 1) heapUpdate(frontier, i);
  else heapRemove(frontier, i);
  return 1;
}

/** Go's validateTableIDs: every stack and string an event refers to exists in its generation. */
function validateTableIds(g: Generation, ev: Ev): bool {
  const typ = ev.typ;
  const own = S.ownStackArg(typ);
  if (own != 0 && !g.hasStack(ev.arg(own - 1))) {
    return fail(ERR_ORDERING, 'found invalid stack ID ' + ev.arg(own - 1).toString() + ' for event ' + typ.toString(), ev.offset);
  }
  const second = S.secondStackArg(typ);
  if (second != 0 && !g.hasStack(ev.arg(second - 1))) {
    return fail(ERR_ORDERING, 'found invalid stack ID ' + ev.arg(second - 1).toString() + ' for event ' + typ.toString(), ev.offset);
  }
  const s1 = S.stringArg1(typ);
  if (s1 != 0 && !g.hasString(ev.arg(s1 - 1))) {
    return fail(ERR_ORDERING, 'found invalid string ID ' + ev.arg(s1 - 1).toString() + ' for event ' + typ.toString(), ev.offset);
  }
  const s2 = S.stringArg2(typ);
  if (s2 != 0 && !g.hasString(ev.arg(s2 - 1))) {
    return fail(ERR_ORDERING, 'found invalid string ID ' + ev.arg(s2 - 1).toString() + ' for event ' + typ.toString(), ev.offset);
  }
  return true;
}

function install(g: Generation): bool {
  for (let i = 0; i < g.batchMs.length; i++) {
    const c = new Cursor(unchecked(g.batchMs[i]), unchecked(g.batchesByM[i]));
    const r = nextEvent(c, g.nsPerTick);
    if (r < 0) return false;
    if (r == 1) {
      frontier.push(c);
      siftUp(frontier, frontier.length - 1);
    }
  }
  emitSync(ticksToNs(g.minTs, g.nsPerTick), true);
  return true;
}

function frontierDump(): string {
  let s = '';
  for (let i = 0; i < frontier.length; i++) {
    const c = unchecked(frontier[i]);
    s += 'M ' + c.m.toString() + ' [type=' + c.ev.typ.toString() + ' time=' + c.ev.time.toString() + ']\n';
  }
  return s;
}

/** Fills the columns with the next events of the loaded generation; returns how many. */
export function nextBatch(): i32 {
  columns.length = 0;
  const g = generation;
  if (g === null || finished) {
    status = DONE;
    return 0;
  }
  if (!installed) {
    installed = true;
    if (!install(g)) {
      status = FAILED;
      return columns.length;
    }
  }
  const samples = g.cpuSamples;
  while (!columns.full) {
    if (ordering.queue.length > 0) {
      const ev = ordering.queue.pop();
      if (!validateTableIds(g, ev)) {
        status = FAILED;
        return columns.length;
      }
      emit(ev);
      continue;
    }
    if (frontier.length == 0 && cpuIndex >= samples.length) {
      status = DONE;
      finished = true;
      return columns.length;
    }
    if (cpuIndex < samples.length) {
      const s = unchecked(samples[cpuIndex]);
      if (frontier.length == 0 || s.time < unchecked(frontier[0]).ev.time) {
        cpuIndex++;
        sampleEv.typ = S.EV_CPU_SAMPLE;
        sampleEv.time = s.time;
        sampleEv.a0 = s.stack;
        sampleEv.a1 = 0;
        sampleEv.a2 = 0;
        sampleEv.a3 = 0;
        sampleEv.g = s.g;
        sampleEv.p = s.p;
        sampleEv.m = s.m;
        sampleEv.size = 0;
        sampleEv.offset = s.offset;
        emit(sampleEv);
        continue;
      }
    }
    let r = tryAdvance(g, 0);
    if (r < 0) {
      status = FAILED;
      return columns.length;
    }
    if (r == 0) {
      sortFrontier(frontier);
      let advanced = false;
      for (let i = 1; i < frontier.length; i++) {
        r = tryAdvance(g, i);
        if (r < 0) {
          status = FAILED;
          return columns.length;
        }
        if (r == 1) {
          advanced = true;
          break;
        }
      }
      if (!advanced) {
        fail(ERR_ORDERING, 'broken trace: failed to advance: frontier:\n[gen=' + g.gen.toString() + ']\n\n' + frontierDump(), unchecked(frontier[0]).ev.offset);
        status = FAILED;
        return columns.length;
      }
    }
  }
  status = MORE;
  return columns.length;
}

// ---- Table access for JavaScript (resolving ids of the current generation) ----

// The loaded generation's tables stay readable after its last event, until the next load.
function currentTables(): Generation | null {
  return generation;
}

export function stringPointer(id: u64): usize {
  const g = currentTables();
  if (g === null) return 0;
  const i = g.stringIndex(id);
  return i < 0 ? 0 : unchecked(g.stringData[i]);
}

/** Byte length of string `id`, 0 for id 0, -1 if unknown. */
export function stringLength(id: u64): i32 {
  if (id == 0) return 0;
  const g = currentTables();
  if (g === null) return -1;
  const i = g.stringIndex(id);
  return i < 0 ? -1 : unchecked(g.stringLength[i]);
}

export function extraStringPointer(id: u64): usize {
  const g = currentTables();
  if (g === null || id == 0 || id > <u64>g.extraStrings.length) return 0;
  return changetype<usize>(unchecked(g.extraStrings[<i32>id - 1]));
}

export function extraStringLength(id: u64): i32 {
  const g = currentTables();
  if (g === null || id == 0 || id > <u64>g.extraStrings.length) return 0;
  return unchecked(g.extraStrings[<i32>id - 1]).byteLength;
}

let frameScratch: usize = heap.alloc(128 * 32);

/** Writes stack `id`'s frames as (pc, func string id, file string id, line) u64 quadruples; returns the count or -1. */
export function stackFrames(id: u64): i32 {
  const g = currentTables();
  if (g === null || id == 0 || !g.stacks.has(id)) return id == 0 ? 0 : -1;
  const s = g.stacks.get(id);
  const start = unchecked(g.stackStart[s]);
  const count = unchecked(g.stackCount[s]);
  for (let i = 0; i < count; i++) {
    const pc = unchecked(g.stackPcs[start + i]);
    const f = g.pcs.get(pc);
    const at = frameScratch + <usize>(i * 32);
    store<u64>(at, pc);
    store<u64>(at + 8, unchecked(g.frameFunc[f]));
    store<u64>(at + 16, unchecked(g.frameFile[f]));
    store<u64>(at + 24, unchecked(g.frameLine[f]));
  }
  return count;
}

export function frameScratchPointer(): usize {
  return frameScratch;
}

// Sync details of the current generation.
export function syncHasClockSnapshot(): bool {
  const g = currentTables();
  return g !== null && g.hasClockSnapshot;
}
export function syncClockTrace(): i64 {
  const g = currentTables();
  return g === null ? 0 : ticksToNs(g.snapTime, g.nsPerTick);
}
export function syncClockMono(): u64 {
  const g = currentTables();
  return g === null ? 0 : g.snapMono;
}
export function syncClockSec(): u64 {
  const g = currentTables();
  return g === null ? 0 : g.snapSec;
}
export function syncClockNsec(): u64 {
  const g = currentTables();
  return g === null ? 0 : g.snapNsec;
}
export function experimentalBatchCount(): i32 {
  const g = currentTables();
  return g === null ? 0 : g.experimental.length;
}
export function experimentalBatchExperiment(i: i32): i32 {
  const g = currentTables();
  return g === null || i < 0 || i >= g.experimental.length ? 0 : <i32>unchecked(g.experimental[i]).experiment;
}
export function experimentalBatchThread(i: i32): i64 {
  const g = currentTables();
  return g === null || i < 0 || i >= g.experimental.length ? -1 : unchecked(g.experimental[i]).thread;
}
export function experimentalBatchPointer(i: i32): usize {
  const g = currentTables();
  return g === null || i < 0 || i >= g.experimental.length ? 0 : unchecked(g.experimental[i]).data;
}
export function experimentalBatchLength(i: i32): i32 {
  const g = currentTables();
  return g === null || i < 0 || i >= g.experimental.length ? 0 : unchecked(g.experimental[i]).length;
}

// Keep the imports used only for their side effects from being reported as unused.
export const ERROR_ORDERING: i32 = ERR_ORDERING;
