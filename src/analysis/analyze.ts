// analyze(): every analysis in one streaming pass over a trace, returning a typed, JSON-ready report.
import type { EventView } from './events.js';
import type { AnalysisDefinition } from './analyzer.js';
import { annotationsAnalysis, type AnnotationsReport } from './annotations.js';
import { cpuSamplesAnalysis, type CpuSamplesOptions, type CpuSamplesReport } from './cpu-samples.js';
import { footprintAnalysis, type FootprintReport } from './footprint.js';
import { gcAnalysis, type GcReport } from './gc.js';
import { goroutinesAnalysis, type GoroutineOptions, type GoroutinesReport } from './goroutines.js';
import { metricsAnalysis, type MetricsOptions, type MetricsReport } from './metrics.js';
import { mmuAnalysis, type MmuOptions, type MmuReport } from './mmu.js';
import { procsAnalysis, type ProcsOptions, type ProcsReport } from './procs.js';
import { profilesAnalysis, type ProfileOptions, type ProfilesReport } from './profiles.js';
import { Kind } from './events.js';
import { eventsOfKinds, kindMask } from './kernels/kernel.js';
import { finishPartials, startPass, type AnyDefinition } from './run.js';
import { schedLatencyAnalysis, type SchedLatencyOptions, type SchedLatencyReport } from './sched-latency.js';
import type { ParallelWork } from '../parallel/parallel-decode.js';
import { summarizeTraceError, TraceAbortedError, TraceFormatError, type TraceErrorSummary } from '../errors.js';

const SYNCS = kindMask(Kind.Sync);

export interface AnalysisReports {
  goroutines: GoroutinesReport;
  schedLatency: SchedLatencyReport;
  profiles: ProfilesReport;
  gc: GcReport;
  mmu: MmuReport;
  metrics: MetricsReport;
  procs: ProcsReport;
  annotations: AnnotationsReport;
  cpuSamples: CpuSamplesReport;
  footprint: FootprintReport;
}

export type AnalysisName = keyof AnalysisReports;

export const ANALYSIS_NAMES: readonly AnalysisName[] = [
  'goroutines',
  'schedLatency',
  'profiles',
  'gc',
  'mmu',
  'metrics',
  'procs',
  'annotations',
  'cpuSamples',
  'footprint',
];

/** Every analysis definition by name; the parallel path looks them up here too. */
export const ANALYSIS_DEFINITIONS: Record<AnalysisName, AnyDefinition> = {
  goroutines: goroutinesAnalysis,
  schedLatency: schedLatencyAnalysis,
  profiles: profilesAnalysis,
  gc: gcAnalysis,
  mmu: mmuAnalysis,
  metrics: metricsAnalysis,
  procs: procsAnalysis,
  annotations: annotationsAnalysis,
  cpuSamples: cpuSamplesAnalysis,
  footprint: footprintAnalysis,
};

export interface AnalysisOptionsByName {
  goroutines?: GoroutineOptions;
  schedLatency?: SchedLatencyOptions;
  profiles?: ProfileOptions;
  mmu?: MmuOptions;
  metrics?: MetricsOptions;
  procs?: ProcsOptions;
  cpuSamples?: CpuSamplesOptions;
}

export interface AnalyzeProgress {
  bytesRead: number;
  totalBytes: number | undefined;
  generations: number;
}

export type PlacementPolicy = 'numa' | 'compact' | 'none';

export interface AnalyzeOptions extends AnalysisOptionsByName {
  /** Which analyses to run (default: all). */
  analyses?: readonly AnalysisName[];
  signal?: AbortSignal;
  onProgress?: (progress: AnalyzeProgress) => void;
  /**
   * Pool workers to decode and analyse generations on (default 1: sequential, on the calling
   * thread). With more than one and a file path, each generation is analysed on a pinned worker
   * and the partials merge in order; the report equals the sequential one. Bytes and streams
   * cannot be split by generation and run sequentially (`execution` says what ran and why).
   */
  workers?: number;
  /** How pool workers are pinned: `compact` (default), `numa`, or `none` (see docs/parallel.md). */
  placement?: PlacementPolicy;
  /** Compiled worker files, for callers running from TypeScript sources (tests); see docs/parallel.md. */
  workerModules?: { workerEntry: string | URL; decodeTask: string | URL };
  /** Largest generation to buffer (passed to openTrace). */
  maxGenerationBytes?: number;
  /**
   * What a broken trace (truncated, corrupt: any `TraceFormatError` but an abort) does: `'throw'`
   * (default) rejects with the error; `'report'` returns the report of the events before it, with
   * the error in `report.error` — what you want for the trace of a program that crashed mid-write.
   */
  onTraceError?: 'throw' | 'report';
}

