// Faults injected into the real decode task on a multi-generation trace: the run completes with the
// same counts as a clean run, or fails with a typed error; abort frees every worker.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TraceAbortedError } from '../../src/errors.js';
import { TaskTimeoutError } from '../../src/parallel/errors.js';
import { indexGenerations } from '../../src/parallel/generation-index.js';
import { decodeGenerationsInParallel, type ParallelDecodeResult } from '../../src/parallel/parallel-decode.js';
import { warmLibuvThreadPool } from '../../src/parallel/pool.js';
import { compiledUrl, faultyDecodeModule, parallelModules, processThreadCount, threadsSettleTo, repoRoot } from './support/compiled.js';

const trace = join(repoRoot, 'test/fixtures/traces/generations.trace');
let clean: ParallelDecodeResult;
let baselineThreads = 0;

const faulty = (faultKind: string, extra: Record<string, unknown> = {}) => ({
  modules: { workerEntry: compiledUrl('parallel/worker-entry.js'), decodeTask: faultyDecodeModule },
  setupData: { decodeTaskUrl: parallelModules().decodeTask, faults: new SharedArrayBuffer(4), faultPosition: 1, faultKind, ...extra },
});

beforeAll(async () => {
  await warmLibuvThreadPool();
  baselineThreads = processThreadCount();
  expect((await indexGenerations(trace)).generations.length).toBeGreaterThanOrEqual(3);
  clean = await decodeGenerationsInParallel(trace, { workers: 2, modules: parallelModules() });
});

function sameCounts(result: ParallelDecodeResult): void {
  expect(result.events).toBe(clean.events);
  expect(result.byWireType).toEqual(clean.byWireType);
  expect(result.byKind).toEqual(clean.byKind);
}

describe('parallel decode under faults', () => {
  it('a worker throwing an uncaught error: replaced, generation retried, identical result', async () => {
    const result = await decodeGenerationsInParallel(trace, { workers: 2, ...faulty('throw') });
    sameCounts(result);
    expect(result.execution.metrics.workers.reduce((n, w) => n + w.restarts, 0)).toBe(1);
    expect(await threadsSettleTo(baselineThreads)).toBeLessThanOrEqual(baselineThreads);
  });

  it('a worker exiting: identical result', async () => {
    sameCounts(await decodeGenerationsInParallel(trace, { workers: 2, ...faulty('exit') }));
    expect(await threadsSettleTo(baselineThreads)).toBeLessThanOrEqual(baselineThreads);
  });

  it('a worker hanging past the deadline: terminated, retried, identical result', async () => {
    sameCounts(await decodeGenerationsInParallel(trace, { workers: 2, taskTimeoutMs: 5000, ...faulty('hang') }));
    expect(await threadsSettleTo(baselineThreads)).toBeLessThanOrEqual(baselineThreads);
  });

  it('a generation that hangs on every attempt: typed error, no thread left', async () => {
    const run = decodeGenerationsInParallel(trace, { workers: 2, taskTimeoutMs: 300, ...faulty('hang', { faultTimes: 10 }) });
    await expect(run).rejects.toBeInstanceOf(TaskTimeoutError);
    expect(await threadsSettleTo(baselineThreads)).toBeLessThanOrEqual(baselineThreads);
  });

  it('abort mid-run stops promptly with TraceAbortedError and frees every worker', async () => {
    const controller = new AbortController();
    const run = decodeGenerationsInParallel(trace, { workers: 2, signal: controller.signal, ...faulty('hang', { faultTimes: 10 }) });
    setTimeout(() => controller.abort(), 200);
    await expect(run).rejects.toBeInstanceOf(TraceAbortedError);
    expect(await threadsSettleTo(baselineThreads)).toBeLessThanOrEqual(baselineThreads);
  });

  it('parallel results do not depend on the worker count', async () => {
    sameCounts(await decodeGenerationsInParallel(trace, { workers: 1, modules: parallelModules() }));
    sameCounts(await decodeGenerationsInParallel(trace, { workers: 3, placement: 'numa', modules: parallelModules() }));
  });
});
