// Seed 000 §4: fire-and-forget goroutines heavier than their creators queue up; runnable
// goroutines wait for a P and the p99 scheduling delay reaches milliseconds.
import { count, ns } from './format.js';
import { frameNames, severityFor, type DiagnoseRule } from './types.js';

export const schedLatencyRule: DiagnoseRule = {
  id: 'sched-latency',
  needs: ['schedLatency', 'metrics'],
  evaluate(report, t) {
    const sl = report.schedLatency;
    if (!sl) return undefined;
    const overall = sl.overall;
    if (overall.count < t.schedMinSamples || overall.p99Ns < t.schedP99Ns) return undefined;
    const groups = sl.byGroup.filter((g) => g.count > 0 && g.p99Ns >= t.schedP99Ns).sort((a, b) => b.totalNs - a.totalNs);
    const creators = [...sl.byCreationStack].filter((s) => s.count > 0).sort((a, b) => b.totalNs - a.totalNs).slice(0, 3);
    const ratio = overall.p99Ns / t.schedP99Ns;
    const created = report.metrics?.goroutines.created;
    return {
      id: this.id,
      title: 'High scheduler latency: runnable goroutines wait long for a P',
      severity: severityFor(ratio),
      score: ratio,
      evidence: {
        summary:
          `scheduler latency p99 = ${ns(overall.p99Ns)} (p50 ${ns(overall.p50Ns)}, max ${ns(overall.maxNs)}, ${count(overall.count)} waits)` +
          (groups[0] ? `; worst group ${groups[0].group || '(unnamed)'} p99 ${ns(groups[0].p99Ns)}` : '') +
          (created !== undefined ? `; ${count(created)} goroutines created` : ''),
        measurements: [
          { name: 'schedLatencyP99', value: overall.p99Ns, unit: 'ns', threshold: t.schedP99Ns },
          { name: 'schedLatencyP50', value: overall.p50Ns, unit: 'ns' },
          { name: 'schedLatencyMax', value: overall.maxNs, unit: 'ns' },
          { name: 'samples', value: overall.count, unit: 'waits', threshold: t.schedMinSamples },
        ],
      },
      groups: groups.slice(0, 5).map((g) => g.group),
      stacks: creators.map((s) => ({ label: `created here: ${count(s.count)} waits, ${ns(s.totalNs)} total, p99 ${ns(s.p99Ns)}`, frames: frameNames(s.stack) })),
      remedy:
        'Stop creating a goroutine per request for background work: hand it to one long-lived worker through a single-slot channel so pending work coalesces, and request goroutines never compete with a pile of new ones for the Ps.',
      seed: { file: '000_cd228b6a123a80f5.txt', section: 'Optimization 4: Cut Scheduler Latency at p99' },
    };
  },
};
