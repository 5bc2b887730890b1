// Typed errors for everything that can go wrong while reading a trace. Every error names where in
// the file it happened (byte offset), which generation was being read, and why, so a user with a
// 4 GB trace can tell a truncated copy from a runtime bug without a hex editor.

export type TraceErrorCode =
  | 'NOT_A_TRACE'
  | 'UNSUPPORTED_VERSION'
  | 'TRUNCATED'
  | 'CORRUPT_BATCH'
  | 'CORRUPT_TABLE'
  | 'INVALID_ORDERING'
  | 'GENERATION_TOO_LARGE'
  | 'ABORTED';

export interface TraceErrorDetails {
  /** Byte offset in the file where the problem was detected (the start of the offending batch or item). */
  offset: number;
  /** Generation number (as written in the file) being read, or undefined before the first batch. */
  generation?: bigint | undefined;
  /** Human-readable reason, in the words Go's reader uses where there is an equivalent. */
  reason: string;
}

/** Base class of every error schedscope raises about trace contents. */
export class TraceFormatError extends Error {
  readonly code: TraceErrorCode;
  readonly offset: number;
  readonly generation: bigint | undefined;
  readonly reason: string;

  constructor(code: TraceErrorCode, details: TraceErrorDetails, options?: { cause?: unknown }) {
    const where = details.generation === undefined ? '' : `, generation ${details.generation}`;
    super(`${details.reason} (at byte ${details.offset}${where})`, options);
    this.name = new.target.name;
    this.code = code;
    this.offset = details.offset;
    this.generation = details.generation;
    this.reason = details.reason;
  }
}

/**
 * A trace error as plain data (JSON reports): what `stat` and, with `onTraceError: 'report'`,
 * `analyze` and `diagnose` return beside the results for the events before it.
 */
export interface TraceErrorSummary {
  name: string;
  code: TraceErrorCode;
  /** The error's message: the reason, then where ("… (at byte N, generation G)"). */
  message: string;
  reason: string;
  offset: number;
  /** The generation being read, as written in the file (a decimal string: it is a uint64 there). */
  generation: string | null;
}

export function summarizeTraceError(error: TraceFormatError): TraceErrorSummary {
  return { name: error.name, code: error.code, message: error.message, reason: error.reason, offset: error.offset, generation: error.generation?.toString() ?? null };
}

/** The bytes do not start with a Go execution trace header. */
export class NotATraceError extends TraceFormatError {
  constructor(details: TraceErrorDetails) {
    super('NOT_A_TRACE', details);
  }
}

/** A Go trace, but a format version schedscope does not read (legacy ≤1.21 or unknown). */
export class UnsupportedVersionError extends TraceFormatError {
  readonly version: string;
  constructor(version: string, details: TraceErrorDetails) {
    super('UNSUPPORTED_VERSION', details);
    this.version = version;
  }
}

/** The input ended in the middle of a batch or a generation. */
export class TruncatedTraceError extends TraceFormatError {
  constructor(details: TraceErrorDetails) {
    super('TRUNCATED', details);
  }
}

/** A batch header or payload is malformed (bad varint, bad size, unknown event type…). */
export class CorruptBatchError extends TraceFormatError {
  constructor(details: TraceErrorDetails) {
    super('CORRUPT_BATCH', details);
  }
}

/** A string, stack, CPU-sample or sync table of a generation is malformed or inconsistent. */
export class CorruptTableError extends TraceFormatError {
  constructor(details: TraceErrorDetails) {
    super('CORRUPT_TABLE', details);
  }
}

/** The events cannot be ordered consistently with the scheduler's state machine. */
export class InvalidOrderingError extends TraceFormatError {
  constructor(details: TraceErrorDetails) {
    super('INVALID_ORDERING', details);
  }
}

/** A generation is larger than `maxGenerationBytes`; reading it would break the memory bound. */
export class GenerationTooLargeError extends TraceFormatError {
  readonly limit: number;
  constructor(limit: number, details: TraceErrorDetails) {
    super('GENERATION_TOO_LARGE', details);
    this.limit = limit;
  }
}

/** Reading was cancelled through an AbortSignal. */
export class TraceAbortedError extends TraceFormatError {
  constructor(details: TraceErrorDetails, options?: { cause?: unknown }) {
    super('ABORTED', details, options);
  }
}
