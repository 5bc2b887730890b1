// The analysis API: analyze() for a trace, analyzeViews() for any event source, and the
// definitions (create / merge / finish) for running analyses per generation and merging partials.
export { analyze, analyzeViews, ANALYSIS_NAMES } from './analyze.js';
export type {
  AnalysisName,
  AnalysisOptionsByName,
  AnalysisReport,
  AnalysisReports,
  AnalyzeOptions,
  AnalyzeProgress,
  PlacementPolicy,
} from './analyze.js';
export type { AnalysisDefinition, AnalyzerInstance, CreateContext, MergeContext } from './analyzer.js';
export { HintMissedError } from './analyzer.js';
export { startPass, mergePartials, finishPartials } from './run.js';
export type { EventView, Frame } from './events.js';
export { goroutinesAnalysis, type GoroutinesReport, type GoroutineGroupReport, type GoroutineOptions } from './goroutines.js';
export { schedLatencyAnalysis, type SchedLatencyReport, type SchedLatencyOptions } from './sched-latency.js';
export { profilesAnalysis, PROFILE_KINDS, type ProfileKind, type ProfileOptions, type ProfilesReport, type ProfileEntry } from './profiles.js';
export { gcAnalysis, type GcReport } from './gc.js';
export {
  mmuAnalysis,
  defaultWindows,
  parseUtilFlags,
  DEFAULT_UTIL_FLAGS,
  UTIL_STW,
  UTIL_BACKGROUND,
  UTIL_ASSIST,
  UTIL_SWEEP,
  UTIL_PER_PROC,
  type MmuOptions,
  type MmuReport,
} from './mmu.js';
export { metricsAnalysis, type MetricsOptions, type MetricsReport } from './metrics.js';
export { procsAnalysis, type ProcsOptions, type ProcsReport } from './procs.js';
export { annotationsAnalysis, type AnnotationsReport } from './annotations.js';
export { cpuSamplesAnalysis, type CpuSamplesOptions, type CpuSamplesReport } from './cpu-samples.js';
export { footprintAnalysis, type FootprintReport } from './footprint.js';
export type { LatencySummary } from './histogram.js';
