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
  /**
   * Set when the framer wrote the generation into memory the decoder provided (see
   * FramingRegion): its first `bytes` bytes are in `region`, and `parts` hold only the rest.
   */
  framedIn?: { region: FramingRegion; bytes: number };
}

/**
 * Memory outside the JavaScript heap that a generation can be framed into, so that it needs no
 * copy afterwards: the decoder's own (WebAssembly) memory.
 */
export interface FramingRegion {
  /** Bytes the region holds; fixed while a generation is being framed into it. */
  readonly capacity: number;
  /**
   * A view of the region as it is now. Views of WebAssembly memory are detached when the memory
   * grows, which decoding may do between any two awaits: the framer re-fetches a detached view.
   */
  view(): Uint8Array;
  /**
   * Makes the region hold at least `capacity` bytes, keeping what it holds, if its owner can now
   * (growing WebAssembly memory detaches the views of batches handed out): whether it did.
   */
  grow?(capacity: number): boolean;
}

/** The region to frame the k-th generation (k from 0) into, or null for the framer's own buffer. */
export type FramingRegions = (k: number) => FramingRegion | null;

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

const OWN_BYTES = 1 << 16;
/** A growable region's first size (then doubled): a generation is megabytes in busy traces. */
const FIRST_REGION_BYTES = 1 << 20;
const DETACHED: Uint8Array = new Uint8Array(0);

/**
 * One generation's bytes as they are framed: into a region (up to its capacity) and then into the
 * framer's own buffer, or all into its own buffer. The own buffer grows by doubling, never past
 * the configured limit.
 */
class GenerationBuffer {
  private own = new Uint8Array(OWN_BYTES);
  private region: FramingRegion | null = null;
  private regionCapacity = 0;
  private regionView: Uint8Array = DETACHED;
  length = 0;

  /** Starts a generation, framed into `region` when there is one. */
  begin(region: FramingRegion | null): void {
    // The own buffer only holds what overflows a region: no need to keep a large one for that.
    if (region !== null && this.own.length > OWN_BYTES) this.own = new Uint8Array(OWN_BYTES);
    this.region = region;
    this.regionCapacity = region === null ? 0 : region.capacity;
    this.regionView = DETACHED;
    this.length = 0;
  }

  private view(): Uint8Array {
    let view = this.regionView;
    if (view.byteLength === 0) view = this.regionView = this.region!.view();
    return view;
  }

  /** Grows the region to hold `needed` bytes if it can (doubling); whether it now does. */
  private growRegion(needed: number): boolean {
    const region = this.region;
    // Only while nothing has gone to the own buffer: the region part must stay contiguous.
    if (region === null || region.grow === undefined || this.length > this.regionCapacity) return false;
    if (!region.grow(Math.max(needed, this.regionCapacity * 2, FIRST_REGION_BYTES))) return false;
    this.regionCapacity = region.capacity;
    this.regionView = DETACHED;
    return needed <= this.regionCapacity;
  }

  /** Room in the own buffer for `extra` more bytes past `length`. */
  ensure(extra: number): void {
    const needed = this.length + extra - this.regionCapacity;
    if (needed <= this.own.length) return;
    let capacity = this.own.length;
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    const used = this.length - this.regionCapacity;
    if (used > 0) grown.set(this.own.subarray(0, used));
    this.own = grown;
  }

  push(byte: number): void {
    const at = this.length;
    if (at < this.regionCapacity || (at === this.regionCapacity && this.growRegion(at + 1))) {
      this.view()[at] = byte;
    } else {
      if (at - this.regionCapacity === this.own.length) this.ensure(1);
      this.own[at - this.regionCapacity] = byte;
    }
    this.length = at + 1;
  }

  /** Appends `bytes` (the region part first, the rest to the own buffer). */
  write(bytes: Uint8Array): void {
    const at = this.length;
    const n = bytes.length;
    if (at + n > this.regionCapacity) this.growRegion(at + n);
    const intoRegion = Math.max(0, Math.min(n, this.regionCapacity - at));
    if (intoRegion > 0) this.view().set(intoRegion === n ? bytes : bytes.subarray(0, intoRegion), at);
    if (intoRegion < n) {
      this.ensure(n);
      this.own.set(intoRegion === 0 ? bytes : bytes.subarray(intoRegion), at + intoRegion - this.regionCapacity);
    }
    this.length = at + n;
  }

