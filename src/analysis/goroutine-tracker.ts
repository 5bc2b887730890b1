// The goroutine state machine shared by the goroutine, scheduler-latency and pprof analyzers.
//
// It follows Go's definitions (internal/trace/summary.go for the per-goroutine statistics,
// cmd/trace/pprof.go for the blocking profiles) in one streaming pass. Memory is per live goroutine,
// per goroutine group, per stack and per histogram bucket: a goroutine's record is folded into its
// group when it ends, so millions of short-lived goroutines cost no more than their groups.
//
// Partials: a tracker started at a generation boundary does not know what state each goroutine was
// in before. It records a "continuation" for such a goroutine (its state until its first real
// transition) and `mergeTrackers` closes that interval with the preceding partial's open state, so
// per-generation partials merged equal the one-pass result.
import type { EventView } from './events.js';
import { GoState, Kind, ProcState, ResourceKind, NONE, idKey } from './events.js';
import { emptyHistogram, mergeHistogramInto, record, type HistogramData } from './histogram.js';
import { NumberSlotMap, SlotMap } from './slot-map.js';
import { EMPTY_STACK, StackTable, rootFunction } from './stacks.js';
import type { Frame } from './events.js';

/** Continuation state of a goroutine first met through a range, before any transition. */
const UNKNOWN_STATE = -1 as GoState;

export type ProfileKind = 'net' | 'sync' | 'syscall' | 'sched';
export const PROFILE_KINDS: readonly ProfileKind[] = ['net', 'sync', 'syscall', 'sched'];

export interface TrackerOptions {
  /**
   * Reproduce `go tool trace -pprof` exactly: Go restricts every profile to each goroutine's
   * [first run, end] interval, which silently drops the wait between a goroutine's creation and its
   * first run from the scheduler-latency profile (and any tracked interval that ends at a first run).
   */
  goCompatible?: boolean;
  /** Restrict profiles to goroutines of this group (start function), like `/sched?name=`. */
  profileGroup?: string;
  /** Restrict profiles to time inside user regions of this type, like `/regionsched?type=`. */
  profileRegionType?: string;
  /** How many individual goroutines to keep in top-N listings (default 20). */
  topGoroutines?: number;
}

export interface ExecStats {
  execNs: number;
  schedWaitNs: number;
  syscallNs: number;
  syscallBlockNs: number;
  blockNsByReason: Record<string, number>;
  rangeNs: Record<string, number>;
  /** How many times each special range began (or was already active when first seen). */
  rangeCount: Record<string, number>;
}

export function emptyStats(): ExecStats {
  return { execNs: 0, schedWaitNs: 0, syscallNs: 0, syscallBlockNs: 0, blockNsByReason: {}, rangeNs: {}, rangeCount: {} };
}

function addStats(into: ExecStats, from: ExecStats): void {
  into.execNs += from.execNs;
  into.schedWaitNs += from.schedWaitNs;
  into.syscallNs += from.syscallNs;
  into.syscallBlockNs += from.syscallBlockNs;
  for (const [k, v] of Object.entries(from.blockNsByReason)) into.blockNsByReason[k] = (into.blockNsByReason[k] ?? 0) + v;
  for (const [k, v] of Object.entries(from.rangeNs)) into.rangeNs[k] = (into.rangeNs[k] ?? 0) + v;
  for (const [k, v] of Object.entries(from.rangeCount)) into.rangeCount[k] = (into.rangeCount[k] ?? 0) + v;
}

/** A profile record: how often and how long goroutines spent in the tracked state, by stack. */
export interface ProfileRecord {
  count: number;
  ns: number;
  /** goCompatible only: end of the latest interval (decides which of Go's aliased stacks shows). */
  lastEnd?: number;
}

interface PendingProfile {
  kind: ProfileKind;
  stack: number;
  start: number;
  end: number;
  firstRun: boolean;
  /** Region depth of the goroutine then, relative to the part's start. */
  depth: number;
  /** An earlier part of the chain saw it run. */
  ranBefore: boolean;
}

const NET = 0;
const SYNC = 1;
const SYSCALL = 2;
const SCHED = 3;


/**
 * Per-goroutine shortcuts to aggregates (its group, its creation-stack histogram), kept under a
 * symbol so they are neither cloned nor serialised with the record.
 */
const REFS: unique symbol = Symbol('aggregate refs');

interface Refs {
  group?: GroupAggregate;
  creation?: HistogramData;
}

/**
 * One kind's profile records by interned stack: the Map (what profileRecords() returns, in the
 * order records were first made) and an array mirror indexed by stack, since the lookup runs for
 * every closed interval (two million syscalls in a 40 MB trace) and stack indices are small.
 */
class ProfileRecords {
  readonly byStack = new Map<number, ProfileRecord>();
  private readonly dense: (ProfileRecord | undefined)[] = [];

  get(stack: number): ProfileRecord | undefined {
    return this.dense[stack];
  }

  set(stack: number, record: ProfileRecord): void {
    this.byStack.set(stack, record);
    // Grown one slot at a time: a store far past the end would turn the array sparse (slow).
    while (this.dense.length <= stack) this.dense.push(undefined);
    this.dense[stack] = record;
  }

  delete(stack: number): void {
    this.byStack.delete(stack);
    if (stack < this.dense.length) this.dense[stack] = undefined;
  }
}

/** Per live goroutine. Field names mirror Go's Summarizer; 0 means "unset" as in Go. */
export interface GoroutineRecord {
  [REFS]?: Refs;
  id: number;
  name: string;
  pc: number;
  creationTime: number;
  startTime: number;
  endTime: number;
  /** Stack of the event that created it (the `go` statement), EMPTY_STACK if unknown. */
  creationStack: number;
  state: GoState;
  stats: ExecStats;
  lastStart: number;
  lastRunnable: number;
  lastBlock: number;
  lastBlockReason: string;
  lastSyscall: number;
  lastSyscallBlock: number;
  lastRange: Record<string, number>;
  /**
   * Open profile intervals by kind index (net, sync, syscall, sched): start time (0 = none) and
   * the stack they are keyed by. Plain numbers: no allocation per interval.
   */
  trackStart: number[];
  trackStack: number[];
  /** The P it entered its current syscall on (-1: none). */
  syscallP: number;
  /** Depth of open user regions of the profile's region type. */
  regionDepth: number;
  /** Times it started running, the thread of its first run, and whether every run used it. */
  runs: number;
  runThread: number;
  oneThread: boolean;
  finished: boolean;
  /**
   * Set when this tracker first met the goroutine in a state it could not have seen it enter
   * (a partial starting mid-trace): that state, held until `until` (0 = still held).
   */
  continuation?: { state: GoState; until: number };
  /** Ranges this part learned of through RangeActive (name → the Sync time it was restated at). */
  rangeRestated?: Record<string, number>;
  /** goCompatible profile intervals of a goroutine met mid-trace, settled at merge. */
  pendingProfiles?: PendingProfile[];
  /** Scheduler latencies of a goroutine met mid-trace, attributed when merged with the earlier part. */
  pendingContinuation?: HistogramData;
  /** Profile/latency samples waiting for this goroutine's name (needed for group attribution). */
  pendingUnnamed?: { sched: HistogramData };
}

