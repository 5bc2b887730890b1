// The decoder's entry points. JavaScript copies one generation into inputBuffer() and calls
// loadGeneration() (or frames it into a slot and calls loadGenerationInSlot()), then nextBatch()
// until it reports the generation done; events arrive in the
// columns (see columns.ts). Ordering state survives from one generation to the next.
import { COLUMN_COUNT, writingColumns } from './columns';
import { Ev } from './event';
import { Batch, Generation, readGeneration } from './generation';
import { MState, NOT_FAST, Ordering } from './order';
import { columns, lastTs, outputFull, putUnchecked, resetOutput, setTables, startBatch } from './output';
import { goSortByTime } from './sort';
import * as S from './specs';
import { ERR_CORRUPT_BATCH, ERR_NONE, ERR_ORDERING, clearError, errorCode, errorMessage, errorOffset, fail, ticksToNs, ticksToNsExact } from './state';

// The analysis kernels run over the columns this module fills (assembly/analysis/kernel.ts).
export * from './analysis/index';

/** One thread's batches and its next event (Go's batchCursor); the event lives in the cursor itself. */
class Cursor extends Ev {
  m: i64;
  thread: MState | null = null;
  batches: Array<Batch>;
  idx: i32 = -1;
  // Read position and end of the current batch's payload (absolute addresses).
  pos: usize = 0;
  end: usize = 0;
  batchTime: u64 = 0;
  lastTs: i64 = 0;

  constructor(m: i64, batches: Array<Batch>) {
    super();
    this.m = m;
    this.batches = batches;
  }
}

let version: i32 = 26;
let ordering: Ordering = new Ordering();
let generation: Generation | null = null;
let frontier: Array<Cursor> = new Array<Cursor>();
let cpuIndex: i32 = 0;
let installed: bool = false;
let finished: bool = false;
let syncs: i64 = 0;
let input: usize = 0;
let inputCapacity: usize = 0;
const syncEv = new Ev();
const sampleEv = new Ev();

// Batch status reported after nextBatch().
const MORE: i32 = 0;
const DONE: i32 = 1;
const FAILED: i32 = 2;
let status: i32 = MORE;

export function init(traceVersion: i32, capacity: i32): void {
  S.initSpecs();
  version = traceVersion;
  resetOutput(capacity);
  ordering = new Ordering();
  ordering.version = traceVersion;
  generation = null;
  frontier = new Array<Cursor>();
  syncs = 0;
  clearError();
}

/** Address of a buffer of at least `length` bytes to copy the next generation into. */
export function inputBuffer(length: i32): usize {
  const need = <usize>max(length, 1);
  if (need > inputCapacity) {
    if (input != 0) heap.free(input);
    input = heap.alloc(need + INPUT_PADDING);
    inputCapacity = need;
  }
  return input;
}

// ---- Slots: two buffers JavaScript frames generations into in place ----
//
// The sequential reader frames generation k into slot k % 2 while generation k-1 decodes from the
// other one, writing the bytes where the decoder reads them (no copy into inputBuffer()). A slot
// is resized only by reserveSlot(), which JavaScript calls when loading a generation that did not
// fit (the excess was framed in JavaScript memory and is copied in behind what is there).
const SLOTS: i32 = 2;
const slotAddresses = new StaticArray<usize>(SLOTS);
const slotCapacities = new StaticArray<usize>(SLOTS);

/** Address of slot `slot` (0 until it has been reserved). */
export function slotPointer(slot: i32): usize {
  return slot >= 0 && slot < SLOTS ? unchecked(slotAddresses[slot]) : 0;
}

/** Bytes slot `slot` holds (INPUT_PADDING more are allocated behind them). */
export function slotSize(slot: i32): i32 {
  return slot >= 0 && slot < SLOTS ? <i32>unchecked(slotCapacities[slot]) : 0;
}

