// Seed 000 §7: a trace that grows at hundreds of MB per second of capture; what dominates it says
// which events to cut.
import { bytes, ns, pct } from './format.js';
import { severityFor, type DiagnoseRule } from './types.js';

export const oversizedTraceRule: DiagnoseRule = {
  id: 'oversized-trace',
  needs: ['footprint'],
  evaluate(report, t) {
    const size = report.trace.bytesRead;
    const seconds = report.trace.durationNs / 1e9;
    const rate = seconds > 0 ? size / seconds : 0;
    const fastGrowth = size >= t.traceRateMinBytes && rate >= t.traceBytesPerSecond;
    if (!fastGrowth && size < t.traceMaxBytes) return undefined;
    const top = report.footprint?.byType.slice(0, 3) ?? [];
    const ratio = Math.max(rate / t.traceBytesPerSecond, size / t.traceMaxBytes);
    return {
      id: this.id,
      title: 'Oversized trace: event volume too high for the capture',
      severity: severityFor(ratio),
      score: ratio,
      evidence: {
        summary:
          `${bytes(size)} for ${ns(report.trace.durationNs)} of trace (${bytes(rate)}/s)` +
          (top.length ? `; largest: ${top.map((b) => `${b.name} ${pct(b.byteFraction)}`).join(', ')}` : ''),
        measurements: [
          { name: 'traceBytes', value: size, unit: 'bytes', threshold: t.traceMaxBytes },
          { name: 'traceBytesPerSecond', value: rate, unit: 'bytes/s', threshold: t.traceBytesPerSecond },
          { name: 'traceRateMinBytes', value: t.traceRateMinBytes, unit: 'bytes' },
        ],
      },
      groups: [],
      stacks: [],
      remedy:
        'Emit fewer events: drop redundant regions and per-field logs, capture for a couple of seconds (or at lower load) instead of continuously, and filter unneeded events when parsing.',
      seed: { file: '000_cd228b6a123a80f5.txt', section: 'Optimization 7: Reduce Trace File Size' },
    };
  },
};
