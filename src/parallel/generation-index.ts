// One pass over batch headers only, payloads skipped, giving every generation's byte range, batch
// count and time span. Generations decode independently (each restates the status of what it
// mentions), so this index is what lets a reader seek to a time or hand generations to workers.
import { readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { CorruptBatchError, InvalidOrderingError, TraceAbortedError, TraceFormatError, TruncatedTraceError } from '../errors.js';
import { HEADER_BYTES, parseHeader, type SupportedVersion } from '../format/header.js';
import { MAX_BATCH_PAYLOAD_BYTES } from '../format/framer.js';

export interface GenerationExtent {
  /** Generation number as written in the file. */
  gen: bigint;
  /** File offset of the generation's first batch. */
  offset: number;
  /** Bytes from offset to the end of the generation (for 1.26, including its end marker). */
  byteLength: number;
  batchCount: number;
  /** Trace-clock ticks of the earliest and latest batch header in the generation. */
  minTicks: bigint;
  maxTicks: bigint;
  /** Ticks per second, from the generation's frequency event (0 if it has none). */
  ticksPerSecond: bigint;
  /** minTicks converted to nanoseconds the way Go's reader times a generation's Sync event. */
  startNs: number;
}

export interface GenerationIndex {
  formatVersion: SupportedVersion;
  fileSize: number;
  generations: GenerationExtent[];
  /**
   * With `keepGoodPrefix`, the error that ended the index early: `generations` are then the ones
   * complete before it.
   */
  brokenAt?: TraceFormatError;
}

const WINDOW_BYTES = 4096;
/** Batch headers read between turns of the event loop (each read blocks it for a few µs). */
const YIELD_EVERY_BATCHES = 2048;
const EVENT_BATCH = 0x01;
const EXPERIMENTAL_BATCH = 0x31;
const END_OF_GENERATION = 0x34;
const EV_FREQUENCY = 0x08;
const EV_SYNC = 0x32;

/** Random access to the trace bytes: a file through a small window, or a buffer. */
interface RandomAccessBytes {
  readonly size: number;
  /** Bytes [offset, offset+length) if they are in the input, else fewer. length ≤ WINDOW_BYTES. */
  view(offset: number, length: number): Promise<Uint8Array>;
  read(offset: number, length: number): Promise<Uint8Array>;
}

class BufferBytes implements RandomAccessBytes {
  constructor(private readonly bytes: Uint8Array) {}
  get size(): number {
    return this.bytes.length;
  }
  async view(offset: number, length: number): Promise<Uint8Array> {
    return this.bytes.subarray(offset, Math.min(offset + length, this.bytes.length));
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    return this.bytes.subarray(offset, Math.min(offset + length, this.bytes.length));
  }
}

/**
 * Positional reads through a small window, so consecutive small batches cost one read. The reads
 * are synchronous: each batch header needs a read of its own (the next one lies a payload further),
 * and an asynchronous read's round trip through libuv's pool cost ~57 µs a header (0.97 s for the
 * 17,067 batches of the 1 GB bench trace, while every worker waited for the index) against ~5 µs
 * read directly. indexBytes() yields to the event loop every YIELD_EVERY_BATCHES headers instead.
 */
class WindowedFile implements RandomAccessBytes {
  private window = new Uint8Array(WINDOW_BYTES);
  private windowStart = 0;
  private windowLength = 0;

  constructor(
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}

  /** Bytes [offset, offset+length) if they are in the file, else fewer. length ≤ WINDOW_BYTES. */
  async view(offset: number, length: number): Promise<Uint8Array> {
    if (offset < this.windowStart || offset + length > this.windowStart + this.windowLength) {
      this.windowStart = offset;
      this.windowLength = readSync(this.handle.fd, this.window, 0, WINDOW_BYTES, offset);
    }
    const from = offset - this.windowStart;
    return this.window.subarray(from, Math.min(from + length, this.windowLength));
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    const { bytesRead } = await this.handle.read(out, 0, length, offset);
    return out.subarray(0, bytesRead);
  }
}

/** Decodes a uvarint from bytes at pos; returns [value, next position] or null if it runs off the end. */
function uvarintAt(bytes: Uint8Array, pos: number): [bigint, number] | null {
  let result = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos + i >= bytes.length) return null;
    const b = bytes[pos + i]!;
    if (b < 0x80) {
      if (i === 9 && b > 1) return null;
      return [result | (BigInt(b) << BigInt(7 * i)), pos + i + 1];
    }
    result |= BigInt(b & 0x7f) << BigInt(7 * i);
  }
  return null;
}

/** The frequency carried by a lone frequency batch (<1.25) or a sync batch (1.25+), if any. */
function frequencyOf(payload: Uint8Array, version: SupportedVersion): bigint | null {
  if (payload.length === 0) return null;
  if (version < 25) {
    if (payload[0] !== EV_FREQUENCY) return null;
    return uvarintAt(payload, 1)?.[0] ?? null;
  }
  if (payload[0] !== EV_SYNC) return null;
  // Inside a sync batch: Frequency(freq) and ClockSnapshot(dt, mono, sec, nsec), in either order.
  let pos = 1;
  while (pos < payload.length) {
    const type = payload[pos]!;
    const first = uvarintAt(payload, pos + 1);
    if (first === null) return null;
    if (type === EV_FREQUENCY) return first[0];
    let next = first[1];
    for (let i = 0; i < 3; i++) {
      const arg = uvarintAt(payload, next);
      if (arg === null) return null;
      next = arg[1];
    }
    pos = next;
  }
  return null;
}