/** Makes slot `slot` hold at least `length` bytes, keeping its contents if `keep`; returns its address. */
export function reserveSlot(slot: i32, length: i32, keep: bool): usize {
  if (slot < 0 || slot >= SLOTS) return 0;
  const need = <usize>max(length, 1);
  if (need > unchecked(slotCapacities[slot])) {
    const old = unchecked(slotAddresses[slot]);
    let at: usize;
    if (old != 0 && keep) {
      at = heap.realloc(old, need + INPUT_PADDING);
    } else {
      if (old != 0) heap.free(old);
      at = heap.alloc(need + INPUT_PADDING);
    }
    unchecked((slotAddresses[slot] = at));
    unchecked((slotCapacities[slot] = need));
  }
  return unchecked(slotAddresses[slot]);
}

/** loadGeneration for a generation in slot `slot` instead of the input buffer. */
export function loadGenerationInSlot(slot: i32, length: i32, gen: u64): i32 {
  if (slot < 0 || slot >= SLOTS) {
    clearError();
    fail(ERR_CORRUPT_BATCH, 'no such generation slot', -1);
    return errorCode;
  }
  return loadFrom(unchecked(slotAddresses[slot]), unchecked(slotCapacities[slot]), length, gen);
}

/** Decodes the tables of the generation in the input buffer. Returns 0 or an error code. */
export function loadGeneration(length: i32, gen: u64): i32 {
  return loadFrom(input, inputCapacity, length, gen);
}

function loadFrom(input: usize, inputCapacity: usize, length: i32, gen: u64): i32 {
  clearError();
  generation = null;
  setTables(null);
  frontier = new Array<Cursor>();
  cpuIndex = 0;
  installed = false;
  finished = false;
  status = MORE;
  if (<usize>length > inputCapacity) {
    fail(ERR_CORRUPT_BATCH, 'generation larger than its buffer', -1);
    return errorCode;
  }
  const g = readGeneration(input, length, version, gen);
  if (g === null) return errorCode;
  generation = g;
  setTables(g);
  return ERR_NONE;
}

export function columnPointer(column: i32): usize {
  return column >= 0 && column < COLUMN_COUNT ? columns.address(column) : 0;
}

/**
 * Fills column `column` of the current batch from its rows if it was not yet (see columns.ts);
 * returns the mask (bit per column) of the columns that hold the batch's values now.
 */
