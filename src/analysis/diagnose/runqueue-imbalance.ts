// Seed 000 §3, from schedtrace: a few Ps' local run queues hold most runnable goroutines
// ([120 110 5 5 5 5 5 5]) because one producer spawns them faster than other Ps steal.
import { count, pct } from './format.js';
import { severityFor, type DiagnoseRule } from './types.js';

export const runqueueImbalanceRule: DiagnoseRule = {
  id: 'runqueue-imbalance',
  needs: [],
  evaluate(report, t) {
    const imb = report.godebug?.sched.imbalance;
    if (!imb || imb.loadedSamples === 0 || !imb.worstSample) return undefined;
    const share = imb.imbalancedSamples / imb.loadedSamples;
    if (imb.imbalancedSamples < 2 || share < t.runqueueImbalancedShare) return undefined;
    const ratio = Math.max(share / t.runqueueImbalancedShare, imb.worst / t.runqueueImbalance);
    const w = imb.worstSample;
    return {
      id: this.id,
      title: 'Per-P imbalance: runnable goroutines pile up on a few Ps',
      severity: severityFor(ratio, 3),
      score: ratio,
      evidence: {
        summary: `${count(imb.imbalancedSamples)} of ${count(imb.loadedSamples)} loaded schedtrace samples imbalanced (${pct(share)}); worst at ${w.timeMs} ms: [${w.localRunqueues.join(' ')}] (imbalance ${w.localRunqueues.length > 0 ? imb.worst.toFixed(2) : '?'})`,
        measurements: [
          { name: 'imbalancedShare', value: share, unit: 'fraction of loaded samples', threshold: t.runqueueImbalancedShare },
          { name: 'worstImbalance', value: imb.worst, unit: '1 − mean/max', threshold: t.runqueueImbalance },
          { name: 'loadedSamples', value: imb.loadedSamples, unit: 'samples' },
        ],
      },
      groups: [],
      stacks: [],
      remedy:
        'Match the launch rate to the consumption rate: cap concurrency with a semaphore so a new goroutine starts only when one finishes, or use long-lived workers fed by a channel so the scheduler spreads them once.',
      seed: { file: '000_cd228b6a123a80f5.txt', section: 'Optimization 3: Smooth Per-P Imbalance' },
    };
  },
};
