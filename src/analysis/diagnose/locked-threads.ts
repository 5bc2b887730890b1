// Seed 000 §9 and seed 004: goroutines pinned with runtime.LockOSThread each hold an M; with many
// of them the pinned threads, not the Ps, decide how much general work can run.
import { count } from './format.js';
import { severityFor, type DiagnoseRule } from './types.js';

export const lockedThreadsRule: DiagnoseRule = {
  id: 'locked-threads',
  needs: ['goroutines', 'metrics'],
  evaluate(report, t) {
    const goroutines = report.goroutines;
    if (!goroutines) return undefined;
    // Locking is not in the trace; "always ran on one thread" is only evidence when several threads ran goroutines.
    const threads = report.metrics?.threads.seen ?? 0;
    if (threads < 2) return undefined;
    const procs = Math.max(1, report.metrics?.gomaxprocs.last ?? 1);
    const limit = Math.max(t.lockedMinGoroutines, procs);
    const pinned = goroutines.oneThreadGoroutines;
    if (pinned < limit) return undefined;
    const groups = goroutines.groups.filter((g) => g.oneThread > 0).sort((a, b) => b.oneThread - a.oneThread);
    const ratio = pinned / limit;
    return {
      id: this.id,
      title: 'LockOSThread hotspot: many goroutines pinned to their own threads',
      severity: severityFor(ratio),
      score: ratio,
      evidence: {
        summary:
          `${count(pinned)} goroutines always ran on one OS thread (≥ 5 runs each; GOMAXPROCS=${procs}, ${count(threads)} threads seen)` +
          (groups[0] ? `; ${groups[0].name || '(unnamed)'}: ${groups[0].oneThread} of ${groups[0].count}` : ''),
        measurements: [
          { name: 'oneThreadGoroutines', value: pinned, unit: 'goroutines', threshold: limit },
          { name: 'gomaxprocs', value: procs, unit: 'Ps' },
          { name: 'threadsSeen', value: threads, unit: 'threads' },
        ],
      },
      groups: groups.map((g) => g.name),
      stacks: [],
      remedy:
        'Pin as few goroutines as the thread-affine library needs: one long-lived locked worker that takes work in batches (or a small pinned pool), with only the thread-affine call inside it; do the pure-Go parts on ordinary goroutines.',
      seed: { file: '000_cd228b6a123a80f5.txt', section: 'Optimization 9: Avoid LockOSThread Hotspots' },
    };
  },
};
