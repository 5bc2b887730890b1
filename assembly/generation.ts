// One generation's structure, decoded the way Go's readGeneration/processBatch do it: batch headers
// re-parsed from the raw bytes, string/stack/CPU-sample/sync tables decoded eagerly, and every other
// batch filed, undecoded, under its thread (M) in file order. Strings and experimental payloads are
// kept as offsets into the generation buffer, never copied.
import {
  EV_CPU_SAMPLE, EV_CPU_SAMPLES, EV_END_OF_GENERATION, EV_FREQUENCY, EV_STACK, EV_STACKS, EV_STRING,
  EV_STRINGS, EV_SYNC, EV_CLOCK_SNAPSHOT, EV_EXPERIMENTAL_BATCH, EV_BATCH,
} from './specs';
import { goSortByTime } from './sort';
import { ERR_CORRUPT_BATCH, ERR_CORRUPT_TABLE, Reader, exactTickLimit, exactTickMultiplier, fail, ticksToNs } from './state';

const MAX_STRING_BYTES: u64 = 1024;
const MAX_FRAMES: u64 = 128;
const MAX_BATCH_BYTES: u64 = 65536;

export class Batch {
  m: i64;
  time: u64;
  data: usize; // absolute address of the payload
  dataEnd: usize;
  offset: i32; // offset of the batch header within the generation buffer
}

export class CpuSample {
  time: i64; // nanoseconds after fix-up
  m: i64;
  p: i64;
  g: i64;
  stack: u64;
  offset: i32;
}

export class ExperimentalBatchRef {
  experiment: u8;
  thread: i64;
  data: usize;
  length: i32;
}

export class Generation {
  gen: u64 = 0;
  base: usize = 0;
  // Regular event batches, grouped by M in the order Ms were first seen.
  batchMs: Array<i64> = new Array<i64>();
  batchesByM: Array<Array<Batch>> = new Array<Array<Batch>>();
  mIndex: Map<i64, i32> = new Map<i64, i32>();
  minTs: u64 = 0;
  // Strings: id → index into stringData/stringLen.
  strings: Map<u64, i32> = new Map<u64, i32>();
  stringData: Array<usize> = new Array<usize>();
  stringLength: Array<i32> = new Array<i32>();
  // Stacks: id → index into stackStart/stackCount; frame pcs in stackPcs.
  stacks: Map<u64, i32> = new Map<u64, i32>();
  stackIds: Array<u64> = new Array<u64>();
  stackStart: Array<i32> = new Array<i32>();
  stackCount: Array<i32> = new Array<i32>();
  stackPcs: Array<u64> = new Array<u64>();
  // The first frame record seen for each PC wins, as in Go.
  pcs: Map<u64, i32> = new Map<u64, i32>();
  framePc: Array<u64> = new Array<u64>();
  frameFunc: Array<u64> = new Array<u64>();
  frameFile: Array<u64> = new Array<u64>();
  frameLine: Array<u64> = new Array<u64>();
  cpuSamples: Array<CpuSample> = new Array<CpuSample>();
  // Sync data.
  hasFreq: bool = false;
  nsPerTick: f64 = 0;
  /** ticksToNsExact's parameters for this clock (0, 0 unless a tick is a whole number of ns). */
  tickMul: u64 = 0;
  tickLimit: u64 = 0;
  hasClockSnapshot: bool = false;
  snapTime: u64 = 0;
  snapMono: u64 = 0;
  snapSec: u64 = 0;
  snapNsec: u64 = 0;
  experimental: Array<ExperimentalBatchRef> = new Array<ExperimentalBatchRef>();
  // Strings made while ordering (task names carried across generations); 1-based ids.
  extraStrings: Array<ArrayBuffer> = new Array<ArrayBuffer>();

  stringIndex(id: u64): i32 {
    if (!this.strings.has(id)) return -1;
    return this.strings.get(id);
  }

  // Ids are dense small numbers in practice; a presence bitmap answers the per-event checks
  // without hashing, and the maps remain for ids beyond it.
  stringPresent: StaticArray<u8> = new StaticArray<u8>(0);
  stackPresent: StaticArray<u8> = new StaticArray<u8>(0);

  @inline hasString(id: u64): bool {
    if (id < <u64>this.stringPresent.length) return unchecked(this.stringPresent[<i32>id]) != 0;
    return id == 0 || this.strings.has(id);
  }

