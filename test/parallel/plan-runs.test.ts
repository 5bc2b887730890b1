// How analyze/openTrace({ workers }) cut a trace into runs of consecutive generations.
import { describe, expect, it } from 'vitest';
import type { GenerationExtent } from '../../src/parallel/generation-index.js';
import { MAX_RUN_BYTES, planRuns, TAIL_SHARE } from '../../src/parallel/parallel-decode.js';

function extents(sizes: readonly number[]): GenerationExtent[] {
  let offset = 16;
  return sizes.map((byteLength, k) => {
    const extent = { gen: BigInt(k + 1), offset, byteLength, batchCount: 1, minTicks: 0n, maxTicks: 0n, ticksPerSecond: 0n } as GenerationExtent;
    offset += byteLength;
    return extent;
  });
}

const MB = 1 << 20;
const flatten = (runs: GenerationExtent[][]) => runs.flat().map((e) => e.gen);

describe('planRuns', () => {
  it('makes about two runs per worker of a small trace, in order, covering every generation', () => {
    const gens = extents(Array.from({ length: 28 }, (_, k) => (6 + (k % 3)) * MB));
    const runs = planRuns(gens, 2);
    expect(runs.length).toBe(4);
    expect(flatten(runs)).toEqual(gens.map((e) => e.gen));
    const bytes = runs.map((run) => run.reduce((sum, e) => sum + e.byteLength, 0));
    expect(Math.max(...bytes) / Math.min(...bytes)).toBeLessThan(1.3);
  });

  it('caps a run of a large trace at MAX_RUN_BYTES (a whole generation over it runs alone)', () => {
    const gens = extents([...Array.from({ length: 300 }, () => 5 * MB), MAX_RUN_BYTES + MB, 3 * MB]);
    const runs = planRuns(gens, 2);
    expect(flatten(runs)).toEqual(gens.map((e) => e.gen));
    for (const run of runs) {
      const bytes = run.reduce((sum, e) => sum + e.byteLength, 0);
      if (run.length > 1) expect(bytes).toBeLessThanOrEqual(MAX_RUN_BYTES + 5 * MB);
    }
    expect(runs.some((run) => run.length === 1 && run[0]!.byteLength > MAX_RUN_BYTES)).toBe(true);
    expect(runs.length).toBeGreaterThanOrEqual(Math.ceil((300 * 5 * MB) / MAX_RUN_BYTES));
  });

  it('ends a large trace with a round of smaller runs, in whole rounds of two runs per worker', () => {
    const gens = extents(Array.from({ length: 200 }, (_, k) => (4 + (k % 5)) * MB));
    const total = gens.reduce((sum, e) => sum + e.byteLength, 0);
    expect(total).toBeGreaterThan(2 * 2 * 64 * MB);
    const runs = planRuns(gens, 2);
    expect(flatten(runs)).toEqual(gens.map((e) => e.gen));
    expect(runs.length).toBe(8);
    const bytes = runs.map((run) => run.reduce((sum, e) => sum + e.byteLength, 0));
    const tail = bytes.slice(4).reduce((sum, n) => sum + n, 0);
    expect(tail / total).toBeCloseTo(TAIL_SHARE, 1);
    expect(Math.max(...bytes.slice(4))).toBeLessThan(Math.min(...bytes.slice(0, 4)));
  });

  it('takes a fixed number of generations per run when asked', () => {
    const gens = extents([1, 2, 3, 4, 5, 6, 7].map((n) => n * MB));
    expect(planRuns(gens, 2, 3).map((run) => run.length)).toEqual([3, 3, 1]);
    expect(planRuns(gens.slice(0, 1), 4).map((run) => run.length)).toEqual([1]);
  });
});

