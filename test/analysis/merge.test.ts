// Every analysis run per generation, with the partials merged in order, equals one pass over the
// whole trace — the property the parallel pool relies on.
import { describe, expect, it } from 'vitest';
import { ANALYSIS_NAMES } from '../../src/analysis/analyze.js';
import { annotationsAnalysis } from '../../src/analysis/annotations.js';
import { cpuSamplesAnalysis } from '../../src/analysis/cpu-samples.js';
import { footprintAnalysis } from '../../src/analysis/footprint.js';
import { gcAnalysis } from '../../src/analysis/gc.js';
import { goroutinesAnalysis } from '../../src/analysis/goroutines.js';
import { metricsAnalysis } from '../../src/analysis/metrics.js';
import { mmuAnalysis, parseUtilFlags } from '../../src/analysis/mmu.js';
import { procsAnalysis } from '../../src/analysis/procs.js';
import { profilesAnalysis } from '../../src/analysis/profiles.js';
import { finishPartials, mergePartials, startPass, type AnyDefinition } from '../../src/analysis/run.js';
import { schedLatencyAnalysis } from '../../src/analysis/sched-latency.js';
import { requireGo } from '../support/go.js';
import { goGenerations } from './support/fixtures.js';

const definitions: Record<string, { definition: AnyDefinition; options: unknown }> = {
  goroutines: { definition: goroutinesAnalysis, options: {} },
  schedLatency: { definition: schedLatencyAnalysis, options: {} },
  profiles: { definition: profilesAnalysis, options: {} },
  profilesGoCompat: { definition: profilesAnalysis, options: { goCompatible: true } },
  profilesByGroup: { definition: profilesAnalysis, options: { group: 'main.sleeper', goCompatible: true } },
  profilesByRegion: { definition: profilesAnalysis, options: { regionType: 'step' } },
  gc: { definition: gcAnalysis, options: {} },
  mmu: { definition: mmuAnalysis, options: {} },
  mmuPerProcSweep: { definition: mmuAnalysis, options: { flags: parseUtilFlags('stw|background|assist|sweep|perProc') } },
  metrics: { definition: metricsAnalysis, options: {} },
  procs: { definition: procsAnalysis, options: {} },
  annotations: { definition: annotationsAnalysis, options: {} },
  cpuSamples: { definition: cpuSamplesAnalysis, options: {} },
  footprint: { definition: footprintAnalysis, options: {} },
};

describe.each(['mixed', 'gcheavy'] as const)('%s', (name) => {
  it('per-generation partials merged in order equal the one-pass result, for every analysis', () => {
    if (!requireGo()) return;
    expect(Object.values(definitions).map((d) => d.definition.name)).toEqual(expect.arrayContaining([...ANALYSIS_NAMES]));
    const generations = goGenerations(name);
    expect(generations.length).toBeGreaterThanOrEqual(5);

    const whole = startPass(definitions, true);
    for (const gen of generations) for (const view of gen) whole.consume(view);
    const onePass = finishPartials(definitions, whole.partials());

    let merged: Record<string, unknown> | undefined;
    generations.forEach((gen, k) => {
      const part = startPass(definitions, k === 0);
      for (const view of gen) part.consume(view);
      // Partials are plain data: clone them as a worker's postMessage does.
      const partial = structuredClone(part.partials());
      merged = merged === undefined ? partial : mergePartials(definitions, merged, partial);
    });
    const fromParts = finishPartials(definitions, merged!);
    for (const key of Object.keys(definitions)) expect(fromParts[key], key).toEqual(onePass[key]);
  });

  it('merging is associative: ((g0 g1) (g2 … gn)) equals the left fold', () => {
    if (!requireGo()) return;
    const generations = goGenerations(name);
    const partials = generations.map((gen, k) => {
      const part = startPass(definitions, k === 0);
      for (const view of gen) part.consume(view);
      return part.partials();
    });
    const fold = (list: Record<string, unknown>[]) => list.reduce((a, b) => mergePartials(definitions, a, b));
    const left = fold(partials);
    const split = mergePartials(definitions, fold(partials.slice(0, 2)), fold(partials.slice(2)));
    expect(finishPartials(definitions, split)).toEqual(finishPartials(definitions, left));
  });
});
