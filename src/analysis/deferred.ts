// Shared plumbing for analyzers whose partial is either a resolved state (a part that began at
// the trace start, or one already merged after such a part) or the recorded events of a part that
// began mid-trace (see recorded.ts).
import type { AnalysisDefinition, AnalyzerInstance } from './analyzer.js';
import type { EventView } from './events.js';
import { concatRecordings, emptyRecording, recordEvent, recordedView, type RecordedEvents } from './recorded.js';

export interface StatefulAnalyzer<S> {
  consume(view: EventView): void;
  state(): S;
}

export type DeferredPartial<S> = { state: S; recorded: null } | { state: null; recorded: RecordedEvents };

/** Builds an AnalysisDefinition from a resolvable analyzer. `wanted(kind)` picks what to record. */
export function deferredAnalysis<O, S, R>(
  name: string,
  make: (options: O, state?: S) => StatefulAnalyzer<S>,
  wanted: (kind: number) => boolean,
  report: (state: S, options: O) => R,
): AnalysisDefinition<O, DeferredPartial<S>, R> {
  return {
    name,
    replaysMidTraceParts: true,
    create(options, context): AnalyzerInstance<DeferredPartial<S>> {
      if (context.atTraceStart) {
        const analyzer = make(options);
        return {
          consume: (view) => analyzer.consume(view),
          partial: () => ({ state: structuredClone(analyzer.state()), recorded: null }),
        };
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
      if (a.state !== null && b.recorded !== null) {
        const analyzer = make(options, structuredClone(a.state));
        analyzer.consume(recordedView(b.recorded));
        return { state: structuredClone(analyzer.state()), recorded: null };
      }
      if (a.recorded !== null && b.recorded !== null) return { state: null, recorded: concatRecordings(a.recorded, b.recorded) };
      throw new Error(`${name}: partials merge in trace order (the earlier part first)`);
    },
    finish(partial, options) {
      if (partial.state === null) throw new Error(`${name}: a partial that began mid-trace cannot be finished on its own`);
      return report(partial.state, options);
    },
  };
}
