// pprof-style blocking profiles, as `go tool trace -pprof=net|sync|syscall|sched` defines them
// (cmd/trace/pprof.go): per goroutine, an interval opens when it enters the tracked state for an
// accepted reason and closes at its next transition to another state; the interval's duration is
// added to the stack of the event that opened it.
//
//   net      Waiting, reason "network"
//   sync     Waiting, reason containing "chan", "sync" or "select"
//   syscall  Syscall
//   sched    Runnable (scheduler latency; the stack of what made it runnable)
//
// By default every interval counts in full. `goCompatible` reproduces Go's tool, which clips every
// interval to the goroutine's [first run, end] span and so drops the wait between a goroutine's
// creation and its first run (docs/analyses.md shows it with test/analysis/fixtures/schedlat).
import type { AnalysisDefinition } from './analyzer.js';
import type { Frame } from './events.js';
import { PROFILE_KINDS, type ProfileKind, type TrackerOptions, type TrackerState } from './goroutine-tracker.js';
import { finishedTracker, mergeTrackerStates, trackerInstance } from './tracker-shared.js';

export type { ProfileKind } from './goroutine-tracker.js';
export { PROFILE_KINDS } from './goroutine-tracker.js';

export interface ProfileOptions {
  goCompatible?: boolean;
  /** Only goroutines of this group (start function), like `go tool trace`'s `/sched?name=`. */
  group?: string;
  /** Only time inside user regions of this type, like `/regionsched?type=`. */
  regionType?: string;
}

export interface ProfileEntry {
  /** Innermost frame first. */
  stack: Frame[];
  count: number;
  totalNs: number;
}

export interface ProfileReport {
  kind: ProfileKind;
  count: number;
  totalNs: number;
  /** By total time, largest first. */
  entries: ProfileEntry[];
}

export type ProfilesReport = Record<ProfileKind, ProfileReport>;

export function trackerOptionsForProfiles(options: ProfileOptions): TrackerOptions {
  const out: TrackerOptions = {};
  if (options.goCompatible) out.goCompatible = true;
  if (options.group !== undefined) out.profileGroup = options.group;
  if (options.regionType !== undefined) out.profileRegionType = options.regionType;
  return out;
}

export const profilesAnalysis: AnalysisDefinition<ProfileOptions, TrackerState, ProfilesReport> = {
  name: 'profiles',
  create(options, context) {
    return trackerInstance(trackerOptionsForProfiles(options), context);
  },
  merge(a, b, options) {
    return mergeTrackerStates(a, b, trackerOptionsForProfiles(options));
  },
  finish(partial, options) {
    const tracker = finishedTracker(partial, trackerOptionsForProfiles(options));
    const out = {} as ProfilesReport;
    for (const kind of PROFILE_KINDS) {
      const entries: ProfileEntry[] = [];
      let count = 0;
      let totalNs = 0;
      for (const [stack, rec] of tracker.profileRecords(kind)) {
        entries.push({ stack: [...tracker.stacks.frames(stack)], count: rec.count, totalNs: rec.ns });
        count += rec.count;
        totalNs += rec.ns;
      }
      entries.sort((x, y) => y.totalNs - x.totalNs || y.count - x.count || stackOrder(x.stack, y.stack));
      out[kind] = { kind, count, totalNs, entries };
    }
    return out;
  },
};


function stackOrder(a: readonly Frame[], b: readonly Frame[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i]!.pc !== b[i]!.pc) return a[i]!.pc - b[i]!.pc;
  return a.length - b.length;
}