/**
 * Live goroutine records by id: a Map (the record of truth, iterated in insertion order) behind a
 * direct-mapped cache indexed by the id's low bits. Nearly every event looks a goroutine up, and
 * the few goroutines that are busy at any moment hit the cache (98% of lookups on the 40 MB bench
 * trace), an array load instead of a hash lookup. Invariant: a cached record is in the Map under
 * its own `id`.
 */
class GoroutineTable {
  private static readonly CACHE_MASK = 4095;
  private readonly map = new Map<number, GoroutineRecord>();
  private readonly cache: (GoroutineRecord | undefined)[] = new Array<GoroutineRecord | undefined>(GoroutineTable.CACHE_MASK + 1).fill(undefined);

  get(id: number): GoroutineRecord | undefined {
    const slot = id & GoroutineTable.CACHE_MASK;
    const cached = this.cache[slot];
    if (cached !== undefined && cached.id === id) return cached;
    const g = this.map.get(id);
    if (g !== undefined) this.cache[slot] = g;
    return g;
  }

  set(id: number, g: GoroutineRecord): void {
    this.map.set(id, g);
    this.cache[id & GoroutineTable.CACHE_MASK] = g;
  }

  delete(id: number): void {
    this.map.delete(id);
    const slot = id & GoroutineTable.CACHE_MASK;
    if (this.cache[slot]?.id === id) this.cache[slot] = undefined;
  }

  values(): IterableIterator<GoroutineRecord> {
    return this.map.values();
  }
}

/** Runs needed before "every run on one thread" says something (LockOSThread candidates). */
export const ONE_THREAD_MIN_RUNS = 5;

export interface GroupAggregate {
  name: string;
  count: number;
  /** Goroutines that started running at least ONE_THREAD_MIN_RUNS times, always on the same thread. */
  oneThread: number;
  stats: ExecStats;
  /** Scheduler latency (runnable → running) of the group's goroutines. */
  schedLatency: HistogramData;
}

export interface GoroutineListing {
  id: number;
  name: string;
  creationTime: number;
  startTime: number;
  endTime: number;
  totalNs: number;
  stats: ExecStats;
}

/** The serialisable state of a tracker: what a partial carries. */
export interface TrackerState {
  stacks: Frame[][];
  firstTime: number;
  lastTime: number;
  syncTime: number;
  /** True when this partial began at the start of the trace (Go's "first generation" semantics). */
  atTraceStart: boolean;
  live: GoroutineRecord[];
  groups: GroupAggregate[];
  schedOverall: HistogramData;
  /** Scheduler latency by creation stack (stack index → histogram). */
  schedByCreationStack: Record<string, HistogramData>;
  profiles: Record<ProfileKind, Record<string, ProfileRecord>>;
  /** Goroutines with the largest total time, already ended. */
  top: GoroutineListing[];
  /** P → goroutine in a syscall on it (Go's syscallingP). */
  syscallingP: Record<string, number>;
  /**
   * P → time it went idle in this part before any goroutine entered a syscall on it here: if a
   * goroutine was in a syscall on that P when this part began, that is when its syscall started
   * blocking (the preceding partial knows which goroutine; settled at merge).
   */
  unclaimedProcIdle: Record<string, number>;
  /** Ps a goroutine entered a syscall on in this part. */
  syscallClaimedP: number[];
  /**
   * P-scoped ranges that ended in this part before this part saw them begin or restated with a
   * goroutine: (P, range name) → the goroutine that ended it and when (settled at merge).
   */
  unclaimedRangeEnds: Record<string, { goroutine: number; t: number }>;
  /** (P, range name) keys this part attributed to a goroutine itself. */
  rangesClaimed: string[];
  /** (P, range name) → goroutine a P-scoped range was attributed to. */
  rangesP: Record<string, number>;
}

export function isProfileReason(kind: ProfileKind, reason: string): boolean {
  switch (kind) {
    case 'net':
      return reason === 'network';
    case 'sync':
      return reason.includes('chan') || reason.includes('sync') || reason.includes('select');
    default:
      return true;
  }
}


/** Top-N order: largest total time first, then lowest id. */
function compareListings(a: GoroutineListing, b: GoroutineListing): number {
  return b.totalNs - a.totalNs || a.id - b.id;
}

/** Go's IsSystemGoroutine. */
export function isSystemGoroutine(name: string): boolean {
  return name === '' || (name.startsWith('runtime.') && name !== 'runtime.main');
}

export class GoroutineTracker {
  readonly stacks: StackTable;
  private readonly gs = new GoroutineTable();
  private readonly groups = new Map<string, GroupAggregate>();
  private readonly schedOverall: HistogramData;
  private readonly schedByCreationStack = new Map<number, HistogramData>();
  /** Profile records by kind index (NET, SYNC, SYSCALL, SCHED). */
  private readonly profiles: ProfileRecords[];
  private top: GoroutineListing[] = [];
  private readonly syscallingP = new NumberSlotMap();
  private readonly unclaimedProcIdle = new Map<number, number>();
  /** Ps a goroutine entered a syscall on in this part (their idle events are this part's own). */
  private readonly syscallClaimedP = new Set<number>();
  /** Ps known to be in syscallClaimedP (an array lookup per syscall instead of a Set.add; entries are never removed). */
  private readonly claimedPSeen = new NumberSlotMap();
  private readonly rangesP = new SlotMap<string>();
  private readonly rangeKeys = new Map<number, Map<string, string>>();

  /** "P/range name", the same string object each time (a fresh template string per GC sweep event was measured hot). */
  private rangeKey(p: number, name: string): string {
    let byName = this.rangeKeys.get(p);
    if (byName === undefined) this.rangeKeys.set(p, (byName = new Map()));
    let key = byName.get(name);
    if (key === undefined) byName.set(name, (key = `${p}/${name}`));
    return key;
  }
  private readonly unclaimedRangeEnds = new Map<string, { goroutine: number; t: number }>();
  private readonly rangesClaimed = new Set<string>();
  private firstTime = 0;
  private lastTime = 0;
  private syncTime = 0;
  private syncsSeen = 0;
  private readonly topN: number;

