// The event stream of openTrace(..., { workers }) : generations decoded on the worker pool, handed
// out in order, stitched and checked at the merge (stitch.ts). At most `workers + 1` generations are
// decoded or waiting at any time (one being handed out, one per worker), so memory is bounded by
// that many decoded generations (113 bytes per event, see packed-columns.ts), not by the trace.
import { TraceAbortedError, TraceFormatError } from '../errors.js';
import { open } from 'node:fs/promises';
import { GenerationDecoder } from '../decoder/decoder.js';
import type { SupportedVersion } from '../format/header.js';
import { EventBatch, EventKind } from '../model/index.js';
import { PoolClosedError, traceErrorFromWorker } from './errors.js';
import { indexGenerations, indexGenerationsInBuffer, type GenerationExtent, type GenerationIndex } from './generation-index.js';
import { batchesOnly, readExtent } from './generation-bytes.js';
import { viewsOver, PACKED_BYTES_PER_EVENT } from './packed-columns.js';
import type { PlacementPolicy } from './placement.js';
import { WorkerPool, type PoolMetrics } from './pool.js';
import { GenerationStitcher, ShippedTables } from './stitch.js';
import type { DecodeColumnsTask, GenerationColumns, TraceTaskSetup } from './trace-task.js';

export interface ParallelTraceModules {
  /** Compiled worker-entry.js. */
  workerEntry: string | URL;
  /** Compiled trace-task.js. */
  traceTask: string | URL;
}

export interface ParallelReadOptions {
  workers: number;
  placement?: PlacementPolicy;
  modules?: ParallelTraceModules;
  eventsPerBatch?: number;
  maxGenerationBytes: number;
  signal?: AbortSignal;
  /** Generations decoded ahead of the one being handed out (default: workers). */
  lookahead?: number;
}

export type TraceInput = { path: string } | { bytes: Uint8Array };

/** Counters the caller (Trace) shows as its stats and progress. */
export interface ParallelProgress {
  onBatch(): void;
  onGeneration(bytesRead: number): void;
}

/** Decodes the index first; null when the parallel path cannot take this input (then read sequentially). */
export async function planParallelRead(input: TraceInput, maxGenerationBytes: number, signal?: AbortSignal): Promise<GenerationIndex | null> {
  try {
    const options = signal ? { signal } : {};
    const index = 'path' in input ? await indexGenerations(input.path, options) : await indexGenerationsInBuffer(input.bytes, options);
    // A broken or oversized generation: the sequential reader reports it exactly as it always has,
    // after handing out every generation before it.
    if (index.generations.some((g) => g.byteLength > maxGenerationBytes)) return null;
    if (index.generations.length === 0) return null;
    return index;
  } catch (error) {
    if (error instanceof TraceAbortedError) throw error;
    if (error instanceof TraceFormatError) return null;
    throw error;
  }
}

function defaultModules(): ParallelTraceModules {
  if (import.meta.url.endsWith('.ts')) {
    throw new TypeError('openTrace({ workers }) is running from TypeScript sources: pass parallelModules (compiled worker-entry.js and trace-task.js), e.g. from dist/');
  }
  return { workerEntry: new URL('./worker-entry.js', import.meta.url), traceTask: new URL('./trace-task.js', import.meta.url) };
}

/** The lone Sync the sequential reader hands out before it reports an error. */
function bareSync(stitcher: GenerationStitcher, gen: bigint): EventBatch {
  const buffer = new ArrayBuffer(PACKED_BYTES_PER_EVENT);
  const views = viewsOver(buffer, 1);
  const time = stitcher.lastEventTime + 1n;
  views.time[0] = time;
  views.timeNs[0] = Number(time);
  views.args[0][0] = BigInt(stitcher.syncCount + 1);
  for (const column of [views.goroutine, views.proc, views.thread, views.stack, views.transitionStack]) column[0] = -1;
  views.kind[0] = EventKind.Sync;
  views.wireType[0] = 255;
  return new EventBatch(1, views, new ShippedTables({ strings: [], extraStrings: [], stacks: [], sync: null }), gen);
}

/** A generation's batches, read on this thread. */
async function generationBytes(input: TraceInput, extent: GenerationExtent, version: SupportedVersion): Promise<Uint8Array> {
  if ('bytes' in input) return batchesOnly(input.bytes.subarray(extent.offset, extent.offset + extent.byteLength), version);
  const handle = await open(input.path, 'r');
  try {
    return batchesOnly(await readExtent(handle, input.path, extent, new Uint8Array(extent.byteLength)), version);
  } finally {
    await handle.close();
  }
}

/**
 * The events a worker could not return: a generation that fails to decode, decoded on this thread
 * after the one before it (so its events are the sequential reader's), handed out up to the
 * problem (and, when its tables are broken, the Sync the sequential reader emits first). Ends
 * without throwing; the caller reports the worker's error. (The type of a TaskEnd
 * whose TaskBegin lies two or more generations back is empty here, as the warm decoder never saw it.)
 */