  @inline hasStack(id: u64): bool {
    if (id < <u64>this.stackPresent.length) return unchecked(this.stackPresent[<i32>id]) != 0;
    return id == 0 || this.stacks.has(id);
  }

  /** Builds the presence bitmaps once the tables are complete (Go's compactify, in spirit). */
  compactify(): void {
    this.stringPresent = presence(this.strings.keys(), this.strings.size);
    this.stackPresent = presence(this.stacks.keys(), this.stacks.size);
  }

  addExtraString(data: ArrayBuffer): u64 {
    if (data.byteLength == 0) return 0;
    for (let i = 0; i < this.extraStrings.length; i++) {
      if (bytesEqual(unchecked(this.extraStrings[i]), data)) return <u64>(i + 1);
    }
    this.extraStrings.push(data);
    return <u64>this.extraStrings.length;
  }
}

function presence(ids: Array<u64>, count: i32): StaticArray<u8> {
  let maxId: u64 = 0;
  for (let i = 0; i < ids.length; i++) if (unchecked(ids[i]) > maxId) maxId = unchecked(ids[i]);
  // Waste at most a few bytes per entry; sparse ids fall back to the maps.
  if (maxId >= <u64>(4 * count + 64)) return new StaticArray<u8>(0);
  const bits = new StaticArray<u8>(<i32>maxId + 1);
  unchecked((bits[0] = 1));
  for (let i = 0; i < ids.length; i++) unchecked((bits[<i32>ids[i]] = 1));
  return bits;
}

export function bytesEqual(a: ArrayBuffer, b: ArrayBuffer): bool {
  const n = a.byteLength;
  if (n != b.byteLength) return false;
  return memory.compare(changetype<usize>(a), changetype<usize>(b), n) == 0;
}

export function copyBytes(ptr: usize, len: i32): ArrayBuffer {
  const out = new ArrayBuffer(len);
  memory.copy(changetype<usize>(out), ptr, <usize>len);
  return out;
}

/** Decodes the generation in [base, base+length). Returns null (with the error recorded) on failure. */
export function readGeneration(base: usize, length: i32, version: i32, gen: u64): Generation | null {
  const g = new Generation();
  g.gen = gen;
  g.base = base;
  const end = base + <usize>length;
  let pos = base;
  while (pos < end) {
    const offset = <i32>(pos - base);
    const r = new Reader(pos, end);
    const typ = r.byte();
    if (typ != <i32>EV_BATCH && typ != <i32>EV_EXPERIMENTAL_BATCH) {
      fail(ERR_CORRUPT_BATCH, 'expected batch event, got event ' + typ.toString(), offset);
      return null;
    }
    let experiment: i32 = 0;
    if (typ == <i32>EV_EXPERIMENTAL_BATCH) experiment = r.byte();
    r.uvarint(); // generation: the framer has checked it
    const m = <i64>r.uvarint();
    const time = r.uvarint();
    const size = r.uvarint();
    if (!r.ok || size > MAX_BATCH_BYTES || <u64>r.remaining < size) {
      fail(ERR_CORRUPT_BATCH, 'malformed batch header', offset);
      return null;
    }
    const b = new Batch();
    b.m = m;
    b.time = time;
    b.data = r.pos;
    b.dataEnd = r.pos + <usize>size;
    b.offset = offset;
    pos = b.dataEnd;
    // As in Go, a zero minTs means "unset", so a batch at time 0 is replaced by the next one.
    if (g.minTs == 0 || time < g.minTs) g.minTs = time;
    if (!processBatch(g, b, experiment, version)) return null;
  }
  if (!g.hasFreq) {
    fail(ERR_CORRUPT_TABLE, 'no frequency event found', -1);
    return null;
  }
  if (version >= 25 && !g.hasClockSnapshot) {
    fail(ERR_CORRUPT_TABLE, 'no clock snapshot event found', -1);
    return null;
  }
  g.compactify();
  if (!validateStackStrings(g)) return null;
  fixUpCpuSamples(g);
  return g;
}

