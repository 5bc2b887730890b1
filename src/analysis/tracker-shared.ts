// One goroutine state machine per pass, shared by the goroutine, scheduler-latency and profile
// analyzers (they differ only in what they read from it).
import type { AnalyzerInstance, CreateContext } from './analyzer.js';
import type { EventView } from './events.js';
import { GoroutineTracker, type TrackerOptions, type TrackerState } from './goroutine-tracker.js';

const KEY = 'goroutine-tracker';

interface SharedTracker {
  tracker: GoroutineTracker;
  optionsKey: string;
}

/** The tracker for this pass; `consume` feeds each view to it once however many analyzers ask. */
export function sharedTracker(options: TrackerOptions, context: CreateContext): { consume(view: EventView): void; state(): TrackerState } {
  const optionsKey = JSON.stringify(options);
  const key = `${KEY}:${optionsKey}`;
  let entry = context.shared.get(key) as SharedTracker | undefined;
  // The analyzer that creates the tracker feeds it; the others only read it.
  const owner = entry === undefined;
  if (entry === undefined) {
    entry = { tracker: new GoroutineTracker(options, context.atTraceStart), optionsKey };
    context.shared.set(key, entry);
  }
  const mine = entry;
  return {
    consume(view) {
      if (owner) mine.tracker.consume(view);
    },
    state() {
      return mine.tracker.state();
    },
  };
}

export function mergeTrackerStates(a: TrackerState, b: TrackerState, options: TrackerOptions): TrackerState {
  const tracker = GoroutineTracker.fromState(a, options);
  tracker.absorb(b);
  return tracker.state();
}

export function finishedTracker(state: TrackerState, options: TrackerOptions): GoroutineTracker {
  const tracker = GoroutineTracker.fromState(state, options);
  tracker.finishTrace();
  return tracker;
}

export function trackerInstance(options: TrackerOptions, context: CreateContext): AnalyzerInstance<TrackerState> {
  const shared = sharedTracker(options, context);
  return { consume: (view) => shared.consume(view), partial: () => shared.state() };
}
