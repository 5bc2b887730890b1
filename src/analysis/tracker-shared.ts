// One goroutine state machine per pass, shared by the goroutine, scheduler-latency and profile
// analyzers (they differ only in what they read from it).
import type { AnalyzerInstance, CreateContext } from './analyzer.js';
import type { EventView } from './events.js';
import { GoroutineTracker, type TrackerOptions, type TrackerState } from './goroutine-tracker.js';
import { kernelOrScript } from './kernels/kernel.js';
import { trackerKernel } from './kernels/tracker.js';

const KEY = 'goroutine-tracker';

/** The JavaScript tracker as an analyzer instance (the reference, and the kernel's fallback). */
function scriptTracker(options: TrackerOptions, atTraceStart: boolean): AnalyzerInstance<TrackerState> {
  const tracker = new GoroutineTracker(options, atTraceStart);
  return { consume: (view) => tracker.consume(view), partial: () => tracker.state() };
}

/** The tracker for this pass; `consume` feeds each view to it once however many analyzers ask. */
export function sharedTracker(options: TrackerOptions, context: CreateContext): { consume(view: EventView): void; state(): TrackerState } {
  const key = `${KEY}:${JSON.stringify(options)}`;
  let tracker = context.shared.get(key) as AnalyzerInstance<TrackerState> | undefined;
  // The analyzer that creates the tracker feeds it; the others only read it.
  const owner = tracker === undefined;
  if (tracker === undefined) {
    // On the kernel when the views come from a decoder (and the options are ones it implements).
    tracker = kernelOrScript(
      context,
      (host) => trackerKernel(host, options, context.atTraceStart),
      () => scriptTracker(options, context.atTraceStart),
    );
    context.shared.set(key, tracker);
  }
  const mine = tracker;
  return {
    consume(view) {
      if (owner) {
        latestStates.delete(mine);
        mine.consume(view);
      }
    },
    state() {
      // Every analyzer reading this tracker gets the same state object until it consumes again:
      // one snapshot instead of one per analyzer, and a pool worker's result carries it once.
      let state = latestStates.get(mine);
      if (state === undefined) latestStates.set(mine, (state = mine.partial()));
      return state;
    },
  };
}

/** The state a shared tracker last returned, until it consumes again (see sharedTracker). */
const latestStates = new WeakMap<AnalyzerInstance<TrackerState>, TrackerState>();

/**
 * Merges computed for a pair of states, by options: the analyzers sharing a tracker (goroutines,
 * schedLatency, profiles, gc) are handed the same state objects and merge them with the same
 * options, so one merge serves them all. Neither input nor result is changed after it is made
 * (fromState copies what it takes), which is what makes sharing them safe.
 */
const merged = new WeakMap<TrackerState, WeakMap<TrackerState, Map<string, TrackerState>>>();

export function mergeTrackerStates(a: TrackerState, b: TrackerState, options: TrackerOptions): TrackerState {
  let byB = merged.get(a);
  if (byB === undefined) merged.set(a, (byB = new WeakMap()));
  let byOptions = byB.get(b);
  if (byOptions === undefined) byB.set(b, (byOptions = new Map()));
  const key = JSON.stringify(options);
  let result = byOptions.get(key);
  if (result === undefined) {
    const tracker = GoroutineTracker.fromState(a, options);
    tracker.absorb(b);
    byOptions.set(key, (result = tracker.state()));
  }
  return result;
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
