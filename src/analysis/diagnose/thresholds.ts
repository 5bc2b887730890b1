// Every number that decides a finding, named, with its default. docs/diagnose.md explains each;
// diagnose(source, { thresholds: { ... } }) overrides any of them.
export interface Thresholds {
  /** gc-tail-latency: at least this many GC cycles per second of trace (seed: GC every 100 ms = 10/s). */
  gcCyclesPerSecond: number;
  /** gc-tail-latency: and at least this many cycles in the trace. */
  gcMinCycles: number;
  /** gc-tail-latency: and MMU at 1 ms at or below this (seed: 0.2 before, 0.85 after)… */
  gcMmuAt1ms: number;
  /** gc-tail-latency: …or mark-assist time at least this fraction of goroutine execution time. */
  gcAssistFraction: number;
  /** gc-tail-latency (GODEBUG logs, which have no MMU): …or gctrace's cumulative GC CPU share at least this. */
  gcCpuFraction: number;

  /** syscall-storm: distinct OS threads at least max(this, threadsPerProc × GOMAXPROCS)… */
  syscallMinThreads: number;
  syscallThreadsPerProc: number;
  /** syscall-storm: …or at least this many goroutines in system calls at once. */
  syscallConcurrent: number;

  /** sched-latency: p99 runnable→running delay at or above this (seed: p99 15 ms vs p50 50 µs). */
  schedP99Ns: number;
  /** sched-latency: only with at least this many scheduling delays measured. */
  schedMinSamples: number;

  /** goroutine-explosion: goroutines alive at once at or above this (seed: spikes to 50000). */
  maxGoroutines: number;

  /** bursty-channel: a send site whose blocked sends wait this long on average… */
  chanSendMeanNs: number;
  /** bursty-channel: …and add up to at least this fraction of the trace's duration. */
  chanSendFraction: number;

  /** locked-threads: goroutines pinned to one thread at least max(this, GOMAXPROCS). */
  lockedMinGoroutines: number;

  /** costly-annotations: a region type with at least this many regions… */
  regionMinCount: number;
  /** costly-annotations: …whose median duration is at or below this (too little work per region). */
  regionMedianNs: number;

  /** runqueue-imbalance (schedtrace): samples with at least this many goroutines in local run queues count… */
  runqueueMinQueued: number;
  /**
   * runqueue-imbalance: …and are imbalanced when 1 − mean/max of the per-P queues is at least this…
   * (at most 1 − 1/P, so with 0.6 two Ps never count: one empty queue of two is ordinary).
   */
  runqueueImbalance: number;
  /** runqueue-imbalance: …fires when at least this fraction of loaded samples is imbalanced (and at least 2). */
  runqueueImbalancedShare: number;

  /** proc-imbalance: time a P sat idle while at least `imbalanceMinRunnable` goroutines were runnable, as a fraction of the trace, at or above this… */
  imbalanceIdleFraction: number;
  /**
   * proc-imbalance: …counting only moments with at least this many goroutines runnable (a backlog,
   * not one goroutine being handed to a waking thread). Taken as the power of two at or above it.
   */
  imbalanceMinRunnable: number;
  /** proc-imbalance: only traces at least this long (a short capture is mostly start-up and wake-ups). */
  imbalanceMinDurationNs: number;

  /** cpu-hog: running slices ended by sysmon's forced preemption (≥ 10 ms without blocking or yielding) make up at least this share of P busy time… */
  hogSliceShare: number;
  /** cpu-hog: …run by at least this many goroutines per P (enough of them to hold every P at once)… */
  hogGoroutinesPerProc: number;
  /** cpu-hog: …while the others wait: scheduler latency p99 at or above this. */
  hogSchedP99Ns: number;

  /** heap-growth: the heap goal (set from the live heap after each GC) ends at least this many times its first value… */
  heapGoalGrowth: number;
  /** heap-growth: …having risen in at least this many GC cycles… */
  heapGoalMinRises: number;
  /** heap-growth: …and in at least this share of the cycles that changed it (sustained, not a sawtooth). */
  heapGoalRisingShare: number;

  /** thread-churn: at least this many distinct OS threads… */
  churnMinThreads: number;
  /** thread-churn: …and at least this many times the most threads alive at once (threads created and destroyed). */
  churnThreadsPerPeak: number;

  /** oversized-trace: trace bytes per second of traced time at or above this… */
  traceBytesPerSecond: number;
  /** oversized-trace: the rate counts only for traces at least this large (tiny captures have fixed overhead). */
  traceRateMinBytes: number;
  /** oversized-trace: …or a trace at least this large. */
  traceMaxBytes: number;
}

export const DEFAULT_THRESHOLDS: Readonly<Thresholds> = Object.freeze({
  gcCyclesPerSecond: 10,
  gcMinCycles: 3,
  gcMmuAt1ms: 0.5,
  gcAssistFraction: 0.1,
  gcCpuFraction: 0.04,
  syscallMinThreads: 24,
  syscallThreadsPerProc: 8,
  syscallConcurrent: 16,
  schedP99Ns: 10_000_000,
  schedMinSamples: 100,
  maxGoroutines: 5000,
  chanSendMeanNs: 500_000,
  chanSendFraction: 0.1,
  lockedMinGoroutines: 3,
  regionMinCount: 10_000,
  regionMedianNs: 10_000,
  runqueueMinQueued: 32,
  runqueueImbalance: 0.6,
  runqueueImbalancedShare: 0.25,
  imbalanceIdleFraction: 0.1,
  imbalanceMinRunnable: 16,
  imbalanceMinDurationNs: 50_000_000,
  hogSliceShare: 0.5,
  hogGoroutinesPerProc: 1,
  hogSchedP99Ns: 10_000_000,
  heapGoalGrowth: 2,
  heapGoalMinRises: 4,
  heapGoalRisingShare: 0.75,
  churnMinThreads: 32,
  churnThreadsPerPeak: 4,
  traceBytesPerSecond: 16 * 1024 * 1024,
  traceRateMinBytes: 1024 * 1024,
  traceMaxBytes: 512 * 1024 * 1024,
});

export function resolveThresholds(overrides: Partial<Thresholds> | undefined): Thresholds {
  const out: Thresholds = { ...DEFAULT_THRESHOLDS };
  for (const [key, value] of Object.entries(overrides ?? {})) {
    if (!(key in DEFAULT_THRESHOLDS)) throw new Error(`unknown diagnose threshold: ${key}`);
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`diagnose threshold ${key} must be a finite number`);
    (out as unknown as Record<string, number>)[key] = value;
  }
  return out;
}