function processBatch(g: Generation, b: Batch, experiment: i32, version: i32): bool {
  const empty = b.data == b.dataEnd;
  const head = empty ? -1 : <i32>load<u8>(b.data);
  if (experiment != 0) {
    const ref = new ExperimentalBatchRef();
    ref.experiment = <u8>experiment;
    ref.thread = b.m;
    ref.data = b.data;
    ref.length = <i32>(b.dataEnd - b.data);
    g.experimental.push(ref);
    return true;
  }
  if (head == <i32>EV_STRINGS) return addStrings(g, b);
  if (head == <i32>EV_STACKS) return addStacks(g, b);
  if (head == <i32>EV_CPU_SAMPLES) return addCpuSamples(g, b);
  if ((head == <i32>EV_FREQUENCY && version < 25) || (head == <i32>EV_SYNC && version >= 25)) return setSync(g, b, version);
  if (head == <i32>EV_END_OF_GENERATION) {
    return fail(ERR_CORRUPT_BATCH, 'internal error: unexpectedly processing EndOfGeneration; broken trace?', b.offset);
  }
  let index: i32;
  if (!g.mIndex.has(b.m)) {
    index = g.batchMs.length;
    g.batchMs.push(b.m);
    g.batchesByM.push(new Array<Batch>());
    g.mIndex.set(b.m, index);
  } else {
    index = g.mIndex.get(b.m);
  }
  unchecked(g.batchesByM[index]).push(b);
  return true;
}

function tableError(message: string, b: Batch): bool {
  return fail(ERR_CORRUPT_TABLE, message, b.offset);
}

function addStrings(g: Generation, b: Batch): bool {
  const r = new Reader(b.data + 1, b.dataEnd);
  while (r.remaining != 0) {
    const ev = r.byte();
    if (ev != <i32>EV_STRING) return tableError('expected string event, got ' + ev.toString(), b);
    const id = r.uvarint();
    if (!r.ok) return tableError('malformed string id', b);
    const len = r.uvarint();
    if (!r.ok) return tableError('malformed string length', b);
    if (len > MAX_STRING_BYTES) return tableError('invalid string size ' + len.toString() + ', maximum is 1024', b);
    if (<u64>r.remaining < len) {
      return tableError('failed to read full string: read ' + r.remaining.toString() + ' but wanted ' + len.toString(), b);
    }
    if (g.hasString(id)) {
      const existing = id == 0 ? '' : String.UTF8.decodeUnsafe(unchecked(g.stringData[g.stringIndex(id)]), <usize>unchecked(g.stringLength[g.stringIndex(id)]));
      return tableError('multiple strings with the same ID: id=' + id.toString() + ', new=' + String.UTF8.decodeUnsafe(r.pos, <usize>len) + ', existing=' + existing, b);
    }
    g.strings.set(id, g.stringData.length);
    g.stringData.push(r.pos);
    g.stringLength.push(<i32>len);
    r.pos += <usize>len;
  }
  return true;
}

function addStacks(g: Generation, b: Batch): bool {
  const r = new Reader(b.data + 1, b.dataEnd);
  while (r.remaining != 0) {
    const ev = r.byte();
    if (ev != <i32>EV_STACK) return tableError('expected stack event, got ' + ev.toString(), b);
    const id = r.uvarint();
    if (!r.ok) return tableError('malformed stack id', b);
    const n = r.uvarint();
    if (!r.ok) return tableError('malformed stack size', b);
    if (n > MAX_FRAMES) return tableError('invalid stack size ' + n.toString() + ', maximum is 128', b);
    const start = g.stackPcs.length;
    for (let i: u64 = 0; i < n; i++) {
      const pc = r.uvarint();
      const fn = r.uvarint();
      const file = r.uvarint();
      const line = r.uvarint();
      if (!r.ok) return tableError("reading frame " + (i + 1).toString() + " for stack " + id.toString() + ': unexpected EOF', b);
      g.stackPcs.push(pc);
      if (!g.pcs.has(pc)) {
        g.pcs.set(pc, g.framePc.length);
        g.framePc.push(pc);
        g.frameFunc.push(fn);
        g.frameFile.push(file);
        g.frameLine.push(line);
      }
    }
    if (g.hasStack(id)) {
      // Go prints both stacks with %v: one "\t0x<pc>\n" per frame.
      let existing = '';
      if (id != 0) {
        const e = g.stacks.get(id);
        existing = pcList(g, unchecked(g.stackStart[e]), unchecked(g.stackCount[e]));
      }
      return tableError('multiple trace.stacks with the same ID: id=' + id.toString() + ', new=' + pcList(g, start, <i32>n) + ', existing=' + existing, b);
    }
    g.stacks.set(id, g.stackStart.length);
    g.stackIds.push(id);
    g.stackStart.push(start);
    g.stackCount.push(<i32>n);
  }
  return true;
}