  constructor(
    private readonly options: TrackerOptions = {},
    /** False for a partial that begins after the start of the trace. */
    private atTraceStart = true,
    stacks?: StackTable,
  ) {
    this.stacks = stacks ?? new StackTable();
    this.schedOverall = emptyHistogram();
    this.profiles = PROFILE_KINDS.map(() => new ProfileRecords());
    this.topN = options.topGoroutines ?? 20;
  }

  consume(view: EventView): void {
    const n = view.length;
    for (let i = 0; i < n; i++) {
      const kind = view.kind(i);
      const t = view.time(i);
      if (this.firstTime === 0) this.firstTime = t;
      if (this.syncTime === 0) this.syncTime = t;
      this.lastTime = t;
      switch (kind) {
        case Kind.Sync:
          this.syncTime = t;
          this.syncsSeen++;
          this.stacks.newGeneration();
          break;
        case Kind.StateTransition: {
          const rk = view.resourceKind(i);
          if (rk === ResourceKind.Goroutine) this.goTransition(view, i, t);
          else if (rk === ResourceKind.Proc) this.procTransition(view, i, t);
          break;
        }
        case Kind.RangeBegin:
        case Kind.RangeActive:
          this.rangeBegin(view, i, t, kind === Kind.RangeActive);
          break;
        case Kind.RangeEnd:
          this.rangeEnd(view, i, t);
          break;
        case Kind.RegionBegin:
        case Kind.RegionEnd:
          if (this.options.profileRegionType !== undefined && view.annotationType(i) === this.options.profileRegionType) {
            const g = this.gs.get(idKey(view.goroutine(i)));
            if (g) {
              // A goroutine met mid-trace may end regions begun earlier: keep its depth relative.
              const depth = g.regionDepth + (kind === Kind.RegionBegin ? 1 : -1);
              g.regionDepth = g.continuation === undefined ? Math.max(0, depth) : depth;
            }
          }
          break;
        default:
          break;
      }
    }
  }

  private newRecord(id: number, creationTime: number): GoroutineRecord {
    return {
      id,
      name: '',
      pc: 0,
      creationTime,
      startTime: 0,
      endTime: 0,
      creationStack: EMPTY_STACK,
      state: GoState.NotExist,
      stats: emptyStats(),
      lastStart: 0,
      lastRunnable: 0,
      lastBlock: 0,
      lastBlockReason: '',
      lastSyscall: 0,
      lastSyscallBlock: 0,
      lastRange: {},
      syscallP: -1,
      trackStart: [0, 0, 0, 0],
      trackStack: [0, 0, 0, 0],
      regionDepth: 0,
      runs: 0,
      runThread: -1,
      oneThread: true,
      finished: false,
      // Every optional field exists from the start: records that gain fields later get other
      // hidden classes, and the per-event code then runs polymorphic (measured 2-3x slower in
      // parts that begin mid-trace, where most records gain a continuation).
      continuation: undefined,
      rangeRestated: undefined,
      pendingProfiles: undefined,
      pendingContinuation: undefined,
      pendingUnnamed: undefined,
      [REFS]: undefined,
    };
  }

  private goTransition(view: EventView, i: number, t: number): void {
    const id = idKey(view.resourceId(i));
    const from = view.fromState(i) as GoState;
    const to = view.toState(i) as GoState;
    // Only blocking reasons are used (Go's profiles and summaries read the reason of Waiting only).
    const reason = to === GoState.Waiting ? view.reason(i) : '';
    let g = this.gs.get(id);
    if (g !== undefined && g.continuation !== undefined && g.continuation.state === UNKNOWN_STATE && from !== GoState.Undetermined) {
      g.continuation.state = from;
      g.state = from;
    }

    // Profiles (cmd/trace/pprof.go): tracked independently of the summary, and they also see
    // X → X re-announcements.
    if (g === undefined && from !== GoState.Undetermined && from !== GoState.NotExist) {
      // A partial meeting a goroutine already in `from`: the time before now belongs to the
      // preceding partial and is stitched in at merge time.
      g = this.newRecord(id, 0);
      g.state = from;
      g.continuation = { state: from, until: from === to ? 0 : t };
      this.gs.set(id, g);
    }

    if (from === to) {
      // A restatement of a state entered in an earlier part is that part's interval, not a new one.
      const restatedFromEarlier = g?.continuation !== undefined && g.continuation.until === 0;
      if (g !== undefined && !restatedFromEarlier) this.profileTransition(view, i, g, to, reason, t);
      return;
    }

    switch (from) {
      case GoState.Undetermined: {
        g = this.newRecord(id, this.syncTime);
        const stateTime = t - this.syncTime;
        switch (to) {
          case GoState.Running:
            g.stats.execNs += stateTime;
            break;
          case GoState.Waiting:
            g.stats.blockNsByReason[reason] = (g.stats.blockNsByReason[reason] ?? 0) + stateTime;
            break;
          case GoState.Runnable:
            g.stats.schedWaitNs += stateTime;
            break;
          case GoState.Syscall:
            if (view.proc(i) === NONE) g.stats.syscallBlockNs += stateTime;
            else g.stats.syscallNs += stateTime;
            break;
          default:
            break;
        }
        if (!this.atTraceStart || this.syncsSeen > 1) {
          // An independently decoded later generation announces goroutines as Undetermined: the
          // preceding partial owns the time before this Sync.
          g.continuation = { state: to, until: 0 };
          g.creationTime = 0;
        }
        this.gs.set(id, g);
        break;
      }
      case GoState.NotExist:
        g = this.newRecord(id, t);
        g.creationStack = this.stacks.fromView(view, view.stack(i));
        this.gs.set(id, g);
        break;
      default:
        if (g === undefined) return;
        this.leaveState(g, from, t);
        break;
    }
    if (g === undefined) return;
    if (g.continuation !== undefined && g.continuation.until === 0 && from !== GoState.Undetermined) {
      g.continuation.until = t;
      g.continuation.state = from;
    }

    if (g.name === '') {
      const frames = view.frames(view.transitionStack(i));
      const root = rootFunction(frames);
      if (root !== undefined) {
        g.name = root.func;
        g.pc = root.pc;
        this.flushUnnamed(g);
      }
    }

    this.profileTransition(view, i, g, to, reason, t);
    this.enterState(g, to, reason, t, view.proc(i));
    if (to === GoState.Running) {
      const m = view.thread(i);
      if (g.runs === 0) g.runThread = m;
      else if (m !== g.runThread) g.oneThread = false;
      g.runs++;
    }
  }

