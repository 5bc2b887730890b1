// Seed 000 §5: unbounded goroutine creation; tens of thousands alive at once, most of them waiting.
import { count } from './format.js';
import { frameNames, severityFor, type DiagnoseRule } from './types.js';
import { peakWindow, windowField } from './window.js';

export const goroutineExplosionRule: DiagnoseRule = {
  id: 'goroutine-explosion',
  needs: ['metrics', 'goroutines', 'schedLatency'],
  evaluate(report, t) {
    const metrics = report.metrics;
    if (!metrics) return undefined;
    const peak = metrics.goroutines.max;
    if (peak < t.maxGoroutines) return undefined;
    const groups = (report.goroutines?.groups ?? []).filter((g) => !g.system).sort((a, b) => b.count - a.count).slice(0, 5);
    const creators = (report.schedLatency?.byCreationStack ?? []).filter((s) => !s.stack[0]?.func.startsWith('runtime.')).sort((a, b) => b.count - a.count).slice(0, 2);
    const ratio = peak / t.maxGoroutines;
    const biggest = groups[0];
    return {
      id: this.id,
      title: 'Goroutine explosion: unbounded concurrency',
      severity: severityFor(ratio),
      score: ratio,
      evidence: {
        summary:
          `${count(peak)} goroutines alive at once` +
          (report.godebug ? ' (scheddetail)' : ` (${count(metrics.goroutines.created)} created in the trace)`) +
          (biggest ? `; largest group ${biggest.name || '(unnamed)'} with ${count(biggest.count)} goroutines` : ''),
        measurements: [
          { name: 'maxGoroutines', value: peak, unit: 'goroutines', threshold: t.maxGoroutines },
          { name: 'goroutinesCreated', value: metrics.goroutines.created, unit: 'goroutines' },
          { name: 'maxRunnable', value: metrics.goroutines.maxRunnable, unit: 'goroutines' },
        ],
      },
      groups: groups.map((g) => g.name),
      stacks: creators.map((s) => ({ label: `go statement: ${count(s.count)} scheduling waits`, frames: frameNames(s.stack) })),
      remedy:
        'Bound the concurrency: acquire a slot in a semaphore channel (or feed a fixed worker pool) before starting each goroutine, so memory, connections and scheduling work stay proportional to the chosen parallelism instead of to the input size.',
      seed: { file: '000_cd228b6a123a80f5.txt', section: 'Optimization 5: Bound Goroutine Concurrency' },
      ...windowField(peakWindow(report, metrics.points, metrics.bucketNs, (p) => p.goroutines, (p) => `most goroutines alive (${count(p.goroutines)})`)),
    };
  },
};
