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

export class EventBatch implements ColumnViews {
  readonly time: BigInt64Array;
  readonly args: readonly [BigUint64Array, BigUint64Array, BigUint64Array, BigUint64Array];
  readonly timeNs: Float64Array;
  readonly goroutine: Float64Array;
  readonly proc: Float64Array;
  readonly thread: Float64Array;
  readonly stack: Float64Array;
  readonly transitionStack: Float64Array;
  readonly resourceId: Float64Array;
  readonly reason: Float64Array;
  readonly kind: Uint8Array;
  readonly wireType: Uint8Array;
  readonly resourceKind: Uint8Array;
  readonly from: Uint8Array;
  readonly to: Uint8Array;
  readonly size: Uint32Array;

  /**
   * @param length number of events in this batch (columns may be longer)
   * @param generation generation number the events belong to (0n for a Sync made at the end)
   */
  constructor(
    readonly length: number,
    views: ColumnViews,
    readonly tables: GenerationTables,
    readonly generation: bigint,
  ) {
    this.time = views.time;
    this.args = views.args;
    this.timeNs = views.timeNs;
    this.goroutine = views.goroutine;
    this.proc = views.proc;
    this.thread = views.thread;
    this.stack = views.stack;
    this.transitionStack = views.transitionStack;
    this.resourceId = views.resourceId;
    this.reason = views.reason;
    this.kind = views.kind;
    this.wireType = views.wireType;
    this.resourceKind = views.resourceKind;
    this.from = views.from;
    this.to = views.to;
    this.size = views.size;
  }

  /**
   * Replaces the column views with views of the same rows over a new buffer (after WASM memory
   * grew: the old views are detached). For the decoder's kernel host; the rows do not change.
   */
  reattach(views: ColumnViews): void {
    this.assignViews(views);
    for (const listener of this.reattachListeners) listener();
  }

  /** Calls `listener` after every reattach() (adapters that copied the views re-read them). */
  onReattach(listener: () => void): void {
    if (!this.reattachListeners.includes(listener)) this.reattachListeners.push(listener);
  }

  private readonly reattachListeners: (() => void)[] = [];

  private assignViews(views: ColumnViews): void {
    Object.assign(this, {
      time: views.time,
      args: views.args,
      timeNs: views.timeNs,
      goroutine: views.goroutine,
      proc: views.proc,
      thread: views.thread,
      stack: views.stack,
      transitionStack: views.transitionStack,
      resourceId: views.resourceId,
      reason: views.reason,
      kind: views.kind,
      wireType: views.wireType,
      resourceKind: views.resourceKind,
      from: views.from,
      to: views.to,
      size: views.size,
    });
  }

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
    const kindCode = this.kind[i]!;
    const type = this.wireType[i]!;
    const time = this.timeNs[i]!;
    // Float64 is exact below 2^53 ns; past that (or for negative times) keep the exact int64 too.
    const exactTime = time >= 0 && time <= Number.MAX_SAFE_INTEGER ? undefined : this.time[i]!;
    const stackId = this.stack[i]!;
    const stack = stackId >= 0 ? this.tables.stack(stackId) : null;
    const tables = this.tables;
    let detail: EventDetail = null;
    switch (kindCode) {
      case EventKind.StateTransition: {
        const isGoroutine = this.resourceKind[i] === 1;
        const tstack = this.transitionStack[i]!;
        const reason = this.reason[i]!;
        return new Event(
          kindCode,
          type,
          time,
          exactTime,
          this.goroutine[i]!,
          this.proc[i]!,
          this.thread[i]!,
          stack,
          this.size[i]!,
          null,
          isGoroutine ? Event.GOROUTINE : Event.PROC,
          this.resourceId[i]!,
          this.from[i]!,
          this.to[i]!,
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
        detail = { kind: 'range', value: this.rangeInfo(i, type) };
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
    return new Event(kindCode, type, time, exactTime, this.goroutine[i]!, this.proc[i]!, this.thread[i]!, stack, this.size[i]!, detail);
  }

  private rangeInfo(i: number, type: number): RangeInfo {
    // Ranges are the most common events after state transitions: read the u64 arguments (each read
    // makes a BigInt) only for the range types that use them.
    const scope = { kind: RESOURCE_KINDS[this.resourceKind[i]!]!, id: this.resourceId[i]! };
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

  *[Symbol.iterator](): IterableIterator<Event> {
    for (let i = 0; i < this.length; i++) yield this.event(i);
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
