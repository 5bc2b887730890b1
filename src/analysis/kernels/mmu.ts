// The MMU analyzer on its kernel (assembly/analysis/mmu.ts). The kernel runs MmuAnalyzer's
// per-event work; this binding answers its questions about strings (range names and labels, which
// it classifies with the flags), and turns its state into MmuAnalyzer's partial: the snapshot of
// every field for a part that carries its state, the recording for a part that began mid-trace.
// At a merge it also runs MmuAnalyzer.restore + replay in the kernel (replayOnKernel): the state
// written back in the kernel's layout, the recording copied in block by block. Merge and finish
// are otherwise mmu.ts's, unchanged.
import type { AnalyzerInstance } from '../analyzer.js';
import { Kind, type EventView } from '../events.js';
import type { KernelHost } from '../../model/index.js';
import {
  defaultWindows,
  isAssistRange,
  isBackgroundMarkLabel,
  isGCSTWRange,
  isSweepRange,
  MmuAnalyzer,
  type MmuOptions,
  type MmuPartial,
  type MmuStateSnapshot,
  startsOrdinary,
  utilFlagsOf,
} from '../mmu.js';
import { MmuRecordKind, usesString, type HintedRecording, type MmuHint, type MmuRecording, type TransitionBlock } from '../mmu-recording.js';
import { eventsOfKinds, kernelExports, kindMask, releaseWith } from './kernel.js';

interface MmuExports {
  mmuCreate(flags: number, windowCount: number, recording: number): number;
  mmuRelease(handle: number): void;
  mmuWindows(handle: number): number;
  mmuConsume(handle: number, from: number, count: number): number;
  mmuTakeBlock(handle: number): void;
  mmuStartRecording(handle: number): void;
  mmuForgetMinima(handle: number): void;
  mmuState(handle: number): number;
  mmuRecording(handle: number): number;
  mmuStateInput(length: number): number;
  mmuHint(handle: number, workers: number, ordinary: number, keepUnknown: number): void;
  mmuHintResult(handle: number): number;
}

const NAMES: (keyof MmuExports)[] = [
  'mmuCreate',
  'mmuRelease',
  'mmuWindows',
  'mmuConsume',
  'mmuTakeBlock',
  'mmuStartRecording',
  'mmuForgetMinima',
  'mmuState',
  'mmuRecording',
  'mmuStateInput',
  'mmuHint',
  'mmuHintResult',
];

/** The kernel's range classes (RANGE_* in assembly/analysis/mmu.ts), in the order MmuAnalyzer tests them. */
function rangeClass(flags: number, name: string): number {
  if (isGCSTWRange(flags, name)) return 1;
  if (isSweepRange(flags, name)) return 2;
  if (isAssistRange(flags, name)) return 3;
  return 0;
}

/** Values mmuRecording() describes the recording with: 7 scalars and addresses, then 8 column addresses. */
const RECORDING_LAYOUT = 15;

