// A broken trace (the trace of a program that died mid-write is the common case): analyze() rejects
// with the typed error by default; with `onTraceError: 'report'` it returns the report of the
// events before the break — the same report as the file cut at the last intact generation — with
// the error beside it, on one thread or with workers (where a worker's decode error comes back as
// the sequential reader's typed error); the CLI prints it and exits 1.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { analyze, type AnalysisReport } from '../../src/analysis/analyze.js';
import { diagnose } from '../../src/analysis/diagnose/index.js';
import { main } from '../../src/cli/main.js';
import { CorruptTableError, TraceAbortedError, TruncatedTraceError } from '../../src/errors.js';
import { indexGenerationsInBuffer } from '../../src/parallel/generation-index.js';
import { parallelModules, repoRoot } from '../parallel/support/compiled.js';

const full = readFileSync(join(repoRoot, 'test/fixtures/traces/gc-active.trace'));
const dir = mkdtempSync(join(tmpdir(), 'schedscope-broken-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** The report without what says how it was read (execution, bytes read, the error). */
function results(report: AnalysisReport): unknown {
  const { execution: _execution, error: _error, ...rest } = report;
  return { ...rest, trace: { ...rest.trace, bytesRead: 0 } };
}

async function cuts(): Promise<{ intact: Uint8Array; broken: Uint8Array[]; brokenGeneration: bigint }> {
  const { generations } = await indexGenerationsInBuffer(full);
  expect(generations.length).toBeGreaterThan(6);
  const next = generations[4]!;
  const intact = full.subarray(0, next.offset); // generations 0-3 whole
  // Inside the next generation: its first batch header, half of it, all but its last byte.
  const broken = [next.offset + 3, next.offset + Math.floor(next.byteLength / 2), next.offset + next.byteLength - 1].map((end) => full.subarray(0, end));
  return { intact, broken, brokenGeneration: next.gen };
}

describe('a broken trace', () => {
  it('rejects with the typed error by default', async () => {
    const { broken } = await cuts();
    await expect(analyze(broken[1]!)).rejects.toBeInstanceOf(TruncatedTraceError);
  });

  it("with onTraceError 'report': the report of the intact generations, and the error", async () => {
    const { intact, broken, brokenGeneration } = await cuts();
    const reference = await analyze(intact);
    expect(reference.error).toBeUndefined();
    expect(reference.trace.events).toBeGreaterThan(0);
    for (const bytes of broken) {
      const report = await analyze(bytes, { onTraceError: 'report' });
      expect(report.error, `cut at ${bytes.length}`).toMatchObject({ name: 'TruncatedTraceError', code: 'TRUNCATED' });
      // A cut inside the first batch header comes before its generation number.
      const cutInFirstHeader = bytes === broken[0];
      expect(report.error!.generation).toBe(cutInFirstHeader ? null : brokenGeneration.toString());
      expect(report.error!.offset).toBeGreaterThanOrEqual(intact.length);
      expect(report.error!.offset).toBeLessThanOrEqual(bytes.length);
      expect(results(report), `cut at ${bytes.length}`).toEqual(results(reference));
    }
  });

  it('with workers: the same report, read in one pass up to the break', async () => {
    const { broken } = await cuts();
    const path = join(dir, 'broken.trace');
    writeFileSync(path, broken[1]!);
    const sequential = await analyze(path, { onTraceError: 'report' });
    const pooled = await analyze(path, { onTraceError: 'report', workers: 2, workerModules: parallelModules() });
    expect(pooled.error).toEqual(sequential.error);
    expect(results(pooled)).toEqual(results(sequential));
    expect(pooled.execution).toMatchObject({ mode: 'sequential', reason: expect.stringContaining(`broken at byte ${sequential.error!.offset}`) });
  });

  it('a generation that breaks in a worker: the sequential error, typed, and the same partial report', async () => {
    // One flipped bit in generation 13's string table (a duplicate string id): only decoding the
    // generation finds it, so on the pool a worker does and the error crosses threads.
    const bytes = Buffer.from(readFileSync(join(repoRoot, 'test/fixtures/traces/syscall-gens.trace')));
    bytes[34755]! ^= 1 << 5;
    const path = join(dir, 'corrupt.trace');
    writeFileSync(path, bytes);
    const sequential = await analyze(path).catch((error: unknown) => error);
    expect(sequential).toBeInstanceOf(CorruptTableError);
    const pooled = await analyze(path, { workers: 2, workerModules: parallelModules() }).catch((error: unknown) => error);
    expect(pooled).toBeInstanceOf(CorruptTableError);
    const fields = (e: CorruptTableError) => ({ offset: e.offset, generation: e.generation, reason: e.reason });
    expect(fields(pooled as CorruptTableError)).toEqual(fields(sequential as CorruptTableError));
    expect((sequential as CorruptTableError).generation).toBe(13n);

    const report = await analyze(path, { onTraceError: 'report' });
    const pooledReport = await analyze(path, { onTraceError: 'report', workers: 2, workerModules: parallelModules() });
    expect(report.error).toMatchObject({ code: 'CORRUPT_TABLE', generation: '13' });
    expect(pooledReport.error).toEqual(report.error);
    expect(results(pooledReport)).toEqual(results(report));
    expect(report.trace.generations).toBeGreaterThan(10);
  });

  it('an abort still rejects', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(analyze(full, { onTraceError: 'report', signal: controller.signal })).rejects.toBeInstanceOf(TraceAbortedError);
  });

  it('diagnose carries the error beside its findings', async () => {
    const { broken } = await cuts();
    const result = await diagnose(broken[1]!, { onTraceError: 'report' });
    expect(result.error?.code).toBe('TRUNCATED');
    await expect(diagnose(broken[1]!)).rejects.toBeInstanceOf(TruncatedTraceError);
  });

  it('the CLI prints the results, says where the trace broke, and exits 1', async () => {
    const { broken } = await cuts();
    const path = join(dir, 'cli.trace');
    writeFileSync(path, broken[1]!);
    const stdout: string[] = [];
    const stderr: string[] = [];
    const text = (chunk: string | Uint8Array) => (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => stdout.push(text(chunk)) > 0);
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => stderr.push(text(chunk)) > 0);
    const exitCode = process.exitCode;
    try {
      const code = await main(['analyze', path, '--json', '--no-progress']);
      expect(code).toBe(1);
      const report = JSON.parse(stdout.join('')) as AnalysisReport;
      expect(report.error?.code).toBe('TRUNCATED');
      expect(report.goroutines?.groups.length).toBeGreaterThan(0);
      expect(stderr.join('')).toMatch(/TruncatedTraceError: .* \(at byte \d+, generation \d+\); the results cover the events before it/);
    } finally {
      process.exitCode = exitCode;
    }
  });
});
