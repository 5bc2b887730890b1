// Minimum mutator utilisation (MMU), as `go tool trace` defines it (internal/trace/gc.go,
// MutatorUtilizationV2 + MMUCurve), computed in one streaming pass.
//
// The utilisation function is built as Go builds it, less two mistakes in who counts as a mark
// worker (MmuOptions.goCompatible keeps them; docs/analyses.md, "Where Go's MMU is wrong").
// Instead of keeping the whole function and searching it afterwards (Go's band algorithm), each
// series feeds a sliding-window evaluator per requested window size: the windowed mean is
// piecewise linear in the window position, so its minimum lies where either window edge meets a
// change point, and those positions are evaluated exactly as the function streams past (or
// skipped where a bound shows they cannot lower it). Memory is the change points inside about
// twice the largest window, not the trace. The first generation is held back (bounded by one generation) because Go
// retroactively lowers the utilisation from the trace start when it learns, in that generation, of
// assists or sweeps that were already running.
//
// Parts: an instance that saw the trace from its start can be cut anywhere (beginPart) and its
// parts merge exactly, because the evaluators simply continue. A part that begins mid-trace cannot
// know Go's state there (its per-P GC counts depend on the whole trace before), so it records the
// events that matter and is replayed on its predecessor's state at merge.
import { HintMissedError, type AnalysisDefinition, type AnalyzerInstance, type MergeContext } from './analyzer.js';
import type { EventView, Frame } from './events.js';
import { GoState, Kind, ResourceKind, idKey } from './events.js';
import { kernelOrScript, kernelsEnabled } from './kernels/kernel.js';
import { collectMergeHost, mergeHost } from './kernels/merge-host.js';
import { mmuKernel, replayOnKernel } from './kernels/mmu.js';
import { BLOCK, concatRecordings, hintHeld, MmuRecorder, MmuRecordKind, TICK, type MmuHint, type MmuRecording, type RecordingFilter, UNKNOWN_KEPT } from './mmu-recording.js';
import { rootFunction } from './stacks.js';

export const UTIL_STW = 1;
export const UTIL_BACKGROUND = 2;
export const UTIL_ASSIST = 4;
export const UTIL_SWEEP = 8;
export const UTIL_PER_PROC = 16;
/** Go's flags above; the bits from here up are schedscope's own (see utilFlagsOf). */
const GO_FLAG_BITS = 31;
/**
 * Not a Go flag: count a background mark worker's label even when its start already counted it,
 * as `go tool trace` does (MmuOptions.goCompatible). Carried in the analyzer's flags so that
 * partials, recordings and replays keep the rule they were made with.
 */
export const UTIL_GO_LABEL_COUNT = 256;

/** `go tool trace`'s MMU page defaults: STW, background workers and assists. */
export const DEFAULT_UTIL_FLAGS = UTIL_STW | UTIL_BACKGROUND | UTIL_ASSIST;

/** The flag bits an analyzer runs with: Go's, plus UTIL_GO_LABEL_COUNT for goCompatible. */
export function utilFlagsOf(options: MmuOptions): number {
  return (options.flags ?? DEFAULT_UTIL_FLAGS) | (options.goCompatible === true ? UTIL_GO_LABEL_COUNT : 0);
}

export type MmuFlagName = 'stw' | 'background' | 'assist' | 'sweep' | 'perProc';
const FLAG_BITS: Record<MmuFlagName, number> = {
  stw: UTIL_STW,
  background: UTIL_BACKGROUND,
  assist: UTIL_ASSIST,
  sweep: UTIL_SWEEP,
  perProc: UTIL_PER_PROC,
};

/** Parses Go's `flags` URL syntax, e.g. "stw|background|assist". */
export function parseUtilFlags(text: string): number {
  let flags = 0;
  for (const part of text.split('|')) if (part in FLAG_BITS) flags |= FLAG_BITS[part as MmuFlagName];
  return flags;
}

export interface MmuOptions {
  /** Bit set of UTIL_*; default DEFAULT_UTIL_FLAGS. */
  flags?: number;
  /** Window sizes in ns; default 101 log-spaced sizes from 100 µs to 1 s (25 per decade, so 1 ms and the other decades are exact). */
  windows?: number[];
  /**
   * Reproduce `go tool trace` exactly, in two places where it is wrong (docs/analyses.md, "MMU"):
   * - Go counts a background mark worker twice when it starts as a worker (once at its start, as a
   *   goroutine already known to be a worker, and again at the label that follows) and uncounts it
   *   once when it stops. A P's GC count therefore grows by one with each such start after the
   *   worker's first, and the P reads as "in GC" for the rest of the trace, running or idle. By
   *   default schedscope counts the label only for a goroutine not already counted.
   * - Go takes every goroutine with a worker label for a worker, but Go 1.26's runtime also labels
   *   ordinary goroutines (one that starts on a P whose worker was handed back keeps the P's
   *   worker mode). By default schedscope ignores the label of a goroutine created in the trace
   *   whose start function is not runtime.gcBgMarkWorker.
   * - For 1 ns windows its band search also evaluates a window that starts past the end of the
   *   trace, where utilisation is the final 0, so Go reports 0 there.
   */
  goCompatible?: boolean;
}

export function defaultWindows(min = 100_000, max = 1_000_000_000, count = 101): number[] {
  const out: number[] = [];
  const lmin = Math.log(min);
  const lmax = Math.log(max);
  for (let i = 0; i < count; i++) out.push(Math.round(Math.exp((i / (count - 1)) * (lmax - lmin) + lmin)));
  return out;
}

export interface MmuPoint {
  windowNs: number;
  mmu: number;
}

export interface MmuReport {
  flags: number;
  /** Trace span covered by the utilisation function, ns. */
  durationNs: number;
  /** Mean mutator utilisation over the whole span (series average). */
  meanUtil: number;
  curve: MmuPoint[];
}

/** Sliding-window minimum of the mean of a step function, for several window sizes at once. */
class WindowedMinimum {
  private times: number[] = [];
  private utils: number[] = [];
  /** Integral of the function from the series start up to times[j]. */
  private sums: number[] = [];
  private base = 0; // index offset of times[0] in the whole series
  private readonly cursor: number[]; // per window: next left-edge candidate (absolute index)
  private readonly leftPtr: number[]; // per window: point under the left edge of the newest right-edge window
  private readonly rightPtr: number[]; // per window: point under the right edge of the next left-edge window
  readonly minimum: number[];
  /**
   * Per window: the position (left edge) whose mean was last computed, and that mean. A window's
   * mean moves by at most |shift| / width when it shifts (utilisation is within [0, 1]), so the
   * positions near it whose bound stays above the minimum cannot lower it: they are skipped, a run
   * of left edges at once (see skipTo), and their integrals too (the pointers catch up at the next
   * computed position).
   */
  private readonly evalAt: number[];
  private readonly evalMean: number[];
  /**
   * Per window: until the newest point passes this time, every new position is within reach of
   * evalAt (see evaluate) and the window is not looked at; its cursor catches up when it is.
   */
  private readonly quietUntil: number[];
  private startTime = Number.NaN;
  private maxWindow: number;
  /** The first change points, up to maxWindow after the start: what a preceding part needs. */
  readonly head: [number, number][] = [];
  private headOpen = true;
  private sinceTrim = 0;

