// Seed 000 §3 from a trace: Ps sit idle while a backlog of runnable goroutines waits (one producer
// spawning goroutines faster than the other Ps steal them; idle Ps whose threads cannot get a CPU
// when GOMAXPROCS exceeds the cores, seed 002). The deciding number is the time a P was idle while
// many goroutines were runnable, not the per-P busy imbalance index: on short traces of a small
// machine that index swings with every wake-up, while a backlog beside an idle P does not happen
// by chance (a wake-up hand-off leaves one or two goroutines waiting, not sixteen).
import { count, ns, pct } from './format.js';
import { severityFor, type DiagnoseRule } from './types.js';
import { peakWindow, windowField } from './window.js';

/** Time with a P idle and at least `minRunnable` goroutines runnable (rounded up to the report's powers of two). */
export function idleWithBacklogNs(entries: readonly { minRunnable: number; ns: number }[], minRunnable: number): number {
  return entries.find((e) => e.minRunnable >= minRunnable)?.ns ?? 0;
}

export const procImbalanceRule: DiagnoseRule = {
  id: 'proc-imbalance',
  needs: ['procs', 'metrics', 'schedLatency'],
  evaluate(report, t) {
    const procs = report.procs;
    if (!procs?.runnableWhileIdleAtLeast) return undefined;
    const duration = report.trace.durationNs;
    if (duration < t.imbalanceMinDurationNs || duration <= 0) return undefined;
    const backlogNs = idleWithBacklogNs(procs.runnableWhileIdleAtLeast, t.imbalanceMinRunnable);
    const fraction = backlogNs / duration;
    if (fraction < t.imbalanceIdleFraction) return undefined;
    const gomaxprocs = report.metrics?.gomaxprocs.last || procs.procs.length;
    const busy = procs.procs.map((p) => p.busyFraction);
    const ratio = fraction / t.imbalanceIdleFraction;
    const worstGroups = (report.schedLatency?.byGroup ?? []).filter((g) => g.count > 0).slice(0, 3);
    return {
      id: this.id,
      title: 'Per-P imbalance: Ps sit idle while runnable goroutines pile up',
      severity: severityFor(ratio, 3),
      score: ratio,
      evidence: {
        summary:
          `a P idle while ≥ ${count(t.imbalanceMinRunnable)} goroutines were runnable for ${ns(backlogNs)} (${pct(fraction)} of ${ns(duration)})` +
          `; idle P time with work waiting ${pct(procs.idleProcWithWorkFraction)} of capacity` +
          `; GOMAXPROCS=${gomaxprocs}, P busy [${busy.map((b) => b.toFixed(2)).join(' ')}] (imbalance ${procs.imbalance.toFixed(2)})`,
        measurements: [
          { name: 'idleWithBacklogFraction', value: fraction, unit: 'fraction of trace', threshold: t.imbalanceIdleFraction },
          { name: 'idleWithBacklog', value: backlogNs, unit: 'ns' },
          { name: 'traceDuration', value: duration, unit: 'ns', threshold: t.imbalanceMinDurationNs },
          { name: 'idleProcWithWorkFraction', value: procs.idleProcWithWorkFraction, unit: 'fraction of P capacity' },
          { name: 'runnableWhileIdleFraction', value: procs.runnableWhileIdleFraction, unit: 'fraction of trace' },
          { name: 'busyImbalance', value: procs.imbalance, unit: '1 − mean/max' },
          { name: 'gomaxprocs', value: gomaxprocs, unit: 'Ps' },
        ],
      },
      groups: worstGroups.map((g) => g.group),
      stacks: (report.schedLatency?.byCreationStack ?? [])
        .filter((s) => s.count > 0)
        .slice(0, 3)
        .map((s) => ({ label: `created here: ${count(s.count)} waits, ${ns(s.totalNs)} total`, frames: s.stack.slice(0, 6).map((f) => f.func) })),
      remedy:
        'Match the launch rate to the consumption rate: long-lived workers fed by a channel (or a semaphore so a goroutine starts only when one finishes), so the scheduler spreads the work once instead of leaving a backlog on one P. If GOMAXPROCS is above the CPUs the process gets, idle Ps cannot be woken in time: set it to the cores.',
      seed: { file: '000_cd228b6a123a80f5.txt', section: 'Optimization 3: Smooth Per-P Imbalance' },
      // Where unevenness costs most: the busiest P's share over the mean (the imbalance index alone
      // peaks in nearly idle buckets, where one P at 1 % and the rest at 0 is "uneven").
      ...windowField(peakWindow(report, procs.windows, procs.bucketNs, unevenShare, (w) => `most uneven P busy time (busiest P ${pct(Math.max(...w.busyFraction))}, mean ${pct(mean(w.busyFraction))})`)),
    };
  },
};

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((x, y) => x + y, 0) / values.length;
}

/** The busiest P's busy fraction over the mean of all: P capacity the bucket lost to unevenness. */
function unevenShare(window: { busyFraction: number[] }): number {
  return window.busyFraction.length === 0 ? 0 : Math.max(...window.busyFraction) - mean(window.busyFraction);
}
