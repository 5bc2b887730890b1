// Typed errors of the worker pool: callers branch on the class, never on message text.
import { CorruptBatchError, CorruptTableError, InvalidOrderingError, TraceFormatError, TruncatedTraceError, type TraceErrorDetails } from '../errors.js';

/** Base class of every error the pool raises. */
export class PoolError extends Error {
  override name = 'PoolError';
}

/** trySubmit found the bounded queue full (non-blocking mode). */
export class PoolOverloadedError extends PoolError {
  override name = 'PoolOverloadedError';
  constructor(readonly queueCapacity: number) {
    super(`worker pool overloaded: the queue holds its maximum of ${queueCapacity} tasks`);
  }
}

/** The pool was closed (or aborted) before the task finished. */
export class PoolClosedError extends PoolError {
  override name = 'PoolClosedError';
}

/** The task's own AbortSignal fired; the worker running it was stopped and replaced. */
export class TaskAbortedError extends PoolError {
  override name = 'TaskAbortedError';
}

/** Workers keep dying or failing to start: the pool refuses work instead of spinning. */
export class PoolUnhealthyError extends PoolError {
  override name = 'PoolUnhealthyError';
  constructor(readonly consecutiveFailures: number, readonly lastFailure: string) {
    super(`worker pool is unhealthy: ${consecutiveFailures} worker failures in a row without a completed task (last: ${lastFailure})`);
  }
}

/** The worker running the task died (exit or uncaught error) on every allowed attempt. */
export class WorkerCrashedError extends PoolError {
  override name = 'WorkerCrashedError';
  constructor(readonly attempts: number, readonly lastFailure: string) {
    super(`task failed: its worker died on ${attempts} attempt(s) (last: ${lastFailure})`);
  }
}

/** The task ran past its deadline on every allowed attempt; each time its worker was terminated. */
export class TaskTimeoutError extends PoolError {
  override name = 'TaskTimeoutError';
  constructor(readonly attempts: number, readonly timeoutMs: number) {
    super(`task exceeded its ${timeoutMs} ms deadline on ${attempts} attempt(s)`);
  }
}

/** The task's handler threw inside a healthy worker; not retried (the same input fails the same way). */
export class TaskFailedError extends PoolError {
  override name = 'TaskFailedError';
  constructor(readonly remoteName: string, remoteMessage: string, readonly remoteFields: Record<string, unknown> = {}) {
    super(`${remoteName}: ${remoteMessage}`);
  }
}

const TRACE_ERROR_CLASSES: Record<string, new (details: TraceErrorDetails) => TraceFormatError> = {
  CorruptBatchError,
  CorruptTableError,
  InvalidOrderingError,
  TruncatedTraceError,
};

/**
 * A decode error from a worker (a TaskFailedError carrying its name and fields), rebuilt as the
 * TraceFormatError the sequential reader throws; any other error as it is.
 */
export function traceErrorFromWorker(error: unknown): unknown {
  if (!(error instanceof TaskFailedError)) return error;
  const Class = TRACE_ERROR_CLASSES[error.remoteName];
  const fields = error.remoteFields;
  if (Class === undefined || typeof fields.offset !== 'number' || typeof fields.reason !== 'string') return error;
  const generation = typeof fields.generation === 'string' ? BigInt(fields.generation) : undefined;
  return new Class({ offset: fields.offset, generation, reason: fields.reason });
}

/** A task named a handler the task module does not export. */
export class UnknownTaskError extends PoolError {
  override name = 'UnknownTaskError';
}

/** Cross-generation checks at merge time failed (results out of order, gaps, mismatched version). */
export class MergeConsistencyError extends PoolError {
  override name = 'MergeConsistencyError';
}

/** Which cross-generation check failed. */
export type BoundaryCheck = 'goroutine-status' | 'proc-status' | 'syscall-thread' | 'clock';

/**
 * Generation N+1 does not continue where generation N ended: a goroutine or proc restated with a
 * status other than the one it ended with (or one never seen before), a syscalling goroutine on a
 * thread that ran another one, or a clock that went backwards. Raised at the merge of parallel
 * decoding, before any event of the offending generation is handed out; the reasons are Go's
 * reader's words where it has them (a sequential read fails on the same trace).
 */
export class GenerationBoundaryError extends InvalidOrderingError {
  readonly check: BoundaryCheck;
  readonly previousGeneration: bigint | undefined;
  constructor(check: BoundaryCheck, details: { offset: number; generation: bigint; previousGeneration: bigint | undefined; reason: string }) {
    super({ offset: details.offset, generation: details.generation, reason: details.reason });
    this.check = check;
    this.previousGeneration = details.previousGeneration;
  }
}