  constructor(private readonly windows: readonly number[]) {
    this.cursor = windows.map(() => 0);
    this.leftPtr = windows.map(() => 0);
    this.rightPtr = windows.map(() => 0);
    this.minimum = windows.map(() => 1);
    this.evalAt = windows.map(() => 0);
    this.evalMean = windows.map(() => Number.NEGATIVE_INFINITY);
    this.quietUntil = windows.map(() => Number.NEGATIVE_INFINITY);
    this.maxWindow = Math.max(0, ...windows);
  }

  get start(): number {
    return this.startTime;
  }

  get lastTime(): number {
    return this.times.length === 0 ? Number.NaN : this.times[this.times.length - 1]!;
  }

  get lastUtil(): number {
    return this.utils.length === 0 ? 1 : this.utils[this.utils.length - 1]!;
  }

  get totalIntegral(): number {
    return this.sums.length === 0 ? 0 : this.sums[this.sums.length - 1]!;
  }

  /** Adds a change point: the function equals `util` from `time` on. */
  push(time: number, util: number): void {
    if (this.headOpen) {
      if (this.head.length === 0 || time - this.head[0]![0] <= this.maxWindow) this.head.push([time, util]);
      else this.headOpen = false;
    }
    if (this.times.length === 0) {
      this.startTime = time;
      this.times.push(time);
      this.utils.push(util);
      this.sums.push(0);
      return;
    }
    const lastT = this.times[this.times.length - 1]!;
    const sum = this.sums[this.sums.length - 1]! + this.utils[this.utils.length - 1]! * (time - lastT);
    this.times.push(time);
    this.utils.push(util);
    this.sums.push(sum);
    this.evaluate(time);
    this.trim(time);
  }

  /**
   * Integral up to x, walking the pointer `ptr[w]` (absolute index of the last point ≤ x) forward:
   * for a fixed window the queried positions only grow, so this is amortised O(1).
   */
  private integralFrom(ptr: number[], w: number, x: number): number {
    let j = ptr[w]! - this.base;
    if (j < 0) j = 0;
    const times = this.times;
    while (j + 1 < times.length && times[j + 1]! <= x) j++;
    ptr[w] = j + this.base;
    return this.sums[j]! + this.utils[j]! * (x - times[j]!);
  }

  /**
   * Evaluates every candidate window whose right edge is ≤ `known` (the function is known there),
   * computing only the positions that could lower the window's minimum (see evalAt).
   * assembly/analysis/mmu.ts WindowedMinimum.evaluate makes the same decisions with the same
   * arithmetic (its partials must equal these, pointers included).
   */
  private evaluate(known: number): void {
    const last = this.times.length - 1;
    const times = this.times;
    // Rounding in a mean stays below a few units in the last place of the running integral (which
    // grows by at most a width while a window is quiet), over the width; the margin is thousands
    // of times that.
    const slack = Math.abs(this.sums[last]!) * SKIP_MARGIN;
    for (let w = 0; w < this.windows.length; w++) {
      const width = this.windows[w]!;
      if (width <= 0 || known <= this.quietUntil[w]!) continue;
      const margin = slack / width + SKIP_MARGIN;
      if (this.minimum[w] === 0) {
        // No mean is below 0 (the running integral never decreases, rounding included): nothing
        // left to find for this window but its cursor's place.
        this.cursor[w] = this.skipTo(Math.max(this.cursor[w]!, this.base), known - width);
        continue;
      }
      // Right edge on the newest change point.
      const left = known - width;
      if (left >= this.startTime && !(this.evalMean[w]! - Math.abs(left - this.evalAt[w]!) / width > this.minimum[w]! + margin)) {
        this.computed(w, left, (this.sums[last]! - this.integralFrom(this.leftPtr, w, left)) / width);
      }
      // Left edges on change points whose window is now complete.
      let c = this.cursor[w]!;
      while (c - this.base <= last && times[c - this.base]! + width <= known) {
        const j = c - this.base;
        // Positions up to `reach` from evalAt keep their bound above the minimum.
        const reach = reachOf(this.evalMean[w]!, this.minimum[w]!, margin, width);
        if (reach > 0 && times[j]! >= this.evalAt[w]! - reach && times[j]! <= this.evalAt[w]! + reach) {
          c = this.skipTo(c, Math.min(this.evalAt[w]! + reach, known - width));
          continue;
        }
        this.computed(w, times[j]!, (this.integralFrom(this.rightPtr, w, times[j]! + width) - this.sums[j]!) / width);
        c++;
      }
      this.cursor[w] = c;
      // Every position from here on is past evalAt (the right edges lead, and the left edges up to
      // the newest right edge are done): quiet until one could be past its reach.
      const reach = reachOf(this.evalMean[w]!, this.minimum[w]!, margin, width);
      if (reach > 0) this.quietUntil[w] = this.evalAt[w]! + reach + width;
    }
  }

  /** The first point index from `c` on (absolute) whose time is past `limit` (or the end). */
  private skipTo(c: number, limit: number): number {
    let lo = c - this.base;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.times[mid]! <= limit) lo = mid + 1;
      else hi = mid;
    }
    return lo + this.base;
  }

  private computed(w: number, at: number, mean: number): void {
    this.evalAt[w] = at;
    this.evalMean[w] = mean;
    if (mean < this.minimum[w]!) this.minimum[w] = mean;
  }

  /** What a continuation depends on: where the series started, how many points, the running integral. */
  continuity(): unknown[] {
    return [this.startTime, this.base + this.times.length, this.lastTime, this.lastUtil, this.totalIntegral];
  }

  /** Starts a new part: window positions offered from now on count towards fresh minima. */
  forgetMinima(): void {
    this.minimum.fill(1);
    this.quietUntil.fill(Number.NEGATIVE_INFINITY);
  }

  private trim(now: number): void {
    // Amortised: look only every 1024 points (the search below is O(log n), the copy O(n)).
    if (++this.sinceTrim < 1024) return;
    this.sinceTrim = 0;
    // Keep points that a future window may still need: everything from the point at or before
    // (now − maxWindow), and every pending left-edge candidate. Not the pointers: a window that
    // computed nothing for a while has them behind, and integralFrom walks from the first point
    // kept (what it looks for, the last point at or before an edge, is kept).
    let minCursor = Number.POSITIVE_INFINITY;
    for (let w = 0; w < this.cursor.length; w++) {
      if (this.windows[w]! <= 0) continue;
      minCursor = Math.min(minCursor, this.cursor[w]!);
    }
    const horizon = now - this.maxWindow;
    let lo = 0;
    let hi = this.times.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.times[mid]! <= horizon) lo = mid;
      else hi = mid - 1;
    }
    const keepFrom = Math.min(minCursor - this.base, lo);
    if (keepFrom > 4096 && keepFrom > this.times.length / 2) {
      this.times = this.times.slice(keepFrom);
      this.utils = this.utils.slice(keepFrom);
      this.sums = this.sums.slice(keepFrom);
      this.base += keepFrom;
    }
  }


  /** The last change points, covering at least maxWindow before the last one. */
  tail(): [number, number][] {
    const last = this.lastTime;
    let from = this.times.length - 1;
    while (from > 0 && this.times[from]! > last - this.maxWindow) from--;
    const out: [number, number][] = [];
    for (let j = Math.max(0, from); j < this.times.length; j++) out.push([this.times[j]!, this.utils[j]!]);
    return out;
  }

  /** Final MMU per window, with Go's rule that a window longer than the series is capped. */
  finish(): number[] {
    return finishMinima(this.windows, this.minimum, this.startTime, this.lastTime, this.totalIntegral);
  }
}

