// The goroutine tracker on its kernel (assembly/analysis/tracker.ts): the kernel runs the
// per-event state machine; this binding interns what it asks for (stacks into a StackTable, names,
// reasons and range names into string tables) and turns its state into the TrackerState the
// JavaScript GoroutineTracker.state() returns, so both feed the same merge and report code.
import type { AnalyzerInstance } from '../analyzer.js';
import type { EventView } from '../events.js';
import type { GoState } from '../events.js';
import {
  PROFILE_KINDS,
  isProfileReason,
  type ExecStats,
  type GoroutineListing,
  type GoroutineRecord,
  type GroupAggregate,
  type ProfileKind,
  type ProfileRecord,
  type TrackerOptions,
  type TrackerState,
} from '../goroutine-tracker.js';
import type { HistogramData } from '../histogram.js';
import { StackTable, rootFunction } from '../stacks.js';
import type { KernelHost } from '../../model/index.js';
import { kernelExports, moduleString, releaseWith } from './kernel.js';

interface TrackerExports {
  trackerCreate(atTraceStart: number, topN: number): number;
  trackerRelease(handle: number): void;
  trackerConsume(handle: number, from: number, count: number): number;
  trackerDump(handle: number): number;
  trackerDumpPointer(handle: number): number;
}

const NAMES: (keyof TrackerExports)[] = ['trackerCreate', 'trackerRelease', 'trackerConsume', 'trackerDump', 'trackerDumpPointer'];

// A goroutine record's flags (FLAG_* in the kernel).
const FLAG_ONE_THREAD = 1;
const FLAG_FINISHED = 2;
const FLAG_CONTINUATION = 4;
const FLAG_RANGE_RESTATED = 8;
const FLAG_PENDING_CONTINUATION = 16;
const FLAG_PENDING_UNNAMED = 32;

/** Strings by dense id, in first-interned order. */
class Strings {
  readonly list: string[] = [];
  private readonly ids = new Map<string, number>();

  constructor(first: readonly string[]) {
    for (const s of first) this.intern(s);
  }

  intern(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.list.length;
      this.list.push(s);
      this.ids.set(s, id);
    }
    return id;
  }
}

/**
 * Block reasons. The kernel's reason id is the index here × 2, plus 1 when the pprof "sync" profile
 * tracks the reason; "", "forever" and "network" come first (ids 0, 2 and 4, which the kernel
 * compares with).
 */
class Reasons {
  private readonly strings = new Strings(['', 'forever', 'network']);

  id(reason: string): number {
    return this.strings.intern(reason) * 2 + (isProfileReason('sync', reason) ? 1 : 0);
  }

  at(id: number): string {
    return this.strings.list[id >> 1]!;
  }
}

/** Sequential reader of the f64s the kernel's dump() wrote. */
class Dump {
  private at = 0;
  constructor(private readonly data: Float64Array) {}

  next(): number {
    return this.data[this.at++]!;
  }

  /** Sums written by putSums(), keys resolved by `key`, in the kernel's (insertion) order. */
  sums(key: (id: number) => string): Record<string, number> {
    const out: Record<string, number> = {};
    const n = this.next();
    for (let k = 0; k < n; k++) {
      const name = key(this.next());
      out[name] = this.next();
    }
    return out;
  }

  histogram(): HistogramData {
    const count = this.next();
    const total = this.next();
    const min = this.next();
    const max = this.next();
    const length = this.next();
    const buckets: number[] = [];
    for (let b = 0; b < length; b++) buckets.push(this.next());
    return { buckets, count, total, min, max };
  }
}