async function* decodeUpToError(input: TraceInput, index: GenerationIndex, position: number, eventsPerBatch: number | undefined): AsyncGenerator<EventBatch, void, undefined> {
  const version = index.formatVersion as SupportedVersion;
  const decoder = await GenerationDecoder.create(version, eventsPerBatch === undefined ? undefined : { eventsPerBatch });
  const load = async (extent: GenerationExtent) => {
    const bytes = await generationBytes(input, extent, version);
    decoder.load({ gen: extent.gen, fileOffset: extent.offset, parts: [bytes], byteLength: bytes.length, batchCount: extent.batchCount });
  };
  if (position > 0) {
    decoder.setSyncCount(position - 1);
    await load(index.generations[position - 1]!);
    while (decoder.next() !== null);
  }
  decoder.setSyncCount(position);
  try {
    await load(index.generations[position]!);
  } catch (error) {
    if (!(error instanceof TraceFormatError)) throw error;
    // Broken tables: the sequential reader hands out a Sync, then the error.
    yield decoder.bareSync();
    return;
  }
  try {
    for (let batch = decoder.next(); batch !== null; batch = decoder.next()) yield batch;
  } catch (error) {
    // A broken event: the sequential reader hands out the events before it, then the error.
    if (!(error instanceof TraceFormatError)) throw error;
  }
}

/** Result of the last parallel read, for benchmarks and tests (pool metrics, placement). */
export interface ParallelReadReport {
  generations: number;
  /** Generations decoded a second time after their predecessor (statuses the merge cannot stitch). */
  warmUps: number;
  /** Most generations submitted and not yet handed out at any moment (the memory bound). */
  maxInFlight: number;
  metrics: PoolMetrics | null;
}

export async function* readGenerationsInParallel(
  input: TraceInput,
  index: GenerationIndex,
  options: ParallelReadOptions,
  progress: ParallelProgress,
  report: ParallelReadReport = { generations: 0, warmUps: 0, maxInFlight: 0, metrics: null },
): AsyncGenerator<EventBatch, void, undefined> {
  const extents = index.generations;
  const modules = options.modules ?? defaultModules();
  const signal = options.signal;
  const aborted = (offset: number) => new TraceAbortedError({ offset, reason: 'reading the trace was aborted' }, { cause: signal?.reason });
  if (signal?.aborted) throw aborted(0);
  const setupData: TraceTaskSetup = { formatVersion: index.formatVersion as SupportedVersion };
  if (options.eventsPerBatch !== undefined) setupData.eventsPerBatch = options.eventsPerBatch;
  const largest = extents.reduce((max, g) => Math.max(max, g.byteLength), 0);
  const lookahead = Math.max(1, options.lookahead ?? options.workers);
  // A Uint8Array source is shared with the workers once instead of copied per generation.
  let shared: SharedArrayBuffer | null = null;
  if ('bytes' in input) {
    shared = new SharedArrayBuffer(input.bytes.length);
    new Uint8Array(shared).set(input.bytes);
  }
  const pool = await WorkerPool.create({
    taskModule: modules.traceTask,
    workerEntry: modules.workerEntry,
    workers: options.workers,
    placement: options.placement ?? 'none',
    setupData,
    scratchBytes: shared === null ? largest : 0,
    queueCapacity: lookahead + options.workers,
    ...(signal ? { signal } : {}),
  });
  const stitcher = new GenerationStitcher();
  const inFlight = new Map<number, Promise<GenerationColumns>>();
  const task = (position: number, warmUp: GenerationExtent | null): DecodeColumnsTask => {
    const extent = extents[position]!;
    const bytes = (g: GenerationExtent) => ({ gen: g.gen, offset: g.offset, byteLength: g.byteLength, batchCount: g.batchCount });
    return {
      ...bytes(extent),
      path: 'path' in input ? input.path : null,
      shared,
      position,
      isLast: position === extents.length - 1,
      warmUp: warmUp === null ? null : bytes(warmUp),
    };
  };
  const submit = (position: number, warmUp: GenerationExtent | null) => {
    const promise = pool.submit<GenerationColumns>('decodeColumns', task(position, warmUp), signal ? { signal } : {});
    promise.catch(() => undefined); // observed when its turn comes
    inFlight.set(position, promise);
    report.maxInFlight = Math.max(report.maxInFlight, inFlight.size);
  };
  let nextSubmit = 0;
  try {
    for (let position = 0; position < extents.length; position++) {
      while (nextSubmit < extents.length && nextSubmit <= position + lookahead) submit(nextSubmit++, null);
      const extent = extents[position]!;
      let result: GenerationColumns;
      try {
        result = await inFlight.get(position)!;
        if (result.summary.needsWarmUp) {
          // A status the stitcher cannot reproduce: decode again after the previous generation.
          report.warmUps++;
          submit(position, extents[position - 1]!);
          result = await inFlight.get(position)!;
        }
      } catch (error) {
        if (signal?.aborted || error instanceof PoolClosedError) throw aborted(extent.offset);
        const rebuilt = traceErrorFromWorker(error);
        // As the sequential reader: the events of the broken generation before the problem, then
        // a Sync, then the error (decoded here, after the generation before it).
        if (rebuilt instanceof TraceFormatError) yield* decodeUpToError(input, index, position, options.eventsPerBatch);
        else yield bareSync(stitcher, extent.gen);
        throw rebuilt;
      }
      inFlight.delete(position);
      let batches: EventBatch[];
      try {
        batches = stitcher.stitch(result, extent);
      } catch (error) {
        yield bareSync(stitcher, extent.gen);
        throw error;
      }
      result.batches = []; // the EventBatch views are the only references left
      for (let b = 0; b < batches.length; b++) {
        progress.onBatch();
        yield batches[b]!;
        batches[b] = null as unknown as EventBatch; // let each batch go once handed out
        if (signal?.aborted) throw aborted(extent.offset + extent.byteLength);
      }
      report.generations++;
      progress.onGeneration(extent.offset + extent.byteLength);
    }
  } finally {
    report.metrics = pool.metrics();
    await pool.close();
  }
}