function finishMinima(windows: readonly number[], minimum: readonly number[], start: number, end: number, integral: number): number[] {
  const duration = end - start;
  {
    return windows.map((width, w) => {
      if (width <= 0) return 0;
      if (!(duration > 0)) return minimum[w]!;
      if (width >= duration) return integral / duration;
      // The last window position (right edge on the end) was offered when the last point arrived.
      return minimum[w]!;
    });
  }
}

const GOMAXPROCS_METRIC = '/sched/gomaxprocs:threads';

/** Relative to the running integral: how far above a window's minimum a bound must stay to skip a position. */
const SKIP_MARGIN = 2 ** -40;

/**
 * How far from its last computed position a window's positions keep their bound above its
 * minimum by the margin (twice over, for the rounding of this product); the kernel's reachOf.
 */
function reachOf(evalMean: number, minimum: number, margin: number, width: number): number {
  return (evalMean - minimum - 2 * margin) * width;
}

/** The start function of every background mark worker (runtime.gcBgMarkStartWorkers). */
const MARK_WORKER_FUNCTION = 'runtime.gcBgMarkWorker';

/**
 * Whether a goroutine created with this start stack is known not to be a background mark worker
 * (its start function is known and is another one); an empty stack says nothing.
 */
export function startsOrdinary(frames: readonly Frame[]): boolean {
  const root = rootFunction(frames);
  return root !== undefined && root.func !== MARK_WORKER_FUNCTION;
}

// What a range or label does to the GC state under the flags (Go's rules; the kernel asks these too).
export function isGCSTWRange(flags: number, name: string): boolean {
  return (flags & UTIL_STW) !== 0 && name.startsWith('stop-the-world') && name.includes('GC');
}
export function isSweepRange(flags: number, name: string): boolean {
  return (flags & UTIL_SWEEP) !== 0 && name === 'GC incremental sweep';
}
export function isAssistRange(flags: number, name: string): boolean {
  return (flags & UTIL_ASSIST) !== 0 && name === 'GC mark assist';
}
/** A label that makes its goroutine a background mark worker under the flags. */
export function isBackgroundMarkLabel(flags: number, label: string): boolean {
  return (flags & UTIL_BACKGROUND) !== 0 && label.startsWith('GC ') && label !== 'GC (idle)' && !((flags & UTIL_PER_PROC) !== 0 && label === 'GC (dedicated)');
}

/**
 * The goroutines that count towards GC (assisting or background mark workers: a few) for a replay
 * that asks about nearly every transition: a bitmap up to the largest id, so a lookup is a range
 * check and a bit test; ids past BITMAP_IDS fall back to a Set.
 */
class MemberSet {
  private bits = new Uint8Array(0);
  private readonly ids: number[] = [];
  private readonly large = new Set<number>();
  private high = -1;

  assign(...sets: ReadonlySet<number>[]): void {
    for (const id of this.ids) this.bits[id >> 3] = 0;
    this.ids.length = 0;
    this.large.clear();
    this.high = -1;
    for (const set of sets) {
      for (const id of set) {
        if (!(id >= 0 && id < BITMAP_IDS && Number.isInteger(id))) {
          this.large.add(id);
          continue;
        }
        if (id >> 3 >= this.bits.length) {
          const grown = new Uint8Array(Math.max((id >> 3) + 1, this.bits.length * 2));
          grown.set(this.bits);
          this.bits = grown;
        }
        this.bits[id >> 3]! |= 1 << (id & 7);
        this.ids.push(id);
        if (id > this.high) this.high = id;
      }
    }
  }

  has(id: number): boolean {
    if (id <= this.high) return (this.bits[id >> 3]! & (1 << (id & 7))) !== 0;
    return this.large.size !== 0 && this.large.has(id);
  }
}

const BITMAP_IDS = 1 << 26;

function isExecuting(state: number): boolean {
  return state === GoState.Running || state === GoState.Syscall;
}

interface PerP {
  gc: number;
  series: number;
}

export class MmuAnalyzer implements AnalyzerInstance<MmuPartial> {
  private readonly flags: number;
  readonly windows: number[];
  private readonly series: WindowedMinimum[] = [];
  private seriesLive: boolean[] = [];
  private stw = 0;
  private ps: PerP[] = [];
  private readonly inGC = new Set<number>();
  private readonly states = new Map<number, GoState>();
  private readonly bgMark = new Set<number>();
  /**
   * Live goroutines created in the trace whose start function is not the mark worker's: their
   * worker labels are the runtime's mistake (see MmuOptions.goCompatible), not counted. Kept only
   * without goCompatible.
   */
  private readonly ordinary = new Set<number>();
  private readonly procs: { time: number; n: number }[] = [];
  private nSync = 0;
  /**
   * Go's Sync.N of the first Sync this instance saw (it counts from the trace start), or null
   * before any. Above 1, the instance began mid-trace (e.g. warmed up on a generation before its
   * part) and cannot hold the true state.
   */
  private firstSyncN: number | null = null;
  private lastEventTime = Number.NaN;
  /** Util points of each series held back during the first generation. */
  private held: { time: number; util: number }[][] | null = [];

  constructor(
    options: MmuOptions = {},
    /**
     * False for a part that starts mid-trace: it cannot know the GC state it starts in, so it
     * records the events that matter and is resolved when merged after its predecessor.
     */
    atTraceStart = true,
    /** For such a part: what the merging thread knows (MmuHint), so it records only what may count (RecordingFilter). */
    hint?: MmuHint,
  ) {
    this.flags = utilFlagsOf(options);
    this.windows = options.windows ?? defaultWindows();
    if (!atTraceStart) this.deferred = new MmuRecorder(hint);
  }

  /** Events recorded by a part that starts mid-trace, replayed when merged after its predecessor. */
  private deferred: MmuRecorder | null = null;

  /** True after beginPart(): the minima cover only window positions evaluated since then. */
  private resumed = false;
  /** The carried state at the last beginPart() (see continuity()), checked when merged. */
  private resumedFrom: string | null = null;

  /**
   * The carried state a resumed part continues from, as a comparable string. A part merges after
   * its predecessor only if this equals the predecessor's at its end. That holds when one instance
   * saw everything before the cut; it fails for an instance warmed up on the generation before its
   * part, which cannot rebuild this state: Go's per-P GC counts depend on the whole trace before
   * (a background mark worker's label and its start both count, its stop uncounts once, so the
   * counts only grow), and the series start and running integral from the trace start.
   */
  continuity(): string {
    return JSON.stringify([
      this.lastTime, // a snapshot keeps "no event yet" and "an event at 0" both as 0
      this.stw,
      this.ps,
      [...this.inGC].sort((x, y) => x - y),
      [...this.bgMark].sort((x, y) => x - y),
      [...this.ordinary].sort((x, y) => x - y),
      this.procs[this.procs.length - 1] ?? null,
      Math.min(this.nSync, 2),
      this.held === null ? null : this.held.map((points) => points.length),
      this.seriesLive,
      this.lastPoint,
      this.pending,
      this.series.map((evaluator) => evaluator.continuity()),
    ]);
  }

