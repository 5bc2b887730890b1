// The narrow view of the event stream that analyzers read. Analyzers depend on this interface only;
// `columns.ts` adapts the decoder's EventBatch to it. Keeping it narrow lets the analyzers be tested
// against any source of events and keeps them independent of column layout details.
import type { KernelHost } from '../model/index.js';

/** Event kinds, numbered as Go's internal/trace EventKind. */
export const enum Kind {
  Bad = 0,
  Sync = 1,
  Metric = 2,
  Label = 3,
  StackSample = 4,
  RangeBegin = 5,
  RangeActive = 6,
  RangeEnd = 7,
  TaskBegin = 8,
  TaskEnd = 9,
  RegionBegin = 10,
  RegionEnd = 11,
  Log = 12,
  StateTransition = 13,
  Experimental = 14,
}

/** Goroutine states, numbered as Go's GoState. */
export const enum GoState {
  Undetermined = 0,
  NotExist = 1,
  Runnable = 2,
  Running = 3,
  Waiting = 4,
  Syscall = 5,
}

/** Proc states, numbered as Go's ProcState. */
export const enum ProcState {
  Undetermined = 0,
  NotExist = 1,
  Running = 2,
  Idle = 3,
}

/** Resource kinds, numbered as Go's ResourceKind. */
export const enum ResourceKind {
  None = 0,
  Goroutine = 1,
  Proc = 2,
  Thread = 3,
}

/** "No goroutine / proc / thread" in the context columns. */
export const NONE = -1;
/** Stack id meaning "no stack". */
export const NO_STACK = 0;

export interface Frame {
  pc: number;
  func: string;
  file: string;
  line: number;
}

/**
 * Events of one batch, read by index. Numeric ids (goroutine, proc, thread, task) are JS numbers;
 * NONE (-1) stands for "none". Stack ids are only meaningful within the current generation: resolve
 * them with `frames()` before the next Sync.
 */
export interface EventView {
  readonly length: number;
  kind(i: number): Kind;
  /** Wire event type (the byte on the wire), for footprint accounting. */
  wireType(i: number): number;
  /** Bytes the event occupied in the file (header and arguments). */
  encodedSize(i: number): number;
  /** Nanoseconds. */
  time(i: number): number;
  goroutine(i: number): number;
  proc(i: number): number;
  thread(i: number): number;
  /** The event's own stack (Go's Event.Stack()). */
  stack(i: number): number;
  frames(stackId: number): readonly Frame[];

  // StateTransition
  resourceKind(i: number): ResourceKind;
  resourceId(i: number): number;
  fromState(i: number): number;
  toState(i: number): number;
  reason(i: number): string;
  /** Stack of the transitioning resource (StateTransition.Stack). */
  transitionStack(i: number): number;

  // Range* events
  rangeName(i: number): string;
  rangeScopeKind(i: number): ResourceKind;
  rangeScopeId(i: number): number;

  // Metric
  metricName(i: number): string;
  metricValue(i: number): number;

  // Label
  label(i: number): string;

  // Task / Region / Log
  taskId(i: number): number;
  taskParent(i: number): number;
  /** Task type, region type, or log category. */
  annotationType(i: number): string;
  logMessage(i: number): string;

  // Sync
  syncN(i: number): number;

  /**
   * The WASM module holding this batch's columns, when it runs analysis kernels over them (a
   * decoder's batch, while it is the current one); analyzers with a kernel use it instead of
   * their per-event loop in JavaScript (src/analysis/kernels/).
   */
  kernelHost?(): KernelHost | undefined;
  /** With kernelHost: the row of the module's columns that holds this view's event 0. */
  kernelOffset?(): number;
  /**
   * With kernelHost: re-reads the batch's columns after the host refreshed them. A kernel that
   * allocates may grow WASM memory, which detaches every typed array over the old buffer; the
   * pass calls this (see run.ts) before anything reads the view again.
   */
  refreshColumns?(): void;
}

/**
 * An id as a small integer when it fits: ids read from Float64Array/BigInt64Array columns are
 * doubles, and a Map keyed by a double boxes it on every lookup; `| 0` keeps ids below 2^30 as
 * small integers (same key for Map/Set, no allocation).
 */
export function idKey(id: number): number {
  return id >= 0 && id < 0x40000000 ? id | 0 : id;
}
