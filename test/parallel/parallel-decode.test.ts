// Parallel decode equals sequential decode on every committed fixture trace.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { openTrace } from '../../src/trace.js';
import { decodeGenerationsInParallel } from '../../src/parallel/parallel-decode.js';
import { parallelModules, repoRoot } from './support/compiled.js';

const traces = [
  ...readdirSync(join(repoRoot, 'test/fixtures/traces')).filter((f) => f.endsWith('.trace')).map((f) => join(repoRoot, 'test/fixtures/traces', f)),
  ...readdirSync(join(repoRoot, 'test/analysis/data')).filter((f) => f.endsWith('.trace')).map((f) => join(repoRoot, 'test/analysis/data', f)),
];

async function sequentialCounts(path: string) {
  const trace = await openTrace(path);
  const byWireType: Record<number, number> = {};
  const byKind: Record<number, number> = {};
  let events = 0;
  for await (const batch of trace.batches()) {
    for (let i = 0; i < batch.length; i++) {
      byWireType[batch.wireType[i]!] = (byWireType[batch.wireType[i]!] ?? 0) + 1;
      byKind[batch.kind[i]!] = (byKind[batch.kind[i]!] ?? 0) + 1;
    }
    events += batch.length;
  }
  return { events, byWireType, byKind, generations: trace.stats.generations };
}

describe('parallel decode = sequential decode', () => {
  it('finds the committed fixture traces', () => {
    expect(traces.length).toBeGreaterThanOrEqual(15);
  });

  it.each(traces.map((t) => [t.slice(repoRoot.length + 1), t]))('%s: event counts by wire type and kind', async (_name, path) => {
    const sequential = await sequentialCounts(path);
    const parallel = await decodeGenerationsInParallel(path, { workers: 2, placement: 'compact', modules: parallelModules() });
    expect(parallel.generations).toBe(sequential.generations);
    expect(parallel.events).toBe(sequential.events);
    expect(parallel.byWireType).toEqual(sequential.byWireType);
    expect(parallel.byKind).toEqual(sequential.byKind);
  });
});