  /**
   * Starts a new part on the same state (see AnalyzerInstance.beginPart). The evaluators keep
   * their points, running integrals and cursors, so every window position is evaluated exactly
   * once, with the same arithmetic as one pass, either before the cut (the previous part's
   * minima) or after it (this part's). Held first-generation points stay held: Go may still lower
   * them retroactively, and the resumed state carries them on.
   *
   * An instance that did not see the trace start cannot resume exactly (see continuity()): it
   * records its part's events instead, like a part created with atTraceStart false, to be replayed
   * on its predecessor's state when merged. So does a part that already records its events.
   */
  beginPart(): void {
    if (this.deferred !== null || (this.firstSyncN !== null && this.firstSyncN > 1)) {
      this.deferred = new MmuRecorder();
      return;
    }
    for (const evaluator of this.series) evaluator.forgetMinima();
    this.resumed = true;
    this.resumedFrom = this.continuity();
  }

  /** The MMU curve of everything consumed, as if the trace ended here. */
  finish(): MmuReport {
    return finishMmu(this.partial());
  }

  /** Time of the last event consumed (0 if none). */
  get lastTime(): number {
    return Number.isNaN(this.lastEventTime) ? 0 : this.lastEventTime;
  }

  private get perProc(): boolean {
    return (this.flags & UTIL_PER_PROC) !== 0;
  }

  private newSeries(time: number): number {
    this.series.push(new WindowedMinimum(this.windows));
    this.seriesLive.push(true);
    const index = this.series.length - 1;
    this.held?.push([]);
    this.addUtil(index, time, 1, true);
    return index;
  }

  private lastPoint: { time: number; util: number }[] = [];

  /** Go's addUtil: drop repeats; at an equal time keep the lower utilisation. */
  private addUtil(series: number, time: number, util: number, first = false): void {
    const last = this.lastPoint[series];
    if (!first && last !== undefined) {
      if (util === last.util) return;
      if (time === last.time) {
        if (util < last.util) {
          last.util = util;
          this.replaceLast(series, time, util);
        }
        return;
      }
    }
    this.lastPoint[series] = { time, util };
    if (this.held !== null) this.held[series]!.push({ time, util });
    else this.series[series]!.push(time, util);
  }

  private replaceLast(series: number, time: number, util: number): void {
    if (this.held !== null) {
      const list = this.held[series]!;
      list[list.length - 1] = { time, util };
    } else {
      // Points are handed to the evaluator as soon as they are final; an equal-time lower point
      // after release is handled by holding the newest point back one step (see pushPending).
      this.pendingReplace(series, time, util);
    }
  }

  // After release, the newest point of each series is kept pending until a later time arrives, so
  // that a same-time lower value can still replace it.
  private pending: ({ time: number; util: number } | undefined)[] = [];
  private pendingReplace(series: number, time: number, util: number): void {
    this.pending[series] = { time, util };
  }

  consume(view: EventView): void {
    if (this.deferred !== null) {
      this.defer(view, this.deferred);
      return;
    }
    const n = view.length;
    for (let i = 0; i < n; i++) {
      const kind = view.kind(i);
      const t = view.time(i);
      switch (kind) {
        case Kind.Sync:
          this.firstSyncN ??= view.syncN(i);
          this.onSync(t);
          break;
        case Kind.Metric:
          if (view.metricName(i) === GOMAXPROCS_METRIC) this.onProcs(t, view.metricValue(i));
          break;
        case Kind.RangeActive:
        case Kind.RangeBegin:
        case Kind.RangeEnd:
          this.onRange(kind, t, view.rangeName(i), view.rangeScopeKind(i), idKey(view.rangeScopeId(i)), view.proc(i), idKey(view.goroutine(i)));
          break;
        case Kind.StateTransition:
          if (view.resourceKind(i) === ResourceKind.Goroutine) {
            const g = idKey(view.resourceId(i));
            const from = view.fromState(i);
            if (from === GoState.NotExist && this.createsOrdinary(view, i)) this.ordinary.add(g);
            this.onTransition(t, g, from, view.toState(i), view.proc(i));
          }
          break;
        case Kind.Label:
          this.onLabel(t, view.label(i), idKey(view.goroutine(i)), view.proc(i));
          break;
        default:
          this.onOther(t);
          break;
      }
    }
  }

  /**
   * A part starting mid-trace cannot know the GC state it starts in: it records what can change
   * the utilisation. Ranges and labels the flags ignore change nothing (their point would repeat
   * the last one), so they are left out; every goroutine transition that starts or stops
   * execution is kept, since whether it counts depends on state from before the part, unless a
   * hint says which goroutines may count (the recorder's filter).
   */
  private defer(view: EventView, d: MmuRecorder): void {
    const n = view.length;
    const filter = d.filter;
    for (let i = 0; i < n; i++) {
      const kind = view.kind(i);
      switch (kind) {
        case Kind.Sync:
          d.record(MmuRecordKind.Sync, view.time(i), 0, 0, 0, 0, 0);
          filter?.onSync();
          break;
        case Kind.Metric:
          if (view.metricName(i) === GOMAXPROCS_METRIC) d.record(MmuRecordKind.Procs, view.time(i), view.metricValue(i), 0, 0, 0, 0);
          break;
        case Kind.RangeActive:
        case Kind.RangeBegin:
        case Kind.RangeEnd: {
          const name = view.rangeName(i);
          // The classes in the order the state tests them (rangeBegin): STW, sweep, assist.
          const counted = this.isGCSTW(name) || this.isSweep(name);
          const assist = !counted && this.isAssist(name);
          if (counted || assist) {
            d.record(kind, view.time(i), d.intern(name), view.rangeScopeKind(i), view.rangeScopeId(i), view.proc(i), view.goroutine(i));
            if (assist && filter !== null && view.rangeScopeKind(i) === ResourceKind.Goroutine) filter.onAssist(kind, view.rangeScopeId(i));
          } else if (kind !== Kind.RangeActive) {
            d.tick(view.time(i)); // (a RangeActive after the first generation is skipped whole, point included)
          }
          break;
        }
        case Kind.StateTransition: {
          if (view.resourceKind(i) !== ResourceKind.Goroutine) break;
          const from = view.fromState(i);
          const to = view.toState(i);
          if (filter !== null && filter.active) {
            this.deferHinted(view, i, d, filter);
            break;
          }
          // A creation is recorded from NotExist only if it is an ordinary goroutine's (the replay
          // adds those to `ordinary`); any other that starts execution, from Undetermined (which
          // the replay treats alike: neither executes).
          if (from === GoState.NotExist) {
            const ordinary = this.createsOrdinary(view, i);
            if (ordinary || isExecuting(to)) d.transition(view.time(i), view.resourceId(i), ordinary ? from : GoState.Undetermined, to, view.proc(i));
          } else if (isExecuting(from) !== isExecuting(to)) {
            d.transition(view.time(i), view.resourceId(i), from, to, view.proc(i));
          }
          break;
        }
        case Kind.Label: {
          const label = view.label(i);
          if (!this.isBackgroundMarkLabel(label) || (filter !== null && filter.active && filter.labelsOrdinary(view.goroutine(i)))) {
            d.tick(view.time(i)); // (an ordinary goroutine's label changes nothing either: see onLabel)
          } else {
            d.record(MmuRecordKind.Label, view.time(i), d.intern(label), view.goroutine(i), view.proc(i), 0, 0);
            filter?.onLabel(view.goroutine(i));
          }
          break;
        }
        default:
          break;
      }
    }
    if (n > 0) d.lastTime = view.time(n - 1);
  }

