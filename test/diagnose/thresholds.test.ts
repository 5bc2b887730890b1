// Each deciding threshold at its boundary, on synthetic analysis reports (only the fields the rule
// reads), plus overrides and ranking.
import { describe, expect, it } from 'vitest';
import type { AnalysisReport } from '../../src/analysis/analyze.js';
import { DEFAULT_THRESHOLDS, diagnoseReport, resolveThresholds, type Thresholds } from '../../src/analysis/diagnose/index.js';
import { peakOverlap } from '../../src/analysis/metrics.js';

const T = DEFAULT_THRESHOLDS;
const frame = (func: string) => ({ pc: 1, func, file: 'x.go', line: 1 });
const summary = (p50: number, p99: number, count: number) => ({ count, totalNs: p50 * count, meanNs: p50, p50Ns: p50, p90Ns: p99, p99Ns: p99, p999Ns: p99, maxNs: p99 });

type Parts = Record<string, unknown>;
function report(parts: Parts, trace: Partial<AnalysisReport['trace']> = {}): AnalysisReport {
  return {
    trace: { events: 1000, generations: 1, firstTimeNs: 0, lastTimeNs: 1e9, durationNs: 1e9, bytesRead: 1000, ...trace },
    execution: { mode: 'sequential', workers: 1, requestedWorkers: undefined, requestedPlacement: undefined },
    ...parts,
  } as unknown as AnalysisReport;
}

function fired(r: AnalysisReport, id: string, overrides?: Partial<Thresholds>): boolean {
  return diagnoseReport(r, { rules: [id], ...(overrides ? { thresholds: overrides } : {}) }).findings.length === 1;
}

function gcReport(perSecond: number, cycles: number, mmu: number, assistNs: number, execNs = 1e9): AnalysisReport {
  return report({
    gc: {
      cycles: { count: cycles, perSecond, interval: summary(1e9 / Math.max(perSecond, 1), 1e9, cycles), duration: summary(1e6, 1e6, cycles), list: [] },
      stw: { count: 0, totalNs: 0, maxNs: 0, byReason: [] },
      assists: { ...summary(0, 0, 0), totalNs: assistNs, byGroup: [{ group: 'main.handler', ns: assistNs }] },
      sweeps: summary(0, 0, 0),
      stwFraction: 0,
    },
    mmu: { flags: 7, durationNs: 1e9, meanUtil: 0.9, curve: [{ windowNs: 1e6, mmu }] },
    goroutines: { goroutines: 1, oneThreadGoroutines: 0, totalExecNs: execNs, groups: [], top: [] },
  });
}

function metricsReport(m: { threads?: number; inSyscall?: number; procs?: number; goroutines?: number }): Parts {
  return {
    metrics: {
      bucketNs: 1e6,
      points: [],
      heap: { firstBytes: 0, lastBytes: 0, maxBytes: 0, growthBytesPerSecond: 0 },
      gomaxprocs: { last: m.procs ?? 2, changes: 0 },
      goroutines: { created: m.goroutines ?? 1, max: m.goroutines ?? 1, maxRunnable: 1, atEnd: 1 },
      threads: { seen: m.threads ?? 2, maxInSyscall: m.inSyscall ?? 0 },
    },
  };
}

