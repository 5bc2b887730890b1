// Seed 002 (and 001's GOMAXPROCS advice): CPU-bound goroutines that never block or yield keep a P
// until sysmon preempts them (runtime.forcePreemptNS, 10 ms), so with at least as many of them as
// Ps every P is held and other goroutines wait runnable for milliseconds. Raising GOMAXPROCS above
// the cores does not help (seed 002: it made latency worse); yielding and a pool sized to the Ps do.
import { count, ns, pct } from './format.js';
import { severityFor, type DiagnoseRule } from './types.js';

export const cpuHogRule: DiagnoseRule = {
  id: 'cpu-hog',
  needs: ['procs', 'schedLatency', 'goroutines', 'metrics'],
  evaluate(report, t) {
    const procs = report.procs;
    const sl = report.schedLatency;
    if (!procs?.slices || !sl || procs.totalBusyNs <= 0) return undefined;
    const long = procs.slices.longPreempted;
    const share = long.totalNs / procs.totalBusyNs;
    const gomaxprocs = Math.max(1, report.metrics?.gomaxprocs.last || procs.procs.length);
    const hoggersNeeded = Math.max(1, Math.ceil(t.hogGoroutinesPerProc * gomaxprocs));
    const p99 = sl.overall.p99Ns;
    if (share < t.hogSliceShare || long.goroutines < hoggersNeeded || p99 < t.hogSchedP99Ns) return undefined;
    // CPU-bound groups: they spent most of their time running, little blocked.
    const cpuGroups = (report.goroutines?.groups ?? [])
      .filter((g) => !g.system && g.execNs > 0 && g.execNs + g.schedWaitNs >= 0.9 * g.totalNs)
      .sort((a, b) => b.execNs - a.execNs)
      .slice(0, 5);
    const waiting = sl.byGroup.filter((g) => g.count > 0 && g.p99Ns >= t.hogSchedP99Ns).slice(0, 3);
    const ratio = Math.min(share / t.hogSliceShare, p99 / t.hogSchedP99Ns);
    return {
      id: this.id,
      title: 'CPU-bound goroutines hog the Ps: others wait until sysmon preempts them',
      severity: severityFor(ratio, 3),
      score: ratio,
      evidence: {
        summary:
          `${count(long.goroutines)} goroutines ran ${count(long.count)} slices of ≥ 10 ms ended only by preemption (${pct(share)} of P busy time, GOMAXPROCS=${gomaxprocs})` +
          `; scheduler latency p99 ${ns(p99)} (max ${ns(sl.overall.maxNs)})` +
          (cpuGroups[0] ? `; CPU-bound: ${cpuGroups[0].name || '(unnamed)'} ×${cpuGroups[0].count}` : ''),
        measurements: [
          { name: 'longSliceShare', value: share, unit: 'fraction of P busy time', threshold: t.hogSliceShare },
          { name: 'longSliceGoroutines', value: long.goroutines, unit: 'goroutines', threshold: hoggersNeeded },
          { name: 'schedLatencyP99', value: p99, unit: 'ns', threshold: t.hogSchedP99Ns },
          { name: 'longSlices', value: long.count, unit: 'slices' },
          { name: 'preemptedSliceP50', value: procs.slices.preempted.p50Ns, unit: 'ns' },
          { name: 'voluntaryYields', value: procs.slices.ends.yielded, unit: 'slices' },
          { name: 'gomaxprocs', value: gomaxprocs, unit: 'Ps' },
        ],
      },
      groups: cpuGroups.map((g) => g.name),
      stacks: [],
      remedy:
        `Make the CPU-bound loops cooperative: call runtime.Gosched() every millisecond or so of work (or split the work into smaller pieces), and run it on a worker pool of about GOMAXPROCS goroutines fed by a channel. Do not raise GOMAXPROCS above the cores: more Ps do not make greedy goroutines yield.` +
        (waiting[0] ? ` Waiting most: ${waiting.map((g) => g.group || '(unnamed)').join(', ')}.` : ''),
      seed: { file: '002_17856f7eee88b5bb.txt', section: 'Taming the Goroutine Scheduler for CPU-Bound Workloads (runtime.Gosched, worker pools, GOMAXPROCS)' },
    };
  },
};