/** A tracker on the kernel, or undefined for options only the JavaScript tracker implements. */
export function trackerKernel(host: KernelHost, options: TrackerOptions, atTraceStart: boolean): AnalyzerInstance<TrackerState> | undefined {
  if (options.goCompatible || options.profileGroup !== undefined || options.profileRegionType !== undefined) return undefined;
  const topN = options.topGoroutines ?? 20;
  // The kernel counts listings in an i32; any other number is the JavaScript's to handle.
  if (!Number.isInteger(topN) || Math.abs(topN) > 0x3fffffff) return undefined;
  const wasm = kernelExports<TrackerExports>(host, NAMES);
  const handle = wasm.trackerCreate(atTraceStart ? 1 : 0, topN);
  const stacks = new StackTable();
  const names = new Strings(['']);
  const rangeNames = new Strings([]);
  const reasons = new Reasons();
  /** The view being consumed: the callbacks resolve ids through it (the host refreshes it first). */
  let view!: EventView;
  host.attach(handle, {
    internString: (id) => reasons.id(moduleString(host, id)),
    internStack: (id) => stacks.intern(view.frames(id)),
    stackRoot: (id) => {
      const root = rootFunction(view.frames(id));
      return root === undefined ? -1 : names.intern(root.func);
    },
    stackRootPc: (id) => rootFunction(view.frames(id))?.pc ?? 0,
    rangeName: (row) => rangeNames.intern(view.rangeName(row - (view.kernelOffset?.() ?? 0))),
  });

  const nameAt = (id: number): string => names.list[id]!;
  const rangeNameAt = (id: number): string => rangeNames.list[id]!;
  const reasonAt = (id: number): string => reasons.at(id);
  const stats = (dump: Dump): ExecStats => ({
    execNs: dump.next(),
    schedWaitNs: dump.next(),
    syscallNs: dump.next(),
    syscallBlockNs: dump.next(),
    blockNsByReason: dump.sums(reasonAt),
    rangeNs: dump.sums(rangeNameAt),
    rangeCount: dump.sums(rangeNameAt),
  });
  const rangeKey = (dump: Dump): string => {
    const p = dump.next();
    return `${p}/${rangeNameAt(dump.next())}`;
  };

  const state = (): TrackerState => {
    const length = wasm.trackerDump(handle);
    const dump = new Dump(new Float64Array(host.memory(), wasm.trackerDumpPointer(handle), length));
    const firstTime = dump.next();
    const lastTime = dump.next();
    const syncTime = dump.next();
    const schedOverall = dump.histogram();
    const groups: GroupAggregate[] = [];
    for (let n = dump.next(); n > 0; n--) {
      const name = nameAt(dump.next());
      const count = dump.next();
      const oneThread = dump.next();
      groups.push({ name, count, oneThread, stats: stats(dump), schedLatency: dump.histogram() });
    }
    const schedByCreationStack: Record<string, HistogramData> = {};
    for (let n = dump.next(); n > 0; n--) {
      const stack = dump.next();
      schedByCreationStack[String(stack)] = dump.histogram();
    }
    const profiles = {} as Record<ProfileKind, Record<string, ProfileRecord>>;
    for (const kind of PROFILE_KINDS) {
      const records: Record<string, ProfileRecord> = {};
      for (let n = dump.next(); n > 0; n--) {
        const stack = dump.next();
        const count = dump.next();
        records[String(stack)] = { count, ns: dump.next() };
      }
      profiles[kind] = records;
    }
    const top: GoroutineListing[] = [];
    for (let n = dump.next(); n > 0; n--) {
      const id = dump.next();
      const name = nameAt(dump.next());
      const creationTime = dump.next();
      const startTime = dump.next();
      const endTime = dump.next();
      const totalNs = dump.next();
      top.push({ id, name, creationTime, startTime, endTime, totalNs, stats: stats(dump) });
    }
    const syscallingP: Record<string, number> = {};
    for (let n = dump.next(); n > 0; n--) {
      const p = dump.next();
      syscallingP[String(p)] = dump.next();
    }
    const unclaimedProcIdle: Record<string, number> = {};
    for (let n = dump.next(); n > 0; n--) {
      const p = dump.next();
      unclaimedProcIdle[String(p)] = dump.next();
    }
    const syscallClaimedP: number[] = [];
    for (let n = dump.next(); n > 0; n--) syscallClaimedP.push(dump.next());
    const unclaimedRangeEnds: Record<string, { goroutine: number; t: number }> = {};
    for (let n = dump.next(); n > 0; n--) {
      const key = rangeKey(dump);
      const goroutine = dump.next();
      unclaimedRangeEnds[key] = { goroutine, t: dump.next() };
    }
    const rangesClaimed: string[] = [];
    for (let n = dump.next(); n > 0; n--) rangesClaimed.push(rangeKey(dump));
    const rangesP: Record<string, number> = {};
    for (let n = dump.next(); n > 0; n--) {
      const key = rangeKey(dump);
      rangesP[key] = dump.next();
    }
    const live: { seq: number; record: GoroutineRecord }[] = [];
    for (let n = dump.next(); n > 0; n--) live.push(liveRecord(dump));
    // The JavaScript tracker's Map order.
    live.sort((a, b) => a.seq - b.seq);
    return {
      stacks: structuredClone(stacks.stacks),
      firstTime,
      lastTime,
      syncTime,
      atTraceStart,
      live: live.map((entry) => entry.record),
      groups,
      schedOverall,
      schedByCreationStack,
      profiles,
      top,
      syscallingP,
      unclaimedProcIdle,
      syscallClaimedP,
      unclaimedRangeEnds,
      rangesClaimed,
      rangesP,
    };
  };

  /** A live goroutine record, in newRecord()'s key order. */
  const liveRecord = (dump: Dump): { seq: number; record: GoroutineRecord } => {
    const seq = dump.next();
    const id = dump.next();
    const name = nameAt(dump.next());
    const pc = dump.next();
    const creationTime = dump.next();
    const startTime = dump.next();
    const endTime = dump.next();
    const creationStack = dump.next();
    const goState = dump.next();
    const execStats = stats(dump);
    const lastStart = dump.next();
    const lastRunnable = dump.next();
    const lastBlock = dump.next();
    const lastBlockReason = reasonAt(dump.next());
    const lastSyscall = dump.next();
    const lastSyscallBlock = dump.next();
    const lastRange = dump.sums(rangeNameAt);
    const syscallP = dump.next();
    const trackStart = [dump.next(), dump.next(), dump.next(), dump.next()];
    const trackStack = [dump.next(), dump.next(), dump.next(), dump.next()];
    const runs = dump.next();
    const runThread = dump.next();
    const flags = dump.next();
    const continuationState = dump.next();
    const continuationUntil = dump.next();
    const record: GoroutineRecord = {
      id,
      name,
      pc,
      creationTime,
      startTime,
      endTime,
      creationStack,
      state: goState as GoState,
      stats: execStats,
      lastStart,
      lastRunnable,
      lastBlock,
      lastBlockReason,
      lastSyscall,
      lastSyscallBlock,
      lastRange,
      syscallP,
      trackStart,
      trackStack,
      regionDepth: 0,
      runs,
      runThread,
      oneThread: (flags & FLAG_ONE_THREAD) !== 0,
      finished: (flags & FLAG_FINISHED) !== 0,
      continuation: (flags & FLAG_CONTINUATION) !== 0 ? { state: continuationState as GoState, until: continuationUntil } : undefined,
      rangeRestated: (flags & FLAG_RANGE_RESTATED) !== 0 ? dump.sums(rangeNameAt) : undefined,
      pendingProfiles: undefined,
      pendingContinuation: (flags & FLAG_PENDING_CONTINUATION) !== 0 ? dump.histogram() : undefined,
      pendingUnnamed: (flags & FLAG_PENDING_UNNAMED) !== 0 ? { sched: dump.histogram() } : undefined,
    };
    return { seq, record };
  };

  const instance: AnalyzerInstance<TrackerState> = {
    consume(v) {
      view = v;
      wasm.trackerConsume(handle, v.kernelOffset?.() ?? 0, v.length);
    },
    partial: state,
  };
  releaseWith(instance, host, handle, (h) => wasm.trackerRelease(h));
  return instance;
}