  /**
   * defer's step for goroutine transition i under a hint: creations and ends go to the filter's
   * bookkeeping of ordinary goroutines, and a transition that starts or stops execution is
   * recorded only if its goroutine may count towards GC.
   */
  private deferHinted(view: EventView, i: number, d: MmuRecorder, filter: RecordingFilter): void {
    const from = view.fromState(i);
    const to = view.toState(i);
    const g = view.resourceId(i);
    if (from === GoState.NotExist) {
      filter.onCreate(g, this.createsOrdinary(view, i));
      if (isExecuting(to) && filter.keeps(g)) d.transition(view.time(i), g, GoState.Undetermined, to, view.proc(i));
      return;
    }
    if (isExecuting(from) === isExecuting(to)) return;
    if (filter.keeps(g)) d.transition(view.time(i), g, from, to, view.proc(i));
    if (to === GoState.NotExist) filter.onEnd(g);
  }

  /** Row i creates a goroutine (from NotExist) that is known not to be a mark worker (counted rule only). */
  private createsOrdinary(view: EventView, i: number): boolean {
    return (this.flags & UTIL_GO_LABEL_COUNT) === 0 && view.toState(i) !== GoState.NotExist && startsOrdinary(view.frames(view.transitionStack(i)));
  }

  /**
   * Replays a later part's recorded events on this (resolved) state. Most records are transitions
   * of goroutines that do not count towards GC (neither assisting nor a background mark worker):
   * those change nothing but the last event time, so the loop below checks membership inline and
   * calls onTransition only for the rest (and for every transition while the first generation's
   * goroutine states are still kept).
   */
  replay(recording: MmuRecording): void {
    const others = recording.kind.length;
    const members = new MemberSet();
    let membersAt = -1;
    let next = 0; // transitions replayed so far
    for (let k = 0; k <= others; k++) {
      const end = k < others ? recording.at[k]! : recording.transitions;
      if (next < end) {
        // Membership (assisting, or a background mark worker) and the first generation's hold
        // change only at other records, so they are fixed inside this run of transitions.
        if (membersAt !== this.membershipChanges) {
          members.assign(this.inGC, this.bgMark);
          membersAt = this.membershipChanges;
        }
        const everyTransition = this.held !== null;
        let lastTime = 0;
        while (next < end) {
          const block = recording.blocks[Math.floor(next / BLOCK)]!;
          const first = next % BLOCK;
          const stop = Math.min(block.time.length, first + (end - next));
          const { time: times, goroutine: goroutines, packed: packedColumn } = block;
          for (let i = first; i < stop; i++) {
            const packed = packedColumn[i]!;
            const t = times[i]!;
            if (packed === TICK) {
              this.onTick(t);
              continue;
            }
            const g = goroutines[i]!;
            const from = (packed >> 4) & 15;
            if (from === GoState.NotExist) this.ordinary.add(g); // only ordinary creations are recorded
            if (everyTransition || members.has(g)) {
              this.onTransition(t, idKey(g), from, packed & 15, (packed >> 8) - 1);
            } else if ((packed & 15) === GoState.NotExist && this.ordinary.size !== 0) {
              this.ordinary.delete(g); // what onTransition does at a goroutine's end
            }
          }
          lastTime = times[stop - 1]!;
          next += stop - first;
        }
        this.lastEventTime = lastTime;
      }
      if (k < others) this.replayOther(recording, k);
    }
    if (recording.lastTime !== 0) this.onOther(recording.lastTime);
    const hinted = recording.hinted;
    if (hinted !== undefined) {
      // The part's creations and ends of ordinary goroutines, in bulk (RecordingFilter): only a
      // label asks about them, and none of these goroutines has a recorded label after its end
      // or, created ordinary in the part, at all.
      for (const g of hinted.endedBefore) this.ordinary.delete(idKey(g));
      for (const g of hinted.ordinaryCreated) this.ordinary.add(idKey(g));
    }
  }

  private replayOther(r: MmuRecording, k: number): void {
    const t = r.time[k]!;
    const a = r.a[k]!;
    switch (r.kind[k]) {
      case MmuRecordKind.Sync:
        this.onSync(t);
        break;
      case MmuRecordKind.Procs:
        this.onProcs(t, a);
        break;
      case MmuRecordKind.Transition:
        if (r.b[k] === GoState.NotExist) this.ordinary.add(idKey(a)); // an ordinary creation
        this.onTransition(t, idKey(a), r.b[k]!, r.c[k]!, r.d[k]!);
        break;
      case MmuRecordKind.Label:
        this.onLabel(t, r.strings[a]!, idKey(r.b[k]!), r.c[k]!);
        break;
      default:
        this.onRange(r.kind[k]!, t, r.strings[a]!, r.b[k]!, idKey(r.c[k]!), r.d[k]!, idKey(r.e[k]!));
        break;
    }
  }

  private onSync(t: number): void {
    this.lastEventTime = t;
    this.nSync++;
    if (this.nSync > 1 && this.held !== null) {
      this.release();
      this.states.clear(); // only the first generation's RangeActive fix-up needs them
    }
    // Nothing the utilisation depends on changes at a Sync: no point to add.
  }

  private onProcs(t: number, value: number): void {
    this.lastEventTime = t;
    this.setProcs(value, t);
    this.record(t);
  }

  /** A range or label that changes nothing under the flags: Go still evaluates the utilisation. */
  private onTick(t: number): void {
    this.lastEventTime = t;
    if (this.ps.length === 0) return;
    this.record(t);
  }

  private onOther(t: number): void {
    this.lastEventTime = t;
  }

  private onRange(kind: number, t: number, name: string, scopeKind: number, scopeId: number, proc: number, goroutine: number): void {
    this.lastEventTime = t;
    if (this.ps.length === 0) return;
    if (kind === Kind.RangeActive) {
      if (this.nSync > 1) return;
      this.rangeActiveFixup(name, goroutine);
      this.rangeBegin(name, scopeKind, scopeId, proc);
    } else if (kind === Kind.RangeBegin) this.rangeBegin(name, scopeKind, scopeId, proc);
    else this.rangeEnd(name, scopeKind, scopeId, proc);
    this.record(t);
  }

  private onTransition(t: number, g: number, from: number, to: number, proc: number): void {
    this.lastEventTime = t;
    if (to === GoState.NotExist && this.ordinary.size !== 0) this.ordinary.delete(g);
    if (this.ps.length === 0) return;
    if (this.held !== null) {
      if (to === GoState.NotExist) this.states.delete(g);
      else this.states.set(g, to as GoState);
    }
    // Goroutines in a mark assist are few and usually none: check the size before hashing.
    if ((this.inGC.size !== 0 && this.inGC.has(g)) || this.isBackgroundMarkWorker(g)) {
      const wasExec = isExecuting(from);
      const isExec = isExecuting(to);
      const p = this.ps[proc];
      if (p && wasExec !== isExec) {
        p.gc += isExec ? 1 : -1;
        this.record(t);
      }
    }
    // Otherwise nothing the utilisation depends on changed: Go's point would be dropped as a repeat.
  }

  /**
   * bgMark.has(g), first checked against the range of its ids: the set only grows and holds the
   * few GC worker goroutines, while nearly every transition is some other goroutine's.
   */
  private isBackgroundMarkWorker(g: number): boolean {
    this.refreshBackgroundMarkRange();
    return g >= this.bgMarkLow && g <= this.bgMarkHigh && this.bgMark.has(g);
  }

