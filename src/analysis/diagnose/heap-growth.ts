// Seed 000 §8 ("heap counter climbs aggressively"), as its own symptom: the heap that survives each
// GC keeps growing. The GC sets its goal from the live heap after marking (× (1 + GOGC/100)), so a
// goal that rises cycle after cycle is a rising heap floor; a sawtooth around a level is not.
import { bytes as fmtBytes, count, pct } from './format.js';
import { severityFor, type DiagnoseRule } from './types.js';
import { peakWindow, windowField } from './window.js';

export const heapGrowthRule: DiagnoseRule = {
  id: 'heap-growth',
  needs: ['metrics', 'gc'],
  evaluate(report, t) {
    const goal = report.metrics?.heapGoal;
    if (!goal || goal.firstBytes <= 0 || goal.changes === 0) return undefined;
    const growth = goal.lastBytes / goal.firstBytes;
    const risingShare = goal.rises / goal.changes;
    if (goal.rises < t.heapGoalMinRises || growth < t.heapGoalGrowth || risingShare < t.heapGoalRisingShare) return undefined;
    const heap = report.metrics!.heap;
    const durationS = report.trace.durationNs / 1e9;
    const floorRate = durationS > 0 ? (goal.lastBytes - goal.firstBytes) / durationS : 0;
    const ratio = growth / t.heapGoalGrowth;
    const cycles = report.gc?.cycles.count;
    return {
      id: this.id,
      title: 'Heap growth: the heap that survives GC keeps rising',
      severity: severityFor(ratio),
      score: ratio,
      evidence: {
        summary:
          `heap goal ${fmtBytes(goal.firstBytes)} → ${fmtBytes(goal.lastBytes)} (×${growth.toFixed(1)}), rising in ${count(goal.rises)} of ${count(goal.changes)} GC cycles (${pct(risingShare)})` +
          (heap.maxBytes > 0 ? `; heap in use peak ${fmtBytes(heap.maxBytes)}` : '') +
          (floorRate > 0 ? `; goal +${fmtBytes(floorRate)}/s` : '') +
          (report.metrics!.allocBytesPerSecond ? `; allocating ${fmtBytes(report.metrics!.allocBytesPerSecond)}/s` : '') +
          (cycles !== undefined ? `; ${count(cycles)} GC cycles` : ''),
        measurements: [
          { name: 'heapGoalGrowth', value: growth, unit: 'last/first', threshold: t.heapGoalGrowth },
          { name: 'heapGoalRises', value: goal.rises, unit: 'GC cycles', threshold: t.heapGoalMinRises },
          { name: 'heapGoalRisingShare', value: risingShare, unit: 'fraction of goal changes', threshold: t.heapGoalRisingShare },
          { name: 'heapGoalFirst', value: goal.firstBytes, unit: 'bytes' },
          { name: 'heapGoalLast', value: goal.lastBytes, unit: 'bytes' },
          { name: 'heapPeak', value: heap.maxBytes, unit: 'bytes' },
          { name: 'allocBytesPerSecond', value: report.metrics!.allocBytesPerSecond ?? 0, unit: 'bytes/s' },
        ],
      },
      groups: [],
      stacks: [],
      remedy:
        'Stop keeping what you only pass through: stream the input (bufio.Scanner.Bytes() reuses its buffer; parse in place) instead of collecting every line or record, and bound caches. If the growth is intended, size GOGC/GOMEMLIMIT for it rather than letting the GC chase a rising floor.',
      seed: { file: '000_cd228b6a123a80f5.txt', section: 'Optimization 8: Move Hot Allocation Off-Heap' },
      ...windowField(peakWindow(report, report.metrics!.points, report.metrics!.bucketNs, (p) => p.heapAllocMaxBytes, (p) => `heap peak (${fmtBytes(p.heapAllocMaxBytes)})`)),
    };
  },
};