  private leaveState(g: GoroutineRecord, from: GoState, t: number): void {
    switch (from) {
      case GoState.Running:
        if (g.lastStart !== 0) g.stats.execNs += t - g.lastStart;
        g.lastStart = 0;
        break;
      case GoState.Waiting:
        if (g.lastBlock !== 0) {
          g.stats.blockNsByReason[g.lastBlockReason] = (g.stats.blockNsByReason[g.lastBlockReason] ?? 0) + t - g.lastBlock;
          g.lastBlock = 0;
        }
        break;
      case GoState.Runnable:
        if (g.lastRunnable !== 0) {
          g.stats.schedWaitNs += t - g.lastRunnable;
          g.lastRunnable = 0;
        }
        break;
      case GoState.Syscall:
        if (g.lastSyscall !== 0) {
          if (g.lastSyscallBlock !== 0) {
            g.stats.syscallBlockNs += t - g.lastSyscallBlock;
            g.stats.syscallNs += g.lastSyscallBlock - g.lastSyscall;
          } else {
            g.stats.syscallNs += t - g.lastSyscall;
          }
          g.lastSyscall = 0;
          g.lastSyscallBlock = 0;
          // As Go: forget the P it entered the syscall on, whoever holds that entry now.
          this.syscallingP.delete(g.syscallP);
          g.syscallP = -1;
        }
        break;
      default:
        break;
    }
  }

  private enterState(g: GoroutineRecord, to: GoState, reason: string, t: number, proc: number): void {
    g.state = to;
    switch (to) {
      case GoState.Running:
        g.lastStart = t;
        if (g.startTime === 0) g.startTime = t;
        break;
      case GoState.Runnable:
        g.lastRunnable = t;
        break;
      case GoState.Waiting:
        if (reason !== 'forever') {
          g.lastBlock = t;
          g.lastBlockReason = reason;
          break;
        }
        this.finish(g, t, true);
        break;
      case GoState.NotExist:
        this.finish(g, t, true);
        break;
      case GoState.Syscall:
        this.syscallingP.set(proc, g.id);
        if (this.claimedPSeen.get(proc) === undefined) {
          this.claimedPSeen.set(proc, 1);
          this.syscallClaimedP.add(proc);
        }
        g.syscallP = proc;
        g.lastSyscall = t;
        break;
      default:
        break;
    }
  }

  private profileTransition(view: EventView, i: number, g: GoroutineRecord, to: GoState, reason: string, t: number): void {
    const start = g.trackStart;
    const firstRun = to === GoState.Running && g.startTime === 0;
    // Close the intervals of states being left (this runs per transition: no loops, no allocation).
    if (to !== GoState.Waiting) {
      if (start[NET] !== 0) this.closeProfile(NET, g, t, firstRun);
      if (start[SYNC] !== 0) this.closeProfile(SYNC, g, t, firstRun);
    }
    if (to !== GoState.Syscall && start[SYSCALL] !== 0) this.closeProfile(SYSCALL, g, t, firstRun);
    if (to !== GoState.Runnable && start[SCHED] !== 0) {
      // Go's sched-latency interval ends here too; the histogram uses the same boundaries.
      this.recordSchedLatency(g, t - start[SCHED]!, firstRun);
      this.closeProfile(SCHED, g, t, firstRun);
    }
    // Open the interval of the state entered, if its reason is one the profile tracks.
    if (to === GoState.Waiting) {
      if (start[NET] === 0 && reason === 'network') this.track(g, NET, view, i, t);
      if (start[SYNC] === 0 && this.isSyncReason(reason)) this.track(g, SYNC, view, i, t);
    } else if (to === GoState.Syscall) {
      if (start[SYSCALL] === 0) this.track(g, SYSCALL, view, i, t);
    } else if (to === GoState.Runnable) {
      if (start[SCHED] === 0) this.track(g, SCHED, view, i, t);
    }
  }

  private lastSyncReason = '';
  private lastSyncReasonResult = false;

  /** isProfileReason('sync', …), remembering the last answer (reasons repeat a lot). */
  private isSyncReason(reason: string): boolean {
    if (reason !== this.lastSyncReason) {
      this.lastSyncReason = reason;
      this.lastSyncReasonResult = isProfileReason('sync', reason);
    }
    return this.lastSyncReasonResult;
  }

  private track(g: GoroutineRecord, k: number, view: EventView, i: number, t: number): void {
    g.trackStart[k] = t;
    g.trackStack[k] = this.stacks.fromView(view, view.stack(i));
  }

  private closeProfile(k: number, g: GoroutineRecord, t: number, firstRun: boolean): void {
    const start = g.trackStart[k]!;
    g.trackStart[k] = 0;
    this.recordProfile(k, g, start, g.trackStack[k]!, t, firstRun);
  }

  /** `firstRun`: the interval ends at the goroutine's first run (Go's profile drops those). */
  private recordProfile(kind: number, g: GoroutineRecord, trackedStart: number, trackedStack: number, end: number, firstRun: boolean): void {
    const { goCompatible, profileGroup, profileRegionType } = this.options;
    if (
      g.continuation !== undefined &&
      (profileRegionType !== undefined || (profileGroup !== undefined && g.name === '') || (goCompatible && (g.startTime === 0 || g.startTime > trackedStart)))
    ) {
      // What decides this interval (its region nesting, its name, whether it ran before) is
      // known to an earlier part: settle it at merge time.
      (g.pendingProfiles ??= []).push({ kind: PROFILE_KINDS[kind]!, stack: trackedStack, start: trackedStart, end, firstRun, depth: g.regionDepth, ranBefore: false });
      return;
    }
    if (profileRegionType !== undefined && g.regionDepth <= 0) return;
    // A goroutine not named yet (it existed before the trace and has shown no stack) cannot be
    // matched to a group: its interval is dropped (see docs/analyses.md).
    if (profileGroup !== undefined && g.name !== profileGroup) return;
    let ns = end - trackedStart;
    if (goCompatible) {
      // Go overlaps each interval with [StartTime, EndTime] of the goroutine. (A goroutine that
      // has not run yet and never will keeps its interval, as in Go.)
      if (firstRun) return;
      if (g.startTime !== 0 && g.startTime > trackedStart) ns = end - g.startTime;
    }
    if (ns <= 0) return;
    this.addProfile(kind, trackedStack, 1, ns, end);
  }

