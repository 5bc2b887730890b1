// Splits a v2 (Go 1.22+) trace into generations without decoding any payload. It mirrors Go's
// readGeneration (1.26: generations end with an explicit 0x34 marker) and readGenerationWithSpill
// (1.22–1.25: a generation ends at the first batch of the next one, which is "spilled" into the
// next round), including which errors are fatal and which are deferred until the generation read
// so far has been delivered. Only one generation (plus one spilled batch) is ever buffered.
import {
  CorruptBatchError,
  GenerationTooLargeError,
  InvalidOrderingError,
  TraceFormatError,
  TruncatedTraceError,
} from '../errors.js';
import { ByteReader, VarintError } from './byte-reader.js';
import type { SupportedVersion } from './header.js';

/** One generation's raw items (batch headers included), ready for the decoder. */
export interface RawGeneration {
  /** Generation number from the batch headers (0n for an empty pseudo-generation). */
  gen: bigint;
  /** File offset of the first byte of the first part. */
  fileOffset: number;
  /**
   * The generation's items in file order, headers included; the 1.26 end-of-generation byte is not.
   * The parts alias the framer's reusable buffer: they are valid until the framer's next call.
   */
  parts: Uint8Array[];
  byteLength: number;
  batchCount: number;
}

export interface FramedGeneration {
  generation: RawGeneration;
  /** An error met while reading past this generation; report it after the generation's events. */
  deferredError: TraceFormatError | null;
}

export const MAX_BATCH_PAYLOAD_BYTES = 65_536;

/** Default for the largest generation a reader buffers (openTrace's maxGenerationBytes). */
export const DEFAULT_MAX_GENERATION_BYTES = 256 * 1024 * 1024;
const EVENT_BATCH = 0x01;
const EXPERIMENTAL_BATCH = 0x31;
const END_OF_GENERATION = 0x34;
/** A batch header read by readBatchHeaderBuffered: the type byte and four varints (gen, M, timestamp, size). */
const MAX_FAST_HEADER_BYTES = 1 + 4 * 10;

interface ItemHeader {
  kind: 'batch' | 'end';
  gen: bigint;
  offset: number;
}

/** Grows by doubling, never past the configured limit; reused for every generation. */
class GenerationBuffer {
  bytes = new Uint8Array(1 << 16);
  length = 0;

  ensure(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.bytes.length) return;
    let capacity = this.bytes.length;
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  push(byte: number): void {
    if (this.length === this.bytes.length) this.ensure(1);
    this.bytes[this.length++] = byte;
  }
}

export class GenerationFramer {
  private readonly buffer = new GenerationBuffer();
  private readonly recordByte = (byte: number) => this.buffer.push(byte);
  /** Pre-1.26: the first batch of the next generation, already in the buffer after the current one. */
  private spill: { gen: bigint; offset: number; start: number; end: number } | null = null;
  private generationsRead = 0;
  private finished = false;

  constructor(
    private readonly reader: ByteReader,
    private readonly version: SupportedVersion,
    private readonly maxGenerationBytes: number,
  ) {}

  /** The next generation, or null at a clean end of the trace. Fatal errors are thrown. */
  async next(): Promise<FramedGeneration | null> {
    if (this.finished) return null;
    return this.version >= 26 ? this.nextMarked() : this.nextWithSpill();
  }

  private async nextMarked(): Promise<FramedGeneration | null> {
    this.buffer.length = 0;
    let gen = 0n;
    let fileOffset = this.reader.offset;
    let batchCount = 0;
    for (;;) {
      const item = await this.readItem(gen, false);
      if (item === null) {
        this.finished = true;
        if (batchCount > 0) {
          throw new TruncatedTraceError({
            offset: this.reader.offset,
            generation: gen,
            reason: 'incomplete generation found; trace likely truncated',
          });
        }
        return null;
      }
      if (item.kind === 'end') break;
      if (item.gen === 0n) throw this.invalidGenerationZero(item.offset);
      if (batchCount === 0) {
        gen = item.gen;
        fileOffset = item.offset;
      } else if (item.gen !== gen) {
        throw new InvalidOrderingError({
          offset: item.offset,
          generation: gen,
          reason: 'broken trace: missing end-of-generation event, or generations are interleaved',
        });
      }
      batchCount++;
    }
    this.generationsRead++;
    return { generation: this.generation(gen, fileOffset, this.buffer.length, batchCount), deferredError: null };
  }

