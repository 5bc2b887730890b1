// Seed 000 §1: allocation-driven GC eats the mutator's time in short windows (low MMU at 1 ms),
// handlers pay mark assists, and cycles come every few tens of ms.
import { bytes as fmtBytes, ns, pct } from './format.js';
import { severityFor, type DiagnoseInput, type DiagnoseRule, type TimeWindow } from './types.js';
import { windowField, windowOf } from './window.js';

const ONE_MS = 1_000_000;

export const gcTailLatencyRule: DiagnoseRule = {
  id: 'gc-tail-latency',
  needs: ['gc', 'mmu', 'goroutines', 'metrics'],
  evaluate(report, t) {
    const gc = report.gc;
    const mmu = report.mmu;
    const goroutines = report.goroutines;
    if (!gc || !goroutines) return undefined;
    const perSecond = gc.cycles.perSecond;
    if (gc.cycles.count < t.gcMinCycles || perSecond < t.gcCyclesPerSecond) return undefined;
    // GODEBUG logs have no MMU; the log's cumulative GC CPU share stands in for it.
    const mmuAt1ms = mmu?.curve.find((p) => p.windowNs === ONE_MS)?.mmu;
    const gcCpu = report.godebug?.gc.cpuFraction;
    const assistFraction = goroutines.totalExecNs > 0 ? gc.assists.totalNs / goroutines.totalExecNs : 0;
    const lowMmu = mmuAt1ms !== undefined && mmuAt1ms <= t.gcMmuAt1ms;
    const heavyGcCpu = gcCpu !== undefined && gcCpu >= t.gcCpuFraction;
    const heavyAssist = assistFraction >= t.gcAssistFraction;
    if (!lowMmu && !heavyAssist && !heavyGcCpu) return undefined;
    const interval = gc.cycles.interval.count > 0 ? gc.cycles.interval.p50Ns : 1e9 / perSecond;
    const assistGroups = gc.assists.byGroup.filter((g) => g.ns > 0);
    const heap = report.metrics?.heap;
    const ratio = Math.max(perSecond / t.gcCyclesPerSecond, lowMmu ? (t.gcMmuAt1ms + 0.05) / (mmuAt1ms + 0.05) : 0, assistFraction / t.gcAssistFraction, heavyGcCpu ? gcCpu / t.gcCpuFraction : 0);
    return {
      id: this.id,
      title: 'GC-induced tail latency: frequent GC cycles and mark assists',
      severity: severityFor(ratio),
      score: ratio,
      evidence: {
        summary:
          (mmuAt1ms !== undefined ? `MMU at 1 ms = ${mmuAt1ms.toFixed(2)}; ` : '') +
          (gcCpu !== undefined ? `GC CPU ${pct(gcCpu)} (gctrace); ` : '') +
          // From a trace, time inside assist ranges summed over goroutines, waits for credit
          // included: it can pass 100 % (docs/diagnose.md).
          `mark assist = ${pct(assistFraction)} of ${report.godebug ? 'CPU capacity' : 'goroutine execution time (time in assists, waits included)'}` +
          `; GC every ${ns(interval)} (${gc.cycles.count} cycles, ${perSecond.toFixed(1)}/s)` +
          (heap && heap.maxBytes > 0 ? `; heap peak ${fmtBytes(heap.maxBytes)}` : ''),
        measurements: [
          ...(mmuAt1ms !== undefined ? [{ name: 'mmuAt1ms', value: mmuAt1ms, unit: 'fraction', threshold: t.gcMmuAt1ms }] : []),
          ...(gcCpu !== undefined ? [{ name: 'gcCpuFraction', value: gcCpu, unit: 'fraction of CPU', threshold: t.gcCpuFraction }] : []),
          { name: 'assistFraction', value: assistFraction, unit: 'fraction of execution', threshold: t.gcAssistFraction },
          { name: 'gcCyclesPerSecond', value: perSecond, unit: '1/s', threshold: t.gcCyclesPerSecond },
          { name: 'gcIntervalP50', value: interval, unit: 'ns' },
          { name: 'gcCycles', value: gc.cycles.count, unit: 'cycles', threshold: t.gcMinCycles },
          { name: 'markAssistTotal', value: gc.assists.totalNs, unit: 'ns' },
          { name: 'stwMax', value: gc.stw.maxNs, unit: 'ns' },
        ],
      },
      groups: assistGroups.map((g) => g.group),
      stacks: [],
      remedy:
        'Cut the allocation rate on the hot path: reuse per-request memory (a sync.Pool of buffers), store values instead of pointers, and avoid one small object per element. Fewer allocations mean fewer GC cycles and almost no mark assists on request goroutines.',
      seed: { file: '000_cd228b6a123a80f5.txt', section: 'Optimization 1: Reduce GC-Induced Tail Latency' },
      ...windowField(longestCycle(report)),
    };
  },
};

/** The trace's longest GC cycle, where pauses and assists pile up most. */
function longestCycle(report: DiagnoseInput): TimeWindow | undefined {
  const longest = report.gc?.cycles.longest;
  return longest == null ? undefined : windowOf(report, longest.startNs, longest.startNs + longest.durationNs, `longest GC cycle (${ns(longest.durationNs)})`);
}