  /** `kind`: index in PROFILE_KINDS. */
  private addProfile(kind: number, stack: number, count: number, ns: number, end: number): void {
    const records = this.profiles[kind]!;
    if (this.options.goCompatible) stack = this.goStackAlias(kind, stack, end);
    let rec = records.get(stack);
    if (rec === undefined) {
      rec = { count: 0, ns: 0 };
      records.set(stack, rec);
    }
    rec.count += count;
    rec.ns += ns;
    if (this.options.goCompatible) rec.lastEnd = Math.max(rec.lastEnd ?? 0, end);
  }

  /**
   * Go's profile dedups stacks by their PCs padded with zeros to 128 entries, so the empty stack
   * and a stack of zero PCs are one record, shown with the stack of the interval that closed last.
   * Returns the stack to record under, moving the record if `stack` becomes the one shown.
   */
  private goStackAlias(kind: number, stack: number, end: number): number {
    const frames = this.stacks.frames(stack);
    let n = frames.length;
    while (n > 0 && frames[n - 1]!.pc === 0) n--;
    const key = frames.slice(0, n).map((f) => f.pc).join(',');
    const aliases = this.goAliases[kind]!;
    const current = aliases.get(key);
    if (current === undefined || current === stack) {
      aliases.set(key, stack);
      return stack;
    }
    const records = this.profiles[kind]!;
    const existing = records.get(current);
    if (existing !== undefined && (existing.lastEnd ?? 0) > end) return current;
    aliases.set(key, stack);
    if (existing !== undefined) {
      records.delete(current);
      const mine = records.get(stack);
      records.set(stack, mine ? { count: mine.count + existing.count, ns: mine.ns + existing.ns, lastEnd: Math.max(mine.lastEnd ?? 0, existing.lastEnd ?? 0) } : existing);
    }
    return stack;
  }

  /** By kind index. */
  private readonly goAliases: Map<string, number>[] = PROFILE_KINDS.map(() => new Map<string, number>());

  /** Settles goCompatible profile intervals a part held for a goroutine it met mid-trace. */
  private settlePendingProfiles(g: GoroutineRecord, pending: PendingProfile[] | undefined, ranBefore: boolean, depthBefore: number): void {
    if (!pending) return;
    const { goCompatible, profileGroup, profileRegionType } = this.options;
    for (const p of pending) {
      if (profileRegionType !== undefined && depthBefore + p.depth <= 0) continue;
      if (profileGroup !== undefined && g.name !== profileGroup) continue;
      let ns = p.end - p.start;
      if (goCompatible && !(ranBefore || p.ranBefore)) {
        if (p.firstRun) continue;
        if (g.startTime !== 0 && g.startTime > p.start) ns = p.end - g.startTime;
      }
      if (ns > 0) this.addProfile(PROFILE_KINDS.indexOf(p.kind), p.stack, 1, ns, p.end);
    }
  }


  private recordSchedLatency(g: GoroutineRecord, ns: number, _firstRun: boolean): void {
    record(this.schedOverall, ns);
    if (g.continuation !== undefined) {
      // Its creation stack (and maybe its name) is known to an earlier part: attribute at merge.
      g.pendingContinuation ??= emptyHistogram();
      record(g.pendingContinuation, ns);
      return;
    }
    const refs = (g[REFS] ??= {});
    if (g.creationStack !== EMPTY_STACK) record((refs.creation ??= this.creationHistogram(g.creationStack)), ns);
    if (g.name === '') {
      g.pendingUnnamed ??= { sched: emptyHistogram() };
      record(g.pendingUnnamed.sched, ns);
    } else {
      record((refs.group ??= this.group(g.name)).schedLatency, ns);
    }
  }

  private creationHistogram(stack: number): HistogramData {
    let h = this.schedByCreationStack.get(stack);
    if (h === undefined) this.schedByCreationStack.set(stack, (h = emptyHistogram()));
    return h;
  }

  /** Attributes latencies a part recorded for a goroutine it met mid-trace, once its identity is known. */
  private flushContinuation(g: GoroutineRecord, pending: HistogramData | undefined): void {
    if (pending === undefined || pending.count === 0) return;
    if (g.creationStack !== EMPTY_STACK) mergeHistogramInto(this.creationHistogram(g.creationStack), pending);
    if (g.name === '') {
      g.pendingUnnamed ??= { sched: emptyHistogram() };
      mergeHistogramInto(g.pendingUnnamed.sched, pending);
    } else {
      mergeHistogramInto(this.group(g.name).schedLatency, pending);
    }
  }

  private flushUnnamed(g: GoroutineRecord): void {
    if (g.pendingUnnamed === undefined) return;
    mergeHistogramInto(this.group(g.name).schedLatency, g.pendingUnnamed.sched);
    g.pendingUnnamed = undefined;
  }

  private group(name: string): GroupAggregate {
    let group = this.groups.get(name);
    if (group === undefined) {
      group = { name, count: 0, oneThread: 0, stats: emptyStats(), schedLatency: emptyHistogram() };
      this.groups.set(name, group);
    }
    return group;
  }

  private procTransition(view: EventView, i: number, t: number): void {
    const from = view.fromState(i) as ProcState;
    const to = view.toState(i) as ProcState;
    if (from === to || to !== ProcState.Idle) return;
    const p = view.resourceId(i);
    const goid = this.syscallingP.get(p);
    if (goid === undefined) {
      if (!this.atTraceStart && !this.syscallClaimedP.has(p) && !this.unclaimedProcIdle.has(p)) this.unclaimedProcIdle.set(p, t);
      return;
    }
    const g = this.gs.get(goid);
    if (g) g.lastSyscallBlock = t;
    this.syscallingP.delete(p);
  }

  private rangeBegin(view: EventView, i: number, t: number, active: boolean): void {
    const name = view.rangeName(i);
    let g: GoroutineRecord | undefined;
    const scope = view.rangeScopeKind(i);
    if (scope === ResourceKind.Goroutine) g = this.gs.get(idKey(view.rangeScopeId(i)));
    else if (scope === ResourceKind.Proc) {
      g = this.gs.get(idKey(view.goroutine(i)));
      if (g !== undefined) {
        const key = this.rangeKey(view.rangeScopeId(i), name);
        this.rangesP.set(key, g.id);
        if (!this.atTraceStart) this.rangesClaimed.add(key);
      }
    }
    if (g === undefined && active && !this.atTraceStart && scope === ResourceKind.Goroutine) {
      g = this.newRecord(idKey(view.rangeScopeId(i)), 0);
      g.state = UNKNOWN_STATE;
      g.continuation = { state: UNKNOWN_STATE, until: 0 };
      this.gs.set(g.id, g);
    }
    if (g === undefined || g.finished) return;
    if (active && g.continuation !== undefined && g.lastRange[name] === undefined) {
      // Restated by a part starting mid-range: the earlier part's open range closes here at merge.
      (g.rangeRestated ??= {})[name] = this.syncTime;
    }
    // A range restated as active counts once: when first seen in the part that saw it begin, or
    // (for a range already running at the trace start) in the first part.
    if (!active || (this.atTraceStart && g.lastRange[name] === undefined && g.rangeRestated?.[name] === undefined)) {
      g.stats.rangeCount[name] = (g.stats.rangeCount[name] ?? 0) + 1;
    }
    if (active) {
      const ts = g.lastRange[name];
      if (ts !== undefined && ts !== 0) g.stats.rangeNs[name] = (g.stats.rangeNs[name] ?? 0) + this.syncTime - ts;
      g.lastRange[name] = this.syncTime;
    } else {
      g.lastRange[name] = t;
    }
  }

