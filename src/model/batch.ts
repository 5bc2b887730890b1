// EventBatch: a window of decoded events as typed-array columns over the decoder's memory (see
// columns.ts for the layout), plus what is needed to turn one row into an Event object.
import { EventKind, NO_TASK, WireType, wireTypeName } from './columns.js';
import type { KernelHost } from './kernels.js';
import {
  Event,
  experimentalArgNames,
  type EventDetail,
  type RangeInfo,
  type ResourceRef,
  type Stack,
  type SyncInfo,
} from './event.js';

/** Resolves the ids of the generation the batch belongs to (implemented by the decoder). */
export interface GenerationTables {
  string(id: bigint): string;
  /** The same as string(), for an id held as a number (the columns' f64 form). */
  stringAt(id: number): string;
  extraString(id: bigint): string;
  stack(id: number): Stack;
  /** Sync details of the generation (null for a Sync the reader makes at the end or before an error). */
  syncDetails(): Omit<SyncInfo, 'n'>;
  /** Present when the batch's columns live in a WASM module that runs analysis kernels over them. */
  readonly kernels?: KernelHost;
}

export interface ColumnViews {
  time: BigInt64Array;
  args: readonly [BigUint64Array, BigUint64Array, BigUint64Array, BigUint64Array];
  timeNs: Float64Array;
  goroutine: Float64Array;
  proc: Float64Array;
  thread: Float64Array;
  stack: Float64Array;
  transitionStack: Float64Array;
  resourceId: Float64Array;
  reason: Float64Array;
  kind: Uint8Array;
  wireType: Uint8Array;
  resourceKind: Uint8Array;
  from: Uint8Array;
  to: Uint8Array;
  size: Uint32Array;
}

const RESOURCE_KINDS: ReadonlyArray<ResourceRef['kind']> = ['None', 'Goroutine', 'Proc', 'Thread'];

/**
 * Where a batch's columns are filled on first use: the decoder writes each event as a compact row
 * and fills a column from the rows when it is first read in a batch. `fillColumn(c)` makes column
 * c (a Column number) hold the current batch's values and returns the mask (bit per Column) of
 * every column that does now.
 */
export interface ColumnFiller {
  fillColumn(column: number): number;
}


// Bits of `EventBatch.pending` (1 << Column).
const B_TIME = 1 << 0;
const B_ARGS = (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4);
const B_TIME_NS = 1 << 5;
const B_GOROUTINE = 1 << 6;
const B_PROC = 1 << 7;
const B_THREAD = 1 << 8;
const B_STACK = 1 << 9;
const B_TRANSITION_STACK = 1 << 10;
const B_RESOURCE_ID = 1 << 11;
const B_REASON = 1 << 12;
const B_KIND = 1 << 13;
const B_WIRE_TYPE = 1 << 14;
const B_RESOURCE_KIND = 1 << 15;
const B_FROM = 1 << 16;
const B_TO = 1 << 17;
const B_SIZE = 1 << 18;
const COLUMN_COUNT = 19;
const ALL_COLUMNS = (1 << COLUMN_COUNT) - 1;
/**
 * What event() reads for every event: all but the exact int64 time (read only past 2^53 ns; the
 * decoder fills it with timeNs anyway) and the four u64 argument columns, which only rare kinds
 * read: a batch in rows whose events have no arguments never fills them (32 of the 113 column
 * bytes per event). test/decoder/object-columns.test.ts builds such batches.
 */
const OBJECT_COLUMNS = ALL_COLUMNS & ~B_TIME & ~B_ARGS;

/**
 * A window of decoded events as typed-array columns. The columns are read through getters: a
 * batch straight from the decoder fills each column from the decoder's rows the first time it is
 * read (one pass over the batch), so reading only some columns costs only those. The arrays are
 * the same objects batch after batch (views over the decoder's memory) until its memory grows.
 */
export class EventBatch implements ColumnViews {
  private views: ColumnViews;
  /** Columns (bit per Column) that may not hold this batch's values yet: filled on first read. */
  private pending: number;

  /**
   * @param length number of events in this batch (columns may be longer)
   * @param generation generation number the events belong to (0n for a Sync made at the end)
   * @param filler fills the columns on first read; without one, `views` already hold the events
   */
  constructor(
    readonly length: number,
    views: ColumnViews,
    readonly tables: GenerationTables,
    readonly generation: bigint,
    private readonly filler: ColumnFiller | null = null,
  ) {
    this.views = views;
    this.pending = filler === null ? 0 : ALL_COLUMNS;
  }