  private refreshBackgroundMarkRange(): void {
    if (this.bgMark.size !== this.bgMarkRangeOf) {
      this.bgMarkLow = Math.min(...this.bgMark);
      this.bgMarkHigh = Math.max(...this.bgMark);
      this.bgMarkRangeOf = this.bgMark.size;
    }
  }
  /** Counts changes of inGC and bgMark (a replay rebuilds its member list only after one). */
  private membershipChanges = 0;
  /** Lowest and highest id in bgMark when it had bgMarkRangeOf members (empty: no id matches). */
  private bgMarkLow = 0;
  private bgMarkHigh = -1;
  private bgMarkRangeOf = 0;

  private onLabel(t: number, label: string, g: number, proc: number): void {
    this.lastEventTime = t;
    if (this.ps.length === 0) return;
    if (this.isBackgroundMarkLabel(label) && !this.ordinary.has(g)) {
      // The label follows the worker's start: a goroutine that already counted (a known worker,
      // or one in a mark assist) was counted by that start; Go counts it again.
      const counted = (this.flags & UTIL_GO_LABEL_COUNT) === 0 && (this.inGC.has(g) || this.bgMark.has(g));
      this.bgMark.add(g);
      this.membershipChanges++;
      const p = this.ps[proc];
      if (p && !counted) p.gc++;
    }
    this.record(t);
  }

  private isBackgroundMarkLabel(label: string): boolean {
    return isBackgroundMarkLabel(this.flags, label);
  }

  private setProcs(value: number, t: number): void {
    const gomaxprocs = Math.max(0, Math.floor(value));
    if (this.ps.length > gomaxprocs) {
      if (this.perProc) {
        for (const p of this.ps.slice(gomaxprocs)) {
          this.addUtilBuffered(p.series, t, 0);
          this.seriesLive[p.series] = false;
        }
      }
      this.ps.length = gomaxprocs;
    }
    while (this.ps.length < gomaxprocs) {
      let series = 0;
      if (this.perProc || this.series.length === 0) series = this.newSeries(t);
      this.ps.push({ gc: 0, series });
    }
    const lastProcs = this.procs[this.procs.length - 1];
    if (lastProcs === undefined || lastProcs.n !== gomaxprocs) {
      this.procs.push({ time: t, n: gomaxprocs });
      if (this.held === null && this.procs.length > 2) this.procs.splice(0, this.procs.length - 1);
    }
  }

  private isGCSTW(name: string): boolean {
    return isGCSTWRange(this.flags, name);
  }
  private isSweep(name: string): boolean {
    return isSweepRange(this.flags, name);
  }
  private isAssist(name: string): boolean {
    return isAssistRange(this.flags, name);
  }

  private rangeActiveFixup(name: string, goroutine: number): void {
    if (this.isAssist(name)) {
      const st = this.states.get(goroutine);
      if (st !== GoState.Running && st !== GoState.Syscall) return;
    } else if (!this.isSweep(name)) {
      return;
    }
    if (this.perProc || this.held === null) return;
    // Subtract 1/GOMAXPROCS from every point so far (we are still in the first generation).
    const points = this.held[0]!;
    let pi = 0;
    for (const point of points) {
      while (pi < this.procs.length - 1 && this.procs[pi + 1]!.time < point.time) pi++;
      point.util = Math.max(0, point.util - 1 / this.procs[pi]!.n);
    }
    const lp = this.lastPoint[0];
    if (lp && points.length > 0) lp.util = points[points.length - 1]!.util;
  }

  private rangeBegin(name: string, scopeKind: number, scopeId: number, proc: number): void {
    if (this.isGCSTW(name)) this.stw++;
    else if (this.isSweep(name)) {
      const p = this.ps[proc];
      if (p) p.gc++;
    } else if (this.isAssist(name)) {
      const p = this.ps[proc];
      if (p) p.gc++;
      if (scopeKind === ResourceKind.Goroutine) this.inGC.add(scopeId);
      this.membershipChanges++;
    }
  }

  private rangeEnd(name: string, scopeKind: number, scopeId: number, proc: number): void {
    if (this.isGCSTW(name)) this.stw--;
    else if (this.isSweep(name)) {
      const p = this.ps[proc];
      if (p) p.gc--;
    } else if (this.isAssist(name)) {
      const p = this.ps[proc];
      if (p) p.gc--;
      if (scopeKind === ResourceKind.Goroutine) this.inGC.delete(scopeId);
      this.membershipChanges++;
    }
  }

  private record(t: number): void {
    if (!this.perProc) {
      let gcPs = 0;
      if (this.stw > 0) gcPs = this.ps.length;
      else for (const p of this.ps) if (p.gc > 0) gcPs++;
      this.addUtilBuffered(0, t, 1 - gcPs / this.ps.length);
    } else {
      for (const p of this.ps) this.addUtilBuffered(p.series, t, this.stw > 0 || p.gc > 0 ? 0 : 1);
    }
  }

  /** addUtil, holding the newest point back until a later time shows it is final. */
  private addUtilBuffered(series: number, time: number, util: number): void {
    if (this.held !== null) {
      this.addUtil(series, time, util);
      return;
    }
    const last = this.pending[series] ?? this.lastPoint[series];
    if (last !== undefined) {
      if (util === last.util) return;
      if (time === last.time) {
        if (util < last.util) this.pending[series] = { time, util };
        return;
      }
    }
    const ready = this.pending[series];
    if (ready !== undefined) {
      this.series[series]!.push(ready.time, ready.util);
      this.lastPoint[series] = ready;
    }
    this.pending[series] = { time, util };
  }

  /** End of the first generation: hand the held points to the evaluators. */
  private release(): void {
    const held = this.held!;
    this.held = null;
    held.forEach((points, s) => {
      for (let k = 0; k < points.length; k++) {
        const p = points[k]!;
        if (k === points.length - 1) this.pending[s] = p;
        else this.series[s]!.push(p.time, p.util);
      }
    });
  }

  /** Flushes points that are final at a part boundary (timestamps strictly increase). */
  private settle(): void {
    if (this.held !== null) this.release();
    this.series.forEach((evaluator, s) => {
      const pending = this.pending[s];
      if (pending !== undefined) {
        evaluator.push(pending.time, pending.util);
        this.lastPoint[s] = pending;
        this.pending[s] = undefined;
      }
    });
  }

  /** Per series: the minima so far and the edge points a merge or the finish needs. */
  seriesPartials(): MmuSeriesPartial[] {
    this.settle();
    return this.series.map((evaluator, s) => ({
      live: this.seriesLive[s]!,
      start: evaluator.start,
      lastTime: evaluator.lastTime,
      lastUtil: evaluator.lastUtil,
      integral: evaluator.totalIntegral,
      minimum: [...evaluator.minimum],
      head: evaluator.head.map((p) => [p[0], p[1]] as [number, number]),
      tail: evaluator.tail(),
    }));
  }

  partial(): MmuPartial {
    if (this.deferred !== null) {
      return { flags: this.flags, windows: [...this.windows], state: null, deferred: this.deferred.recording() };
    }
    // The state as it stands, not settled: settling here would push pending points earlier than
    // one pass does (and end the first generation's hold), so a part cut here and continued
    // (beginPart, or a replay on this state) would no longer follow the one-pass stream exactly.
    // finishMmu settles its own restored copy.
    const partial: MmuPartial = { flags: this.flags, windows: [...this.windows], state: this.snapshot(), deferred: null };
    if (this.resumed) partial.resumed = true;
    return partial;
  }