  private rangeEnd(view: EventView, i: number, t: number): void {
    const name = view.rangeName(i);
    let g: GoroutineRecord | undefined;
    const scope = view.rangeScopeKind(i);
    if (scope === ResourceKind.Goroutine) g = this.gs.get(idKey(view.rangeScopeId(i)));
    else if (scope === ResourceKind.Proc) {
      const key = this.rangeKey(view.rangeScopeId(i), name);
      const goid = this.rangesP.get(key);
      if (goid !== undefined) {
        if (goid === idKey(view.goroutine(i))) g = this.gs.get(goid);
        this.rangesP.delete(key);
      } else if (!this.atTraceStart && !this.rangesClaimed.has(key) && !this.unclaimedRangeEnds.has(key)) {
        // Begun in an earlier part: which goroutine it was attributed to is known there.
        this.unclaimedRangeEnds.set(key, { goroutine: idKey(view.goroutine(i)), t });
      }
    }
    if (g === undefined || g.finished) return;
    const ts = g.lastRange[name];
    if (ts === undefined || ts === 0) return;
    g.stats.rangeNs[name] = (g.stats.rangeNs[name] ?? 0) + t - ts;
    delete g.lastRange[name];
  }

  /**
   * Go's snapshotStat, applied to the record's own stats: adds every pending interval as if it
   * closed at `t`. Only for a goroutine that ends here (its stats are final from now on; nothing
   * else holds them yet), so no copy is needed: a goroutine ends every few events.
   */
  private closePendingIntervals(g: GoroutineRecord, t: number): void {
    if (g.finished) return;
    const s = g.stats;
    if (g.lastStart !== 0) s.execNs += t - g.lastStart;
    if (g.lastRunnable !== 0) s.schedWaitNs += t - g.lastRunnable;
    if (g.lastBlock !== 0) s.blockNsByReason[g.lastBlockReason] = (s.blockNsByReason[g.lastBlockReason] ?? 0) + t - g.lastBlock;
    if (g.lastSyscall !== 0) s.syscallNs += t - g.lastSyscall;
    // Go adds a pending syscall-block interval to the scheduler wait (a quirk kept for parity).
    if (g.lastSyscallBlock !== 0) s.schedWaitNs += t - g.lastSyscallBlock;
    for (const name in g.lastRange) {
      const ts = g.lastRange[name]!;
      if (ts !== 0) s.rangeNs[name] = (s.rangeNs[name] ?? 0) + t - ts;
    }
  }

  /** Ends a goroutine (death or trace end) and folds it into its group. */
  private finish(g: GoroutineRecord, t: number, died: boolean): void {
    if (g.finished) return;
    if (died) g.endTime = t;
    this.closePendingIntervals(g, t);
    g.finished = true;
    if (g.continuation !== undefined) return; // its group is decided at merge time
    this.fold(g, t);
  }

  private fold(g: GoroutineRecord, t: number): void {
    const group = this.group(g.name);
    group.count++;
    if (g.runs >= ONE_THREAD_MIN_RUNS && g.oneThread) group.oneThread++;
    addStats(group.stats, g.stats);
    if (g.pendingUnnamed) mergeHistogramInto(group.schedLatency, g.pendingUnnamed.sched);
    this.offerTop({
      id: g.id,
      name: g.name,
      creationTime: g.creationTime,
      startTime: g.startTime,
      endTime: g.endTime,
      totalNs: (g.endTime || t) - g.creationTime,
      stats: g.stats,
    });
    this.gs.delete(g.id);
  }

  private offerTop(listing: GoroutineListing): void {
    if (this.topN <= 0) return;
    // Listings are only ever added, so one that ranks after the last kept listing of a full top
    // can never enter it: skip it rather than sort it in (a goroutine ends every few events).
    if (this.topFloor !== undefined && compareListings(listing, this.topFloor) >= 0) return;
    this.top.push(listing);
    if (this.top.length > this.topN * 2) this.trimTop();
  }

  private trimTop(): void {
    this.top.sort(compareListings);
    this.top.length = Math.min(this.top.length, this.topN);
    this.topFloor = this.top.length === this.topN ? this.top[this.topN - 1] : undefined;
  }

  /** The last listing of the top after the latest trim, when the top is full. */
  private topFloor: GoroutineListing | undefined;

  /** The partial: everything needed to merge with neighbours or to finish. */
  state(): TrackerState {
    this.trimTop();
    const profiles = {} as Record<ProfileKind, Record<string, ProfileRecord>>;
    PROFILE_KINDS.forEach((kind, k) => (profiles[kind] = Object.fromEntries([...this.profiles[k]!.byStack].map(([stack, v]) => [String(stack), { ...v }]))));
    return structuredClone({
      stacks: this.stacks.stacks,
      firstTime: this.firstTime,
      lastTime: this.lastTime,
      syncTime: this.syncTime,
      atTraceStart: this.atTraceStart,
      live: [...this.gs.values()],
      groups: [...this.groups.values()],
      schedOverall: this.schedOverall,
      schedByCreationStack: Object.fromEntries([...this.schedByCreationStack].map(([k, v]) => [String(k), v])),
      profiles,
      top: this.top,
      syscallingP: Object.fromEntries([...this.syscallingP].map(([k, v]) => [String(k), v])),
      unclaimedProcIdle: Object.fromEntries([...this.unclaimedProcIdle].map(([k, v]) => [String(k), v])),
      syscallClaimedP: [...this.syscallClaimedP],
      unclaimedRangeEnds: Object.fromEntries(this.unclaimedRangeEnds),
      rangesClaimed: [...this.rangesClaimed],
      rangesP: Object.fromEntries(this.rangesP),
    });
  }

