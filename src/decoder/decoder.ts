// GenerationDecoder: the TypeScript face of the WASM decoder. It copies one generation into WASM
// memory, asks for events one batch at a time (one JS→WASM call per batch), and resolves the
// generation's strings and stacks for Event objects.
import {
  CorruptBatchError,
  CorruptTableError,
  InvalidOrderingError,
  type TraceFormatError,
} from '../errors.js';
import type { FramingRegion, FramingRegions, RawGeneration } from '../format/framer.js';
import type { SupportedVersion } from '../format/header.js';
import { Column, COLUMN_COUNT, EventBatch, type ColumnFiller, type ColumnViews, type GenerationTables, type Stack, type StackFrame, type SyncInfo } from '../model/index.js';
import { DecoderKernelHost } from './kernel-host.js';
import { instantiateDecoder, type DecoderExports } from './wasm.js';

export type TraceVersion = SupportedVersion;

export interface DecoderOptions {
  /** Maximum events per batch (default 4096). */
  eventsPerBatch?: number;
}

export const DEFAULT_EVENTS_PER_BATCH = 4096;
const STATUS_FAILED = 2;
const ERR_CORRUPT_BATCH = 1;
const ERR_CORRUPT_TABLE = 2;
const EXPERIMENTS = ['None', 'AllocFree'];
const utf8 = new TextDecoder('utf-8');
const DENSE_IDS = 1 << 20;

/** A slot of a decoder's memory as a FramingRegion (see GenerationDecoder.framingRegions). */
class SlotRegion implements FramingRegion {
  capacity: number;
  private cached: Uint8Array = new Uint8Array(0);

  constructor(
    readonly decoder: GenerationDecoder,
    private readonly wasm: DecoderExports,
    readonly slot: number,
  ) {
    this.capacity = wasm.slotSize(slot);
  }

  view(): Uint8Array {
    if (this.cached.byteLength === 0 && this.capacity > 0) {
      this.cached = new Uint8Array(this.wasm.memory.buffer, this.wasm.slotPointer(this.slot), this.capacity);
    }
    return this.cached;
  }

  /** Only before the decoder's first batch: no batch views yet for memory growth to detach. */
  grow(capacity: number): boolean {
    if (this.decoder.batchesHandedOut) return false;
    this.decoder.reserveSlot(this.slot, capacity, true);
    this.capacity = this.wasm.slotSize(this.slot);
    this.cached = new Uint8Array(0);
    return true;
  }
}

export class GenerationDecoder implements GenerationTables, ColumnFiller {
  private readonly wasm: DecoderExports;
  /** Runs analysis kernels over the batch this decoder produced last (src/model/kernels.ts). */
  readonly kernels = new DecoderKernelHost();
  private views: ColumnViews | null = null;
  private viewsBuffer: ArrayBuffer | null = null;
  private generation: RawGeneration | null = null;
  private pendingError: TraceFormatError | null = null;
  private exhausted = true;
  // Per-generation caches of resolved ids. Ids are small dense numbers in real traces, so arrays
  // indexed by id; the rare id past DENSE_IDS goes to a map.
  private strings: Array<string | undefined> = [];
  private sparseStrings = new Map<bigint, string>();
  private stacks: Array<Stack | undefined> = [];
  private sparseStacks = new Map<number, Stack>();
  private syncCache: Omit<SyncInfo, 'n'> | null = null;

  private constructor(
    private readonly version: TraceVersion,
    private readonly capacity: number,
  ) {
    this.wasm = instantiateDecoder(this.kernels.imports());
    this.kernels.bind(this.wasm as unknown as Record<string, unknown>, this.wasm.memory);
    this.kernels.columnsNow = () => this.columns();
    this.wasm.init(version, capacity);
  }