  get time(): BigInt64Array {
    if (this.pending & B_TIME) this.fill(0);
    return this.views.time;
  }
  get args(): readonly [BigUint64Array, BigUint64Array, BigUint64Array, BigUint64Array] {
    if (this.pending & B_ARGS) this.fillArgs();
    return this.views.args;
  }
  get timeNs(): Float64Array {
    if (this.pending & B_TIME_NS) this.fill(5);
    return this.views.timeNs;
  }
  get goroutine(): Float64Array {
    if (this.pending & B_GOROUTINE) this.fill(6);
    return this.views.goroutine;
  }
  get proc(): Float64Array {
    if (this.pending & B_PROC) this.fill(7);
    return this.views.proc;
  }
  get thread(): Float64Array {
    if (this.pending & B_THREAD) this.fill(8);
    return this.views.thread;
  }
  get stack(): Float64Array {
    if (this.pending & B_STACK) this.fill(9);
    return this.views.stack;
  }
  get transitionStack(): Float64Array {
    if (this.pending & B_TRANSITION_STACK) this.fill(10);
    return this.views.transitionStack;
  }
  get resourceId(): Float64Array {
    if (this.pending & B_RESOURCE_ID) this.fill(11);
    return this.views.resourceId;
  }
  get reason(): Float64Array {
    if (this.pending & B_REASON) this.fill(12);
    return this.views.reason;
  }
  get kind(): Uint8Array {
    if (this.pending & B_KIND) this.fill(13);
    return this.views.kind;
  }
  get wireType(): Uint8Array {
    if (this.pending & B_WIRE_TYPE) this.fill(14);
    return this.views.wireType;
  }
  get resourceKind(): Uint8Array {
    if (this.pending & B_RESOURCE_KIND) this.fill(15);
    return this.views.resourceKind;
  }
  get from(): Uint8Array {
    if (this.pending & B_FROM) this.fill(16);
    return this.views.from;
  }
  get to(): Uint8Array {
    if (this.pending & B_TO) this.fill(17);
    return this.views.to;
  }
  get size(): Uint32Array {
    if (this.pending & B_SIZE) this.fill(18);
    return this.views.size;
  }

  // One call per column read (not per column filled): the decoder fills next batch's columns
  // from the ones read in this one, so it must see every read.
  private fill(column: number): void {
    this.filler!.fillColumn(column);
    this.pending &= ~(1 << column);
  }

  private fillArgs(): void {
    for (let c = 1; c <= 4; c++) if (this.pending & (1 << c)) this.fill(c);
  }

  /** The columns, with those in `columns` (a mask of column bits) filled. */
  private filledViews(columns: number): ColumnViews {
    const missing = this.pending & columns;
    if (missing !== 0) {
      for (let c = 0; c < COLUMN_COUNT; c++) if (missing & (1 << c)) this.fill(c);
    }
    return this.views;
  }

  /**
   * The buffer the columns are views of, without filling any (for the decoder's kernel host,
   * which checks whether memory growth detached them).
   * @internal
   */
  get columnBuffer(): ArrayBufferLike {
    return this.views.kind.buffer;
  }

  /**
   * Replaces the column views with views of the same rows over a new buffer (after WASM memory
   * grew: the old views are detached). For the decoder's kernel host; the rows do not change.
   */
  reattach(views: ColumnViews): void {
    this.views = views;
    for (const listener of this.reattachListeners) listener();
  }

  /** Calls `listener` after every reattach() (adapters that copied the views re-read them). */
  onReattach(listener: () => void): void {
    if (!this.reattachListeners.includes(listener)) this.reattachListeners.push(listener);
  }

  private readonly reattachListeners: (() => void)[] = [];

  /** Resolves a string id of this batch's generation. */
  string(id: number | bigint): string {
    return this.tables.string(BigInt(id));
  }

  /** Resolves a stack id of this batch's generation. */
  stackFrames(id: number): Stack {
    return this.tables.stack(id);
  }