export function fillColumn(column: i32): i32 {
  if (column >= 0 && column < COLUMN_COUNT) columns.ptr(column);
  return <i32>columns.ready;
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

function emitSync(time: i64, hasTable: bool): void {
  syncs++;
  syncEv.typ = S.EV_READER_SYNC;
  syncEv.time = time;
  syncEv.a0 = <u64>syncs;
  syncEv.a1 = hasTable ? 1 : 0;
  syncEv.a2 = 0;
  syncEv.a3 = 0;
  syncEv.size = 0;
  syncEv.offset = -1;
  putUnchecked(syncEv, -1, -1, -1);
}

/**
 * Sets how many Syncs the reader has emitted so far. A decoder that starts mid-trace (a parallel
 * worker handed generation k after warming up on generation k-1) numbers its Syncs as the
 * sequential reader would: N of the next Sync is `count + 1`.
 */
export function setSyncCount(count: i64): void {
  syncs = count;
}

/** A lone Sync without tables: the end of the trace, or just before a read error is reported. */
export function bareSync(): i32 {
  startBatch();
  emitSync(lastTs, false);
  return columns.length;
}

// ---- Reading events out of a thread's batches (Go's batchCursor.nextEvent) ----

// ---- Varints of event payloads, read a machine word at a time ----
//
// The input buffer is allocated with INPUT_PADDING spare bytes after the generation, so an 8-byte
// load at any position inside a batch stays inside the buffer. Bytes past the batch end may be in
// the word; a varint whose terminating byte lies past the end is rejected as truncated, as before.
const INPUT_PADDING: usize = 16;
const CONTINUATION_BITS: u64 = 0x8080808080808080;

/** Length in bytes (1–8) of the varint whose first bytes are x (little-endian), 0 if longer than 8. */
@inline function varintLength(x: u64): usize {
  const stops = ~x & CONTINUATION_BITS;
  return stops == 0 ? 0 : (<usize>ctz(stops) + 1) >> 3;
}

/** Value of the varint of `length` (1–8) bytes at the start of x. */
@inline function varintValue(x: u64, length: usize): u64 {
  if (length == 1) return x & 0x7f;
  if (length == 2) return (x & 0x7f) | ((x >> 1) & 0x3f80);
  // Keep the varint's own bytes, then squeeze out each byte's continuation bit.
  const v = length == 8 ? x : x & ((<u64>1 << (<u64>length << 3)) - 1);
  return (v & 0x7f) | ((v >> 1) & (<u64>0x7f << 7)) | ((v >> 2) & (<u64>0x7f << 14)) | ((v >> 3) & (<u64>0x7f << 21)) |
    ((v >> 4) & (<u64>0x7f << 28)) | ((v >> 5) & (<u64>0x7f << 35)) | ((v >> 6) & (<u64>0x7f << 42)) | ((v >> 7) & (<u64>0x7f << 49));
}

/** varintValue for a varint of 2–8 bytes: those of up to 4 bytes (goroutine ids, sequence
 *  numbers) squeezed in 32 bits with four terms instead of eight. */
@inline function varintValueLong(x: u64, length: usize): u64 {
  if (length <= 4) {
    const v = <u32>x & (<u32>0xffffffff >> ((4 - <u32>length) << 3));
    return <u64>((v & 0x7f) | ((v >> 1) & 0x3f80) | ((v >> 2) & 0x1fc000) | ((v >> 3) & 0xfe00000));
  }
  const v = length == 8 ? x : x & ((<u64>1 << (<u64>length << 3)) - 1);
  return (v & 0x7f) | ((v >> 1) & (<u64>0x7f << 7)) | ((v >> 2) & (<u64>0x7f << 14)) | ((v >> 3) & (<u64>0x7f << 21)) |
    ((v >> 4) & (<u64>0x7f << 28)) | ((v >> 5) & (<u64>0x7f << 35)) | ((v >> 6) & (<u64>0x7f << 42)) | ((v >> 7) & (<u64>0x7f << 49));
}

// Result of the byte-at-a-time reader below (for varints longer than 8 bytes).
let slowValue: u64 = 0;

/** Go's uvarint at p (at most 10 bytes, the 10th at most 1, none at or past end): the position
 *  after it, with the value in slowValue, or end + 1 if it is invalid. */
function uvarintSlow(p: usize, end: usize): usize {
  let x: u64 = 0;
  let s: u64 = 0;
  for (let i = 0; i < 10; i++) {
    if (p >= end) return end + 1;
    const b = <u64>load<u8>(p);
    p++;
    if (b < 0x80) {
      if (i == 9 && b > 1) return end + 1;
      slowValue = x | (b << s);
      return p;
    }
    x |= (b & 0x7f) << s;
    s += 7;
  }
  return end + 1;
}

/** Position after the varint at p whose first 8 bytes are x and whose length is len (0: longer
 *  than 8 bytes, read byte by byte); past `end` if it is invalid or runs past the batch. */
@inline function varintEnd(p: usize, len: usize, end: usize): usize {
  return len != 0 ? p + len : uvarintSlow(p, end);
}

/** Value of that varint; call after varintEnd (the long case leaves its value in slowValue). */
@inline function varintAt(x: u64, len: usize): u64 {
  return len != 0 ? varintValue(x, len) : slowValue;
}

/** Bytes an event spans at most when its varints are at most 8 bytes each: the type and five varints. */
const FAST_EVENT_BYTES: usize = 41;

/** Moves c to its next event: 1 if there is one, 0 if its batches are exhausted, -1 on error. */
@inline function nextEvent(c: Cursor, nsPerTick: f64, tickMul: u64, tickLimit: u64): i32 {
  let pos = c.pos;
  let end = c.end;
  if (pos == end) {
    // Next batch (empty batches are skipped, as in Go).
    const batches = c.batches;
    const n = batches.length;
    let idx = c.idx;
    let b: Batch | null = null;
    for (;;) {
      idx++;
      if (idx >= n) {
        c.idx = n;
        return 0;
      }
      b = unchecked(batches[idx]);
      if (b.dataEnd != b.data) break;
    }
    const batch = changetype<Batch>(b);
    c.idx = idx;
    pos = batch.data;
    end = batch.dataEnd;
    c.end = end;
    c.batchTime = batch.time;
    c.offset = batch.offset;
    c.lastTs = 0;
  }
  // As in Go, a zero lastTs (a new batch, or an event that landed on time 0) restarts from the
  // batch's base time.
  let lastTs = c.lastTs;
  if (lastTs == 0) lastTs = ticksToNs(c.batchTime, nsPerTick);
  const typ = load<u8>(pos);
  const nargs = S.timedArgCount(typ);
  if (nargs == 0) return badEventType(c, typ);
  // Far enough from the batch's end, no varint of at most 8 bytes can run past it: one check for
  // the whole event. Most varints are a single byte, read as one; longer ones a word at a time.
  // Anything else (near the end, or a varint longer than 8 bytes) is read by the checked reader.
  if (end - pos < FAST_EVENT_BYTES) return nextEventChecked(c, pos, end, typ, nargs, lastTs, nsPerTick);
  let p = pos + 1;
  let dt = <u64>load<u8>(p);
  if (dt < 0x80) {
    p++;
  } else {
    const x = load<u64>(p);
    const len = varintLength(x);
    if (len == 0) return nextEventChecked(c, pos, end, typ, nargs, lastTs, nsPerTick);
    dt = varintValueLong(x, len);
    p += len;
  }
  // Arguments past the spec's count keep their previous values, as in Go.
  if (nargs > 1) {
    let v = <u64>load<u8>(p);
    if (v < 0x80) {
      p++;
    } else {
      const x = load<u64>(p);
      const len = varintLength(x);
      if (len == 0) return nextEventChecked(c, pos, end, typ, nargs, lastTs, nsPerTick);
      v = varintValueLong(x, len);
      p += len;
    }
    c.a0 = v;
    if (nargs > 2) {
      v = <u64>load<u8>(p);
      if (v < 0x80) {
        p++;
      } else {
        const x = load<u64>(p);
        const len = varintLength(x);
        if (len == 0) return nextEventChecked(c, pos, end, typ, nargs, lastTs, nsPerTick);
        v = varintValueLong(x, len);
        p += len;
      }
      c.a1 = v;
      if (nargs > 3) {
        v = <u64>load<u8>(p);
        if (v < 0x80) {
          p++;
        } else {
          const x = load<u64>(p);
          const len = varintLength(x);
          if (len == 0) return nextEventChecked(c, pos, end, typ, nargs, lastTs, nsPerTick);
          v = varintValueLong(x, len);
          p += len;
        }
        c.a2 = v;
        if (nargs > 4) {
          v = <u64>load<u8>(p);
          if (v < 0x80) {
            p++;
          } else {
            const x = load<u64>(p);
            const len = varintLength(x);
            if (len == 0) return nextEventChecked(c, pos, end, typ, nargs, lastTs, nsPerTick);
            v = varintValueLong(x, len);
            p += len;
          }
          c.a3 = v;
        }
      }
    }
  }
  c.typ = typ;
  const t = ticksToNsExact(dt, tickMul, tickLimit, nsPerTick) + lastTs;
  c.time = t;
  c.lastTs = t;
  c.size = <u32>(p - pos);
  c.pos = p;
  return 1;
}

/**
 * The rest of nextEvent with every varint checked against the batch's end: for events near the
 * end of their batch, and varints longer than 8 bytes (read byte by byte, as Go does).
 */
function nextEventChecked(c: Cursor, pos: usize, end: usize, typ: u8, nargs: i32, lastTs: i64, nsPerTick: f64): i32 {
  // Unrolled: at most four arguments, and no loop (V8 puts an interrupt check in every loop).
  let p = pos + 1;
  let x = load<u64>(p);
  let len = varintLength(x);
  p = varintEnd(p, len, end);
  const dt = varintAt(x, len);
  if (p > end) return badVarint(c, 'found invalid uvarint for timestamp');
  if (nargs > 1) {
    x = load<u64>(p);
    len = varintLength(x);
    p = varintEnd(p, len, end);
    c.a0 = varintAt(x, len);
    if (p > end) return badVarint(c, 'found invalid uvarint');
    if (nargs > 2) {
      x = load<u64>(p);
      len = varintLength(x);
      p = varintEnd(p, len, end);
      c.a1 = varintAt(x, len);
      if (p > end) return badVarint(c, 'found invalid uvarint');
      if (nargs > 3) {
        x = load<u64>(p);
        len = varintLength(x);
        p = varintEnd(p, len, end);
        c.a2 = varintAt(x, len);
        if (p > end) return badVarint(c, 'found invalid uvarint');
        if (nargs > 4) {
          x = load<u64>(p);
          len = varintLength(x);
          p = varintEnd(p, len, end);
          c.a3 = varintAt(x, len);
          if (p > end) return badVarint(c, 'found invalid uvarint');
        }
      }
    }
  }
  c.typ = typ;
  const t = ticksToNs(dt, nsPerTick) + lastTs;
  c.time = t;
  c.lastTs = t;
  c.size = <u32>(p - pos);
  c.pos = p;
  return 1;
}

function badVarint(c: Cursor, message: string): i32 {
  fail(ERR_CORRUPT_BATCH, message, c.offset);
  return -1;
}

/** The error for an event type that is unknown or has no timestamp. */
function badEventType(c: Cursor, typ: u8): i32 {
  if (<i32>typ >= S.SPEC_COUNT) fail(ERR_CORRUPT_BATCH, 'found invalid event type: ' + typ.toString(), c.offset);
  else fail(ERR_CORRUPT_BATCH, 'found event without a timestamp: type=' + typ.toString(), c.offset);
  return -1;
}

// Go's binary min-heap over cursors, with its exact tie-breaking. heapKeys[k] is frontier[k]'s
// time, kept beside the heap so that sifting compares times in one flat array instead of loading
// each cursor; whoever moves a cursor to its next event stores its new time there.
let heapKeys: StaticArray<i64> = new StaticArray<i64>(16);

/** Makes room for n cursors' keys (the frontier never holds more than the generation's threads). */
function reserveHeapKeys(n: i32): void {
  if (heapKeys.length < n) heapKeys = new StaticArray<i64>(max(n, heapKeys.length * 2));
}

/** Re-reads every key from its cursor (after the frontier was reordered as a whole). */
function reloadHeapKeys(h: Array<Cursor>): void {
  for (let k = 0; k < h.length; k++) unchecked((heapKeys[k] = h[k].time));
}

// Moving the sifted cursor along a hole gives the same arrangement as Go's swap at each level.
function siftUp(h: Array<Cursor>, i: i32): i32 {
  const keys = heapKeys;
  const node = unchecked(h[i]);
  const t = unchecked(keys[i]);
  while (i > 0) {
    const parent = (i - 1) / 2;
    const pt = unchecked(keys[parent]);
    if (pt <= t) break;
    unchecked((h[i] = h[parent]));
    unchecked((keys[i] = pt));
    i = parent;
  }
  unchecked((h[i] = node));
  unchecked((keys[i] = t));
  return i;
}

function siftDown(h: Array<Cursor>, i: i32): void {
  siftDownInline(h, i);
}

/** siftDown, inlined where the root moves down (runRoot: about one event in four). */
@inline function siftDownInline(h: Array<Cursor>, i: i32): void {
  const keys = heapKeys;
  const n = h.length;
  const node = unchecked(h[i]);
  const t = unchecked(keys[i]);
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    // Go: m = l if keys[l] < t, then m = r if keys[r] < keys[m]; chosen with selects, since
    // which child is earlier is anyone's guess and a branch on it is mispredicted half the time.
    const lt = unchecked(keys[l]);
    let m = select<i32>(l, i, lt < t);
    let minT = select<i64>(lt, t, lt < t);
    const r = l + 1;
    if (r < n) {
      const rt = unchecked(keys[r]);
      const right = rt < minT;
      m = select<i32>(r, m, right);
      minT = select<i64>(rt, minT, right);
    }
    if (m == i) break;
    unchecked((h[i] = h[m]));
    unchecked((keys[i] = minT));
    i = m;
  }
  unchecked((h[i] = node));
  unchecked((keys[i] = t));
}

