// openTrace(path, { workers }) hands out exactly the sequential reader's events, in the same order,
// on every committed fixture trace; the merge's cross-generation checks pass on real traces and
// fail with a typed error on a generation that does not continue its predecessor.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openTrace, type OpenTraceOptions } from '../../src/trace.js';
import { GenerationBoundaryError } from '../../src/parallel/errors.js';
import { TraceFormatError } from '../../src/errors.js';
import { indexGenerations } from '../../src/parallel/generation-index.js';
import { planParallelRead, readGenerationsInParallel, type ParallelReadReport } from '../../src/parallel/parallel-trace.js';
import { GenerationStitcher } from '../../src/parallel/stitch.js';
import { handlers, setup, type GenerationColumns } from '../../src/parallel/trace-task.js';
import { TransferringResult, type WorkerContext } from '../../src/parallel/protocol.js';
import { viewsOver } from '../../src/parallel/packed-columns.js';
import { compiledUrl, processThreadCount, repoRoot, threadsSettleTo } from './support/compiled.js';

const traces = [
  ...readdirSync(join(repoRoot, 'test/fixtures/traces')).filter((f) => f.endsWith('.trace')).map((f) => join(repoRoot, 'test/fixtures/traces', f)),
  ...readdirSync(join(repoRoot, 'test/analysis/data')).filter((f) => f.endsWith('.trace')).map((f) => join(repoRoot, 'test/analysis/data', f)),
];
const parallelModules = () => ({ workerEntry: compiledUrl('parallel/worker-entry.js'), traceTask: compiledUrl('parallel/trace-task.js') });

async function fingerprint(source: string | Uint8Array, options: OpenTraceOptions = {}) {
  const trace = await openTrace(source, options);
  const hash = createHash('sha256');
  const byKind: Record<string, number> = {};
  let events = 0;
  for await (const event of trace.events()) {
    hash.update(event.toString()).update('\n');
    byKind[event.kind] = (byKind[event.kind] ?? 0) + 1;
    events++;
  }
  return { events, byKind, hash: hash.digest('hex'), generations: trace.stats.generations };
}

