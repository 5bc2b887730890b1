// The contract every analyzer follows. An analyzer consumes EventViews in order, keeps only
// aggregates, and can be run on any contiguous run of generations: its partial result is plain
// data that survives structured cloning (objects, arrays, numbers, strings, typed arrays: what a
// pool worker posts back) and `merge(a, b)` (b following a in the trace) is associative, so
// per-generation partials merged in order equal one pass over the whole trace.
import type { EventView } from './events.js';

export interface AnalyzerInstance<P> {
  consume(view: EventView): void;
  /** The partial result so far (a deep copy: later events do not change it). */
  partial(): P;
  /**
   * Analyses that resume (`AnalysisDefinition.resumes`): forget the results accumulated so far but
   * keep the state the events so far built (goroutine states, GC phase, gauges, open intervals).
   * The next `partial()` covers only the events consumed after this call, and `merge(a, that)`
   * with `a` covering the events before it equals one partial over both. A worker uses it to
   * start a part mid-trace with the true state: it consumes the generation before its run as a
   * warm-up (every live goroutine and P is restated in each generation), then calls this.
   */
  beginPart?(): void;
}

export interface CreateContext {
  /**
   * True when the first event this instance sees is the start of the trace. A partial that
   * begins mid-trace meets goroutines and procs in states entered earlier; it records them so
   * `merge` can stitch them to the preceding partial.
   */
  atTraceStart: boolean;
  /** Objects shared by analyzers running in the same pass (e.g. one goroutine state machine). */
  shared: Map<string, unknown>;
  /**
   * Whether analyzers with a WASM kernel may use it (default: yes unless SCHEDSCOPE_KERNELS=0).
   * False runs the JavaScript implementations, which tests compare the kernels with.
   */
  kernels?: boolean;
  /**
   * For a part that begins mid-trace: what the merging thread learnt from the partials it holds
   * (AnalysisDefinition.hintFrom), so the part can keep less. Absent: nothing known yet.
   */
  hint?: unknown;
}

/**
 * A merge found that the later part relied on a hint (CreateContext.hint) that turned out wrong:
 * that part must be computed again without one. AnalysisDefinition.acceptsAfter tells beforehand.
 */
export class HintMissedError extends Error {
  override readonly name = 'HintMissedError';
  constructor(
    readonly analysis: string,
    message: string,
  ) {
    super(message);
  }
}

/** How a merge may run (a merge has no pass: what it may use comes from its caller). */
export interface MergeContext {
  /**
   * Whether a merge may run kernels in a WASM module of its own (MMU's replay of a recording), as
   * CreateContext.kernels for a pass: default yes unless SCHEDSCOPE_KERNELS=0.
   */
  kernels?: boolean;
}

export interface AnalysisDefinition<O, P, R> {
  readonly name: string;
  /**
   * True when a partial that begins mid-trace cannot be interpreted alone and carries its events
   * to be replayed at merge time (the analysis depends on state it cannot see restated, such as
   * how many goroutines were running). The parallel path runs such analyses in one sequential
   * pass beside the pool instead of shipping those recordings.
   */
  readonly replaysMidTraceParts?: boolean;
  /**
   * With `replaysMidTraceParts`: the recordings are compact and their replay costs a small
   * fraction of a pass, so the parallel path ships them from the pool instead of running a
   * second sequential pass (decoding everything again) beside it.
   */
  readonly replaysCheaply?: boolean;
  /**
   * The instance implements `beginPart()`, and `merge(a, b)` accepts a `b` made that way (a
   * "resumed" partial). Parallel analysis then runs it on the pool with warmed-up state instead
   * of replaying recorded events.
   */
  readonly resumes?: boolean;
  /**
   * Buffers inside `partial` that it alone owns (typed arrays made for it), which a worker may
   * transfer to the merging thread instead of copying. Only for partials that are not read again.
   */
  transferables?(partial: P): ArrayBuffer[];
  /**
   * A hint for parts about to begin mid-trace (CreateContext.hint), from the partials the merging
   * thread holds (the merged prefix and any that wait to be merged, in no particular order);
   * undefined for none. A hint may be incomplete: `acceptsAfter` then refuses the part.
   */
  hintFrom?(known: readonly P[]): unknown;
  /**
   * Whether `b` may merge after `a`: false when `b` was made under a hint that `a` shows to be
   * wrong, and `b`'s part must be computed again without one (`merge` would throw
   * HintMissedError). Absent: always.
   */
  acceptsAfter?(a: P, b: P): boolean;
  create(options: O, context: CreateContext): AnalyzerInstance<P>;
  /** Combines two partials, `b` covering the events right after `a`'s. */
  merge(a: P, b: P, options: O, context?: MergeContext): P;
  /** Turns a partial covering the whole trace into the report. */
  finish(partial: P, options: O): R;
}