function heapUpdate(h: Array<Cursor>, i: i32): void {
  // The root (nearly every update) has nowhere to go up: straight to siftDown.
  if (i > 0 && siftUp(h, i) != i) return;
  siftDown(h, i);
}

function heapRemove(h: Array<Cursor>, i: i32): void {
  const keys = heapKeys;
  while (i > 0) {
    const parent = (i - 1) / 2;
    const t = unchecked(h[parent]);
    unchecked((h[parent] = h[i]));
    unchecked((h[i] = t));
    const tk = unchecked(keys[parent]);
    unchecked((keys[parent] = keys[i]));
    unchecked((keys[i] = tk));
    i = parent;
  }
  const last = h.length - 1;
  const t = unchecked(h[0]);
  unchecked((h[0] = h[last]));
  unchecked((h[last] = t));
  const tk = unchecked(keys[0]);
  unchecked((keys[0] = keys[last]));
  unchecked((keys[last] = tk));
  h.pop();
  if (h.length > 0) siftDown(h, 0);
}

function tryAdvance(g: Generation, i: i32): i32 {
  const c = unchecked(frontier[i]);
  if (c.thread === null && c.m != -1) c.thread = ordering.threadState(c.m);
  const ms = c.thread;
  let r = ms !== null && ordering.initialGen != 0 ? ordering.advanceFast(c, ms, c.m, g.gen, writingColumns()) : NOT_FAST;
  if (r == NOT_FAST) r = ordering.advance(c, g, c.m, ms, g.gen);
  if (r != 1) return r;
  const next = nextEvent(c, g.nsPerTick, g.tickMul, g.tickLimit);
  if (next < 0) return -1;
  if (next == 1) {
    const t = c.time;
    unchecked((heapKeys[i] = t));
    // The common case: the root thread's next event still comes first; the heap is unchanged
    // (siftDown would compare with both children and stop, exactly this test).
    if (i == 0) {
      const n = frontier.length;
      if ((n < 2 || unchecked(heapKeys[1]) >= t) && (n < 3 || unchecked(heapKeys[2]) >= t)) return 1;
    }
    heapUpdate(frontier, i);
  } else heapRemove(frontier, i);
  return 1;
}