describe('openTrace({ workers }) = sequential', () => {
  it('finds the committed fixture traces, several with many generations', async () => {
    expect(traces.length).toBeGreaterThanOrEqual(15);
    const multi = await Promise.all(traces.map(async (t) => (await indexGenerations(t)).generations.length > 1));
    expect(multi.filter(Boolean).length).toBeGreaterThanOrEqual(5);
  });

  it.each(traces.map((t) => [t.slice(repoRoot.length + 1), t]))('%s: same events (kinds, String() of each, order)', async (_name, path) => {
    const sequential = await fingerprint(path);
    const parallel = await fingerprint(path, { workers: 2, parallelModules: parallelModules() });
    expect(parallel).toEqual(sequential);
  });

  it('reads a Uint8Array source on the pool too (3 workers)', async () => {
    const path = join(repoRoot, 'test/fixtures/traces/syscall-gens.trace');
    const bytes = new Uint8Array(readFileSync(path));
    expect(await fingerprint(bytes, { workers: 3, parallelModules: parallelModules() })).toEqual(await fingerprint(path));
  });

  it('holds at most workers + 1 generations at once', async () => {
    const path = join(repoRoot, 'test/fixtures/traces/gc-active.trace');
    const index = (await planParallelRead({ path }, 1 << 28))!;
    expect(index.generations.length).toBeGreaterThan(10);
    const threadsBefore = processThreadCount();
    const report: ParallelReadReport = { generations: 0, warmUps: 0, maxInFlight: 0, metrics: null };
    const stream = readGenerationsInParallel({ path }, index, { workers: 2, maxGenerationBytes: 1 << 28, modules: parallelModules() }, { onBatch() {}, onGeneration() {} }, report);
    for await (const batch of stream) {
      // A slow consumer: workers must wait instead of decoding ever further ahead.
      if (batch.length > 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(report.generations).toBe(index.generations.length);
    expect(report.maxInFlight).toBeGreaterThan(1);
    expect(report.maxInFlight).toBeLessThanOrEqual(3);
    expect(report.metrics?.threads).toBe(2);
    expect(await threadsSettleTo(threadsBefore)).toBeLessThanOrEqual(threadsBefore); // the pool is gone
  });
});

// The merge, driven directly: generations decoded by the task handler on this thread.
async function decodeAlone(path: string, position: number): Promise<GenerationColumns> {
  const index = await indexGenerations(path);
  const extent = index.generations[position]!;
  let scratch = new Uint8Array(0);
  const context: WorkerContext = {
    workerIndex: 0,
    scratch,
    setupData: { formatVersion: index.formatVersion },
    state: new Map(),
    ensureScratch(bytes: number) {
      if (scratch.length < bytes) scratch = new Uint8Array(bytes);
      return scratch;
    },
  };
  await setup(context);
  const out = await handlers.decodeColumns!(
    { path, shared: null, position, isLast: position === index.generations.length - 1, warmUp: null, gen: extent.gen, offset: extent.offset, byteLength: extent.byteLength, batchCount: extent.batchCount },
    context,
  );
  for (const [key, value] of context.state) if (key.startsWith('columns-file:')) await (value as { close(): Promise<void> }).close();
  return (out as TransferringResult).value as GenerationColumns;
}

describe('cross-generation checks at the merge', () => {
  const path = join(repoRoot, 'test/fixtures/traces/generations.trace');

  it('a real trace passes: every generation continues the one before', async () => {
    const index = await indexGenerations(path);
    const stitcher = new GenerationStitcher();
    for (let position = 0; position < index.generations.length; position++) {
      const batches = stitcher.stitch(await decodeAlone(path, position), index.generations[position]!);
      expect(batches.length).toBeGreaterThan(0);
    }
  });

  /** The first GoStatus row the merge checks in generation `position` (a goroutine restated). */
  function firstGoStatus(result: GenerationColumns): { batch: ReturnType<typeof viewsOver>; i: number; id: number } {
    let start = 0;
    const rows = new Set(result.summary.statusRows);
    for (const packed of result.batches) {
      const views = viewsOver(packed.buffer, packed.length);
      for (let i = 0; i < packed.length; i++) {
        if (rows.has(start + i) && (views.wireType[i] === 25 || views.wireType[i] === 48)) return { batch: views, i, id: views.resourceId[i]! };
      }
      start += packed.length;
    }
    throw new Error('no GoStatus row to tamper with');
  }

  it('a goroutine restated with another status than it ended with: GenerationBoundaryError', async () => {
    const index = await indexGenerations(path);
    const stitcher = new GenerationStitcher();
    stitcher.stitch(await decodeAlone(path, 0), index.generations[0]!);
    const next = await decodeAlone(path, 1);
    const row = firstGoStatus(next);
    // Restate it as Waiting (wire status 4) where generation 0 left it Running or Runnable.
    const status = Number(row.batch.args[2][row.i]! & 0xffffffffn);
    const other = status === 4 ? 1 : 4;
    row.batch.args[2][row.i] = BigInt(other);
    row.batch.to[row.i] = other === 4 ? 4 : 2;
    const error = (() => {
      try {
        stitcher.stitch(next, index.generations[1]!);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(GenerationBoundaryError);
    const boundary = error as GenerationBoundaryError;
    expect(boundary.check).toBe('goroutine-status');
    expect(boundary.code).toBe('INVALID_ORDERING');
    expect(boundary.generation).toBe(index.generations[1]!.gen);
    expect(boundary.previousGeneration).toBe(index.generations[0]!.gen);
    expect(boundary.offset).toBe(index.generations[1]!.offset);
    expect(boundary.reason).toMatch(new RegExp(`^inconsistent status for goroutine ${row.id}: old \\w+ vs\\. new ${other === 4 ? 'Waiting' : 'Runnable'}$`));
  });

  it('a generation that skips its predecessor restates goroutines nobody knows: GenerationBoundaryError', async () => {
    const index = await indexGenerations(path);
    const stitcher = new GenerationStitcher();
    stitcher.stitch(await decodeAlone(path, 0), index.generations[0]!);
    const later = await decodeAlone(path, 1);
    const row = firstGoStatus(later);
    row.batch.args[0][row.i] = 999_999n; // a goroutine id generation 0 never mentioned
    expect(() => stitcher.stitch(later, index.generations[1]!)).toThrow(/found goroutine status for new goroutine after the first generation: id=999999/);
  });

  it('a clock that goes backwards between generations: GenerationBoundaryError', async () => {
    const index = await indexGenerations(path);
    const stitcher = new GenerationStitcher();
    stitcher.stitch(await decodeAlone(path, 0), index.generations[0]!);
    const extent = { ...index.generations[1]!, startNs: index.generations[0]!.startNs - 1 };
    const next = await decodeAlone(path, 1);
    expect(() => stitcher.stitch(next, extent)).toThrow(GenerationBoundaryError);
    expect(() => new GenerationStitcher().stitch(next, extent)).not.toThrow(); // nothing before it to compare with
  });
});

describe('openTrace({ workers }) on a generation that fails to decode', () => {
  /** Every event's String() and then the error, as a reader hands them out. */
  async function readAll(source: Uint8Array, options: OpenTraceOptions = {}) {
    const events: string[] = [];
    try {
      for await (const event of (await openTrace(source, options)).events()) events.push(event.toString());
    } catch (error) {
      return { events, error: error as TraceFormatError };
    }
    return { events, error: null };
  }

  it('hands out the events before the problem, a Sync, then the same typed error as the sequential reader', async () => {
    const original = new Uint8Array(readFileSync(join(repoRoot, 'test/fixtures/traces/gc-active.trace')));
    const index = (await planParallelRead({ bytes: original }, 1 << 28))!;
    const target = index.generations[Math.floor(index.generations.length / 2)]!;
    // Corrupt bytes inside one middle generation until the headers still index (so the pool is
    // used) and the sequential reader fails inside that generation, after handing out some of it.
    let found = false;
    for (let k = 1; k < 60 && !found; k++) {
      const bytes = original.slice();
      const at = target.offset + Math.floor((target.byteLength * k) / 61);
      for (let j = 0; j < 8; j++) bytes[at + j] = 0xff;
      if ((await planParallelRead({ bytes }, 1 << 28)) === null) continue;
      const sequential = await readAll(bytes);
      if (sequential.error === null || sequential.error.generation !== target.gen) continue;
      const lastSync = sequential.events.findLastIndex((e) => e.includes(' Sync '));
      if (sequential.events.length - lastSync < 3) continue; // no events of that generation before the error
      found = true;
      const parallel = await readAll(bytes, { workers: 2, parallelModules: parallelModules() });
      expect(parallel.error).toBeInstanceOf(TraceFormatError);
      expect(parallel.error!.constructor).toBe(sequential.error.constructor);
      expect({ offset: parallel.error!.offset, generation: parallel.error!.generation, reason: parallel.error!.reason }).toEqual({
        offset: sequential.error.offset,
        generation: sequential.error.generation,
        reason: sequential.error.reason,
      });
      expect(parallel.events.length).toBe(sequential.events.length);
      expect(parallel.events).toEqual(sequential.events);
    }
    expect(found).toBe(true);
  });
});
