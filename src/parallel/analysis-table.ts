// The analysis definitions by name, for workers: analyze.ts keeps its table private, so the parallel
// path names the same exported definitions here (keep in step with ANALYSIS_NAMES).
import { annotationsAnalysis } from '../analysis/annotations.js';
import { cpuSamplesAnalysis } from '../analysis/cpu-samples.js';
import { footprintAnalysis } from '../analysis/footprint.js';
import { gcAnalysis } from '../analysis/gc.js';
import { goroutinesAnalysis } from '../analysis/goroutines.js';
import { metricsAnalysis } from '../analysis/metrics.js';
import { mmuAnalysis } from '../analysis/mmu.js';
import { procsAnalysis } from '../analysis/procs.js';
import { profilesAnalysis } from '../analysis/profiles.js';
import type { AnyDefinition } from '../analysis/run.js';
import { schedLatencyAnalysis } from '../analysis/sched-latency.js';

export const PARALLEL_ANALYSES: Record<string, AnyDefinition> = {
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

/** name → { definition, options } as run.ts wants it; throws on an unknown name. */
export function analysisDefinitions(options: Record<string, unknown>): Record<string, { definition: AnyDefinition; options: unknown }> {
  const out: Record<string, { definition: AnyDefinition; options: unknown }> = {};
  for (const [name, analysisOptions] of Object.entries(options)) {
    const definition = PARALLEL_ANALYSES[name];
    if (definition === undefined) throw new RangeError(`unknown analysis: ${name}`);
    out[name] = { definition, options: analysisOptions ?? {} };
  }
  return out;
}
