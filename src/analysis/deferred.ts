// Shared plumbing for analyzers whose partial is either a resolved state (a part that began at
// the trace start, or one already merged after such a part) or the recorded events of a part that
// began mid-trace (see recorded.ts).
import type { AnalysisDefinition, AnalyzerInstance } from './analyzer.js';
import type { EventView } from './events.js';
import type { KernelHost } from '../model/index.js';
import { kernelOrScript } from './kernels/kernel.js';
import { concatRecordings, emptyRecording, recordEvent, recordedView, type RecordedEvents } from './recorded.js';

export interface StatefulAnalyzer<S> {
  consume(view: EventView): void;
  state(): S;
  /**
   * Begins a part in place: afterwards state() is what `resumption.reset(state())` gives. Without
   * it, a part begins on a new analyzer made from that reset state (a kernel keeps its state in
   * WASM and resets it there instead).
   */
  beginPart?(): void;
}

/**
 * `resumed`: the state of a part begun with beginPart() (its results cover only that part, its
 * state is the true state); `recorded`: the events of a part that began mid-trace without it.
 */
export type DeferredPartial<S> = { state: S; recorded: null; resumed?: boolean } | { state: null; recorded: RecordedEvents; resumed?: undefined };

/** How an analyzer's state splits into what a part accumulates and what it carries on. */
export interface Resumption<S, O> {
  /** The state with every accumulated result cleared and the carried state (counts, gauges, open intervals) kept. */
  reset(state: S): S;
  /** `a` followed by the resumed part `b`: results combined, carried state from `b`. Reads both without changing them (merge() copies the result once). */
  combine(a: S, b: S, options: O): S;
}

/**
 * Builds an AnalysisDefinition from a resolvable analyzer. `wanted(kind)` picks what to record.
 * `kernel` runs a part that begins at the trace start in the decoder's module when it can (see
 * kernels/kernel.ts; it may decline with undefined); mid-trace parts record in JavaScript.
 */
export function deferredAnalysis<O, S, R>(
  name: string,
  make: (options: O, state?: S) => StatefulAnalyzer<S>,
  wanted: (kind: number) => boolean,
  report: (state: S, options: O) => R,
  resumption?: Resumption<S, O>,
  kernel?: (host: KernelHost, options: O) => StatefulAnalyzer<S> | undefined,
): AnalysisDefinition<O, DeferredPartial<S>, R> {
  const fromTraceStart = (first: StatefulAnalyzer<S>, options: O): AnalyzerInstance<DeferredPartial<S>> => {
    let analyzer = first;
    let resumed = false;
    const instance: AnalyzerInstance<DeferredPartial<S>> = {
      consume: (view) => analyzer.consume(view),
      partial: () => ({ state: structuredClone(analyzer.state()), recorded: null, ...(resumed ? { resumed } : {}) }),
    };
    if (resumption) {
      instance.beginPart = () => {
        if (analyzer.beginPart !== undefined) analyzer.beginPart();
        else analyzer = make(options, resumption.reset(structuredClone(analyzer.state())));
        resumed = true;
      };
    }
    return instance;
  };
  return {
    name,
    replaysMidTraceParts: true,
    ...(resumption ? { resumes: true } : {}),
    create(options, context): AnalyzerInstance<DeferredPartial<S>> {
      if (context.atTraceStart) {
        const script = () => fromTraceStart(make(options), options);
        if (kernel === undefined) return script();
        const instance = kernelOrScript(
          context,
          (host) => {
            const analyzer = kernel(host, options);
            return analyzer !== undefined ? fromTraceStart(analyzer, options) : undefined;
          },
          script,
        );
        if (!resumption) delete instance.beginPart;
        return instance;
      }
      const recorded = emptyRecording();
      return {
        consume(view) {
          for (let i = 0; i < view.length; i++) if (wanted(view.kind(i))) recordEvent(recorded, view, i);
        },
        partial: () => ({ state: null, recorded: structuredClone(recorded) }),
      };
    },
    merge(a, b, options) {
      if (a.state !== null && b.state !== null && b.resumed === true && resumption) {
        const combined = resumption.combine(a.state, b.state, options);
        return { state: structuredClone(combined), recorded: null, ...(a.resumed ? { resumed: true } : {}) };
      }
      if (a.state !== null && b.recorded !== null) {
        const analyzer = make(options, structuredClone(a.state));
        analyzer.consume(recordedView(b.recorded));
        return { state: structuredClone(analyzer.state()), recorded: null, ...(a.resumed ? { resumed: true } : {}) };
      }
      if (a.recorded !== null && b.recorded !== null) return { state: null, recorded: concatRecordings(a.recorded, b.recorded) };
      throw new Error(`${name}: partials merge in trace order (the earlier part first)`);
    },
    finish(partial, options) {
      if (partial.state === null || partial.resumed === true) throw new Error(`${name}: a partial that began mid-trace cannot be finished on its own`);
      return report(partial.state, options);
    },
  };
}