  /** The complete analyzer state as plain JSON. */
  private snapshot(): MmuStateSnapshot {
    const plain = structuredClone({ ...this, series: [], inGC: [], states: [], bgMark: [], ordinary: [] }) as unknown as Record<string, unknown>;
    plain.series = this.series.map((s) => structuredClone({ ...s }));
    plain.inGC = [...this.inGC];
    plain.states = [...this.states];
    plain.bgMark = [...this.bgMark];
    plain.ordinary = [...this.ordinary].sort((x, y) => x - y); // the kernel writes it so: deletes reorder a set
    plain.lastEventTime = Number.isNaN(this.lastEventTime) ? 0 : this.lastEventTime;
    return plain;
  }

  static restore(snapshot: MmuStateSnapshot): MmuAnalyzer {
    const plain = structuredClone(snapshot) as Record<string, unknown>;
    const analyzer = Object.assign(Object.create(MmuAnalyzer.prototype) as MmuAnalyzer, plain);
    const fields = analyzer as unknown as Record<string, unknown>;
    fields.series = (plain.series as object[]).map((s) => Object.assign(Object.create(WindowedMinimum.prototype) as WindowedMinimum, s));
    fields.inGC = new Set(plain.inGC as number[]);
    fields.states = new Map(plain.states as [number, GoState][]);
    fields.bgMark = new Set(plain.bgMark as number[]);
    fields.ordinary = new Set((plain.ordinary as number[] | undefined) ?? []);
    fields.pending = (plain.pending as unknown[]).map((p) => p ?? undefined);
    // JSON turns NaN (an evaluator that has no point yet) into null.
    for (const evaluator of fields.series as { startTime: number | null }[]) if (evaluator.startTime === null) evaluator.startTime = Number.NaN;
    if (plain.lastEventTime === 0) fields.lastEventTime = Number.NaN;
    return analyzer;
  }
}

/** MmuAnalyzer's fields as plain JSON (opaque to users). */
export type MmuStateSnapshot = Record<string, unknown>;

export interface MmuSeriesPartial {
  live: boolean;
  start: number;
  lastTime: number;
  lastUtil: number;
  /** Integral of utilisation from start to lastTime. */
  integral: number;
  /** Per window: minimum mean over windows lying inside this part. */
  minimum: number[];
  /** Change points in the first max-window of the series, and in the last one. */
  head: [number, number][];
  tail: [number, number][];
}

/**
 * A part that starts at the trace start carries its full state, and so does a resumed part (see
 * `resumed`); a part starting mid-trace cannot know the GC state it starts in, so it carries the
 * utilisation-relevant events it saw (bounded by its generations) and is resolved by replaying
 * them when merged after its predecessor.
 */
export interface MmuPartial {
  flags: number;
  windows: number[];
  state: MmuStateSnapshot | null;
  deferred: MmuRecording | null;
  /**
   * The part began with beginPart() on an instance that had seen everything before it: `state`
   * is the true state at its end, and each series' minima cover only the window positions
   * evaluated after the cut (so it merges after its predecessor, and cannot be finished alone).
   */
  resumed?: boolean;
}

/** The part of a snapshot's evaluator that a resumed merge combines. */
interface SnapshotSeries {
  minimum: number[];
}

function snapshotSeries(state: MmuStateSnapshot): SnapshotSeries[] {
  return state.series as SnapshotSeries[];
}

/**
 * `a` followed by the resumed part `b`. `b`'s state continued from `a`'s (same series, in the
 * same order, with the same running integrals; series added later come after `a`'s), and every
 * window position was evaluated exactly once, in `a` or in `b`, with one-pass arithmetic: so the
 * minima combine by min, and everything else is `b`'s.
 */
function mergeResumed(a: MmuPartial, b: MmuPartial): MmuPartial {
  if (a.state === null || b.state === null) throw new Error('a resumed MMU partial merges after a partial that carries its state (one that began at the trace start, or was merged after one)');
  if (MmuAnalyzer.restore(a.state).continuity() !== b.state.resumedFrom) {
    throw new Error(
      'an MMU part can only resume from the exact state its predecessor ended in (an instance that saw the trace from its start); ' +
        'one warmed up on a later generation cannot rebuild it, and records its events instead when its first Sync.N shows that it began mid-trace: ' +
        'number the warm-up generation\'s Syncs from the trace start, or run MMU in one pass',
    );
  }
  const state = structuredClone(b.state);
  const earlier = snapshotSeries(a.state);
  const later = snapshotSeries(state);
  if (later.length < earlier.length) throw new Error('a resumed MMU partial must continue the state of the partial before it');
  earlier.forEach((series, s) => {
    const minimum = later[s]!.minimum;
    for (let w = 0; w < minimum.length; w++) minimum[w] = Math.min(series.minimum[w]!, minimum[w]!);
  });
  // The merge covers what `a` began with: it is resumed only if `a` was, and then from where `a`
  // resumed (both also live in the state, where a restored analyzer reads them).
  state.resumed = a.resumed === true;
  state.resumedFrom = a.resumed === true ? a.state.resumedFrom : null;
  const merged: MmuPartial = { flags: b.flags, windows: [...b.windows], state, deferred: null };
  if (a.resumed === true) merged.resumed = true;
  return merged;
}

function evaluatorOver(windows: readonly number[], points: readonly [number, number][]): WindowedMinimum {
  const ev = new WindowedMinimum(windows);
  for (const [t, u] of points) ev.push(t, u);
  return ev;
}