export function mmuKernel(host: KernelHost, options: MmuOptions, atTraceStart: boolean, hint?: MmuHint): AnalyzerInstance<MmuPartial> {
  const wasm = kernelExports<MmuExports>(host, NAMES);
  const flags = utilFlagsOf(options);
  const windows = options.windows ?? defaultWindows();
  const handle = wasm.mmuCreate(flags, windows.length, atTraceStart ? 0 : 1);
  new Float64Array(host.memory(), wasm.mmuWindows(handle), windows.length).set(windows);
  // The hint's ids go in through the state input's room (each call may grow memory: view after it).
  let hinted = !atTraceStart && hint !== undefined;
  if (hinted) {
    const { markWorkers, ordinary } = hint!;
    const input = wasm.mmuStateInput(markWorkers.length + ordinary.length);
    const ids = new Float64Array(host.memory(), input, markWorkers.length + ordinary.length);
    ids.set(markWorkers);
    ids.set(ordinary, markWorkers.length);
    wasm.mmuHint(handle, markWorkers.length, ordinary.length, hint!.keepUnknown);
  }

  /** Range names and labels the kernel asked about, by the id it records them with. */
  const names: string[] = [];
  const nameIds = new Map<string, number>();
  const intern = (text: string): number => {
    let id = nameIds.get(text);
    if (id === undefined) nameIds.set(text, (id = names.push(text) - 1));
    return id;
  };
  // The view being consumed, for the callbacks (which receive rows of the module's columns).
  let current: EventView | undefined;
  let offset = 0;
  const currentView = (): EventView => {
    // The kernel may have grown memory before asking, detaching the view's columns.
    if (host.refresh()) current!.refreshColumns?.();
    return current!;
  };
  host.attach(handle, {
    rangeName(row) {
      const name = currentView().rangeName(row - offset);
      return (intern(name) << 2) | rangeClass(flags, name);
    },
    label(row) {
      const label = currentView().label(row - offset);
      return (intern(label) << 1) | (isBackgroundMarkLabel(flags, label) ? 1 : 0);
    },
    // Of a creation's start stack: 1 if it starts an ordinary goroutine (MmuAnalyzer.ordinary).
    stackRoot(id) {
      return startsOrdinary(currentView().frames(id)) ? 1 : 0;
    },
  });

  // MmuAnalyzer's fields that live here rather than in the kernel.
  let firstSyncN: number | null = null;
  let resumed = false;
  let resumedFrom: string | null = null;
  let recording = !atTraceStart;
  /** The recording's full transition blocks, copied out of the kernel's one block as it fills. */
  let fullBlocks: TransitionBlock[] = [];

  const recordingLayout = (): Float64Array => new Float64Array(host.memory(), wasm.mmuRecording(handle), RECORDING_LAYOUT);
  const copyBlock = (layout: Float64Array): TransitionBlock => {
    const memory = host.memory();
    const fill = layout[0]!;
    return {
      time: new Float64Array(memory, layout[3]!, fill).slice(),
      goroutine: new Uint32Array(memory, layout[4]!, fill).slice(),
      packed: new Int32Array(memory, layout[5]!, fill).slice(),
    };
  };

  const readRecording = (): MmuRecording => {
    if (fullBlocks.some((block) => block.time.buffer.byteLength === 0)) {
      throw new Error('an MMU recording was transferred to another thread: its recorder cannot hand out another');
    }
    const layout = recordingLayout();
    const memory = host.memory();
    const others = layout[6]!;
    const column = (k: number): Float64Array => new Float64Array(memory, layout[7 + k]!, others).slice();
    const [kind, at, time, a, b, c, d, e] = [0, 1, 2, 3, 4, 5, 6, 7].map(column) as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
    // The kernel records names by the ids it asked them under; the recording numbers them in the
    // order it first records them (MmuRecorder.intern).
    const strings: string[] = [];
    for (let k = 0; k < others; k++) {
      if (!usesString(kind[k]!)) continue;
      const text = names[a[k]!]!;
      let index = strings.indexOf(text);
      if (index < 0) index = strings.push(text) - 1;
      a[k] = index;
    }
    const recording: MmuRecording = { blocks: [...fullBlocks, copyBlock(layout)], transitions: layout[1]!, kind, at, time, a, b, c, d, e, strings, lastTime: layout[2]! };
    if (hinted) recording.hinted = readHintResult();
    return recording;
  };

  const readHintResult = (): HintedRecording => {
    const pointer = wasm.mmuHintResult(handle);
    const memory = host.memory();
    // Five id lists one after the other, each its count and then its ids (mmuHintResult).
    let at = pointer;
    const nextList = (): Float64Array => {
      const count = new Float64Array(memory, at, 1)[0]!;
      const ids = new Float64Array(memory, at + 8, count).slice();
      at += 8 + count * 8;
      return ids;
    };
    const dropped = nextList();
    const droppedUnsettled = nextList();
    const endedBefore = nextList();
    const ordinaryCreated = nextList();
    const ordinaryAssumed = nextList();
    return { markWorkers: [...hint!.markWorkers], ordinary: [...hint!.ordinary], keepUnknown: hint!.keepUnknown, dropped, droppedUnsettled, endedBefore, ordinaryCreated, ordinaryAssumed };
  };

  const readState = (): MmuStateSnapshot => readKernelState(host, wasm, handle, { flags, windows, firstSyncN, resumed, resumedFrom });

  const instance: AnalyzerInstance<MmuPartial> = {
    consume(view) {
      current = view;
      offset = view.kernelOffset?.() ?? 0;
      if (!recording && firstSyncN === null) {
        // MmuAnalyzer takes Go's Sync.N of the first Sync it sees through the view.
        const syncs = eventsOfKinds(view, kindMask(Kind.Sync));
        if (syncs.length > 0) firstSyncN = view.syncN(syncs[0]!);
      }
      const end = offset + view.length;
      let row = offset;
      // The kernel stops where the recording's block is full: move the block here, go on.
      while ((row = wasm.mmuConsume(handle, row, end - row)) >= 0) {
        fullBlocks.push(copyBlock(recordingLayout()));
        wasm.mmuTakeBlock(handle);
      }
    },
    partial() {
      if (recording) return { flags, windows: [...windows], state: null, deferred: readRecording() };
      const partial: MmuPartial = { flags, windows: [...windows], state: readState(), deferred: null };
      if (resumed) partial.resumed = true;
      return partial;
    },
    beginPart() {
      // MmuAnalyzer.beginPart.
      if (recording || (firstSyncN !== null && firstSyncN > 1)) {
        recording = true;
        hinted = false; // MmuAnalyzer.beginPart's new recorder has no hint
        fullBlocks = [];
        wasm.mmuStartRecording(handle);
        return;
      }
      wasm.mmuForgetMinima(handle);
      resumed = true;
      resumedFrom = MmuAnalyzer.restore(readState()).continuity();
    },
  };
  releaseWith(instance, host, handle, (h) => wasm.mmuRelease(h));
  return instance;
}

