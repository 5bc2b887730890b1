// Messages between the pool (main thread) and a worker (worker-entry.ts), and the task-module contract.
import type { WorkerPlacement } from './placement.js';

export interface WorkerBootData {
  workerIndex: number;
  placement: WorkerPlacement;
  /** Module exporting `handlers` (and optionally `setup`), imported by the worker after pinning. */
  taskModuleUrl: string;
  /** Bytes of scratch memory the worker allocates and touches after pinning (0 = none). */
  scratchBytes: number;
  /** Passed to the task module's setup(); must be structured-cloneable. */
  setupData: unknown;
}

/** What a worker reports once pinned, its memory policy set, its buffers touched and its module set up. */
export interface WorkerReadyInfo {
  workerIndex: number;
  /** Kernel thread id of the worker. */
  tid: number;
  /** The worker's affinity mask read back from inside it after pinning. */
  affinity: number[];
  /** 'bind:N' when the memory policy was set, otherwise why not. */
  memoryPolicy: string;
  /** Why the worker could not pin itself (null when pinned or not asked to). */
  pinningProblem: string | null;
  scratchBytes: number;
}

export interface SerializedError {
  name: string;
  message: string;
  fields: Record<string, unknown>;
}

export type ToWorker = { type: 'task'; id: number; name: string; payload: unknown };

export type FromWorker =
  | { type: 'ready'; info: WorkerReadyInfo }
  | { type: 'startup-error'; error: SerializedError }
  | { type: 'started'; id: number }
  | { type: 'done'; id: number; ok: true; value: unknown }
  | { type: 'done'; id: number; ok: false; error: SerializedError };

/** Given to a task module's setup() and to each handler. */
export interface WorkerContext {
  workerIndex: number;
  /** Pre-touched scratch memory (allocated after pinning, so its pages sit on the worker's node). */
  scratch: Uint8Array;
  setupData: unknown;
  /** Per-worker state a task module may keep between tasks (a decoder, open file handles). */
  state: Map<string, unknown>;
  /** Grows the scratch buffer (touching the new pages) when a task needs more. */
  ensureScratch(bytes: number): Uint8Array;
}

export type TaskHandler = (payload: unknown, context: WorkerContext) => unknown;

/**
 * A handler's result whose buffers move to the main thread instead of being copied (postMessage
 * transfer): `return new TransferringResult(value, [buffer, ...])`. The pool resolves with `value`.
 */
export class TransferringResult {
  constructor(
    readonly value: unknown,
    readonly transfer: ArrayBuffer[],
  ) {}
}

/** Shape of a task module: `export const handlers = { name: (payload, ctx) => result }`. */
export interface TaskModule {
  setup?: (context: WorkerContext) => unknown;
  handlers: Record<string, TaskHandler>;
}