/**
 * tryAdvance(g, 0), repeated while the root cursor keeps the lead: its next event is not later
 * than either child's (siftDown would leave it in place), the next CPU sample (at sampleTime) is
 * not earlier, and the output has room; exactly the steps nextBatch's loop would take one at a
 * time, with what does not change during the run (the cursor, its thread, the children's times)
 * held in locals. Returns as tryAdvance does for the last step. `into`: writingColumns().
 */
@inline function runRoot(g: Generation, sampleTime: i64, into: bool): i32 {
  const c = unchecked(frontier[0]);
  if (c.thread === null && c.m != -1) c.thread = ordering.threadState(c.m);
  const ms = c.thread;
  const m = c.m;
  const gen = g.gen;
  const ord = ordering;
  // The fast path needs a thread and the first generation known (advance() sets it).
  let fast = ms !== null && ord.initialGen != 0;
  const nsPerTick = g.nsPerTick;
  const tickMul = g.tickMul;
  const tickLimit = g.tickLimit;
  const n = frontier.length;
  let bound = i64.MAX_VALUE;
  if (n >= 2) bound = unchecked(heapKeys[1]);
  if (n >= 3) bound = min(bound, unchecked(heapKeys[2]));
  // The run stops at an event later than `bound` (the root moves down) or than the next sample.
  const limit = min(bound, sampleTime);
  // heapKeys[0] (the root's time) is read by no one during the run: stored once, when it ends.
  for (;;) {
    // The common outcomes (advanced, next event read) each cost one test.
    let r = fast ? ord.advanceFast(c, changetype<MState>(ms), m, gen, into) : NOT_FAST;
    if (r != 1) {
      if (r == NOT_FAST) {
        r = ord.advance(c, g, m, ms, gen);
        fast = ms !== null && ord.initialGen != 0;
      }
      if (r != 1) {
        unchecked((heapKeys[0] = c.time));
        return r;
      }
    }
    const next = nextEvent(c, nsPerTick, tickMul, tickLimit);
    if (next != 1) {
      if (next < 0) return -1;
      heapRemove(frontier, 0);
      return 1;
    }
    const t = c.time;
    if (t > limit) {
      unchecked((heapKeys[0] = t));
      if (t > bound) siftDownInline(frontier, 0);
      return 1;
    }
    if (columns.full) {
      unchecked((heapKeys[0] = t));
      return 1;
    }
  }
  // Not reached; the compiler wants every path of the function to return.
  return 1;
}

