// The contract between the analysis kernels compiled into the decoder's WASM module
// (assembly/analysis/) and the analyzers that drive them (src/analysis/kernels/). A kernel is the
// per-event part of an analysis, run inside the module over the batch's columns where the decoder
// wrote them; the analyzer keeps its partial format, merge and report in TypeScript.
import type { EventBatch } from './batch.js';

/**
 * What a kernel instance asks JavaScript: strings and stacks interned across generations (the
 * trace's ids are per generation). Each is asked once per distinct id and generation.
 */
export interface KernelCallbacks {
  /** Global id of a generation-local string id. */
  internString(id: number): number;
  /** Index in the analyzer's stack table of a generation-local stack id (0: empty stack). */
  internStack(id: number): number;
  /** Global string id of the outermost frame's function of a stack, -1 for an empty stack. */
  stackRoot(id: number): number;
  /** PC of the outermost frame of a stack (0 for an empty stack). */
  stackRootPc(id: number): number;
  /** Global string id of the range name of event `event` of the current batch. */
  rangeName(event: number): number;
  /** Global string id of the label of event `event` of the current batch (a Label event). */
  label(event: number): number;
  /** Global string id of the reason of state transition `event` of the current batch. */
  reason(event: number): number;
}

/** A decoder whose module runs analysis kernels over the batch it produced last. */
export interface KernelHost {
  /** The module's exports; each kernel binding checks for the functions it needs. */
  readonly exports: Readonly<Record<string, unknown>>;
  /** The module's memory buffer now (it is replaced when memory grows: re-read after calls). */
  memory(): ArrayBuffer;
  /** Answers the calls of kernel instance `handle` with `callbacks` until detach(). */
  attach(handle: number, callbacks: Partial<KernelCallbacks>): void;
  detach(handle: number): void;
  /** Counts the batches the module produced: which one its columns hold now. */
  readonly batchNumber: number;
  /** True while `batch`'s events are the ones in the module's columns. */
  holds(batch: EventBatch): boolean;
  /**
   * Gives the current batch new column views if the module's memory grew (a kernel allocating
   * can grow it, which detaches every typed array over the old buffer), and through
   * EventBatch.onReattach every adapter bound to it. Returns whether it did. Call it after any
   * call into the module before reading the batch again (callbacks get it for free).
   */
  refresh(): boolean;
}