/** MmuAnalyzer's fields that live in the binding, not in the kernel (a snapshot carries them as they are). */
interface CarriedFields {
  flags: number;
  windows: readonly number[];
  firstSyncN: number | null;
  resumed: boolean;
  resumedFrom: string | null;
}

/** MmuAnalyzer's snapshot (mmu.ts), read from the kernel's state in the order Mmu.write writes it. */
function readKernelState(host: KernelHost, wasm: Pick<MmuExports, 'mmuState'>, handle: number, carried: CarriedFields): MmuStateSnapshot {
  const { flags, windows, firstSyncN, resumed, resumedFrom } = carried;
  const pointer = wasm.mmuState(handle);
  const memory = host.memory();
  const values = new Float64Array(memory, pointer + 8, new Float64Array(memory, pointer, 1)[0]!);
  let k = 0;
  const next = (): number => values[k++]!;
  const list = <T>(count: number, item: () => T): T[] => Array.from({ length: count }, item);
  const stw = next();
  const nSync = next();
  const lastEventTime = next();
  const membershipChanges = next();
  const bgMarkLow = next();
  const bgMarkHigh = next();
  const bgMarkRangeOf = next();
  const holding = next() === 1;
  const seriesCount = next();
  const seriesLive: boolean[] = [];
  const lastPoint: { time: number; util: number }[] = [];
  for (let s = 0; s < seriesCount; s++) {
    seriesLive.push(next() === 1);
    lastPoint.push({ time: next(), util: next() });
  }
  const pendingLength = next();
  const pending: ({ time: number; util: number } | undefined)[] = new Array(pendingLength);
  for (let s = 0; s < pendingLength; s++) {
    const set = next() === 1;
    const point = { time: next(), util: next() };
    if (set) pending[s] = point;
  }
  const ps = list(next(), () => ({ gc: next(), series: next() }));
  const inGC = list(next(), next);
  const bgMark = list(next(), next);
  const ordinary = list(next(), next);
  const states = list(next(), () => [next(), next()]);
  const procs = list(next(), () => ({ time: next(), n: next() }));
  const held = holding ? list(seriesCount, () => list(next(), () => ({ time: next(), util: next() }))) : null;
  const series = list(seriesCount, () => {
    const startTime = next();
    const base = next();
    const headOpen = next() === 1;
    const sinceTrim = next();
    const maxWindow = next();
    const points = next();
    const times = list(points, next);
    const utils = list(points, next);
    const sums = list(points, next);
    const cursor = list(windows.length, next);
    const leftPtr = list(windows.length, next);
    const rightPtr = list(windows.length, next);
    const minimum = list(windows.length, next);
    const evalAt = list(windows.length, next);
    const evalMean = list(windows.length, next);
    const quietUntil = list(windows.length, next);
    const head = list(next(), () => [next(), next()]);
    return { windows: [...windows], times, utils, sums, base, cursor, leftPtr, rightPtr, minimum, evalAt, evalMean, quietUntil, startTime, maxWindow, head, headOpen, sinceTrim };
  });
  return {
    flags,
    windows: [...windows],
    series,
    seriesLive,
    stw,
    ps,
    inGC,
    states,
    bgMark,
    ordinary,
    procs,
    nSync,
    firstSyncN,
    lastEventTime: Number.isNaN(lastEventTime) ? 0 : lastEventTime,
    held,
    deferred: null,
    resumed,
    resumedFrom,
    lastPoint,
    pending,
    membershipChanges,
    bgMarkLow,
    bgMarkHigh,
    bgMarkRangeOf,
  };
}

