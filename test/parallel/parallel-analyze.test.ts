// analyze(path, { workers }) runs on the pool and returns the sequential report; the CLI's
// --workers does the same; sources that cannot be split by generation say why they ran sequentially.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, ANALYSIS_DEFINITIONS, ANALYSIS_NAMES } from '../../src/analysis/analyze.js';
import { GenerationTooLargeError } from '../../src/errors.js';
import { compiledUrl, faultyDecodeModule, parallelModules, repoRoot } from './support/compiled.js';

const multiGeneration = join(repoRoot, 'test/fixtures/traces/gc-active.trace');
// Analyses whose mid-trace parts would replay recorded events: they run in one pass beside the pool.
const ONE_PASS_ONLY = ANALYSIS_NAMES.filter((name) => {
  const definition: { replaysMidTraceParts?: boolean; resumes?: boolean; replaysCheaply?: boolean } = ANALYSIS_DEFINITIONS[name];
  return definition.replaysMidTraceParts === true && definition.resumes !== true && definition.replaysCheaply !== true;
});

describe('analyze({ workers })', () => {
  it('runs generations on the pool and equals the sequential report', async () => {
    const sequential = await analyze(multiGeneration);
    const progress: number[] = [];
    const parallel = await analyze(multiGeneration, {
      workers: 2,
      placement: 'compact',
      workerModules: parallelModules(),
      onProgress: (p) => progress.push(p.bytesRead),
    });
    expect(parallel.execution).toMatchObject({ mode: 'parallel', workers: 2, placement: 'compact', requestedWorkers: 2, besidePool: ONE_PASS_ONLY });
    const { execution: _a, ...parallelRest } = parallel;
    const { execution: _b, ...sequentialRest } = sequential;
    expect(parallelRest).toEqual(sequentialRest);
    expect(sequential.trace.generations).toBeGreaterThan(5);
    // Progress once per merged generation, ending at the file size.
    expect(progress.length).toBe(sequential.trace.generations);
    expect(progress.at(-1)).toBe(sequential.trace.bytesRead);
  });

  it('runs metrics and procs on the pool from a warmed-up state (they resume), equal to one pass', async () => {
    const analyses = ['metrics', 'procs'] as const;
    const report = await analyze(multiGeneration, { workers: 2, analyses: [...analyses], workerModules: parallelModules() });
    expect(report.execution).toMatchObject({ mode: 'parallel', besidePool: [] });
    const sequential = await analyze(multiGeneration, { analyses: [...analyses] });
    expect(report.metrics).toEqual(sequential.metrics);
    expect(report.procs).toEqual(sequential.procs);
  });

  it('takes runs of any length: one generation per task equals the default runs', async () => {
    const { decodeGenerationsInParallel } = await import('../../src/parallel/parallel-decode.js');
    const analyses = { goroutines: {}, gc: {}, profiles: {} };
    const single = await decodeGenerationsInParallel(multiGeneration, { workers: 2, modules: parallelModules(), analyses, generationsPerTask: 1 });
    const runs = await decodeGenerationsInParallel(multiGeneration, { workers: 2, modules: parallelModules(), analyses, generationsPerTask: 5 });
    expect(runs.reports).toEqual(single.reports);
    expect(runs.events).toBe(single.events);
  });

  it("MMU's mid-trace parts record under hints; a hint that misses sends its run again, same report", async () => {
    const { decodeGenerationsInParallel } = await import('../../src/parallel/parallel-decode.js');
    const trace = join(repoRoot, 'test/analysis/data/gcheavy.trace');
    const analyses = { mmu: {}, goroutines: {} };
    const sequential = await analyze(trace, { analyses: ['mmu', 'goroutines'] });
    const hinted = await decodeGenerationsInParallel(trace, { workers: 2, modules: parallelModules(), analyses, generationsPerTask: 1 });
    expect(hinted.execution.work.hintedRuns).toBeGreaterThan(0);
    expect(hinted.reports).toEqual({ mmu: sequential.mmu, goroutines: sequential.goroutines });
    // Every hint made wrong in the worker (its mark workers called ordinary): the merge refuses
    // those parts, reruns them with the merged prefix's hint (made wrong again), then with none.
    const wrong = await decodeGenerationsInParallel(trace, {
      workers: 2,
      analyses,
      generationsPerTask: 1,
      modules: { workerEntry: compiledUrl('parallel/worker-entry.js'), decodeTask: faultyDecodeModule },
      setupData: { decodeTaskUrl: parallelModules().decodeTask, faults: new SharedArrayBuffer(4), faultPosition: -1, faultKind: 'wrongHints' },
    });
    expect(wrong.execution.work.rerunsAfterHints).toBeGreaterThan(0);
    expect(wrong.reports).toEqual(hinted.reports);
  });

  it('accounts for its work: runs, warm-ups, and merge time per analysis', async () => {
    const { decodeGenerationsInParallel, CHAIN_RUNS } = await import('../../src/parallel/parallel-decode.js');
    const analyses = { goroutines: {}, mmu: {}, metrics: {} };
    // One worker always continues from the run it decoded last: no warm-up at all.
    const alone = await decodeGenerationsInParallel(multiGeneration, { workers: 1, modules: parallelModules(), analyses, generationsPerTask: 1 });
    const work = alone.execution.work;
    expect(work.runs).toBe(alone.generations);
    expect(work.warmUps).toBe(0);
    expect(Object.keys(work.mergeMs).sort()).toEqual(Object.keys(analyses).sort());
    expect(Object.values(work.mergeMs).every((ms) => ms >= 0)).toBe(true);
    // Two workers take chains of CHAIN_RUNS adjacent runs: only a chain's first run may need a
    // warm-up (the second worker's first chain always does), and, once no chain is left, one run a
    // worker takes over from the other rather than idle.
    const pair = await decodeGenerationsInParallel(multiGeneration, { workers: 2, modules: parallelModules(), analyses, generationsPerTask: 1 });
    expect(pair.execution.work.runs).toBe(pair.generations);
    expect(pair.execution.work.warmUps).toBeGreaterThan(0);
    const chains = Math.ceil(pair.generations / CHAIN_RUNS);
    const workers = 2;
    expect(pair.execution.work.warmUps).toBeLessThanOrEqual(chains - 1 + (workers - 1));
    expect(pair.reports).toEqual(alone.reports);
  });

  it('reads bytes sequentially and says so', async () => {
    const report = await analyze(new Uint8Array(readFileSync(multiGeneration)), { workers: 2, analyses: ['footprint'] });
    expect(report.execution).toMatchObject({ mode: 'sequential', requestedWorkers: 2 });
    expect(report.execution.mode === 'sequential' && report.execution.reason).toMatch(/file path/);
  });

  it('refuses a generation over maxGenerationBytes with the typed error', async () => {
    await expect(analyze(multiGeneration, { workers: 2, workerModules: parallelModules(), maxGenerationBytes: 1024 })).rejects.toBeInstanceOf(GenerationTooLargeError);
  });

  it('rejects a worker count that is not a positive integer', async () => {
    await expect(analyze(multiGeneration, { workers: 0 })).rejects.toThrow(/positive integer/);
  });

  it('schedscope analyze --workers 2 prints the same JSON report as one pass', () => {
    const cli = join(repoRoot, 'bin/schedscope.js');
    const run = (...extra: string[]) => JSON.parse(execFileSync(process.execPath, [cli, 'analyze', multiGeneration, '--json', '--no-progress', ...extra], { encoding: 'utf8' })) as Record<string, unknown>;
    const one = run();
    const two = run('--workers', '2', '--placement', 'none');
    expect(two['execution']).toMatchObject({ mode: 'parallel', workers: 2, placement: 'none' });
    delete one['execution'];
    delete two['execution'];
    expect(two).toEqual(one);
  });
});

describe('schedscope diagnose --workers', () => {
  it('finds the same symptoms with the same evidence as one pass', () => {
    const cli = join(repoRoot, 'bin/schedscope.js');
    const trace = join(repoRoot, 'test/analysis/data/gcheavy.trace');
    const run = (...extra: string[]) => JSON.parse(execFileSync(process.execPath, [cli, 'diagnose', trace, '--json', '--no-progress', ...extra], { encoding: 'utf8' })) as Record<string, unknown>;
    const one = run();
    const two = run('--workers', '2', '--placement', 'none');
    expect((one['findings'] as unknown[]).length).toBeGreaterThan(0);
    expect(two).toEqual(one);
  });
});
