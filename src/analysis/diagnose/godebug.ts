// The second input: the text a Go program writes to stderr under GODEBUG=schedtrace=N
// [,scheddetail=1] and gctrace=1, parsed line by line as a stream into a summary, then shaped as
// the parts of an analysis report the rules read (so the same rules decide). Memory is bounded:
// per-sample figures are folded into running aggregates; only GC intervals (one number per cycle,
// capped) are kept for the interval percentiles.
import { createInterface } from 'node:readline';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { AnalysisReport } from '../analyze.js';
import { emptyHistogram, record, summarize } from '../histogram.js';

export interface SchedSample {
  timeMs: number;
  gomaxprocs: number;
  idleprocs: number;
  threads: number;
  spinningThreads: number;
  idleThreads: number;
  globalRunqueue: number;
  /** Per-P local run-queue lengths. */
  localRunqueues: number[];
}

export interface GodebugSummary {
  lines: number;
  sched: {
    samples: number;
    gomaxprocs: number;
    maxThreads: number;
    maxSpinningThreads: number;
    maxGlobalRunqueue: number;
    /** With scheddetail=1: most Ms locked to a goroutine in one sample, most goroutines listed in one sample. */
    maxLockedThreads: number;
    maxGoroutines: number;
    /** With scheddetail=1: most goroutines in a system call (status 3) in one sample. */
    maxInSyscall: number;
    /**
     * With scheddetail=1: highest M id listed (−1: none). M ids count up from 0 as the runtime
     * creates threads and are never reused, so max id + 1 is the threads created so far.
     */
    maxMId: number;
    /** Per-P run-queue imbalance (1 − mean/max) over samples with at least `minQueued` goroutines queued locally. */
    imbalance: { minQueued: number; loadedSamples: number; worst: number; worstSample: SchedSample | undefined; imbalancedSamples: number; threshold: number };
    lastTimeMs: number;
  };
  gc: {
    cycles: number;
    forced: number;
    firstAtSeconds: number;
    lastAtSeconds: number;
    /** Cumulative GC CPU share Go prints (last line). */
    cpuFraction: number;
    stwMaxNs: number;
    stwTotalNs: number;
    markClockTotalNs: number;
    assistCpuNs: number;
    heapPeakBytes: number;
    goalLastBytes: number;
    /** The "MB goal" of the first cycle, and how often the goal changed / rose from one cycle to the next. */
    goalFirstBytes: number;
    goalChanges: number;
    goalRises: number;
    goalMaxBytes: number;
    intervalsNs: number[];
    markClockNs: number[];
  };
}

export interface GodebugOptions {
  /** A sample is "loaded" when its local run queues hold at least this many goroutines (default 32). */
  runqueueMinQueued?: number;
  /** A loaded sample is imbalanced when 1 − mean/max of its local run queues is at least this (default 0.6). */
  runqueueImbalance?: number;
}

const MAX_KEPT = 100_000;
const SCHED = /^SCHED (\d+)ms: gomaxprocs=(\d+) idleprocs=(\d+) threads=(\d+) spinningthreads=(\d+)(?: needspinning=\d+)? idlethreads=(\d+) runqueue=(\d+)(?: \[([\d ]*)\])?/;
const GC = /^gc (\d+) @([\d.]+)s (\d+)%: ([\d.]+)\+([\d.]+)\+([\d.]+) ms clock, [\d.]+\+([\d.]+)\/([\d.]+)\/([\d.]+)\+[\d.]+ ms cpu, (\d+)->(\d+)->(\d+) MB, (\d+) MB goal.*?(\(forced\))?\s*$/;
const P_LINE = /^\s+P(\d+): status=\d+ .*runqsize=(\d+)/;
const M_LINE = /^\s+M(\d+): .*lockedg=(\S+)/;
const G_LINE = /^\s+G\d+: status=(\d+)/;
/** runtime._Gsyscall */
const G_SYSCALL = 3;
const MB = 1024 * 1024;

export class GodebugParser {
  private readonly summary: GodebugSummary;
  private readonly minQueued: number;
  private readonly threshold: number;
  private pending: SchedSample | undefined;
  private lockedInSample = 0;
  private goroutinesInSample = 0;
  private syscallInSample = 0;
  private lastGcAt = -1;