describe('diagnose thresholds at their boundary', () => {
  it('gc-tail-latency: cycles per second, minimum cycles, MMU at 1 ms, assist fraction', () => {
    const base = { perSecond: T.gcCyclesPerSecond, cycles: T.gcMinCycles, mmu: T.gcMmuAt1ms, assist: 0 };
    expect(fired(gcReport(base.perSecond, base.cycles, base.mmu, base.assist), 'gc-tail-latency')).toBe(true);
    expect(fired(gcReport(base.perSecond - 0.01, base.cycles, base.mmu, base.assist), 'gc-tail-latency')).toBe(false);
    expect(fired(gcReport(base.perSecond, base.cycles - 1, base.mmu, base.assist), 'gc-tail-latency')).toBe(false);
    expect(fired(gcReport(base.perSecond, base.cycles, base.mmu + 0.01, base.assist), 'gc-tail-latency')).toBe(false);
    // High MMU but heavy assists still fires; just below the assist fraction does not.
    expect(fired(gcReport(base.perSecond, base.cycles, 0.9, T.gcAssistFraction * 1e9), 'gc-tail-latency')).toBe(true);
    expect(fired(gcReport(base.perSecond, base.cycles, 0.9, T.gcAssistFraction * 1e9 - 1), 'gc-tail-latency')).toBe(false);
  });

  it('syscall-storm: threads vs max(minimum, per-P × GOMAXPROCS), and goroutines in syscalls at once', () => {
    const limit2 = Math.max(T.syscallMinThreads, T.syscallThreadsPerProc * 2);
    expect(fired(report(metricsReport({ threads: limit2, procs: 2 })), 'syscall-storm')).toBe(true);
    expect(fired(report(metricsReport({ threads: limit2 - 1, procs: 2 })), 'syscall-storm')).toBe(false);
    const limit8 = Math.max(T.syscallMinThreads, T.syscallThreadsPerProc * 8);
    expect(fired(report(metricsReport({ threads: limit8 - 1, procs: 8 })), 'syscall-storm')).toBe(false);
    expect(fired(report(metricsReport({ threads: limit8, procs: 8 })), 'syscall-storm')).toBe(true);
    expect(fired(report(metricsReport({ inSyscall: T.syscallConcurrent })), 'syscall-storm')).toBe(true);
    expect(fired(report(metricsReport({ inSyscall: T.syscallConcurrent - 1 })), 'syscall-storm')).toBe(false);
  });

  it('sched-latency: p99 and minimum samples', () => {
    const sl = (p99: number, count: number) =>
      report({ schedLatency: { overall: summary(50_000, p99, count), buckets: [], byGroup: [{ group: 'main.flush', ...summary(50_000, p99, count) }], byCreationStack: [{ stack: [frame('main.handle')], ...summary(50_000, p99, count) }] } });
    expect(fired(sl(T.schedP99Ns, T.schedMinSamples), 'sched-latency')).toBe(true);
    expect(fired(sl(T.schedP99Ns - 1, T.schedMinSamples), 'sched-latency')).toBe(false);
    expect(fired(sl(T.schedP99Ns, T.schedMinSamples - 1), 'sched-latency')).toBe(false);
    const f = diagnoseReport(sl(15_000_000, 1000), { rules: ['sched-latency'] }).findings[0]!;
    expect(f.evidence.summary).toContain('p99 = 15.0 ms');
    expect(f.groups).toEqual(['main.flush']);
    expect(f.stacks[0]!.frames).toEqual(['main.handle']);
  });

  it('goroutine-explosion: goroutines alive at once', () => {
    expect(fired(report(metricsReport({ goroutines: T.maxGoroutines })), 'goroutine-explosion')).toBe(true);
    expect(fired(report(metricsReport({ goroutines: T.maxGoroutines - 1 })), 'goroutine-explosion')).toBe(false);
  });

  it('bursty-channel: mean wait per blocked send and share of the trace', () => {
    const sends = (count: number, totalNs: number) =>
      report({ profiles: { sync: { kind: 'sync', count, totalNs, entries: [{ stack: [frame('runtime.chansend1'), frame('main.produce')], count, totalNs }] } } });
    const total = T.chanSendFraction * 1e9; // trace is 1 s
    const atMean = Math.floor(total / T.chanSendMeanNs);
    expect(fired(sends(atMean, total), 'bursty-channel')).toBe(true);
    expect(fired(sends(atMean + 1, total), 'bursty-channel')).toBe(false); // mean just below
    expect(fired(sends(atMean, total - 1), 'bursty-channel')).toBe(false); // share just below
    // Receives are not sends.
    const recv = report({ profiles: { sync: { kind: 'sync', count: 1, totalNs: 1e9, entries: [{ stack: [frame('runtime.chanrecv1'), frame('main.consume')], count: 1, totalNs: 1e9 }] } } });
    expect(fired(recv, 'bursty-channel')).toBe(false);
  });

  it('locked-threads: pinned goroutines vs max(minimum, GOMAXPROCS), only with several threads', () => {
    const locked = (n: number, procs: number, threads = 10) =>
      report({ goroutines: { goroutines: n, oneThreadGoroutines: n, totalExecNs: 1, groups: [{ name: 'main.gpuWorker', count: n, oneThread: n }], top: [] }, ...metricsReport({ procs, threads }) });
    expect(fired(locked(T.lockedMinGoroutines, 2), 'locked-threads')).toBe(true);
    expect(fired(locked(T.lockedMinGoroutines - 1, 2), 'locked-threads')).toBe(false);
    expect(fired(locked(7, 8), 'locked-threads')).toBe(false);
    expect(fired(locked(8, 8), 'locked-threads')).toBe(true);
    expect(fired(locked(8, 2, 1), 'locked-threads')).toBe(false);
  });

  it('costly-annotations: region count and median duration', () => {
    const regions = (total: number, p50: number) =>
      report({ annotations: { tasks: [], logs: [], regions: [{ type: 'process', total, complete: total, ...summary(p50, p50, total) }] }, footprint: { events: 10, bytes: 10, byType: [] } });
    expect(fired(regions(T.regionMinCount, T.regionMedianNs), 'costly-annotations')).toBe(true);
    expect(fired(regions(T.regionMinCount - 1, T.regionMedianNs), 'costly-annotations')).toBe(false);
    expect(fired(regions(T.regionMinCount, T.regionMedianNs + 1), 'costly-annotations')).toBe(false);
  });

  it('oversized-trace: bytes per second and absolute size', () => {
    const fp = { footprint: { events: 1, bytes: 1, byType: [] } };
    expect(fired(report(fp, { bytesRead: T.traceBytesPerSecond * 2, durationNs: 2e9 }), 'oversized-trace')).toBe(true);
    expect(fired(report(fp, { bytesRead: T.traceBytesPerSecond * 2 - 1, durationNs: 2e9 }), 'oversized-trace')).toBe(false);
    expect(fired(report(fp, { bytesRead: T.traceMaxBytes, durationNs: 1e12 }), 'oversized-trace')).toBe(true);
    expect(fired(report(fp, { bytesRead: T.traceMaxBytes - 1, durationNs: 1e12 }), 'oversized-trace')).toBe(false);
    // A fast but tiny capture is not oversized.
    expect(fired(report(fp, { bytesRead: T.traceRateMinBytes - 1, durationNs: 1e3 }), 'oversized-trace')).toBe(false);
    expect(fired(report(fp, { bytesRead: T.traceRateMinBytes, durationNs: 1e3 }), 'oversized-trace')).toBe(true);
  });

  it('proc-imbalance: idle-P-with-backlog share of the trace, backlog size, minimum trace duration', () => {
    // Time with a P idle, by at least how many goroutines were runnable (cumulative, as the procs report gives it).
    const procs = (backlogNs: number, durationNs = 1e9, at32 = 0) =>
      report(
        {
          procs: {
            procs: [
              { proc: 0, busyNs: durationNs, busyFraction: 1 },
              { proc: 1, busyNs: 0, busyFraction: 0 },
            ],
            imbalance: 0.5,
            runnableWhileIdleNs: durationNs / 2,
            runnableWhileIdleFraction: 0.5,
            bucketNs: 1e6,
            windows: [],
            idleProcWithWorkNs: backlogNs,
            idleProcWithWorkFraction: backlogNs / durationNs / 2,
            runnableWhileIdleAtLeast: [
              { minRunnable: 1, ns: durationNs / 2 },
              { minRunnable: 2, ns: durationNs / 2 },
              { minRunnable: 4, ns: durationNs / 2 },
              { minRunnable: 8, ns: durationNs / 2 },
              { minRunnable: 16, ns: backlogNs },
              { minRunnable: 32, ns: at32 },
            ],
            totalBusyNs: durationNs,
          },
          ...metricsReport({ procs: 2 }),
        },
        { durationNs },
      );
    const atFraction = T.imbalanceIdleFraction * 1e9;
    expect(fired(procs(atFraction), 'proc-imbalance')).toBe(true);
    expect(fired(procs(atFraction - 1), 'proc-imbalance')).toBe(false);
    // The backlog size: a minimum of 17 reads the "≥ 32 runnable" entry, which is empty here.
    expect(fired(procs(atFraction), 'proc-imbalance', { imbalanceMinRunnable: 17 })).toBe(false);
    expect(fired(procs(atFraction, 1e9, atFraction), 'proc-imbalance', { imbalanceMinRunnable: 17 })).toBe(true);
    // Half the trace with one goroutine waiting beside an idle P (a wake-up hand-off) is not a backlog.
    expect(fired(procs(0), 'proc-imbalance')).toBe(false);
    // The minimum duration.
    const minDuration = T.imbalanceMinDurationNs;
    expect(fired(procs(minDuration * T.imbalanceIdleFraction, minDuration), 'proc-imbalance')).toBe(true);
    expect(fired(procs(minDuration * T.imbalanceIdleFraction, minDuration - 1), 'proc-imbalance')).toBe(false);
    const f = diagnoseReport(procs(atFraction * 4), { rules: ['proc-imbalance'] }).findings[0]!;
    expect(f.severity).toBe('critical');
    expect(f.evidence.summary).toContain('P busy [1.00 0.00]');
  });

  it('cpu-hog: long preempted slices share of busy time, hogging goroutines per P, scheduler latency p99', () => {
    const hog = (longNs: number, goroutines: number, p99: number, procs = 2) =>
      report({
        procs: {
          procs: [],
          imbalance: 0,
          runnableWhileIdleNs: 0,
          runnableWhileIdleFraction: 0,
          bucketNs: 1e6,
          windows: [],
          idleProcWithWorkNs: 0,
          idleProcWithWorkFraction: 0,
          runnableWhileIdleAtLeast: [],
          totalBusyNs: 1e9,
          slices: {
            ends: { preempted: 10, yielded: 0, blocked: 0, syscall: 0, exited: 0 },
            preempted: summary(10_500_000, 12_000_000, 10),
            longPreempted: { count: 10, totalNs: longNs, goroutines },
            preemptedBuckets: [],
          },
        },
        schedLatency: { overall: summary(1e6, p99, 500), buckets: [], byGroup: [{ group: 'main.serveRequests', ...summary(1e6, p99, 500) }], byCreationStack: [] },
        goroutines: { goroutines: 5, oneThreadGoroutines: 0, totalExecNs: 1e9, groups: [{ name: 'main.infer', count: 4, system: false, execNs: 9e8, schedWaitNs: 1e8, totalNs: 1e9 }], top: [] },
        ...metricsReport({ procs }),
      });
    const atShare = T.hogSliceShare * 1e9;
    expect(fired(hog(atShare, 2, T.hogSchedP99Ns), 'cpu-hog')).toBe(true);
    expect(fired(hog(atShare - 1, 2, T.hogSchedP99Ns), 'cpu-hog')).toBe(false);
    expect(fired(hog(atShare, 1, T.hogSchedP99Ns), 'cpu-hog')).toBe(false); // one hogger leaves the other P free
    expect(fired(hog(atShare, 2, T.hogSchedP99Ns - 1), 'cpu-hog')).toBe(false); // nobody waited long
    expect(fired(hog(atShare, 7, T.hogSchedP99Ns, 8), 'cpu-hog')).toBe(false);
    expect(fired(hog(atShare, 8, T.hogSchedP99Ns, 8), 'cpu-hog')).toBe(true);
    expect(fired(hog(atShare, 4, T.hogSchedP99Ns, 8), 'cpu-hog', { hogGoroutinesPerProc: 0.5 })).toBe(true);
    const f = diagnoseReport(hog(9e8, 4, 40_000_000), { rules: ['cpu-hog'] }).findings[0]!;
    expect(f.groups).toEqual(['main.infer']);
    expect(f.evidence.summary).toContain('4 goroutines ran 10 slices of ≥ 10 ms');
    expect(f.remedy).toContain('main.serveRequests');
  });

  it('heap-growth: goal growth, rises, rising share', () => {
    const MiB = 1024 * 1024;
    const goal = (first: number, last: number, changes: number, rises: number) =>
      report({
        metrics: {
          ...(metricsReport({}).metrics as object),
          heapGoal: { firstBytes: first, lastBytes: last, maxBytes: Math.max(first, last), changes, rises },
          allocBytesPerSecond: 0,
        },
      });
    const g = T.heapGoalGrowth;
    expect(fired(goal(4 * MiB, 4 * MiB * g, 4, 4), 'heap-growth')).toBe(true);
    expect(fired(goal(4 * MiB, 4 * MiB * g - 1, 4, 4), 'heap-growth')).toBe(false);
    expect(fired(goal(4 * MiB, 64 * MiB, T.heapGoalMinRises - 1, T.heapGoalMinRises - 1), 'heap-growth')).toBe(false);
    expect(fired(goal(4 * MiB, 64 * MiB, T.heapGoalMinRises, T.heapGoalMinRises), 'heap-growth')).toBe(true);
    // 6 rises of 8 changes = 0.75 (the default share): fires; 6 of 9: a sawtooth, quiet.
    expect(fired(goal(4 * MiB, 64 * MiB, 8, 6), 'heap-growth')).toBe(true);
    expect(fired(goal(4 * MiB, 64 * MiB, 9, 6), 'heap-growth')).toBe(false);
    expect(diagnoseReport(goal(4 * MiB, 64 * MiB, 8, 8), { rules: ['heap-growth'] }).findings[0]!.evidence.summary).toContain('heap goal 4.0 MiB → 64.0 MiB (×16.0), rising in 8 of 8 GC cycles');
  });

  it('thread-churn: distinct threads, and threads per thread alive at once', () => {
    const churn = (seen: number, peakAlive: number | undefined) =>
      report({ metrics: { ...(metricsReport({ threads: seen }).metrics as { threads: object }), threads: { seen, maxInSyscall: 0, ...(peakAlive === undefined ? {} : { peakAlive }) } } });
    expect(fired(churn(T.churnMinThreads, T.churnMinThreads / T.churnThreadsPerPeak), 'thread-churn')).toBe(true);
    expect(fired(churn(T.churnMinThreads - 1, 1), 'thread-churn')).toBe(false);
    expect(fired(churn(T.churnMinThreads, T.churnMinThreads / T.churnThreadsPerPeak + 1), 'thread-churn')).toBe(false);
    expect(fired(churn(1000, 250), 'thread-churn')).toBe(true);
    expect(fired(churn(1000, 251), 'thread-churn')).toBe(false);
    // Without threads alive at once (an old report) the rule cannot tell churn from growth.
    expect(fired(churn(1000, undefined), 'thread-churn')).toBe(false);
    // syscall-storm counts threads alive at once when the report has them: churn is not a storm.
    expect(fired(churn(1000, 4), 'syscall-storm')).toBe(false);
    expect(fired(churn(1000, 24), 'syscall-storm')).toBe(true);
  });

  it('threads alive at once: the most [first, last] spans open together (touching spans overlap)', () => {
    // Three threads one after another, then two together: 2 alive at once, 5 seen.
    expect(peakOverlap({ a: 0, b: 10, c: 20, d: 30, e: 31 }, { a: 9, b: 19, c: 29, d: 40, e: 35 })).toBe(2);
    expect(peakOverlap({ a: 0, b: 10 }, { a: 10, b: 20 })).toBe(2);
    expect(peakOverlap({ a: 5 }, {})).toBe(1);
    expect(peakOverlap({}, {})).toBe(0);
  });

  it('overrides move the boundary; unknown or non-numeric overrides are rejected', () => {
    const r = report(metricsReport({ goroutines: 100 }));
    expect(fired(r, 'goroutine-explosion')).toBe(false);
    expect(fired(r, 'goroutine-explosion', { maxGoroutines: 100 })).toBe(true);
    expect(() => resolveThresholds({ nope: 1 } as Partial<Thresholds>)).toThrow(/unknown diagnose threshold/);
    expect(() => resolveThresholds({ maxGoroutines: Number.NaN })).toThrow(/finite/);
    expect(() => diagnoseReport(r, { rules: ['nope'] })).toThrow(/unknown diagnose rule/);
  });

  it('ranks critical before warning, then by how far past the threshold', () => {
    const r = report({ ...metricsReport({ goroutines: T.maxGoroutines * 2, threads: 1000 }) });
    const ids = diagnoseReport(r).findings.map((f) => [f.id, f.severity]);
    expect(ids).toEqual([
      ['syscall-storm', 'critical'],
      ['goroutine-explosion', 'warning'],
    ]);
  });

  it('a report without the analyses a rule needs yields no finding', () => {
    expect(diagnoseReport(report({})).findings).toEqual([]);
  });
});