  private async nextWithSpill(): Promise<FramedGeneration | null> {
    let gen = 0n;
    let fileOffset = this.reader.offset;
    let batchCount = 0;
    if (this.spill !== null) {
      const { start, end } = this.spill;
      this.buffer.bytes.copyWithin(0, start, end);
      this.buffer.length = end - start;
      gen = this.spill.gen;
      fileOffset = this.spill.offset;
      batchCount = 1;
      this.spill = null;
    } else {
      this.buffer.length = 0;
      // A previous generation with nothing spilled after it means the trace is over.
      if (this.generationsRead > 0) {
        this.finished = true;
        return null;
      }
    }
    let deferredError: TraceFormatError | null = null;
    for (;;) {
      const start = this.buffer.length;
      let item: ItemHeader | null;
      try {
        item = await this.readItem(gen, true);
      } catch (error) {
        // Go forges ahead with a generation that has begun: the failure may just be the first batch
        // of the next one, so this generation is delivered before the error is reported.
        if (gen !== 0n && error instanceof TraceFormatError && !(error instanceof GenerationTooLargeError)) {
          deferredError = error;
          this.buffer.length = start;
          this.finished = true;
          break;
        }
        throw error;
      }
      if (item === null) break;
      if (item.gen === 0n) throw this.invalidGenerationZero(item.offset);
      if (gen === 0n) {
        gen = item.gen;
        fileOffset = item.offset;
      }
      if (batchCount > 0 && item.gen === gen + 1n) {
        this.spill = { gen: item.gen, offset: item.offset, start, end: this.buffer.length };
        break;
      }
      if (item.gen !== gen) {
        throw new InvalidOrderingError({ offset: item.offset, generation: gen, reason: 'generations out of order' });
      }
      batchCount++;
    }
    this.generationsRead++;
    const byteLength = this.spill === null ? this.buffer.length : this.spill.start;
    return { generation: this.generation(gen, fileOffset, byteLength, batchCount), deferredError };
  }

  private generation(gen: bigint, fileOffset: number, byteLength: number, batchCount: number): RawGeneration {
    return { gen, fileOffset, parts: [this.buffer.bytes.subarray(0, byteLength)], byteLength, batchCount };
  }

  private invalidGenerationZero(offset: number): TraceFormatError {
    return new CorruptBatchError({ offset, generation: 0n, reason: 'invalid generation number 0' });
  }

  /**
   * Reads one top-level item, appending its raw bytes (header and payload) to the buffer.
   * Returns null at a clean end of input (no byte of a new item read).
   */
  private async readItem(currentGen: bigint, allowSpill: boolean): Promise<ItemHeader | null> {
    const offset = this.reader.offset;
    const header = this.readBatchHeaderBuffered();
    if (header !== null) return this.readPayload(currentGen, allowSpill, offset, header.gen, header.size, header.start);
    const type = await this.reader.readByte();
    if (type < 0) return null;
    if (type === END_OF_GENERATION) return { kind: 'end', gen: 0n, offset };
    const generation = currentGen === 0n ? undefined : currentGen;
    if (type !== EVENT_BATCH && type !== EXPERIMENTAL_BATCH) {
      throw new CorruptBatchError({ offset, generation, reason: `expected batch event, got event ${type}` });
    }
    const headerStart = this.buffer.length;
    this.buffer.push(type);
    if (type === EXPERIMENTAL_BATCH) {
      const experiment = await this.reader.readByte();
      if (experiment < 0) throw this.truncatedHeader(offset, generation, 'experiment');
      this.buffer.push(experiment);
    }
    const gen = await this.readHeaderField(offset, generation, 'gen');
    await this.readHeaderField(offset, generation, 'M ID');
    await this.readHeaderField(offset, generation, 'timestamp');
    const size = await this.readHeaderField(offset, generation, 'size');
    return this.readPayload(currentGen, allowSpill, offset, gen, size, headerStart);
  }