function install(g: Generation): bool {
  reserveHeapKeys(g.batchMs.length);
  for (let i = 0; i < g.batchMs.length; i++) {
    const c = new Cursor(unchecked(g.batchMs[i]), unchecked(g.batchesByM[i]));
    const r = nextEvent(c, g.nsPerTick, g.tickMul, g.tickLimit);
    if (r < 0) return false;
    if (r == 1) {
      frontier.push(c);
      unchecked((heapKeys[frontier.length - 1] = c.time));
      siftUp(frontier, frontier.length - 1);
    }
  }
  emitSync(ticksToNs(g.minTs, g.nsPerTick), true);
  return true;
}

/** Go's dumpFrontier: each cursor's thread and pending event with its argument names. */
function frontierDump(): string {
  let s = '';
  for (let i = 0; i < frontier.length; i++) {
    const c = unchecked(frontier[i]);
    s += 'M ' + c.m.toString() + ' [' + S.specName(c.typ) + ' time=' + c.time.toString();
    const names = S.argNames(c.typ);
    for (let k = 0; k < names.length && k < 4; k++) s += ' ' + unchecked(names[k]) + '=' + c.arg(k).toString();
    s += ']\n';
  }
  return s;
}

/** Fills the columns with the next events of the loaded generation; returns how many. */
export function nextBatch(): i32 {
  startBatch();
  const g = generation;
  if (g === null || finished) {
    status = columns.length > 0 ? MORE : DONE;
    return columns.length;
  }
  if (status == FAILED) return 0;
  if (!installed) {
    installed = true;
    if (!install(g)) {
      status = FAILED;
      return columns.length;
    }
  }
  const samples = g.cpuSamples;
  const nsamples = samples.length;
  while (!outputFull()) {
    const nfrontier = frontier.length;
    if (cpuIndex < nsamples) {
      const s = unchecked(samples[cpuIndex]);
      if (nfrontier == 0 || s.time < unchecked(frontier[0]).time) {
        cpuIndex++;
        sampleEv.typ = S.EV_CPU_SAMPLE;
        sampleEv.time = s.time;
        sampleEv.a0 = s.stack;
        sampleEv.a1 = 0;
        sampleEv.a2 = 0;
        sampleEv.a3 = 0;
        sampleEv.size = 0;
        sampleEv.offset = s.offset;
        putUnchecked(sampleEv, s.g, s.p, s.m);
        continue;
      }
    } else if (nfrontier == 0) {
      finished = true;
      status = columns.length > 0 ? MORE : DONE;
      return columns.length;
    }
    const sampleTime = cpuIndex < nsamples ? unchecked(samples[cpuIndex]).time : i64.MAX_VALUE;
    // One copy of the loop per way of writing (`into` a constant in each): neither carries the
    // other's values and tests.
    let r = writingColumns() ? runRoot(g, sampleTime, true) : runRoot(g, sampleTime, false);
    if (r < 0) {
      status = FAILED;
      return columns.length;
    }
    if (r == 0) {
      // A sorted min-heap is still a min-heap: try the others in time order.
      goSortByTime<Cursor>(frontier);
      reloadHeapKeys(frontier);
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
        fail(ERR_ORDERING, 'broken trace: failed to advance: frontier:\n[gen=' + g.gen.toString() + ']\n\n' + frontierDump(), unchecked(frontier[0]).offset);
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

// ---- Test hook ----

class SortRecord {
  constructor(public time: i64, public index: i32) {}
}

/** Sorts the n i64 times at inputBuffer() the way Go's slices.SortFunc orders the frontier, and
 *  writes the original index of each sorted element as i32s right after the times. Lets tests
 *  compare the unstable order of equal times with Go's. Returns false if n does not fit. */
export function testGoSort(n: i32): bool {
  if (n < 0 || <usize>n * 12 > inputCapacity) return false;
  const records = new Array<SortRecord>(n);
  for (let i = 0; i < n; i++) unchecked((records[i] = new SortRecord(load<i64>(input + (<usize>i << 3)), i)));
  goSortByTime<SortRecord>(records);
  const out = input + (<usize>n << 3);
  for (let i = 0; i < n; i++) store<i32>(out + (<usize>i << 2), unchecked(records[i]).index);
  return true;
}