  static fromState(state: TrackerState, options: TrackerOptions): GoroutineTracker {
    const tracker = new GoroutineTracker(options, state.atTraceStart, StackTable.fromJSON(state.stacks));
    tracker.firstTime = state.firstTime;
    tracker.lastTime = state.lastTime;
    tracker.syncTime = state.syncTime;
    tracker.syncsSeen = state.atTraceStart ? 2 : 0;
    for (const g of state.live) tracker.gs.set(g.id, structuredClone(g));
    for (const group of state.groups) tracker.groups.set(group.name, structuredClone(group));
    mergeHistogramInto(tracker.schedOverall, state.schedOverall);
    for (const [k, h] of Object.entries(state.schedByCreationStack)) tracker.schedByCreationStack.set(Number(k), structuredClone(h));
    PROFILE_KINDS.forEach((kind, index) => {
      for (const [k, r] of Object.entries(state.profiles[kind])) {
        tracker.profiles[index]!.set(Number(k), { ...r });
        if (options.goCompatible) tracker.goStackAlias(index, Number(k), r.lastEnd ?? 0);
      }
    });
    tracker.top = structuredClone(state.top);
    for (const [k, v] of Object.entries(state.syscallingP)) tracker.syscallingP.set(Number(k), v);
    for (const [k, v] of Object.entries(state.unclaimedProcIdle)) tracker.unclaimedProcIdle.set(Number(k), v);
    for (const p of state.syscallClaimedP) tracker.syscallClaimedP.add(p);
    for (const [k, v] of Object.entries(state.unclaimedRangeEnds)) tracker.unclaimedRangeEnds.set(k, { ...v });
    for (const k of state.rangesClaimed) tracker.rangesClaimed.add(k);
    for (const [k, v] of Object.entries(state.rangesP)) tracker.rangesP.set(k, v);
    return tracker;
  }

  /**
   * Appends partial `b` (which began where this one ended) to this tracker: adds its aggregates and
   * stitches every goroutine that `b` met mid-state onto this tracker's open state.
   */
  absorb(b: TrackerState): void {
    const remap = this.stacks.absorb(b.stacks);
    const mapStack = (s: number) => remap[s] ?? EMPTY_STACK;
    if (this.firstTime === 0) this.firstTime = b.firstTime;
    if (b.lastTime !== 0) this.lastTime = b.lastTime;
    if (b.syncTime !== 0) this.syncTime = b.syncTime;
    for (const group of b.groups) {
      const into = this.group(group.name);
      into.count += group.count;
      into.oneThread += group.oneThread;
      addStats(into.stats, group.stats);
      mergeHistogramInto(into.schedLatency, group.schedLatency);
    }
    mergeHistogramInto(this.schedOverall, b.schedOverall);
    for (const [k, h] of Object.entries(b.schedByCreationStack)) {
      const key = mapStack(Number(k));
      let into = this.schedByCreationStack.get(key);
      if (into === undefined) this.schedByCreationStack.set(key, (into = emptyHistogram()));
      mergeHistogramInto(into, h);
    }
    PROFILE_KINDS.forEach((kind, index) => {
      for (const [k, r] of Object.entries(b.profiles[kind])) this.addProfile(index, mapStack(Number(k)), r.count, r.ns, r.lastEnd ?? 0);
    });
    for (const listing of b.top) this.offerTop(structuredClone(listing));
    this.settleProcIdle(b);
    this.settleRangeEnds(b);

    for (const raw of b.live) {
      const later = structuredClone(raw);
      later.creationStack = mapStack(later.creationStack);
      for (let k = 0; k < 4; k++) if (later.trackStart[k] !== 0) later.trackStack[k] = mapStack(later.trackStack[k]!);
      for (const p of later.pendingProfiles ?? []) p.stack = mapStack(p.stack);
      const earlier = this.gs.get(later.id);
      if (later.continuation === undefined || earlier === undefined) {
        // New in b (created there), or unknown before: take it as it is.
        if (later.continuation !== undefined && this.atTraceStart) later.continuation = undefined;
        this.gs.set(later.id, later);
        if (later.finished && later.continuation === undefined) this.fold(later, later.endTime || this.lastTime);
        continue;
      }
      this.stitch(earlier, later);
    }
    // Goroutines b never mentioned keep their open state here: nothing to do.
    for (const [k, v] of Object.entries(b.syscallingP)) this.syscallingP.set(Number(k), v);
    for (const [k, v] of Object.entries(b.rangesP)) this.rangesP.set(k, v);
  }

  /**
   * A P that went idle in `b` before anything there entered a syscall on it: if a goroutine was in
   * a syscall on that P at the boundary (and still was then), its syscall blocked from that time.
   */
  private settleProcIdle(b: TrackerState): void {
    const laterById = new Map<number, GoroutineRecord>();
    for (const g of b.live) laterById.set(g.id, g);
    for (const [key, t] of Object.entries(b.unclaimedProcIdle)) {
      const p = Number(key);
      const goid = this.syscallingP.get(p);
      if (goid === undefined) {
        // Unclaimed here too: the part before this one may know (merges of merges).
        if (!this.atTraceStart && !this.syscallClaimedP.has(p) && !this.unclaimedProcIdle.has(p)) this.unclaimedProcIdle.set(p, t);
        continue;
      }
      const g = this.gs.get(goid);
      const later = laterById.get(goid);
      const leftSyscallAt = later?.continuation?.until ?? 0;
      if (g !== undefined && g.lastSyscall !== 0 && g.lastSyscallBlock === 0 && (leftSyscallAt === 0 || t < leftSyscallAt)) g.lastSyscallBlock = t;
      if (leftSyscallAt === 0 || t < leftSyscallAt) this.syscallingP.delete(p);
    }
    for (const p of b.syscallClaimedP) this.syscallClaimedP.add(p);
  }

  /** P-scoped ranges `b` saw end without knowing whose they were: close them on this side. */
  private settleRangeEnds(b: TrackerState): void {
    for (const [key, end] of Object.entries(b.unclaimedRangeEnds)) {
      const goid = this.rangesP.get(key);
      if (goid === undefined) {
        if (!this.atTraceStart && !this.rangesClaimed.has(key) && !this.unclaimedRangeEnds.has(key)) this.unclaimedRangeEnds.set(key, { ...end });
        continue;
      }
      this.rangesP.delete(key);
      if (goid !== end.goroutine) continue;
      const g = this.gs.get(goid);
      if (g === undefined || g.finished) continue;
      const name = key.slice(key.indexOf('/') + 1);
      const ts = g.lastRange[name];
      if (ts === undefined || ts === 0) continue;
      g.stats.rangeNs[name] = (g.stats.rangeNs[name] ?? 0) + end.t - ts;
      delete g.lastRange[name];
    }
    for (const k of b.rangesClaimed) this.rangesClaimed.add(k);
  }

