// Scheduler latency: how long goroutines sat runnable before running (every Runnable → next state
// interval, including the wait between creation and first run), as fixed-bucket histograms overall,
// per goroutine group and per creating stack (`go` statement site).
import type { AnalysisDefinition } from './analyzer.js';
import type { Frame } from './events.js';
import type { TrackerState } from './goroutine-tracker.js';
import { bucketLowerBound, summarize, type LatencySummary } from './histogram.js';
import { finishedTracker, mergeTrackerStates, trackerInstance } from './tracker-shared.js';

export interface SchedLatencyOptions {
  /** How many groups and creation stacks to list (default 20, by total latency). */
  top?: number;
}

export interface SchedLatencyReport {
  overall: LatencySummary;
  /** Non-empty buckets of the overall histogram: [lower bound ns, count]. */
  buckets: [number, number][];
  byGroup: (LatencySummary & { group: string })[];
  byCreationStack: (LatencySummary & { stack: Frame[] })[];
}

export const schedLatencyAnalysis: AnalysisDefinition<SchedLatencyOptions, TrackerState, SchedLatencyReport> = {
  name: 'schedLatency',
  create(_options, context) {
    return trackerInstance({}, context);
  },
  merge(a, b) {
    return mergeTrackerStates(a, b, {});
  },
  finish(partial, options) {
    const top = options.top ?? 20;
    const tracker = finishedTracker(partial, {});
    const { overall, byCreationStack } = tracker.schedLatency();
    const byGroup = tracker
      .groupsList()
      .filter((g) => g.schedLatency.count > 0)
      .map((g) => ({ group: g.name, ...summarize(g.schedLatency) }))
      .sort((x, y) => y.totalNs - x.totalNs)
      .slice(0, top);
    const stacks = [...byCreationStack]
      .map(([stack, h]) => ({ stack: [...tracker.stacks.frames(stack)], ...summarize(h) }))
      .sort((x, y) => y.totalNs - x.totalNs)
      .slice(0, top);
    const buckets: [number, number][] = [];
    overall.buckets.forEach((count, b) => {
      if (count > 0) buckets.push([bucketLowerBound(b), count]);
    });
    return { overall: summarize(overall), buckets, byGroup, byCreationStack: stacks };
  },
};