function ticksToNs(ticks: bigint, ticksPerSecond: bigint): number {
  if (ticksPerSecond === 0n) return 0;
  const nsPerTick = 1 / (Number(ticksPerSecond) / 1e9);
  return Math.trunc(Number(ticks) * nsPerTick);
}

export interface IndexOptions {
  signal?: AbortSignal;
  /**
   * On a broken batch header, resolve to the generations complete before it (and the error as
   * `brokenAt`) instead of rejecting: what a cut of a crashed program's trace can still use.
   */
  keepGoodPrefix?: boolean;
}

/** Builds the generation index of a trace file by reading its batch headers only. */
export async function indexGenerations(path: string, options: IndexOptions = {}): Promise<GenerationIndex> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    return await indexBytes(new WindowedFile(handle, size), options);
  } finally {
    await handle.close();
  }
}

/** The same index for a trace held in memory. */
export async function indexGenerationsInBuffer(bytes: Uint8Array, options: IndexOptions = {}): Promise<GenerationIndex> {
  return indexBytes(new BufferBytes(bytes), options);
}

async function indexBytes(file: RandomAccessBytes, options: IndexOptions): Promise<GenerationIndex> {
  const size = file.size;
  {
    const version = parseHeader(await file.view(0, HEADER_BYTES));
    const generations: GenerationExtent[] = [];
    let current: GenerationExtent | null = null;
    let offset = HEADER_BYTES;
    let batches = 0;
    const close = (end: number) => {
      if (current === null) return;
      current.byteLength = end - current.offset;
      current.startNs = ticksToNs(current.minTicks, current.ticksPerSecond);
      generations.push(current);
      current = null;
    };
    try {
      while (offset < size) {
        if (++batches % YIELD_EVERY_BATCHES === 0) await new Promise((resolve) => setImmediate(resolve));
        if (options.signal?.aborted) {
          throw new TraceAbortedError({ offset, reason: 'indexing was aborted' }, { cause: options.signal.reason });
        }
        const head = await file.view(offset, 64);
        const type = head[0]!;
        const generation: bigint | undefined = (current as GenerationExtent | null)?.gen;
        if (type === END_OF_GENERATION && version >= 26) {
          close(offset + 1);
          offset += 1;
          continue;
        }
        if (type !== EVENT_BATCH && type !== EXPERIMENTAL_BATCH) {
          throw new CorruptBatchError({ offset, generation, reason: `expected batch event, got event ${type}` });
        }
        let pos = type === EXPERIMENTAL_BATCH ? 2 : 1;
        const fields: bigint[] = [];
        for (let i = 0; i < 4; i++) {
          const field = uvarintAt(head, pos);
          if (field === null) {
            const reason = head.length < 64 && offset + head.length >= size ? 'truncated batch header' : 'invalid batch header varint';
            throw head.length < 64 && offset + head.length >= size
              ? new TruncatedTraceError({ offset, generation, reason })
              : new CorruptBatchError({ offset, generation, reason });
          }
          fields.push(field[0]);
          pos = field[1];
        }
        const [gen, , ticks, sizeField] = fields as [bigint, bigint, bigint, bigint];
        if (sizeField > BigInt(MAX_BATCH_PAYLOAD_BYTES)) {
          throw new CorruptBatchError({ offset, generation, reason: `invalid batch size ${sizeField}, maximum is ${MAX_BATCH_PAYLOAD_BYTES}` });
        }
        if (gen === 0n) throw new CorruptBatchError({ offset, generation, reason: 'invalid generation number 0' });
        const payloadStart = offset + pos;
        const payloadEnd = payloadStart + Number(sizeField);
        if (payloadEnd > size) {
          throw new TruncatedTraceError({ offset, generation: gen, reason: `failed to read full batch: read ${size - payloadStart} but wanted ${sizeField}` });
        }
        if (current !== null && gen !== current.gen) {
          if (version >= 26) {
            throw new InvalidOrderingError({ offset, generation: current.gen, reason: 'broken trace: missing end-of-generation event, or generations are interleaved' });
          }
          if (gen !== current.gen + 1n) {
            throw new InvalidOrderingError({ offset, generation: current.gen, reason: 'generations out of order' });
          }
          close(offset);
        }
        current ??= { gen, offset, byteLength: 0, batchCount: 0, minTicks: ticks, maxTicks: ticks, ticksPerSecond: 0n, startNs: 0 };
        current.batchCount++;
        if (ticks < current.minTicks) current.minTicks = ticks;
        if (ticks > current.maxTicks) current.maxTicks = ticks;
        if (type === EVENT_BATCH && sizeField > 0n) {
          const first = head[pos];
          const kind = first ?? (await file.view(payloadStart, 1))[0];
          if ((kind === EV_SYNC && version >= 25) || (kind === EV_FREQUENCY && version < 25)) {
            const freq = frequencyOf(await file.read(payloadStart, Number(sizeField)), version);
            if (freq !== null) current.ticksPerSecond = freq;
          }
        }
        offset = payloadEnd;
      }
      if (current !== null) {
        if (version >= 26) {
          throw new TruncatedTraceError({ offset, generation: (current as GenerationExtent).gen, reason: 'incomplete generation found; trace likely truncated' });
        }
        close(offset);
      }
    } catch (error) {
      if (options.keepGoodPrefix !== true || !(error instanceof TraceFormatError) || error instanceof TraceAbortedError) throw error;
      return { formatVersion: version, fileSize: size, generations, brokenAt: error };
    }
    return { formatVersion: version, fileSize: size, generations };
  }
}
