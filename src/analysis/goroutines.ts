// Goroutine analysis: what `go tool trace`'s /goroutines and /goroutine pages report
// (internal/trace/summary.go), per group (start function) and for the goroutines that took longest:
// execution, scheduler wait, blocking by reason, syscall (with and without a P), special ranges
// (GC mark assist, sweep, STW), with counts.
import type { AnalysisDefinition } from './analyzer.js';
import { isSystemGoroutine, type ExecStats, type GoroutineListing, type TrackerState } from './goroutine-tracker.js';
import { finishedTracker, mergeTrackerStates, trackerInstance } from './tracker-shared.js';

export interface GoroutineOptions {
  /** How many individual goroutines to list (default 20). */
  top?: number;
}

/** Blocking time folded into the categories the issue names (reasons are open-ended strings). */
export interface BlockCategories {
  syncNs: number;
  channelNs: number;
  networkNs: number;
  sleepNs: number;
  otherNs: number;
}

export interface GoroutineGroupReport extends ExecStats {
  /** Start function; "" for goroutines never seen with a stack. */
  name: string;
  count: number;
  system: boolean;
  blockNs: number;
  blockByCategory: BlockCategories;
  /**
   * Goroutines that ran at least 5 times and always on the same thread: candidates for
   * runtime.LockOSThread (each pins a thread; meaningless when only one thread ran goroutines).
   */
  oneThread: number;
  /** Sum of the state times above (execution + scheduler wait + syscall + syscall block + blocked). */
  totalNs: number;
}

export interface GoroutinesReport {
  /** Goroutines seen in the trace. */
  goroutines: number;
  /** Goroutines that always ran on one thread (≥ 5 runs): LockOSThread candidates. */
  oneThreadGoroutines: number;
  totalExecNs: number;
  /** Sorted by execution time, largest first (the order of Go's /goroutines page). */
  groups: GoroutineGroupReport[];
  /** Goroutines with the largest total time. */
  top: GoroutineListing[];
}

export function categorizeReason(reason: string): keyof BlockCategories {
  if (reason === 'network') return 'networkNs';
  if (reason.includes('chan') || reason.includes('select')) return 'channelNs';
  if (reason.includes('sync')) return 'syncNs';
  if (reason === 'sleep') return 'sleepNs';
  return 'otherNs';
}

export const goroutinesAnalysis: AnalysisDefinition<GoroutineOptions, TrackerState, GoroutinesReport> = {
  name: 'goroutines',
  create(options, context) {
    return trackerInstance(options.top === undefined ? {} : { topGoroutines: options.top }, context);
  },
  merge(a, b, options) {
    return mergeTrackerStates(a, b, options.top === undefined ? {} : { topGoroutines: options.top });
  },
  finish(partial, options) {
    const tracker = finishedTracker(partial, options.top === undefined ? {} : { topGoroutines: options.top });
    let goroutines = 0;
    let totalExecNs = 0;
    const groups = tracker.groupsList().map((g): GoroutineGroupReport => {
      goroutines += g.count;
      totalExecNs += g.stats.execNs;
      const blockByCategory: BlockCategories = { syncNs: 0, channelNs: 0, networkNs: 0, sleepNs: 0, otherNs: 0 };
      let blockNs = 0;
      for (const [reason, ns] of Object.entries(g.stats.blockNsByReason)) {
        blockByCategory[categorizeReason(reason)] += ns;
        blockNs += ns;
      }
      return {
        name: g.name,
        count: g.count,
        oneThread: g.oneThread,
        system: isSystemGoroutine(g.name),
        ...g.stats,
        blockNs,
        blockByCategory,
        totalNs: g.stats.execNs + g.stats.schedWaitNs + g.stats.syscallNs + g.stats.syscallBlockNs + blockNs,
      };
    });
    groups.sort((x, y) => y.execNs - x.execNs || x.name.localeCompare(y.name));
    const oneThreadGoroutines = groups.reduce((sum, g) => sum + g.oneThread, 0);
    return { goroutines, oneThreadGoroutines, totalExecNs, groups, top: tracker.topGoroutines() };
  },
};