  static async create(version: TraceVersion, options: DecoderOptions = {}): Promise<GenerationDecoder> {
    const capacity = options.eventsPerBatch ?? DEFAULT_EVENTS_PER_BATCH;
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1 << 20) {
      throw new RangeError(`eventsPerBatch must be an integer in [1, ${1 << 20}], got ${capacity}`);
    }
    return new GenerationDecoder(version, capacity);
  }

  /**
   * Forgets everything decoded so far (goroutine, proc and thread states, the last timestamp, the
   * Sync count, the loaded generation), as a new decoder would, but keeps this instance and its
   * memory. A pool worker starting another run restarts its decoder instead of creating one: each
   * new instance faulted in a fresh linear memory (tens of MB) and left the old one to the garbage
   * collector. Batches handed out before must not be read after.
   */
  restart(): void {
    this.guard(() => this.wasm.init(this.version, this.capacity));
    this.views = null;
    this.viewsBuffer = null;
    this.forgetGeneration(null);
    this.exhausted = true;
  }

  /** Forgets what was read of the loaded generation (its ids' strings and stacks, a pending error). */
  private forgetGeneration(next: RawGeneration | null): void {
    this.kernels.current = null;
    this.generation = next;
    this.pendingError = null;
    this.strings = [];
    this.sparseStrings.clear();
    this.stacks = [];
    this.sparseStacks.clear();
    this.syncCache = null;
  }

  /** Bytes of WASM linear memory in use by this decoder (it grows with the largest generation). */
  get memoryBytes(): number {
    return this.wasm.memory.buffer.byteLength;
  }

  /**
   * Regions of this decoder's memory for a GenerationFramer to frame generations into, so that
   * load() needs no copy: generation k goes to slot k % 2, while the decoder works on the other
   * one (the reader loads generation k before it frames k + 1). A slot keeps its size between
   * generations and grows in load() when a generation did not fit (the rest was framed in
   * JavaScript memory), so that the next one fits.
   */
  /** Whether a batch has been handed out (its views would be detached by memory growth). */
  batchesHandedOut = false;

  /** Grows a framing slot (see framingRegions), keeping its contents if `keep`. */
  reserveSlot(slot: number, length: number, keep: boolean): number {
    return this.guard(() => this.wasm.reserveSlot(slot, length, keep));
  }

  framingRegions(): FramingRegions {
    return (k: number): FramingRegion => new SlotRegion(this, this.wasm, k % 2);
  }

  /** Decodes the generation's tables; throws a TraceFormatError if they are broken. */
  load(gen: RawGeneration): void {
    this.forgetGeneration(gen);
    // The minimal runtime never collects on its own: the previous generation's tables and any
    // garbage from ordering are freed here, between generations, where no WASM frame is live.
    this.guard(() => this.wasm.__collect());
    const framedIn = gen.framedIn;
    const region = framedIn?.region;
    let code: number;
    if (region instanceof SlotRegion && region.decoder === this && region.capacity === this.wasm.slotSize(region.slot)) {
      // Framed in place (see framingRegions); what did not fit goes in behind it, into a slot
      // grown with some headroom so that the next generations fit.
      const slot = region.slot;
      if (gen.byteLength > framedIn!.bytes) {
        const pointer = this.reserveSlot(slot, gen.byteLength + (gen.byteLength >>> 2), true);
        this.copyParts(gen.parts, pointer + framedIn!.bytes);
      }
      code = this.guard(() => this.wasm.loadGenerationInSlot(slot, gen.byteLength, BigInt.asUintN(64, gen.gen)));
      // The next generation goes to the other slot, framed while this one decodes, when no
      // growth is possible: make room for one of this size now.
      const room = gen.byteLength + (gen.byteLength >>> 2);
      if (this.wasm.slotSize(1 - slot) < room) this.reserveSlot(1 - slot, room, false);
    } else {
      // Copied into the input buffer, including what was framed into another region.
      const parts = framedIn === undefined ? gen.parts : [framedIn.region.view().subarray(0, framedIn.bytes), ...gen.parts];
      const pointer = this.guard(() => this.wasm.inputBuffer(gen.byteLength));
      this.copyParts(parts, pointer);
      code = this.guard(() => this.wasm.loadGeneration(gen.byteLength, BigInt.asUintN(64, gen.gen)));
    }
    if (code !== 0) {
      this.exhausted = true;
      throw this.error();
    }
    this.exhausted = false;
  }

  private copyParts(parts: readonly Uint8Array[], pointer: number): void {
    let at = pointer;
    const memory = new Uint8Array(this.wasm.memory.buffer);
    for (const part of parts) {
      memory.set(part, at);
      at += part.length;
    }
  }

  /** The next batch of ordered events of the loaded generation, or null when it is exhausted. */
  next(): EventBatch | null {
    if (this.pendingError !== null) {
      const error = this.pendingError;
      this.pendingError = null;
      this.exhausted = true;
      throw error;
    }
    if (this.exhausted) return null;
    const count = this.guard(() => this.wasm.nextBatch());
    const status = this.wasm.batchStatus();
    if (status === STATUS_FAILED) {
      const error = this.error();
      if (count === 0) {
        this.exhausted = true;
        throw error;
      }
      this.pendingError = error;
    } else if (count === 0) {
      this.exhausted = true;
      return null;
    }
    return this.produced(new EventBatch(count, this.columns(), this, this.generation?.gen ?? 0n, this));
  }

  /** Remembers the batch the columns hold now, for the kernels. */
  private produced(batch: EventBatch): EventBatch {
    this.batchesHandedOut = true;
    this.kernels.produce(batch);
    return batch;
  }

  /**
   * Numbers the following Syncs as if `count` had already been read (Go's Sync.N counts from the
   * start of the trace): for a decoder that starts mid-trace, e.g. on a parallel worker.
   */
  setSyncCount(count: number): void {
    if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`sync count must be a non-negative integer, got ${count}`);
    this.guard(() => this.wasm.setSyncCount(BigInt(count)));
  }

  /** A lone Sync (end of trace, or before a read error is reported). */
  bareSync(): EventBatch {
    const count = this.guard(() => this.wasm.bareSync());
    return this.produced(new EventBatch(count, this.columns(), this, this.generation?.gen ?? 0n, this));
  }

  /** Fills a column of the current batch from the decoder's rows (EventBatch reads through this). */
  fillColumn(column: number): number {
    return this.wasm.fillColumn(column);
  }

  string(id: bigint): string {
    if (id < BigInt(DENSE_IDS)) return this.stringAt(Number(id));
    let s = this.sparseStrings.get(id);
    if (s === undefined) {
      s = this.readString(id);
      this.sparseStrings.set(id, s);
    }
    return s;
  }

  stringAt(id: number): string {
    if (id >= DENSE_IDS || !Number.isInteger(id) || id < 0) return this.string(BigInt(id));
    let s = this.strings[id];
    if (s === undefined) {
      s = this.readString(BigInt(id));
      this.strings[id] = s;
    }
    return s;
  }

  private readString(id: bigint): string {
    if (id === 0n) return '';
    const length = this.wasm.stringLength(id);
    if (length < 0) return '';
    const pointer = this.wasm.stringPointer(id);
    return utf8.decode(new Uint8Array(this.wasm.memory.buffer, pointer, length));
  }

  extraString(id: bigint): string {
    if (id === 0n) return '';
    const length = this.wasm.extraStringLength(id);
    const pointer = this.wasm.extraStringPointer(id);
    return utf8.decode(new Uint8Array(this.wasm.memory.buffer, pointer, length));
  }

  stack(id: number): Stack {
    const dense = id >= 0 && id < DENSE_IDS;
    let stack = dense ? this.stacks[id] : this.sparseStacks.get(id);
    if (stack === undefined) {
      const count = Math.max(0, this.wasm.stackFrames(BigInt(id)));
      const raw = new BigUint64Array(this.wasm.memory.buffer, this.wasm.frameScratchPointer(), count * 4);
      const frames: StackFrame[] = [];
      for (let i = 0; i < count; i++) {
        frames.push({
          pc: raw[i * 4]!,
          func: this.string(raw[i * 4 + 1]!),
          file: this.string(raw[i * 4 + 2]!),
          line: Number(raw[i * 4 + 3]!),
        });
      }
      stack = { id, frames };
      if (dense) this.stacks[id] = stack;
      else this.sparseStacks.set(id, stack);
    }
    return stack;
  }

  syncDetails(): Omit<SyncInfo, 'n'> {
    if (this.syncCache === null) {
      const w = this.wasm;
      const batches = [];
      for (let i = 0; i < w.experimentalBatchCount(); i++) {
        const pointer = w.experimentalBatchPointer(i);
        batches.push({
          experiment: EXPERIMENTS[w.experimentalBatchExperiment(i)] ?? `Experiment(${w.experimentalBatchExperiment(i)})`,
          thread: Number(w.experimentalBatchThread(i)),
          data: new Uint8Array(w.memory.buffer.slice(pointer, pointer + w.experimentalBatchLength(i))),
        });
      }
      this.syncCache = {
        clockSnapshot: w.syncHasClockSnapshot()
          ? {
              trace: w.syncClockTrace(),
              mono: BigInt.asUintN(64, w.syncClockMono()),
              wallSeconds: BigInt.asIntN(64, w.syncClockSec()),
              wallNanoseconds: BigInt.asIntN(64, w.syncClockNsec()),
            }
          : null,
        experimentalBatches: batches,
      };
    }
    return this.syncCache;
  }

  /** Typed-array views over the columns, re-made when WASM memory has grown (growth detaches them). */
  private columns(): ColumnViews {
    const buffer = this.wasm.memory.buffer;
    if (this.views === null || this.viewsBuffer !== buffer) {
      const n = this.capacity;
      const at = (c: Column) => this.wasm.columnPointer(c);
      const f64 = (c: Column) => new Float64Array(buffer, at(c), n);
      const u8 = (c: Column) => new Uint8Array(buffer, at(c), n);
      this.views = {
        time: new BigInt64Array(buffer, at(Column.Time), n),
        args: [
          new BigUint64Array(buffer, at(Column.Arg0), n),
          new BigUint64Array(buffer, at(Column.Arg1), n),
          new BigUint64Array(buffer, at(Column.Arg2), n),
          new BigUint64Array(buffer, at(Column.Arg3), n),
        ],
        timeNs: f64(Column.TimeNs),
        goroutine: f64(Column.Goroutine),
        proc: f64(Column.Proc),
        thread: f64(Column.Thread),
        stack: f64(Column.Stack),
        transitionStack: f64(Column.TransitionStack),
        resourceId: f64(Column.ResourceId),
        reason: f64(Column.Reason),
        kind: u8(Column.Kind),
        wireType: u8(Column.WireType),
        resourceKind: u8(Column.ResourceKind),
        from: u8(Column.From),
        to: u8(Column.To),
        size: new Uint32Array(buffer, at(Column.Size), n),
      };
      this.viewsBuffer = buffer;
      void COLUMN_COUNT;
    }
    return this.views;
  }

  private error(): TraceFormatError {
    const w = this.wasm;
    const code = w.lastErrorCode();
    const reason = w.__getString(w.lastErrorMessage());
    const local = w.lastErrorOffset();
    const gen = this.generation;
    const details = {
      offset: (gen?.fileOffset ?? 0) + Math.max(0, local),
      generation: gen?.gen,
      reason,
    };
    if (code === ERR_CORRUPT_BATCH) return new CorruptBatchError(details);
    if (code === ERR_CORRUPT_TABLE) return new CorruptTableError(details);
    return new InvalidOrderingError(details);
  }

  /** A trap or abort inside WASM means the input drove the decoder somewhere it must not go. */
  private guard<T>(call: () => T): T {
    try {
      return call();
    } catch (cause) {
      const gen = this.generation;
      this.exhausted = true;
      throw new CorruptBatchError(
        { offset: gen?.fileOffset ?? 0, generation: gen?.gen, reason: `decoder stopped on malformed input: ${String(cause)}` },
      );
    }
  }
}
