// analyze({ workers }) on the pool: every generation is decoded and analysed on a pinned worker
// (warmed up on the generation before it, so its events are the sequential reader's), and the
// per-generation partials merge on the main thread in trace order. The report is the sequential
// one, field for field (test/parallel/analysis-parity.test.ts, test/analysis/parallel-analyze.test.ts).
import type { AnalysisReport, AnalysisReports, AnalyzeOptions } from '../analysis/analyze.js';
import { decodeGenerationsInParallel, type ParallelModules } from './parallel-decode.js';

/** Runs the selected analyses of `path` on `workers` pool workers. */
export async function analyzeInParallel(
  path: string,
  definitions: Record<string, unknown>,
  options: AnalyzeOptions & { workers: number },
  modules?: ParallelModules,
): Promise<AnalysisReport> {
  const result = await decodeGenerationsInParallel(path, {
    workers: options.workers,
    placement: options.placement ?? 'compact',
    analyses: definitions,
    countWireTypes: false,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.maxGenerationBytes !== undefined ? { maxGenerationBytes: options.maxGenerationBytes } : {}),
    ...(modules ? { modules } : {}),
    onMerged: (p) => options.onProgress?.({ bytesRead: p.bytesMerged, totalBytes: p.totalBytes, generations: p.generations }),
  });
  const first = result.firstTimeNs ?? 0;
  const last = result.lastTimeNs ?? 0;
  return {
    ...(result.reports as Partial<AnalysisReports>),
    trace: { events: result.events, generations: result.generations, firstTimeNs: first, lastTimeNs: last, durationNs: last - first, bytesRead: result.bytesRead },
    execution: {
      mode: 'parallel',
      workers: result.execution.workers,
      placement: result.execution.placement,
      requestedWorkers: options.workers,
      requestedPlacement: options.placement,
      work: result.execution.work,
    },
  };
}
