// Seed 000 §10: a producer blocked on an unbuffered (or too small) channel for milliseconds per
// send because the consumer is busy with the previous item.
import { count, ns, pct } from './format.js';
import { frameNames, severityFor, type DiagnoseRule } from './types.js';

export const burstyChannelRule: DiagnoseRule = {
  id: 'bursty-channel',
  needs: ['profiles'],
  evaluate(report, t) {
    const sync = report.profiles?.sync;
    const duration = report.trace.durationNs;
    if (!sync || duration <= 0) return undefined;
    const sites = sync.entries
      .filter((e) => e.count > 0 && e.stack.some((f) => f.func.startsWith('runtime.chansend')))
      .map((e) => ({ entry: e, mean: e.totalNs / e.count, fraction: e.totalNs / duration }))
      .filter((s) => s.mean >= t.chanSendMeanNs && s.fraction >= t.chanSendFraction)
      .sort((a, b) => b.entry.totalNs - a.entry.totalNs);
    const worst = sites[0];
    if (!worst) return undefined;
    const sender = worst.entry.stack.find((f) => !f.func.startsWith('runtime.'))?.func ?? '(unknown)';
    const ratio = Math.max(worst.mean / t.chanSendMeanNs, worst.fraction / t.chanSendFraction);
    return {
      id: this.id,
      title: 'Bursty producer blocked on channel sends',
      severity: severityFor(ratio),
      score: ratio,
      evidence: {
        summary: `${sender} blocked on channel send ${count(worst.entry.count)} times, ${ns(worst.mean)} per send, ${ns(worst.entry.totalNs)} in all (${pct(worst.fraction)} of the trace)`,
        measurements: [
          { name: 'meanBlockedSend', value: worst.mean, unit: 'ns', threshold: t.chanSendMeanNs },
          { name: 'blockedSendFraction', value: worst.fraction, unit: 'fraction of trace', threshold: t.chanSendFraction },
          { name: 'blockedSends', value: worst.entry.count, unit: 'sends' },
          { name: 'blockedSendTotal', value: worst.entry.totalNs, unit: 'ns' },
        ],
      },
      groups: [],
      stacks: sites.slice(0, 3).map((s) => ({ label: `${count(s.entry.count)} blocked sends, ${ns(s.mean)} each`, frames: frameNames(s.entry.stack) })),
      remedy:
        'Give the channel a buffer sized for a burst so the producer can run ahead while the consumer catches up. A buffer only absorbs bursts: if production outpaces consumption for good, add consumers instead.',
      seed: { file: '000_cd228b6a123a80f5.txt', section: 'Optimization 10: Use Buffered Channels to Smooth Bursts' },
    };
  },
};