export type AnalysisReport = Partial<AnalysisReports> & {
  trace: { events: number; generations: number; firstTimeNs: number; lastTimeNs: number; durationNs: number; bytesRead: number };
  execution: AnalysisExecution;
  /**
   * With `onTraceError: 'report'`, where the trace broke: the analyses cover the events before it
   * (as if the trace ended there).
   */
  error?: TraceErrorSummary;
};

/** What actually ran: one pass on the calling thread, or generations on a pool of workers. */
export type AnalysisExecution =
  | { mode: 'sequential'; workers: 1; requestedWorkers: number | undefined; requestedPlacement: PlacementPolicy | undefined; reason?: string }
  | {
      mode: 'parallel';
      workers: number;
      placement: PlacementPolicy;
      requestedWorkers: number;
      requestedPlacement: PlacementPolicy | undefined;
      /** Analyses that ran in one sequential pass on the calling thread, beside the pool. */
      besidePool?: AnalysisName[];
      /** Runs, warm-ups, and where the workers' and this thread's time went. */
      work: ParallelWork;
    };

function selected(options: AnalyzeOptions): Record<string, { definition: AnyDefinition; options: unknown }> {
  const names = options.analyses ?? ANALYSIS_NAMES;
  const out: Record<string, { definition: AnyDefinition; options: unknown }> = {};
  for (const name of names) {
    const definition = ANALYSIS_DEFINITIONS[name];
    if (definition === undefined) throw new Error(`unknown analysis: ${String(name)}`);
    out[name] = { definition, options: (options as Record<string, unknown>)[name] ?? {} };
  }
  return out;
}

/**
 * Runs the analyses over event views (one pass, in trace order, starting at the trace start).
 * `analyze` feeds it from a trace file or stream; tests and tools can feed any event source.
 */
export async function analyzeViews(views: Iterable<EventView> | AsyncIterable<EventView>, options: AnalyzeOptions = {}): Promise<AnalysisReport> {
  const definitions = selected(options);
  const pass = startPass(definitions, true);
  let events = 0;
  let generations = 0;
  let first = 0;
  let last = 0;
  for await (const view of views) {
    if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
    pass.consume(view);
    events += view.length;
    if (view.length > 0) {
      if (first === 0) first = view.time(0);
      last = view.time(view.length - 1);
    }
    generations += eventsOfKinds(view, SYNCS).length;
  }
  const reports = finishPartials(definitions, pass.partials()) as Partial<AnalysisReports>;
  return {
    ...reports,
    // The stream ends with an extra Sync, so k generations yield k + 1 Syncs.
    trace: { events, generations: Math.max(0, generations - 1), firstTimeNs: first, lastTimeNs: last, durationNs: last - first, bytesRead: 0 },
    execution: { mode: 'sequential', workers: 1, requestedWorkers: options.workers, requestedPlacement: options.placement },
  };
}

/**
 * Analyses a Go execution trace (file path, bytes, or stream) in one streaming pass with memory
 * bounded by aggregates (per goroutine, P, stack and histogram bucket; one generation in flight).
 *
 * @example
 * const report = await analyze('app.trace', { analyses: ['goroutines', 'mmu'] });
 * console.log(report.mmu?.curve.find((p) => p.windowNs === 1_000_000));
 */