function pcList(g: Generation, start: i32, count: i32): string {
  let s = '';
  for (let i = 0; i < count; i++) s += '\t0x' + unchecked(g.stackPcs[start + i]).toString(16) + '\n';
  return s;
}

function addCpuSamples(g: Generation, b: Batch): bool {
  const r = new Reader(b.data + 1, b.dataEnd);
  while (r.remaining != 0) {
    const ev = r.byte();
    if (ev != <i32>EV_CPU_SAMPLE) return tableError('expected CPU sample event, got ' + ev.toString(), b);
    const s = new CpuSample();
    s.time = <i64>r.uvarint(); // raw ticks until fixUpCpuSamples
    s.m = <i64>r.uvarint();
    s.p = <i64>r.uvarint();
    const goid = r.uvarint();
    s.g = goid == 0 ? -1 : <i64>goid;
    s.stack = r.uvarint();
    s.offset = b.offset;
    if (!r.ok) return tableError('malformed CPU sample', b);
    g.cpuSamples.push(s);
  }
  return true;
}

function setSync(g: Generation, b: Batch, version: i32): bool {
  const r = new Reader(b.data, b.dataEnd);
  if (version >= 25) r.byte(); // the Sync marker
  let lastTs = b.time;
  while (r.remaining != 0) {
    const ev = r.byte();
    if (ev == <i32>EV_FREQUENCY) {
      if (g.hasFreq) return tableError('found multiple frequency events', b);
      const f = r.uvarint();
      if (!r.ok) return tableError('malformed frequency', b);
      g.hasFreq = true;
      g.nsPerTick = 1.0 / (<f64>f / 1e9);
      g.tickMul = exactTickMultiplier(g.nsPerTick);
      g.tickLimit = exactTickLimit(g.tickMul);
    } else if (ev == <i32>EV_CLOCK_SNAPSHOT && version >= 25) {
      if (g.hasClockSnapshot) return tableError('found multiple clock snapshot events', b);
      g.hasClockSnapshot = true;
      const dt = r.uvarint();
      lastTs += dt;
      g.snapTime = lastTs;
      g.snapMono = r.uvarint();
      g.snapSec = r.uvarint();
      g.snapNsec = r.uvarint();
      if (!r.ok) return tableError('malformed clock snapshot', b);
    } else {
      return tableError('expected frequency or clock snapshot event, got ' + ev.toString(), b);
    }
  }
  return true;
}

function validateStackStrings(g: Generation): bool {
  for (let s = 0; s < g.stackStart.length; s++) {
    const start = unchecked(g.stackStart[s]);
    const count = unchecked(g.stackCount[s]);
    const id = unchecked(g.stackIds[s]);
    for (let i = 0; i < count; i++) {
      const pc = unchecked(g.stackPcs[start + i]);
      const f = g.pcs.get(pc);
      if (!g.hasString(unchecked(g.frameFunc[f]))) {
        return fail(ERR_CORRUPT_TABLE, 'found invalid func string ID ' + unchecked(g.frameFunc[f]).toString() + ' for stack ' + id.toString(), -1);
      }
      if (!g.hasString(unchecked(g.frameFile[f]))) {
        return fail(ERR_CORRUPT_TABLE, 'found invalid file string ID ' + unchecked(g.frameFile[f]).toString() + ' for stack ' + id.toString(), -1);
      }
    }
  }
  return true;
}

function fixUpCpuSamples(g: Generation): void {
  const samples = g.cpuSamples;
  for (let i = 0; i < samples.length; i++) {
    const s = unchecked(samples[i]);
    s.time = ticksToNs(<u64>s.time, g.nsPerTick);
  }
  // Go sorts them with slices.SortFunc, which is unstable: samples with equal times come out in
  // the order its pdqsort leaves them, so use the same algorithm.
  goSortByTime<CpuSample>(samples);
}