  constructor(options: GodebugOptions = {}) {
    this.minQueued = options.runqueueMinQueued ?? 32;
    this.threshold = options.runqueueImbalance ?? 0.6;
    this.summary = {
      lines: 0,
      sched: {
        samples: 0,
        gomaxprocs: 0,
        maxThreads: 0,
        maxSpinningThreads: 0,
        maxGlobalRunqueue: 0,
        maxLockedThreads: 0,
        maxGoroutines: 0,
        maxInSyscall: 0,
        maxMId: -1,
        imbalance: { minQueued: this.minQueued, loadedSamples: 0, worst: 0, worstSample: undefined, imbalancedSamples: 0, threshold: this.threshold },
        lastTimeMs: 0,
      },
      gc: { cycles: 0, forced: 0, firstAtSeconds: 0, lastAtSeconds: 0, cpuFraction: 0, stwMaxNs: 0, stwTotalNs: 0, markClockTotalNs: 0, assistCpuNs: 0, heapPeakBytes: 0, goalLastBytes: 0, goalFirstBytes: 0, goalChanges: 0, goalRises: 0, goalMaxBytes: 0, intervalsNs: [], markClockNs: [] },
    };
  }

  line(text: string): void {
    this.summary.lines++;
    let m = SCHED.exec(text);
    if (m) {
      this.closeSample();
      const queues = m[8] !== undefined ? m[8].trim().split(/\s+/).filter(Boolean).map(Number) : [];
      this.pending = {
        timeMs: Number(m[1]),
        gomaxprocs: Number(m[2]),
        idleprocs: Number(m[3]),
        threads: Number(m[4]),
        spinningThreads: Number(m[5]),
        idleThreads: Number(m[6]),
        globalRunqueue: Number(m[7]),
        localRunqueues: queues,
      };
      return;
    }
    if ((m = P_LINE.exec(text)) && this.pending) {
      this.pending.localRunqueues[Number(m[1])] = Number(m[2]);
      return;
    }
    if ((m = M_LINE.exec(text))) {
      this.summary.sched.maxMId = Math.max(this.summary.sched.maxMId, Number(m[1]));
      if (m[2] !== 'nil') this.lockedInSample++;
      return;
    }
    if ((m = G_LINE.exec(text))) {
      this.goroutinesInSample++;
      if (Number(m[1]) === G_SYSCALL) this.syscallInSample++;
      return;
    }
    if ((m = GC.exec(text))) this.gcLine(m);
  }

  private gcLine(m: RegExpExecArray): void {
    const gc = this.summary.gc;
    const at = Number(m[2]);
    if (gc.cycles === 0) gc.firstAtSeconds = at;
    gc.cycles++;
    gc.lastAtSeconds = at;
    gc.cpuFraction = Number(m[3]) / 100;
    const stw = (Number(m[4]) + Number(m[6])) * 1e6;
    gc.stwTotalNs += stw;
    gc.stwMaxNs = Math.max(gc.stwMaxNs, Number(m[4]) * 1e6, Number(m[6]) * 1e6);
    const mark = Number(m[5]) * 1e6;
    gc.markClockTotalNs += mark;
    gc.assistCpuNs += Number(m[7]) * 1e6;
    gc.heapPeakBytes = Math.max(gc.heapPeakBytes, Number(m[10]) * MB, Number(m[11]) * MB);
    const goal = Number(m[13]) * MB;
    if (gc.cycles === 1) gc.goalFirstBytes = goal;
    else if (goal !== gc.goalLastBytes) {
      gc.goalChanges++;
      if (goal > gc.goalLastBytes) gc.goalRises++;
    }
    gc.goalMaxBytes = Math.max(gc.goalMaxBytes, goal);
    gc.goalLastBytes = goal;
    if (m[14]) gc.forced++;
    if (gc.markClockNs.length < MAX_KEPT) gc.markClockNs.push(mark);
    if (this.lastGcAt >= 0 && gc.intervalsNs.length < MAX_KEPT) gc.intervalsNs.push((at - this.lastGcAt) * 1e9);
    this.lastGcAt = at;
  }

  private closeSample(): void {
    const s = this.pending;
    const sched = this.summary.sched;
    sched.maxLockedThreads = Math.max(sched.maxLockedThreads, this.lockedInSample);
    sched.maxGoroutines = Math.max(sched.maxGoroutines, this.goroutinesInSample);
    sched.maxInSyscall = Math.max(sched.maxInSyscall, this.syscallInSample);
    this.syscallInSample = 0;
    this.lockedInSample = 0;
    this.goroutinesInSample = 0;
    this.pending = undefined;
    if (!s) return;
    sched.samples++;
    sched.gomaxprocs = s.gomaxprocs;
    sched.lastTimeMs = s.timeMs;
    sched.maxThreads = Math.max(sched.maxThreads, s.threads);
    sched.maxSpinningThreads = Math.max(sched.maxSpinningThreads, s.spinningThreads);
    sched.maxGlobalRunqueue = Math.max(sched.maxGlobalRunqueue, s.globalRunqueue);
    // scheddetail lists only the Ps it saw; the rest hold nothing.
    const queues = Array.from({ length: Math.max(s.localRunqueues.length, s.gomaxprocs) }, (_, p) => s.localRunqueues[p] ?? 0);
    const total = queues.reduce((a, b) => a + b, 0);
    if (queues.length >= 2 && total >= this.minQueued) {
      const imb = sched.imbalance;
      imb.loadedSamples++;
      const value = 1 - total / queues.length / Math.max(...queues);
      if (value >= this.threshold) imb.imbalancedSamples++;
      if (value > imb.worst || imb.worstSample === undefined) {
        imb.worst = value;
        imb.worstSample = { ...s, localRunqueues: queues };
      }
    }
  }