  /** The i-th event as an object that stays valid after the batch. */
  event(i: number): Event {
    const v = this.filledViews(OBJECT_COLUMNS);
    const kindCode = v.kind[i]!;
    const type = v.wireType[i]!;
    const time = v.timeNs[i]!;
    // Float64 is exact below 2^53 ns; past that (or for negative times) keep the exact int64 too.
    const exactTime = time >= 0 && time <= Number.MAX_SAFE_INTEGER ? undefined : this.time[i]!;
    const stackId = v.stack[i]!;
    const stack = stackId >= 0 ? this.tables.stack(stackId) : null;
    const tables = this.tables;
    let detail: EventDetail = null;
    switch (kindCode) {
      case EventKind.StateTransition: {
        const isGoroutine = v.resourceKind[i] === 1;
        const tstack = v.transitionStack[i]!;
        const reason = v.reason[i]!;
        return new Event(
          kindCode,
          type,
          time,
          exactTime,
          v.goroutine[i]!,
          v.proc[i]!,
          v.thread[i]!,
          stack,
          v.size[i]!,
          null,
          isGoroutine ? Event.GOROUTINE : Event.PROC,
          v.resourceId[i]!,
          v.from[i]!,
          v.to[i]!,
          reason === 0 ? '' : tables.stringAt(reason),
          tstack >= 0 ? tables.stack(tstack) : null,
        );
      }
      case EventKind.Sync: {
        const n = Number(this.args[0][i]!);
        detail = {
          kind: 'sync',
          value: this.args[1][i]! === 1n ? { n, ...tables.syncDetails() } : { n, clockSnapshot: null, experimentalBatches: [] },
        };
        break;
      }
      case EventKind.Metric:
        detail = { kind: 'metric', value: { name: metricName(type), value: this.args[0][i]! } };
        break;
      case EventKind.Label:
        detail = { kind: 'label', value: tables.string(this.args[0][i]!) };
        break;
      case EventKind.RangeBegin:
      case EventKind.RangeActive:
      case EventKind.RangeEnd:
        detail = { kind: 'range', value: this.rangeInfo(v, i, type) };
        break;
      case EventKind.TaskBegin:
        detail = { kind: 'task', value: { id: this.args[0][i]!, parent: this.args[1][i]!, type: tables.string(this.args[2][i]!) } };
        break;
      case EventKind.TaskEnd:
        detail = { kind: 'task', value: { id: this.args[0][i]!, parent: this.args[2][i]!, type: tables.extraString(this.args[3][i]!) } };
        break;
      case EventKind.RegionBegin:
      case EventKind.RegionEnd:
        detail = { kind: 'region', value: { task: this.args[0][i]!, type: tables.string(this.args[1][i]!) } };
        break;
      case EventKind.Log:
        detail = {
          kind: 'log',
          value: { task: this.args[0][i]!, category: tables.string(this.args[1][i]!), message: tables.string(this.args[2][i]!) },
        };
        break;
      case EventKind.Experimental: {
        const names = experimentalArgNames(type);
        const values = [this.args[0][i]!, this.args[1][i]!, this.args[2][i]!];
        detail = {
          kind: 'experimental',
          value: { name: wireTypeName(type), experiment: 'AllocFree', args: names.map((name, k) => ({ name, value: values[k]! })) },
        };
        break;
      }
      default:
        break;
    }
    return new Event(kindCode, type, time, exactTime, v.goroutine[i]!, v.proc[i]!, v.thread[i]!, stack, v.size[i]!, detail);
  }

  private rangeInfo(v: ColumnViews, i: number, type: number): RangeInfo {
    // Ranges are the most common events after state transitions: read the u64 arguments (each read
    // makes a BigInt) only for the range types that use them.
    const scope = { kind: RESOURCE_KINDS[v.resourceKind[i]!]!, id: v.resourceId[i]! };
    switch (type) {
      case WireType.STWBegin:
      case WireType.STWEnd:
        return { name: rangeName(type, () => this.tables.string(this.args[0][i]!)), scope, attributes: NO_ATTRIBUTES };
      case WireType.GCSweepEnd:
        return {
          name: rangeName(type, NO_STW_KIND),
          scope,
          attributes: [
            { name: 'bytes swept', value: this.args[0][i]! },
            { name: 'bytes reclaimed', value: this.args[1][i]! },
          ],
        };
      default:
        return { name: rangeName(type, NO_STW_KIND), scope, attributes: NO_ATTRIBUTES };
    }
  }

  [Symbol.iterator](): IterableIterator<Event> {
    return new BatchEventIterator(this);
  }
}

/** Go's Range().Name for a range event of wire type `type`; `stwKind` resolves the STW kind string. */
export function rangeName(type: number, stwKind: () => string): string {
  switch (type) {
    case WireType.STWBegin:
    case WireType.STWEnd:
      return `stop-the-world (${stwKind()})`;
    case WireType.GCBegin:
    case WireType.GCActive:
    case WireType.GCEnd:
      return 'GC concurrent mark phase';
    case WireType.GCSweepBegin:
    case WireType.GCSweepActive:
    case WireType.GCSweepEnd:
      return 'GC incremental sweep';
    default:
      return 'GC mark assist';
  }
}

/** rangeName's stwKind for a range that is not STW (only STW ranges name a kind; the others never call it). */
export const NO_STW_KIND = (): string => '';

/** Go's metric name for a Metric event of wire type `type`. */
export function metricName(type: number): string {
  switch (type) {
    case WireType.ProcsChange:
      return '/sched/gomaxprocs:threads';
    case WireType.HeapAlloc:
      return '/memory/classes/heap/objects:bytes';
    default:
      return '/gc/heap/goal:bytes';
  }
}

/** Shared by every range without attributes: one frozen empty list instead of one per event. */
const NO_ATTRIBUTES: RangeInfo['attributes'] = Object.freeze([]);

export { NO_TASK };

/**
 * `for (const event of batch)`: a plain iterator rather than a generator, whose suspend and resume
 * cost ~9 ns per event on the object path (measured with bench/decode-child.mjs batch-objects).
 */
class BatchEventIterator implements IterableIterator<Event> {
  private index = 0;

  constructor(private readonly batch: EventBatch) {}

  next(): IteratorResult<Event, undefined> {
    const batch = this.batch;
    if (this.index < batch.length) return { done: false, value: batch.event(this.index++) };
    return { done: true, value: undefined };
  }

  [Symbol.iterator](): IterableIterator<Event> {
    return this;
  }
}
