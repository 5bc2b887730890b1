// The metrics analyzer's per-event loop on its kernel (assembly/analysis/metrics.ts): the state
// lives in the module and state() reads it out as the MetricsState the JavaScript analyzer would
// hold.
import type { StatefulAnalyzer } from '../deferred.js';
import type { MetricBucket, MetricsOptions, MetricsState } from '../metrics.js';
import type { KernelHost } from '../../model/index.js';
import { kernelExports, releaseWith } from './kernel.js';

interface MetricsExports {
  metricsCreate(maxPoints: number): number;
  metricsRelease(handle: number): void;
  metricsConsume(handle: number, from: number, count: number): number;
  metricsBeginPart(handle: number): void;
  metricsScalars(handle: number): number;
  metricsThreads(handle: number, which: number): number;
  metricsBucket(handle: number, i: number): number;
}

const NAMES: (keyof MetricsExports)[] = ['metricsCreate', 'metricsRelease', 'metricsConsume', 'metricsBeginPart', 'metricsScalars', 'metricsThreads', 'metricsBucket'];

/** Indices of metricsScalars() (assembly/analysis/metrics.ts). */
const enum Scalar {
  WidthNs, BucketCount, HeapAlloc, HeapAllocMax, HeapGoal, Gomaxprocs, GomaxprocsChanges, Goroutines, Runnable, Running,
  InSyscall, MaxGoroutines, MaxRunnable, MaxInSyscall, GoroutinesCreated, FirstTime, LastTime, Syncs, CurrentThread,
  CurrentThreadTime, GoalFirst, GoalChanges, GoalRises, GoalMax, HeapRisesBytes, HeapAllocSeen, AllocUnknown, GoalUnknown,
  AllocUnknownAtStart, GoalUnknownAtStart, FirstAllocInPart, FirstGoalInPart, ThreadCount,
  Count,
}

/** Indices of metricsBucket(). */
const enum Bucket {
  Key, HeapAlloc, HeapAllocMax, HeapGoal, Gomaxprocs, GoroutinesMax, RunnableMax, RunningMax, InSyscallMax, AllocUnknown,
  Count,
}

/** The `which` of metricsThreads(). */
const enum ThreadColumn {
  Ids, First, Last,
}

export function metricsKernel(host: KernelHost, options: MetricsOptions): StatefulAnalyzer<MetricsState> {
  const wasm = kernelExports<MetricsExports>(host, NAMES);
  const handle = wasm.metricsCreate(options.maxPoints ?? 512);
  const analyzer: StatefulAnalyzer<MetricsState> = {
    consume(view) {
      wasm.metricsConsume(handle, view.kernelOffset?.() ?? 0, view.length);
    },
    beginPart() {
      wasm.metricsBeginPart(handle);
    },
    state() {
      const s = new Float64Array(host.memory(), wasm.metricsScalars(handle), Scalar.Count).slice();
      const buckets: Record<string, MetricBucket> = {};
      for (let i = 0; i < s[Scalar.BucketCount]!; i++) {
        const b = new Float64Array(host.memory(), wasm.metricsBucket(handle, i), Bucket.Count);
        buckets[String(b[Bucket.Key]!)] = {
          heapAlloc: b[Bucket.HeapAlloc]!,
          heapAllocMax: b[Bucket.HeapAllocMax]!,
          heapGoal: b[Bucket.HeapGoal]!,
          gomaxprocs: b[Bucket.Gomaxprocs]!,
          goroutinesMax: b[Bucket.GoroutinesMax]!,
          runnableMax: b[Bucket.RunnableMax]!,
          runningMax: b[Bucket.RunningMax]!,
          inSyscallMax: b[Bucket.InSyscallMax]!,
          ...(b[Bucket.AllocUnknown] !== 0 ? { allocUnknown: true } : {}),
        };
      }
      const threadColumn = (which: ThreadColumn) => new Float64Array(host.memory(), wasm.metricsThreads(handle, which), s[Scalar.ThreadCount]!);
      const ids = threadColumn(ThreadColumn.Ids);
      const first = threadColumn(ThreadColumn.First);
      const last = threadColumn(ThreadColumn.Last);
      const threads: Record<string, true> = {};
      const threadFirst: Record<string, number> = {};
      const threadLast: Record<string, number> = {};
      ids.forEach((id, k) => {
        if (!Number.isNaN(first[k]!)) {
          threads[id] = true;
          threadFirst[id] = first[k]!;
        }
        if (!Number.isNaN(last[k]!)) threadLast[id] = last[k]!;
      });
      return {
        timeline: { widthNs: s[Scalar.WidthNs]!, buckets, count: s[Scalar.BucketCount]! },
        heapAlloc: s[Scalar.HeapAlloc]!,
        heapAllocMax: s[Scalar.HeapAllocMax]!,
        heapGoal: s[Scalar.HeapGoal]!,
        gomaxprocs: s[Scalar.Gomaxprocs]!,
        gomaxprocsChanges: s[Scalar.GomaxprocsChanges]!,
        goroutines: s[Scalar.Goroutines]!,
        runnable: s[Scalar.Runnable]!,
        running: s[Scalar.Running]!,
        inSyscall: s[Scalar.InSyscall]!,
        maxGoroutines: s[Scalar.MaxGoroutines]!,
        maxRunnable: s[Scalar.MaxRunnable]!,
        maxInSyscall: s[Scalar.MaxInSyscall]!,
        goroutinesCreated: s[Scalar.GoroutinesCreated]!,
        threads,
        firstTime: s[Scalar.FirstTime]!,
        lastTime: s[Scalar.LastTime]!,
        syncs: s[Scalar.Syncs]!,
        threadFirst,
        threadLast,
        currentThread: s[Scalar.CurrentThread]!,
        currentThreadTime: s[Scalar.CurrentThreadTime]!,
        goalFirst: s[Scalar.GoalFirst]!,
        goalChanges: s[Scalar.GoalChanges]!,
        goalRises: s[Scalar.GoalRises]!,
        goalMax: s[Scalar.GoalMax]!,
        heapRisesBytes: s[Scalar.HeapRisesBytes]!,
        heapAllocSeen: s[Scalar.HeapAllocSeen] !== 0,
        allocUnknown: s[Scalar.AllocUnknown] !== 0,
        goalUnknown: s[Scalar.GoalUnknown] !== 0,
        allocUnknownAtStart: s[Scalar.AllocUnknownAtStart] !== 0,
        goalUnknownAtStart: s[Scalar.GoalUnknownAtStart] !== 0,
        firstAllocInPart: s[Scalar.FirstAllocInPart]!,
        firstGoalInPart: s[Scalar.FirstGoalInPart]!,
      };
    },
  };
  releaseWith(analyzer, host, handle, (h) => wasm.metricsRelease(h));
  return analyzer;
}