export async function analyze(source: import('../trace.js').TraceSource, options: AnalyzeOptions = {}): Promise<AnalysisReport> {
  const workers = options.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be a positive integer, got ${String(options.workers)}`);
  if (workers > 1 && typeof source === 'string') {
    try {
      return await analyzeOnPool(source, options, workers);
    } catch (error) {
      if (!reportsTraceError(options, error)) throw error;
      // The pool cannot say which events came before the error in trace order (its runs end where
      // they end), so the report of what precedes it comes from one pass.
      const report = await analyzeSequentially(source, options);
      report.execution = { ...report.execution, reason: `the trace is broken at byte ${error.offset}: analysed up to there in one pass` } as AnalysisExecution;
      return report;
    }
  }
  const report = await analyzeSequentially(source, options);
  if (workers > 1) report.execution = { ...report.execution, mode: 'sequential', reason: 'bytes and streams are read in one pass; parallel analysis needs a file path' } as AnalysisExecution;
  return report;
}

/**
 * Analyses whose mid-trace partials merge by aggregate, resume from a warmed-up state, or replay a
 * compact recording cheaply (mmu) run on the pool, generation runs per worker; any that would have
 * to ship and replay their events at a high cost (`replaysMidTraceParts` without `resumes` or
 * `replaysCheaply`) run at the same time in one sequential pass on this thread, which then costs
 * less than shipping them (measured on a 200 MB trace: metrics alone took 87 s as replayed
 * recordings against 9 s in one pass, before it resumed).
 */
/** Batches between turns of the event loop in a pass running beside the pool (a few ms of work). */
const YIELD_EVERY_BATCHES = 4;

async function analyzeOnPool(path: string, options: AnalyzeOptions, workers: number): Promise<AnalysisReport> {
  const names = options.analyses ?? ANALYSIS_NAMES;
  // Replaying analyses that resume run on the pool too: workers warm their state up instead.
  const onePassOnly = (name: AnalysisName) => {
    const definition: AnalysisDefinition<unknown, unknown, unknown> | undefined = ANALYSIS_DEFINITIONS[name];
    return definition?.replaysMidTraceParts === true && definition.resumes !== true && definition.replaysCheaply !== true;
  };
  const pooled = names.filter((name) => !onePassOnly(name));
  const beside = names.filter(onePassOnly);
  if (pooled.length === 0) {
    const report = await analyzeSequentially(path, options);
    report.execution = { ...report.execution, reason: `${beside.join(', ')} run in one pass (their partials cannot start mid-trace)` } as AnalysisExecution;
    return report;
  }
  // Imported on demand: the pool (and its worker files) only matter when asked for.
  const { analyzeInParallel } = await import('../parallel/parallel-analyze.js');
  const definitions = Object.fromEntries(pooled.map((name) => [name, (options as Record<string, unknown>)[name] ?? {}]));
  const { onProgress: _progressFromPoolOnly, ...besideOptions } = options;
  const [onPool, oneThread] = await Promise.all([
    analyzeInParallel(path, definitions, { ...options, workers }, options.workerModules),
    beside.length > 0 ? analyzeSequentially(path, { ...besideOptions, analyses: beside }, true) : null,
  ]);
  const report: AnalysisReport = { ...onPool };
  if (oneThread !== null) for (const name of beside) (report as Record<string, unknown>)[name] = oneThread[name];
  if (report.execution.mode === 'parallel') report.execution.besidePool = beside;
  return report;
}

/**
 * `yieldToEventLoop`: let other work on this thread run between batches. Beside the pool, this
 * thread also hands out the pool's tasks and merges its results; a pass that never leaves the
 * microtask queue starves it (measured: the pool sat idle until the pass ended).
 */
async function analyzeSequentially(source: import('../trace.js').TraceSource, options: AnalyzeOptions, yieldToEventLoop = false): Promise<AnalysisReport> {
  const { openTrace } = await import('../trace.js');
  const { BatchView } = await import('./columns.js');
  const trace = await openTrace(source, {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.maxGenerationBytes !== undefined ? { maxGenerationBytes: options.maxGenerationBytes } : {}),
    onProgress: (p) => options.onProgress?.({ bytesRead: p.bytesRead, totalBytes: p.totalBytes, generations: p.generations }),
  });
  const view = new BatchView();
  const { setImmediate: nextTurn } = await import('node:timers/promises');
  let broken: TraceFormatError | undefined;
  async function* views(): AsyncGenerator<EventView> {
    let batches = 0;
    try {
      for await (const batch of trace.batches()) {
        yield view.bind(batch);
        if (yieldToEventLoop && ++batches % YIELD_EVERY_BATCHES === 0) await nextTurn();
      }
    } catch (error) {
      if (!reportsTraceError(options, error)) throw error;
      broken = error; // the analyses finish on what came before it
    }
  }
  const report = await analyzeViews(views(), options);
  report.trace.bytesRead = trace.stats.bytesRead;
  if (broken !== undefined) report.error = summarizeTraceError(broken);
  return report;
}

/** A trace error `onTraceError: 'report'` turns into a partial report (an abort stays an error). */
function reportsTraceError(options: AnalyzeOptions, error: unknown): error is TraceFormatError {
  return options.onTraceError === 'report' && error instanceof TraceFormatError && !(error instanceof TraceAbortedError);
}
