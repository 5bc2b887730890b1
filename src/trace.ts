// openTrace: the public entry point. It wires source → framer → WASM decoder and reproduces the
// event stream of Go's Reader.ReadEvent, including its Sync events and the order in which it
// reports errors (a generation that read cleanly is delivered in full before a later error).
import { NotATraceError, TraceAbortedError } from './errors.js';
import { ByteReader } from './format/byte-reader.js';
import { DEFAULT_MAX_GENERATION_BYTES, GenerationFramer, type FramedGeneration } from './format/framer.js';
import { HEADER_BYTES, parseHeader, type SupportedVersion } from './format/header.js';
import { GenerationDecoder } from './decoder/decoder.js';
import type { Event, EventBatch } from './model/index.js';
import { openChunkSource, type ChunkSource, type TraceSource } from './source/chunk-source.js';
import type { ParallelTraceModules, TraceInput } from './parallel/parallel-trace.js';
import type { PlacementPolicy } from './parallel/placement.js';
import { fileURLToPath } from 'node:url';

export type { TraceSource } from './source/chunk-source.js';

export interface ReadProgress {
  /** Bytes consumed from the source so far. */
  bytesRead: number;
  /** Total size when the source knows it (files, buffers). */
  totalBytes: number | undefined;
  /** Generations decoded so far. */
  generations: number;
}

export interface OpenTraceOptions {
  /**
   * Largest generation (in bytes) that will be buffered. A bigger one fails with
   * GenerationTooLargeError instead of exhausting memory. Default 256 MiB.
   */
  maxGenerationBytes?: number;
  /** Cancels reading; iteration then throws TraceAbortedError. */
  signal?: AbortSignal;
  /** Size of each read from a file (default 1 MiB). */
  chunkBytes?: number;
  /** Maximum events per EventBatch (default 4096). */
  eventsPerBatch?: number;
  /** Called after each generation is decoded. */
  onProgress?: (progress: ReadProgress) => void;
  /**
   * Decode generations on this many worker threads (default 1: on the calling thread). Applies to
   * file paths and in-memory buffers; streams are always read sequentially. The events and their
   * order are exactly the sequential reader's; at most `workers + 1` decoded generations are held.
   * Every event's columns then cross to the calling thread, which costs more than decoding them
   * here (3.6× slower with 2 workers on the 1 GB bench trace): for speed, give `workers` to
   * `analyze`, whose work runs on the workers.
   */
  workers?: number;
  /** Where the workers run: 'numa', 'compact' or 'none' (default). See docs/parallel.md. */
  placement?: PlacementPolicy;
  /** Compiled worker files, needed only when running from TypeScript sources (tests). */
  parallelModules?: ParallelTraceModules;
}

export interface TraceStats {
  bytesRead: number;
  generations: number;
  batches: number;
}

export { DEFAULT_MAX_GENERATION_BYTES };

/** A trace being read. Its events can be iterated once, as batches or as objects. */
export class Trace {
  private consumed = false;
  private closed = false;
  readonly stats: TraceStats = { bytesRead: 0, generations: 0, batches: 0 };

  /** @internal use openTrace() */
  constructor(
    private readonly source: ChunkSource,
    private readonly reader: ByteReader,
    /** Wire-format minor version: 22, 23, 25 or 26. */
    readonly formatVersion: SupportedVersion,
    private readonly options: OpenTraceOptions,
    /** The input again, for the parallel path (a file path or the bytes), or null for streams. */
    private readonly parallelInput: TraceInput | null = null,
  ) {}

  /** Format version as Go names it, e.g. "1.26" (Go 1.24 writes "1.23"). */
  get version(): string {
    return `1.${this.formatVersion}`;
  }

  /** Size of the input in bytes, when known. */
  get size(): number | undefined {
    return this.source.size;
  }