  /**
   * The common case of a batch header, read without awaiting byte by byte: an event batch whose
   * four header varints are in the chunk at hand and not unusually long. Consumes the header
   * (into the buffer) and returns its generation and payload size, with `start` where the header
   * begins in the buffer; or returns null having consumed nothing, for readItem's general path
   * (which reports every error).
   */
  private readBatchHeaderBuffered(): { gen: bigint; size: bigint; start: number } | null {
    const reader = this.reader;
    const available = Math.min(reader.buffered, MAX_FAST_HEADER_BYTES);
    if (available < 5 || reader.peekByte(0) !== EVENT_BATCH) return null;
    let at = 1;
    let gen = 0;
    let size = 0;
    for (let field = 0; field < 4; field++) {
      // Go writes the size (and an M of NoThread) as 10-byte padded varints. A 10th byte above 1
      // (an overflow) goes to the general path. gen and size are needed as numbers: exact while
      // no payload bit lies past the 7th byte (49 bits); M and the timestamp are only skipped.
      const needed = field === 0 || field === 3;
      let value = 0;
      let scale = 1;
      for (let i = 0; ; i++) {
        if (i === 10 || at >= available) return null;
        const b = reader.peekByte(at++);
        if (i >= 7 && needed && (b & 0x7f) !== 0) return null;
        if (i === 9 && b > 1) return null;
        value += (b & 0x7f) * scale;
        if (b < 0x80) break;
        scale *= 128;
      }
      if (field === 0) gen = value;
      else if (field === 3) size = value;
    }
    const start = this.buffer.length;
    this.buffer.ensure(at);
    reader.takeBuffered(at, this.buffer.bytes, start);
    this.buffer.length += at;
    return { gen: BigInt(gen), size: BigInt(size), start };
  }

  /** The rest of readItem once the header is read: size checks, then the payload. */
  private async readPayload(
    currentGen: bigint,
    allowSpill: boolean,
    offset: number,
    gen: bigint,
    size: bigint,
    headerStart: number,
  ): Promise<ItemHeader> {
    const generation = currentGen === 0n ? undefined : currentGen;
    if (size > BigInt(MAX_BATCH_PAYLOAD_BYTES)) {
      throw new CorruptBatchError({
        offset,
        generation,
        reason: `invalid batch size ${size}, maximum is ${MAX_BATCH_PAYLOAD_BYTES}`,
      });
    }
    const payloadBytes = Number(size);
    // The spilled batch belongs to the next generation, so it does not count against this one.
    const belongsHere = !allowSpill || currentGen === 0n || gen === currentGen;
    const total = this.buffer.length + payloadBytes;
    if (belongsHere && total > this.maxGenerationBytes) {
      throw new GenerationTooLargeError(this.maxGenerationBytes, {
        offset,
        generation: gen,
        reason: `generation ${gen} is larger than maxGenerationBytes (${this.maxGenerationBytes} bytes); raise the limit to read it`,
      });
    }
    this.buffer.ensure(payloadBytes);
    const read = await this.reader.readInto(this.buffer.bytes, this.buffer.length, payloadBytes);
    this.buffer.length += read;
    if (read !== payloadBytes) {
      this.buffer.length = headerStart;
      throw new TruncatedTraceError({
        offset,
        generation: gen,
        reason: `failed to read full batch: read ${read} but wanted ${payloadBytes}`,
      });
    }
    return { kind: 'batch', gen, offset };
  }

  private async readHeaderField(offset: number, generation: bigint | undefined, field: string): Promise<bigint> {
    try {
      return await this.reader.readUvarint(this.recordByte);
    } catch (error) {
      if (!(error instanceof VarintError)) throw error;
      if (error.kind === 'overflow') {
        throw new CorruptBatchError({ offset, generation, reason: `error reading batch ${field}: ${error.message}` });
      }
      throw this.truncatedHeader(offset, generation, field);
    }
  }

  private truncatedHeader(offset: number, generation: bigint | undefined, field: string): TraceFormatError {
    return new TruncatedTraceError({ offset, generation, reason: `error reading batch ${field}: unexpected EOF` });
  }
}