/** The snapshot's fields the kernel holds (what readKernelState builds, or MmuAnalyzer's snapshot()). */
interface KernelSnapshot {
  flags: number;
  windows: number[];
  series: {
    startTime: number | null;
    base: number;
    headOpen: boolean;
    sinceTrim: number;
    maxWindow: number;
    times: number[];
    utils: number[];
    sums: number[];
    cursor: number[];
    leftPtr: number[];
    rightPtr: number[];
    minimum: number[];
    evalAt: number[];
    evalMean: number[];
    quietUntil: number[];
    head: [number, number][];
  }[];
  seriesLive: boolean[];
  stw: number;
  ps: { gc: number; series: number }[];
  inGC: number[];
  states: [number, number][];
  bgMark: number[];
  ordinary: number[];
  procs: { time: number; n: number }[];
  nSync: number;
  firstSyncN: number | null;
  lastEventTime: number;
  held: { time: number; util: number }[][] | null;
  resumed: boolean;
  resumedFrom: string | null;
  lastPoint: { time: number; util: number }[];
  pending: ({ time: number; util: number } | null | undefined)[];
  membershipChanges: number;
  bgMarkLow: number;
  bgMarkHigh: number;
  bgMarkRangeOf: number;
}

/**
 * A snapshot as the f64 values Mmu.write writes (what readKernelState reads), for Mmu.read: the
 * inverse, with MmuAnalyzer.restore's reading of "no event yet" (a last event time of 0) and of
 * an evaluator without points (a start time JSON turned into null).
 */
function kernelStateValues(state: KernelSnapshot): Float64Array {
  const out: number[] = [];
  const push = (...values: number[]): void => {
    for (const value of values) out.push(value);
  };
  const seriesCount = state.series.length;
  if (state.seriesLive.length !== seriesCount || state.lastPoint.length !== seriesCount || (state.held !== null && state.held.length !== seriesCount)) {
    throw new Error('schedscope: an MMU state whose series lists disagree cannot be replayed on');
  }
  push(state.stw, state.nSync, state.lastEventTime === 0 ? Number.NaN : state.lastEventTime, state.membershipChanges);
  push(state.bgMarkLow, state.bgMarkHigh, state.bgMarkRangeOf, state.held === null ? 0 : 1, seriesCount);
  for (let s = 0; s < seriesCount; s++) push(state.seriesLive[s] ? 1 : 0, state.lastPoint[s]!.time, state.lastPoint[s]!.util);
  push(state.pending.length);
  for (let s = 0; s < state.pending.length; s++) {
    const point = state.pending[s];
    push(point != null ? 1 : 0, point?.time ?? 0, point?.util ?? 0);
  }
  push(state.ps.length);
  for (const p of state.ps) push(p.gc, p.series);
  for (const set of [state.inGC, state.bgMark, state.ordinary]) {
    push(set.length);
    for (const g of set) push(g);
  }
  push(state.states.length);
  for (const [g, goState] of state.states) push(g, goState);
  push(state.procs.length);
  for (const change of state.procs) push(change.time, change.n);
  if (state.held !== null) {
    for (const points of state.held) {
      push(points.length);
      for (const point of points) push(point.time, point.util);
    }
  }
  for (const evaluator of state.series) {
    push(evaluator.startTime ?? Number.NaN, evaluator.base, evaluator.headOpen ? 1 : 0, evaluator.sinceTrim, evaluator.maxWindow, evaluator.times.length);
    for (const column of [evaluator.times, evaluator.utils, evaluator.sums, evaluator.cursor, evaluator.leftPtr, evaluator.rightPtr, evaluator.minimum, evaluator.evalAt, evaluator.evalMean, evaluator.quietUntil]) {
      for (const value of column) out.push(value);
    }
    push(evaluator.head.length);
    for (const [time, util] of evaluator.head) push(time, util);
  }
  return Float64Array.from(out);
}

