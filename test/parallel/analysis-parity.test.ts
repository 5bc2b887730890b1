// Analyses over independently decoded generations, merged in order, against one sequential pass.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, ANALYSIS_NAMES } from '../../src/analysis/analyze.js';
import { decodeGenerationsInParallel } from '../../src/parallel/parallel-decode.js';
import { parallelModules, repoRoot } from './support/compiled.js';

const traces = [
  ...readdirSync(join(repoRoot, 'test/fixtures/traces')).filter((f) => f.endsWith('.trace')).map((f) => join(repoRoot, 'test/fixtures/traces', f)),
  ...readdirSync(join(repoRoot, 'test/analysis/data')).filter((f) => f.endsWith('.trace')).map((f) => join(repoRoot, 'test/analysis/data', f)),
];

describe('parallel analyses = sequential analyses', () => {
  it.each(traces.map((t) => [t.slice(repoRoot.length + 1), t]))('%s', async (_name, path) => {
    const sequential = await analyze(path);
    const parallel = await decodeGenerationsInParallel(path, {
      workers: 2,
      modules: parallelModules(),
      analyses: Object.fromEntries(ANALYSIS_NAMES.map((n) => [n, {}])),
    });
    for (const name of ANALYSIS_NAMES) expect(parallel.reports?.[name], name).toEqual(sequential[name]);
    expect(parallel.generations).toBe(sequential.trace.generations);
    expect(parallel.events).toBe(sequential.trace.events);
  });
});