  /**
   * Ordered events as columnar batches: the fast path. A batch's views are only valid until the
   * iterator is advanced; copy what you keep.
   */
  async *batches(): AsyncGenerator<EventBatch, void, undefined> {
    if (this.consumed) throw new Error('a Trace can be iterated only once; open it again to re-read');
    this.consumed = true;
    try {
      yield* this.readBatches();
    } finally {
      await this.close();
    }
  }

  /**
   * Ordered events as typed objects; each stays valid after iteration moves on. A hand-written
   * iterator rather than an async generator: within a batch each step is an already-resolved
   * promise, which costs a fraction of a generator's suspend/resume.
   */
  events(): AsyncIterableIterator<Event> {
    const batches = this.batches();
    let batch: EventBatch | null = null;
    let index = 0;
    const step = async (): Promise<IteratorResult<Event, undefined>> => {
      for (;;) {
        const next = await batches.next();
        if (next.done) return { done: true, value: undefined };
        batch = next.value;
        index = 0;
        if (batch.length > 0) return { done: false, value: batch.event(index++) };
      }
    };
    const iterator: AsyncIterableIterator<Event> = {
      next(): Promise<IteratorResult<Event, undefined>> {
        if (batch !== null && index < batch.length) return Promise.resolve({ done: false, value: batch.event(index++) });
        return step();
      },
      async return(): Promise<IteratorResult<Event, undefined>> {
        await batches.return(undefined);
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.source.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async *readBatches(): AsyncGenerator<EventBatch, void, undefined> {
    const options = this.options;
    if ((options.workers ?? 1) > 1 && this.parallelInput !== null) {
      // Loaded on demand: the sequential path never touches worker threads or the native addon.
      const parallel = await import('./parallel/parallel-trace.js');
      const maxGenerationBytes = options.maxGenerationBytes ?? DEFAULT_MAX_GENERATION_BYTES;
      const index = await parallel.planParallelRead(this.parallelInput, maxGenerationBytes, options.signal);
      if (index !== null) {
        const stats = this.stats;
        yield* parallel.readGenerationsInParallel(
          this.parallelInput,
          index,
          {
            workers: options.workers!,
            maxGenerationBytes,
            ...(options.placement ? { placement: options.placement } : {}),
            ...(options.parallelModules ? { modules: options.parallelModules } : {}),
            ...(options.eventsPerBatch !== undefined ? { eventsPerBatch: options.eventsPerBatch } : {}),
            ...(options.signal ? { signal: options.signal } : {}),
          },
          {
            onBatch() {
              stats.batches++;
            },
            onGeneration(bytesRead: number) {
              stats.bytesRead = bytesRead;
              stats.generations++;
              options.onProgress?.({ bytesRead, totalBytes: index.fileSize, generations: stats.generations });
            },
          },
        );
        return;
      }
      // The index could not be built (a broken or oversized generation): read sequentially, which
      // reports the problem exactly where and how it always does.
    }
    const decoder = await GenerationDecoder.create(
      this.formatVersion,
      options.eventsPerBatch === undefined ? undefined : { eventsPerBatch: options.eventsPerBatch },
    );
    // Generations are framed straight into the decoder's memory (no copy when loading them).
    const framer = new GenerationFramer(
      this.reader,
      this.formatVersion,
      options.maxGenerationBytes ?? DEFAULT_MAX_GENERATION_BYTES,
      decoder.framingRegions(),
    );
    // The next generation is framed while this one decodes (a look-ahead of one generation): its
    // file reads run on libuv's threads while this thread decodes, instead of this thread idling
    // on each read between generations.
    let ahead: Promise<FramedGeneration | null> = framer.next();
    // Whether the look-ahead has finished framing (it needs turns of the event loop to get there).
    let aheadSettled = false;
    const settle = () => {
      aheadSettled = true;
    };
    ahead.then(settle, settle);
    for (;;) {
      this.throwIfAborted();
      let framed;
      try {
        framed = await ahead;
      } catch (error) {
        // Go emits a Sync for what was read so far before reporting a read error.
        yield this.counted(decoder.bareSync());
        throw error;
      }
      const framedUpTo = this.reader.offset;
      this.stats.bytesRead = framedUpTo;
      if (framed === null) {
        yield this.counted(decoder.bareSync());
        return;
      }
      try {
        decoder.load(framed.generation);
      } catch (error) {
        yield this.counted(decoder.bareSync());
        throw error;
      }
      // load() copied the generation: the framer may reuse its buffer for the next one. A failure
      // of the look-ahead is reported where it would have been without it, after this generation.
      if (framed.deferredError === null) {
        ahead = framer.next();
        aheadSettled = false;
        ahead.then(settle, settle);
      }
      let sinceTurn = 0;
      for (let batch = decoder.next(); batch !== null; batch = decoder.next()) {
        yield this.counted(batch);
        this.throwIfAborted();
        // A consumer that takes each batch synchronously resumes this generator through microtasks
        // only, and completed file reads wait for a turn of the event loop: without one the
        // look-ahead would get one read done per generation and frame the rest while this thread
        // waits. A turn every few batches, while it is framing, keeps its reads in flight.
        if (!aheadSettled && ++sinceTurn >= BATCHES_PER_TURN) {
          sinceTurn = 0;
          await eventLoopTurn();
        }
      }
      this.stats.generations++;
      options.onProgress?.({
        bytesRead: framedUpTo,
        totalBytes: this.source.size,
        generations: this.stats.generations,
      });
      if (framed.deferredError !== null) {
        yield this.counted(decoder.bareSync());
        throw framed.deferredError;
      }
    }
  }

  private counted(batch: EventBatch): EventBatch {
    this.stats.batches++;
    return batch;
  }

  private throwIfAborted(): void {
    const signal = this.options.signal;
    if (signal?.aborted) {
      throw new TraceAbortedError(
        { offset: this.reader.offset, reason: 'reading the trace was aborted' },
        { cause: signal.reason },
      );
    }
  }
}

/** Batches decoded between turns of the event loop while the next generation is being framed. */
const BATCHES_PER_TURN = 8;

/** Resolves after pending I/O callbacks have run (setImmediate runs after the poll phase). */
function eventLoopTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A file path or the bytes, when the parallel path can read this source (workers > 1). */
function parallelInputOf(source: TraceSource, options: OpenTraceOptions): TraceInput | null {
  const workers = options.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be a positive integer, got ${workers}`);
  if (workers === 1) return null;
  if (typeof source === 'string') return { path: source };
  if (source instanceof URL) return source.protocol === 'file:' ? { path: fileURLToPath(source) } : null;
  if (source instanceof Uint8Array) return { bytes: source };
  if (source instanceof ArrayBuffer) return { bytes: new Uint8Array(source) };
  return null;
}

/**
 * Opens a Go execution trace (format 1.22–1.26) from a file path, a buffer, an async iterable of
 * byte chunks or a web ReadableStream. Reads and checks the header before returning.
 *
 * @example
 * const trace = await openTrace('app.trace');
 * for await (const event of trace.events()) console.log(event.toString());
 */
export async function openTrace(source: TraceSource, options: OpenTraceOptions = {}): Promise<Trace> {
  if (options.signal?.aborted) {
    throw new TraceAbortedError({ offset: 0, reason: 'reading the trace was aborted' }, { cause: options.signal.reason });
  }
  const chunks = await openChunkSource(source, options.chunkBytes);
  try {
    const reader = new ByteReader(chunks);
    const header = new Uint8Array(HEADER_BYTES);
    const got = await reader.readInto(header, 0, HEADER_BYTES);
    if (got < HEADER_BYTES) {
      throw new NotATraceError({
        offset: 0,
        reason: got === 0 ? 'empty input: not a Go execution trace' : 'bad file format: not a Go execution trace?',
      });
    }
    const version = parseHeader(header);
    return new Trace(chunks, reader, version, options, parallelInputOf(source, options));
  } catch (error) {
    await chunks.close();
    throw error;
  }
}