interface MmuReplayExports extends MmuExports {
  mmuRestore(handle: number): number;
  mmuReplayOthers(handle: number, others: number): number;
  mmuReplayInput(count: number): number;
  mmuReplay(handle: number, count: number): number;
  mmuReplayEnd(handle: number, lastTime: number): number;
  mmuReplayOrdinary(handle: number, ended: number, created: number): number;
}

const REPLAY_NAMES: (keyof MmuReplayExports)[] = [...NAMES, 'mmuRestore', 'mmuReplayOthers', 'mmuReplayInput', 'mmuReplay', 'mmuReplayEnd', 'mmuReplayOrdinary'];

/** Fields per other record in the kernel's replay (kind, at, time, a, b, c, d, e). */
const OTHER_FIELDS = 8;

/**
 * MmuAnalyzer.restore(state), then replay(recording), then the snapshot of the result, run by the
 * kernel in `host`'s module (a merge's own, see merge-host.ts): the same steps in the same order,
 * so the same snapshot, field for field (test/analysis/mmu-replay.test.ts). The recording's strings
 * stay here: a range's or label's record carries its class under the state's flags instead.
 */
export function replayOnKernel(host: KernelHost, snapshot: MmuStateSnapshot, recording: MmuRecording): MmuStateSnapshot {
  const wasm = kernelExports<MmuReplayExports>(host, REPLAY_NAMES);
  const state = snapshot as unknown as KernelSnapshot;
  const { flags, windows } = state;
  const handle = wasm.mmuCreate(flags, windows.length, 0);
  try {
    // Any call may grow the module's memory (detaching views over it): each view is made after
    // the call that gives its address.
    const windowsAt = wasm.mmuWindows(handle);
    new Float64Array(host.memory(), windowsAt, windows.length).set(windows);
    const values = kernelStateValues(state);
    const input = wasm.mmuStateInput(values.length);
    new Float64Array(host.memory(), input, values.length).set(values);
    const read = wasm.mmuRestore(handle);
    if (read !== values.length) throw new Error(`schedscope: the MMU kernel read ${read} of ${values.length} state values`);

    const others = recording.kind.length;
    const othersAt = wasm.mmuReplayOthers(handle, others);
    const fields = new Float64Array(host.memory(), othersAt, others * OTHER_FIELDS);
    [recording.kind, recording.at, recording.time, recording.a, recording.b, recording.c, recording.d, recording.e].forEach((column, f) => fields.set(column, f * others));
    for (let k = 0; k < others; k++) {
      const kind = recording.kind[k]!;
      if (!usesString(kind)) continue;
      const text = recording.strings[recording.a[k]!]!;
      fields[3 * others + k] = kind === MmuRecordKind.Label ? (isBackgroundMarkLabel(flags, text) ? 1 : 0) : rangeClass(flags, text);
    }

    let left = recording.transitions;
    for (const block of recording.blocks) {
      const count = Math.min(block.time.length, left);
      if (count <= 0) break;
      const base = wasm.mmuReplayInput(count);
      const memory = host.memory();
      const whole = count === block.time.length;
      new Float64Array(memory, base, count).set(whole ? block.time : block.time.subarray(0, count));
      new Uint32Array(memory, base + count * 8, count).set(whole ? block.goroutine : block.goroutine.subarray(0, count));
      new Int32Array(memory, base + count * 12, count).set(whole ? block.packed : block.packed.subarray(0, count));
      if (wasm.mmuReplay(handle, count) !== 0) throw new Error('schedscope: the MMU kernel lost its replay');
      left -= count;
    }
    if (left !== 0) throw new Error(`schedscope: an MMU recording holds ${recording.transitions - left} of the ${recording.transitions} transitions it counts`);
    wasm.mmuReplayEnd(handle, recording.lastTime);
    const hinted = recording.hinted;
    if (hinted !== undefined) {
      const count = hinted.endedBefore.length + hinted.ordinaryCreated.length;
      const input = wasm.mmuStateInput(count);
      const ids = new Float64Array(host.memory(), input, count);
      ids.set(hinted.endedBefore);
      ids.set(hinted.ordinaryCreated, hinted.endedBefore.length);
      wasm.mmuReplayOrdinary(handle, hinted.endedBefore.length, hinted.ordinaryCreated.length);
    }
    return readKernelState(host, wasm, handle, {
      flags,
      windows,
      firstSyncN: state.firstSyncN,
      resumed: state.resumed,
      resumedFrom: state.resumedFrom,
    });
  } finally {
    wasm.mmuRelease(handle);
  }
}