  /** A copy of bytes [start, end). */
  copy(start: number, end: number): Uint8Array {
    const out = new Uint8Array(end - start);
    const split = Math.max(start, Math.min(end, this.regionCapacity));
    if (split > start) out.set(this.view().subarray(start, split), 0);
    if (end > split) out.set(this.own.subarray(split - this.regionCapacity, end - this.regionCapacity), split - start);
    return out;
  }

  /** The first byteLength bytes as a generation's parts (and its region, if any). */
  generation(gen: bigint, fileOffset: number, byteLength: number, batchCount: number): RawGeneration {
    const region = this.region;
    if (region === null) return { gen, fileOffset, parts: [this.own.subarray(0, byteLength)], byteLength, batchCount };
    const inRegion = Math.min(byteLength, this.regionCapacity);
    const parts = byteLength > inRegion ? [this.own.subarray(0, byteLength - inRegion)] : [];
    return { gen, fileOffset, parts, byteLength, batchCount, framedIn: { region, bytes: inRegion } };
  }
}

export class GenerationFramer {
  private readonly buffer = new GenerationBuffer();
  private readonly recordByte = (byte: number) => this.buffer.push(byte);
  private readonly writeBytes = (bytes: Uint8Array) => this.buffer.write(bytes);
  /** Pre-1.26: the first batch of the next generation, read while looking for the current one's end. */
  private spill: { gen: bigint; offset: number; bytes: Uint8Array } | null = null;
  private generationsRead = 0;
  /** Generations begun (the index FramingRegions are asked for). */
  private generationsBegun = 0;
  private finished = false;

  /**
   * @param regions where to frame each generation (the decoder's memory, so that loading it needs
   *   no copy); without it, the framer's own buffer, reused for every generation.
   */
  constructor(
    private readonly reader: ByteReader,
    private readonly version: SupportedVersion,
    private readonly maxGenerationBytes: number,
    private readonly regions: FramingRegions | null = null,
  ) {}

  private beginGeneration(): void {
    this.buffer.begin(this.regions === null ? null : this.regions(this.generationsBegun));
    this.generationsBegun++;
  }

  /** The next generation, or null at a clean end of the trace. Fatal errors are thrown. */
  async next(): Promise<FramedGeneration | null> {
    if (this.finished) return null;
    return this.version >= 26 ? this.nextMarked() : this.nextWithSpill();
  }

  private async nextMarked(): Promise<FramedGeneration | null> {
    this.beginGeneration();
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
    return { generation: this.buffer.generation(gen, fileOffset, this.buffer.length, batchCount), deferredError: null };
  }

  private async nextWithSpill(): Promise<FramedGeneration | null> {
    let gen = 0n;
    let fileOffset = this.reader.offset;
    let batchCount = 0;
    if (this.spill !== null) {
      this.beginGeneration();
      this.buffer.write(this.spill.bytes);
      gen = this.spill.gen;
      fileOffset = this.spill.offset;
      batchCount = 1;
      this.spill = null;
    } else {
      // A previous generation with nothing spilled after it means the trace is over.
      if (this.generationsRead > 0) {
        this.finished = true;
        return null;
      }
      this.beginGeneration();
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
        // Kept aside (at most one batch) for the next generation, which may be framed elsewhere.
        this.spill = { gen: item.gen, offset: item.offset, bytes: this.buffer.copy(start, this.buffer.length) };
        this.buffer.length = start;
        break;
      }
      if (item.gen !== gen) {
        throw new InvalidOrderingError({ offset: item.offset, generation: gen, reason: 'generations out of order' });
      }
      batchCount++;
    }
    this.generationsRead++;
    return { generation: this.buffer.generation(gen, fileOffset, this.buffer.length, batchCount), deferredError };
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
    this.buffer.write(reader.takeBuffered(at));
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
    const read = await this.reader.readTo(payloadBytes, this.writeBytes);
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