  finish(): GodebugSummary {
    this.closeSample();
    return this.summary;
  }
}

/** Parses a GODEBUG log (file path, stream or lines) as a stream. */
export async function parseGodebugLog(source: string | Readable | Iterable<string> | AsyncIterable<string>, options: GodebugOptions = {}): Promise<GodebugSummary> {
  const parser = new GodebugParser(options);
  const lines: Iterable<string> | AsyncIterable<string> =
    typeof source === 'string'
      ? createInterface({ input: createReadStream(source), crlfDelay: Infinity })
      : 'pipe' in source && typeof (source as Readable).pipe === 'function'
        ? createInterface({ input: source as Readable, crlfDelay: Infinity })
        : (source as Iterable<string> | AsyncIterable<string>);
  for await (const line of lines) parser.line(line);
  return parser.finish();
}

/** A report-shaped view of the log: the figures the rules read, where the log has them. */
export function godebugReport(summary: GodebugSummary): AnalysisReport & { godebug: GodebugSummary } {
  const gc = summary.gc;
  const sched = summary.sched;
  const durationNs = Math.max(sched.lastTimeMs * 1e6, gc.lastAtSeconds * 1e9);
  const procs = Math.max(1, sched.gomaxprocs || 1);
  const intervals = emptyHistogram();
  for (const v of gc.intervalsNs) record(intervals, v);
  const marks = emptyHistogram();
  for (const v of gc.markClockNs) record(marks, v);
  const zero = summarize(emptyHistogram());
  const spanSeconds = gc.cycles > 1 ? gc.lastAtSeconds - gc.firstAtSeconds : durationNs / 1e9;
  const report = {
    trace: { events: 0, generations: 0, firstTimeNs: 0, lastTimeNs: durationNs, durationNs, bytesRead: 0 },
    execution: { mode: 'sequential', workers: 1, requestedWorkers: undefined, requestedPlacement: undefined },
    godebug: summary,
    ...(gc.cycles > 0
      ? {
          gc: {
            cycles: { count: gc.cycles, duration: summarize(marks), interval: summarize(intervals), list: [], perSecond: spanSeconds > 0 ? (gc.cycles > 1 ? (gc.cycles - 1) / spanSeconds : gc.cycles / spanSeconds) : 0 },
            stw: { count: gc.cycles * 2, totalNs: gc.stwTotalNs, maxNs: gc.stwMaxNs, byReason: [] },
            // gctrace reports assist CPU time, not per-goroutine assists.
            assists: { ...zero, totalNs: gc.assistCpuNs, byGroup: [] },
            sweeps: zero,
            stwFraction: durationNs > 0 ? gc.stwTotalNs / durationNs : 0,
          },
        }
      : {}),
    ...(sched.samples > 0 || gc.cycles > 0
      ? {
          metrics: {
            bucketNs: 0,
            points: [],
            heap: { firstBytes: 0, lastBytes: 0, maxBytes: gc.heapPeakBytes, growthBytesPerSecond: 0 },
            gomaxprocs: { last: sched.gomaxprocs, changes: 0 },
            goroutines: { created: 0, max: sched.maxGoroutines, maxRunnable: 0, atEnd: 0 },
            // Goroutines in syscalls only with scheddetail (G lines with status 3). Threads alive
            // at once are schedtrace's threads=; threads created over time only show as scheddetail's M ids.
            threads: { seen: Math.max(sched.maxThreads, sched.maxMId + 1), maxInSyscall: sched.maxInSyscall, ...(sched.samples > 0 ? { peakAlive: sched.maxThreads } : {}) },
            // gctrace's "MB goal" per cycle: the goal the GC set from the live heap (MB resolution).
            ...(gc.cycles > 0 ? { heapGoal: { firstBytes: gc.goalFirstBytes, lastBytes: gc.goalLastBytes, maxBytes: gc.goalMaxBytes, changes: gc.goalChanges, rises: gc.goalRises } } : {}),
          },
        }
      : {}),
    ...(sched.samples > 0
      ? {
          // Execution capacity (wall × GOMAXPROCS) stands in for goroutine execution time: an
          // upper bound, so the assist share derived from it is a lower bound.
          goroutines: { goroutines: sched.maxGoroutines, oneThreadGoroutines: sched.maxLockedThreads, totalExecNs: durationNs * procs, groups: [], top: [] },
        }
      : {}),
  };
  return report as AnalysisReport & { godebug: GodebugSummary };
}