/** Go's addUtil applied to a point list: drop repeats of the same utilisation. */
function dedupe(points: readonly [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (const p of points) {
    const last = out[out.length - 1];
    if (last !== undefined && last[1] === p[1]) continue;
    if (last !== undefined && last[0] === p[0]) {
      if (p[1] < last[1]) out[out.length - 1] = p;
      continue;
    }
    out.push(p);
  }
  return out;
}

/**
 * `a` followed by `b`. A recording (`b` began mid-trace) is replayed on `a`'s state: by the MMU
 * kernel in a WASM module of the merging thread's own when kernels are enabled (`context.kernels`,
 * else unless SCHEDSCOPE_KERNELS=0), else by MmuAnalyzer.replay, the reference it equals.
 */
export function mergeMmu(a: MmuPartial, b: MmuPartial, context: MergeContext = {}): MmuPartial {
  if (b.resumed === true) return mergeResumed(a, b);
  if (a.state !== null && b.deferred !== null) {
    if (!mmuHintHeld(a, b)) {
      throw new HintMissedError('mmu', 'the MMU part after this one recorded under a hint that missed a goroutine counting towards GC: decode it again without one');
    }
    if (kernelsEnabled(context)) {
      // Restore, replay and snapshot in the kernel: most of a recording is transitions of
      // goroutines that do not count, one bit test each there (the 1 GB bench trace's 17 merges,
      // 69 M records: 0.9 s against 5.8 s in JavaScript, measured alone).
      const state = replayOnKernel(mergeHost(), a.state, b.deferred);
      collectMergeHost();
      const merged: MmuPartial = { flags: a.state.flags as number, windows: [...(a.state.windows as number[])], state, deferred: null };
      if (state.resumed === true) merged.resumed = true;
      return merged;
    }
    // The restored analyzer keeps a's `resumed` flag: the result covers what a's part began with.
    const analyzer = MmuAnalyzer.restore(a.state);
    analyzer.replay(b.deferred);
    return analyzer.partial();
  }
  if (a.deferred !== null && b.deferred !== null) return { ...a, deferred: concatRecordings(a.deferred, b.deferred) };
  throw new Error('MMU partials merge in trace order: the earlier part must begin at the trace start or both must begin mid-trace');
}

/** Whether `b`, if it recorded under a hint, can be replayed on `a` (see hintHeld). */
function mmuHintHeld(a: MmuPartial, b: MmuPartial): boolean {
  if (a.state === null || b.deferred === null) return true;
  const state = a.state as { bgMark: number[]; inGC: number[]; ordinary: number[] };
  return hintHeld(b.deferred, state);
}

/**
 * What the partials say about who counts towards GC: the mark workers (their states' bgMark and
 * inGC, what their recordings were hinted or saw labelled) and the ordinary goroutines (their
 * states' `ordinary`, what their recordings were hinted or created), at most MAX_HINTED_ORDINARY
 * of those. With no partials, an empty hint: a part that learns from a warm-up generation starts
 * from it (decode-task.ts). The runtime labels ordinary goroutines as workers too
 * (docs/analyses.md), some of them again and again, and a part that took such a label for a
 * worker's would record all that goroutine does.
 */
function mmuHintFrom(known: readonly MmuPartial[]): MmuHint {
  const workers = new Set<number>();
  const ordinary = new Set<number>();
  let keepUnknown = 0;
  for (const partial of known) {
    if (partial.state !== null) {
      keepUnknown = UNKNOWN_KEPT;
      for (const g of partial.state.bgMark as number[]) workers.add(g);
      for (const g of partial.state.inGC as number[]) workers.add(g);
      for (const g of partial.state.ordinary as number[]) ordinary.add(g);
    }
    const recording = partial.deferred;
    if (recording === null) continue;
    keepUnknown = Math.max(keepUnknown, recording.hinted?.keepUnknown ?? 0);
    for (const g of recording.hinted?.markWorkers ?? []) workers.add(g);
    for (const g of recording.hinted?.ordinary ?? []) ordinary.add(g);
    for (const g of recording.hinted?.ordinaryCreated ?? []) ordinary.add(g);
    recording.kind.forEach((kind, k) => {
      if (kind === MmuRecordKind.Label) workers.add(recording.b[k]!);
    });
  }
  for (const g of ordinary) workers.delete(g);
  const ordinaryIds = [...ordinary].sort((x, y) => x - y);
  return { markWorkers: [...workers].sort((x, y) => x - y), ordinary: ordinaryIds.slice(0, MAX_HINTED_ORDINARY), keepUnknown };
}

/** Most ordinary goroutines a hint names (a task message carries them; one left out only costs recording). */
const MAX_HINTED_ORDINARY = 1 << 16;

function isMmuHint(hint: unknown): hint is MmuHint {
  return typeof hint === 'object' && hint !== null && Array.isArray((hint as MmuHint).markWorkers) && Array.isArray((hint as MmuHint).ordinary) && Number.isInteger((hint as MmuHint).keepUnknown) && (hint as MmuHint).keepUnknown >= 0 && (hint as MmuHint).keepUnknown <= UNKNOWN_KEPT;
}

export function finishMmu(partial: MmuPartial): MmuReport {
  if (partial.state === null || partial.resumed === true) throw new Error('an MMU partial that began mid-trace cannot be finished on its own');
  const analyzer = MmuAnalyzer.restore(partial.state);
  return finishSeries({ flags: partial.flags, windows: partial.windows, series: analyzer.seriesPartials(), lastEventTime: analyzer.lastTime });
}

function finishSeries(p: { flags: number; windows: number[]; series: MmuSeriesPartial[]; lastEventTime: number }): MmuReport {
  const end = p.lastEventTime;
  if (p.series.length === 0 || end === 0) {
    return { flags: p.flags & GO_FLAG_BITS, durationNs: 0, meanUtil: 0, curve: p.windows.map((w) => ({ windowNs: w, mmu: 0 })) };
  }
  const perSeries: number[][] = [];
  let weighted = 0;
  let span = 0;
  let first = Number.POSITIVE_INFINITY;
  for (const s of p.series) {
    let minimum = s.minimum;
    let lastTime = s.lastTime;
    let integral = s.integral;
    if (s.live && s.lastUtil !== 0 && s.lastTime !== end) {
      // Go's final point (last event time, 0) goes through addUtil: a series already at 0 keeps
      // its last point, so its domain ends there.
      const ev = evaluatorOver(p.windows, dedupe([...s.tail, [end, 0]]));
      minimum = minimum.map((m, w) => Math.min(m, ev.minimum[w]!));
      integral += s.lastUtil * (end - s.lastTime);
      lastTime = end;
    }
    perSeries.push(finishMinima(p.windows, minimum, s.start, lastTime, integral));
    first = Math.min(first, s.start);
    if (lastTime - s.start > 0) {
      weighted += integral;
      span += lastTime - s.start;
    }
  }
  const curve = p.windows.map((windowNs, w) => ({ windowNs, mmu: Math.min(...perSeries.map((values) => values[w]!)) }));
  return { flags: p.flags & GO_FLAG_BITS, durationNs: end - first, meanUtil: span > 0 ? weighted / span : 0, curve };
}

export const mmuAnalysis: AnalysisDefinition<MmuOptions, MmuPartial, MmuReport> = {
  name: 'mmu',
  replaysMidTraceParts: true,
  // Not `resumes`: instances implement beginPart() (exact when they have seen the trace from its
  // start), but a worker warmed up on one generation cannot rebuild the per-P GC counters, which
  // only grow from the trace start. Its recording (mmu-recording.ts) is compact and replays in a
  // few percent of a pass, so on the pool it records.
  replaysCheaply: true,
  transferables(partial) {
    const recording = partial.deferred;
    // A recording is 16 bytes per recorded transition (tens of MB per run): moved, not copied.
    if (recording === null) return [];
    const buffers = recording.blocks.flatMap((block) => [block.time.buffer, block.goroutine.buffer, block.packed.buffer] as ArrayBuffer[]);
    for (const column of [recording.kind, recording.at, recording.time, recording.a, recording.b, recording.c, recording.d, recording.e]) buffers.push(column.buffer as ArrayBuffer);
    const hinted = recording.hinted;
    if (hinted !== undefined) buffers.push(...[hinted.dropped, hinted.droppedUnsettled, hinted.endedBefore, hinted.ordinaryCreated, hinted.ordinaryAssumed].map((ids) => ids.buffer as ArrayBuffer));
    return buffers;
  },
  hintFrom: mmuHintFrom,
  acceptsAfter: mmuHintHeld,
  create(options, context) {
    const hint = !context.atTraceStart && isMmuHint(context.hint) ? context.hint : undefined;
    return kernelOrScript(
      context,
      (host) => mmuKernel(host, options, context.atTraceStart, hint),
      () => new MmuAnalyzer(options, context.atTraceStart, hint),
    );
  },
  merge(a, b, _options, context) {
    return mergeMmu(a, b, context);
  },
  finish(partial, options) {
    const report = finishMmu(partial);
    if (options.goCompatible) for (const point of report.curve) if (point.windowNs > 0 && point.windowNs < 2) point.mmu = 0;
    return report;
  },
};
