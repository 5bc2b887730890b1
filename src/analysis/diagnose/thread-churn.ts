// Seed 004 (exercise 15, "exit-while-locked"): a goroutine that exits while LockOSThread'd takes
// its thread with it, so the runtime keeps creating threads (clone) to replace them. The trace
// shows it as many distinct threads over time but few alive at once.
import { count, ns } from './format.js';
import { severityFor, type DiagnoseRule } from './types.js';

export const threadChurnRule: DiagnoseRule = {
  id: 'thread-churn',
  needs: ['metrics', 'goroutines'],
  evaluate(report, t) {
    const threads = report.metrics?.threads;
    const peak = threads?.peakAlive;
    if (!threads || peak === undefined || peak <= 0) return undefined;
    const seen = threads.seen;
    const perPeak = seen / peak;
    if (seen < t.churnMinThreads || perPeak < t.churnThreadsPerPeak) return undefined;
    const durationNs = report.trace.durationNs;
    const createdPerSecond = durationNs > 0 ? (seen - peak) / (durationNs / 1e9) : 0;
    const groups = (report.goroutines?.groups ?? [])
      .filter((g) => !g.system && g.count >= seen / 4)
      .sort((a, b) => b.count - a.count)
      .slice(0, 3);
    const ratio = Math.min(seen / t.churnMinThreads, perPeak / t.churnThreadsPerPeak);
    return {
      id: this.id,
      title: 'Thread churn: OS threads created and destroyed over and over',
      severity: severityFor(ratio),
      score: ratio,
      evidence: {
        summary:
          `${count(seen)} distinct OS threads but at most ${count(peak)} alive at once (×${perPeak.toFixed(1)})` +
          (report.godebug ? ' (scheddetail M ids)' : '') +
          `; ≈ ${count(createdPerSecond)} threads created per second over ${ns(durationNs)}` +
          (groups[0] ? `; ${groups[0].name || '(unnamed)'}: ${count(groups[0].count)} goroutines` : ''),
        measurements: [
          { name: 'threadsSeen', value: seen, unit: 'threads', threshold: t.churnMinThreads },
          { name: 'threadsPerPeak', value: perPeak, unit: 'seen / alive at once', threshold: t.churnThreadsPerPeak },
          { name: 'peakThreadsAlive', value: peak, unit: 'threads' },
          { name: 'threadsCreatedPerSecond', value: createdPerSecond, unit: '1/s' },
        ],
      },
      groups: groups.map((g) => g.name),
      stacks: [],
      remedy:
        'Do not let goroutines exit while locked to their thread: pair every runtime.LockOSThread with a deferred UnlockOSThread, and replace one-shot pinned goroutines with a long-lived pinned worker (or pool) that takes work from a channel, so threads are created once.',
      seed: { file: '004_fe347d99f4170a2e.txt', section: 'Exercise 15: Avoid the M churn of "exit-while-locked"' },
    };
  },
};