  /** `later` continues `earlier` (same goroutine): close the interval spanning the boundary. */
  private stitch(earlier: GoroutineRecord, later: GoroutineRecord): void {
    const cont = later.continuation!;
    const boundaryEnd = cont.until; // 0: no real transition in `later`
    if (boundaryEnd !== 0 && !earlier.finished) {
      // The state `earlier` was in ends at `later`'s first transition.
      this.leaveState(earlier, cont.state, boundaryEnd);
      for (let k = 0; k < 4; k++) {
        const trackedStart = earlier.trackStart[k]!;
        if (trackedStart === 0) continue;
        const laterStart = later.trackStart[k]!;
        // In `later`, the interval either continued past the boundary (later re-tracks it from the
        // first transition only if it re-entered the state) or ended at `until`.
        earlier.trackStart[k] = 0;
        if (laterStart !== 0 && laterStart < boundaryEnd) continue;
        const firstRun = later.startTime === boundaryEnd && earlier.startTime === 0;
        if (k === SCHED) this.recordSchedLatency(earlier, boundaryEnd - trackedStart, firstRun);
        this.recordProfile(k, earlier, trackedStart, earlier.trackStack[k]!, boundaryEnd, firstRun);
      }
    }
    // Ranges open in `earlier` and restated in `later` (Go adds the time up to the restating Sync).
    for (const [name, ts] of Object.entries(earlier.lastRange)) {
      const restated = later.rangeRestated?.[name];
      if (restated !== undefined && ts !== 0 && !earlier.finished) {
        earlier.stats.rangeNs[name] = (earlier.stats.rangeNs[name] ?? 0) + restated - ts;
        delete earlier.lastRange[name];
      }
    }
    // Combine: `later` owns everything after the boundary.
    const merged = boundaryEnd === 0 && !later.finished ? earlier : later;
    if (merged === later) {
      later[REFS] = undefined;
      addStats(later.stats, earlier.stats);
      if (earlier.runs > 0) {
        const sameThread = later.runs === 0 || later.runThread === earlier.runThread;
        later.oneThread = earlier.oneThread && later.oneThread && sameThread;
        later.runThread = earlier.runThread;
        later.runs += earlier.runs;
      }
      later.creationTime = earlier.creationTime;
      later.creationStack = earlier.creationStack;
      if (earlier.startTime !== 0) later.startTime = earlier.startTime;
      if (later.name === '') {
        later.name = earlier.name;
        later.pc = earlier.pc;
      }
      if (earlier.pendingUnnamed) {
        later.pendingUnnamed ??= { sched: emptyHistogram() };
        mergeHistogramInto(later.pendingUnnamed.sched, earlier.pendingUnnamed.sched);
      }
      const pendingProfiles = later.pendingProfiles;
      later.pendingProfiles = earlier.pendingProfiles;
      if (earlier.continuation === undefined) this.settlePendingProfiles(later, pendingProfiles, earlier.startTime !== 0, earlier.regionDepth);
      else {
        // Still a chain of parts met mid-trace: carry them, relative to the chain's start.
        for (const p of pendingProfiles ?? []) {
          p.depth += earlier.regionDepth;
          if (earlier.startTime !== 0) p.ranBefore = true;
          (later.pendingProfiles ??= []).push(p);
        }
      }
      const pending = later.pendingContinuation;
      later.pendingContinuation = earlier.pendingContinuation;
      // A chain of parts met mid-trace: the merged part's boundary is the first real transition
      // in either (earlier's if it had one).
      const earlierHadTransition = earlier.continuation === undefined || earlier.continuation.until !== 0;
      if (earlierHadTransition) later.continuation = earlier.continuation;
      if (later.continuation === undefined) this.flushContinuation(later, pending);
      else if (pending) {
        later.pendingContinuation ??= emptyHistogram();
        mergeHistogramInto(later.pendingContinuation, pending);
      }
      // Open ranges `later` did not restate are still open from `earlier`'s start.
      for (const [name, ts] of Object.entries(earlier.lastRange)) if (!(name in later.lastRange)) later.lastRange[name] = ts;
      later.rangeRestated = earlierHadTransition ? earlier.rangeRestated : { ...later.rangeRestated, ...earlier.rangeRestated };
      later.regionDepth = earlier.regionDepth + later.regionDepth;
      for (let k = 0; k < 4; k++) {
        if (later.trackStart[k] === 0 && boundaryEnd === 0) {
          later.trackStart[k] = earlier.trackStart[k]!;
          later.trackStack[k] = earlier.trackStack[k]!;
        }
      }
      if (later.name !== '') this.flushUnnamed(later);
      this.gs.set(later.id, later);
      if (later.finished && later.continuation === undefined) this.fold(later, later.endTime || this.lastTime);
    } else {
      // `later` saw no transition of this goroutine: keep `earlier`'s open state, add what `later`
      // accumulated (range times) and take its view of open ranges.
      addStats(earlier.stats, later.stats);
      for (const [name, ts] of Object.entries(later.lastRange)) earlier.lastRange[name] = ts;
      for (const name of Object.keys(later.rangeRestated ?? {})) {
        if (later.lastRange[name] === undefined) delete earlier.lastRange[name];
      }
      earlier.regionDepth += later.regionDepth;
    }
  }

  /** Ends the trace: closes every pending interval at the last event time, as Go's Finalize. */
  finishTrace(): void {
    for (const g of [...this.gs.values()]) {
      if (g.continuation !== undefined) {
        g.continuation = undefined;
        this.flushContinuation(g, g.pendingContinuation);
        g.pendingContinuation = undefined;
        this.settlePendingProfiles(g, g.pendingProfiles, false, 0);
        g.pendingProfiles = undefined;
      }
      if (!g.finished) {
        this.closePendingIntervals(g, this.lastTime);
        g.finished = true;
      }
      this.fold(g, this.lastTime);
    }
    this.trimTop();
  }

  groupsList(): GroupAggregate[] {
    return [...this.groups.values()];
  }

  profileRecords(kind: ProfileKind): Map<number, ProfileRecord> {
    return this.profiles[PROFILE_KINDS.indexOf(kind)]!.byStack;
  }

  schedLatency(): { overall: HistogramData; byCreationStack: Map<number, HistogramData> } {
    return { overall: this.schedOverall, byCreationStack: this.schedByCreationStack };
  }

  topGoroutines(): GoroutineListing[] {
    return this.top;
  }

  timeSpan(): { first: number; last: number } {
    return { first: this.firstTime, last: this.lastTime };
  }
}
