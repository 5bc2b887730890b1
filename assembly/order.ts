// The ordering state machine: Go's scheduler state (goroutines, procs, threads, GC, tasks, regions,
// special ranges), simulated to decide which thread's next event may come next and to reject
// traces that cannot have happened. It mirrors the rules of Go's internal/trace ordering, handler
// by handler, including the events it synthesises and the arguments it rewrites for the API.
import { Ev } from './event';
import { IdMap } from './idmap';
import { Generation, bytesEqual, copyBytes } from './generation';
import * as S from './specs';
import { put, putRoom, tables } from './output';
import { ERR_ORDERING, fail } from './state';

// Wire statuses.
const GO_BAD: u8 = 0;
const GO_RUNNABLE: u8 = 1;
const GO_RUNNING: u8 = 2;
const GO_SYSCALL: u8 = 3;
const GO_WAITING: u8 = 4;
const PROC_RUNNING: u8 = 1;
const PROC_IDLE: u8 = 2;
const PROC_SYSCALL: u8 = 3;
const PROC_SYSCALL_ABANDONED: u8 = 4;

// API states.
export const G_UNDETERMINED: u8 = 0;
export const G_NOT_EXIST: u8 = 1;
export const G_RUNNABLE: u8 = 2;
export const G_RUNNING: u8 = 3;
export const G_WAITING: u8 = 4;
export const G_SYSCALL: u8 = 5;
export const P_UNDETERMINED: u8 = 0;
export const P_NOT_EXIST: u8 = 1;
export const P_RUNNING: u8 = 2;
export const P_IDLE: u8 = 3;

export const NO_TASK: u64 = u64.MAX_VALUE;

export function goStatusToState(status: u64): u8 {
  switch (<i32>status) {
    case 1: return G_RUNNABLE;
    case 2: return G_RUNNING;
    case 3: return G_SYSCALL;
    case 4: return G_WAITING;
    default: return G_UNDETERMINED;
  }
}

export function procStatusToState(status: u64): u8 {
  switch (<i32>status) {
    case 1: return P_RUNNING;
    case 2: return P_IDLE;
    case 3: return P_RUNNING;
    case 4: return P_IDLE;
    default: return P_UNDETERMINED;
  }
}

// Go's GoStatus.String() and ProcStatus.String(): anything else (SyscallAbandoned included) is "Bad".
function goStatusName(s: u8): string {
  switch (s) {
    case GO_RUNNABLE: return 'Runnable';
    case GO_RUNNING: return 'Running';
    case GO_SYSCALL: return 'Syscall';
    case GO_WAITING: return 'Waiting';
    default: return 'Bad';
  }
}
function procStatusName(s: u8): string {
  switch (s) {
    case PROC_RUNNING: return 'Running';
    case PROC_IDLE: return 'Idle';
    case PROC_SYSCALL: return 'Syscall';
    default: return 'Bad';
  }
}

/** In-flight special ranges of one resource: (Begin type, desc) pairs in parallel arrays, so that
 *  beginning and ending a range allocates nothing once the arrays have grown. The arrays are
 *  fixed-size with a count beside them: a GC sweep begins and ends a range on a proc for a good
 *  share of a busy trace's events, and Array.push/pop cost a call each. */
class RangeState {
  private typeSlots: StaticArray<u8> = new StaticArray<u8>(4);
  private descSlots: StaticArray<u64> = new StaticArray<u64>(4);
  private count: i32 = 0;

  @inline has(typ: u8, desc: u64): bool {
    for (let i = 0; i < this.count; i++) {
      if (unchecked(this.typeSlots[i]) == typ && unchecked(this.descSlots[i]) == desc) return true;
    }
    return false;
  }

  @inline private add(typ: u8, desc: u64): void {
    const n = this.count;
    if (n == this.typeSlots.length) this.grow();
    unchecked((this.typeSlots[n] = typ));
    unchecked((this.descSlots[n] = desc));
    this.count = n + 1;
  }

  private grow(): void {
    const n = this.count;
    const types = new StaticArray<u8>(n * 2);
    const descs = new StaticArray<u64>(n * 2);
    for (let i = 0; i < n; i++) {
      unchecked((types[i] = this.typeSlots[i]));
      unchecked((descs[i] = this.descSlots[i]));
    }
    this.typeSlots = types;
    this.descSlots = descs;
  }

  /** Go prints a rangeType with %v: {typ desc}. */
  private static describe(typ: u8, desc: u64): string {
    return '{' + typ.toString() + ' ' + desc.toString() + '}';
  }

  private describeAll(): string {
    let s = '[';
    for (let i = 0; i < this.count; i++) {
      if (i > 0) s += ' ';
      s += RangeState.describe(unchecked(this.typeSlots[i]), unchecked(this.descSlots[i]));
    }
    return s + ']';
  }

  begin(typ: u8, desc: u64, offset: i32): bool {
    if (!this.tryBegin(typ, desc)) {
      return fail(ERR_ORDERING, 'discovered event already in-flight for when starting event ' + S.specName(typ), offset);
    }
    return true;
  }

  /** begin() without the error: false, and nothing changed, if the range is already in flight. */
  @inline tryBegin(typ: u8, desc: u64): bool {
    if (this.has(typ, desc)) return false;
    this.add(typ, desc);
    return true;
  }

  active(typ: u8, desc: u64, initialGen: bool, offset: i32): bool {
    if (initialGen) {
      if (this.has(typ, desc)) return fail(ERR_ORDERING, 'found named active range already in first gen: ' + RangeState.describe(typ, desc), offset);
      this.add(typ, desc);
    } else if (!this.has(typ, desc)) {
      return fail(ERR_ORDERING, 'resource is missing active range: ' + S.specName(typ) + ' ' + this.describeAll(), offset);
    }
    return true;
  }

  /** The desc of the range the last successful end() closed. */
  endedDesc: u64 = 0;

  /** Ends the range begun by `endTyp`'s start event (swap-remove, as Go does). */
  end(endTyp: u8, offset: i32): bool {
    if (this.tryEnd(endTyp)) return true;
    return fail(ERR_ORDERING, 'tried to end event ' + S.specName(S.startEvOf(endTyp)) + ', but not in-flight', offset);
  }

  /** end() without the error: false, and nothing changed, if no such range is in flight. */
  @inline tryEnd(endTyp: u8): bool {
    const st = S.startEvOf(endTyp);
    const n = this.count;
    for (let i = 0; i < n; i++) {
      if (unchecked(this.typeSlots[i]) == st) {
        this.endedDesc = unchecked(this.descSlots[i]);
        unchecked((this.typeSlots[i] = this.typeSlots[n - 1]));
        unchecked((this.descSlots[i] = this.descSlots[n - 1]));
        this.count = n - 1;
        return true;
      }
    }
    return false;
  }

  clear(): void {
    this.count = 0;
  }
}

/** Go prints a userRegion with %v: {taskID name}. */
function regionString(task: u64, name: ArrayBuffer): string {
  return '{' + task.toString() + ' ' + String.UTF8.decode(name) + '}';
}

class UserRegion {
  constructor(public task: u64, public name: ArrayBuffer) {}
}

class GState {
  status: u8 = 0;
  /** True while this state is gStates' entry for `id`: a cached reference is valid only then. */
  live: bool = true;
  seqGen: u64 = 0;
  seq: u64 = 0;
  regions: Array<UserRegion> = new Array<UserRegion>();
  ranges: RangeState = new RangeState();
  constructor(public id: i64) {}
}

// Goroutines come and go by the million in busy traces: destroyed states are reused.
const freeGStates = new Array<GState>();

function newGState(id: i64): GState {
  if (freeGStates.length == 0) return new GState(id);
  const gs = freeGStates.pop();
  gs.id = id;
  gs.live = true;
  gs.status = 0;
  gs.seqGen = 0;
  gs.seq = 0;
  gs.regions.length = 0;
  gs.ranges.clear();
  return gs;
}

class PState {
  status: u8 = 0;
  seqGen: u64 = 0;
  seq: u64 = 0;
  ranges: RangeState = new RangeState();
  constructor(public id: i64) {}
}

export class MState {
  g: i64 = -1;
  p: i64 = -1;
  // The goroutine and proc states this thread looked up last: a thread's events keep referring
  // to the same G and P, so most lookups are answered here without hashing. Checked on use (id,
  // and liveness for goroutines, whose states are destroyed and reused); PStates are never removed.
  lastG: GState | null = null;
  lastP: PState | null = null;
}

class TaskState {
  constructor(public name: ArrayBuffer, public parent: u64) {}
}

const GC_UNDETERMINED: u8 = 0;
const GC_NOT_RUNNING: u8 = 1;
const GC_RUNNING: u8 = 2;

/** The stack column's value for stack id `id` (write()'s rule: -1 for none). */
@inline function stackColumn(id: u64): f64 {
  return id != 0 ? <f64>id : -1;
}

/** advanceSyscall's answer when the event needs the general path. */
export const NOT_FAST: i32 = 2;

// Context requirements.
const NOT: u8 = 0;
const MAY: u8 = 1;
const MUST: u8 = 2;

export class Ordering {
  gStates: IdMap<GState> = new IdMap<GState>();
  pStates: IdMap<PState> = new IdMap<PState>();
  mStates: Map<i64, MState> = new Map<i64, MState>();
  activeTasks: Map<u64, TaskState> = new Map<u64, TaskState>();
  gcSeq: u64 = 0;
  gcState: u8 = GC_UNDETERMINED;
  initialGen: u64 = 0;
  version: i32 = 26;
  private scratch: Ev = new Ev();

  // Per-call scratch: the context before and after the event.
  private curG: i64 = -1;
  private curP: i64 = -1;
  private curM: i64 = -1;
  private newG: i64 = -1;
  private newP: i64 = -1;
  private offset: i32 = -1;
  private gen: u64 = 0;
  /** The thread of the event being ordered (null for NoThread): its lookup cache. */
  private ms: MState | null = null;
  private table: Generation | null = null;

  /** The state of thread m, created on first use (null for NoThread). Entries are never removed,
   *  so callers may keep the reference. */
  threadState(m: i64): MState | null {
    if (m == -1) return null;
    if (this.mStates.has(m)) return this.mStates.get(m);
    const ms = new MState();
    this.mStates.set(m, ms);
    return ms;
  }

  /** 1: advanced (events queued), 0: cannot advance yet, -1: error (recorded). */
  advance(ev: Ev, table: Generation, m: i64, ms: MState | null, gen: u64): i32 {
    if (this.initialGen == 0) this.initialGen = gen;
    this.putFailed = false;
    this.gen = gen;
    this.table = table;
    this.offset = ev.offset;
    this.curM = m;
    this.ms = ms;
    if (ms === null) {
      this.curP = -1;
      this.curG = -1;
    } else {
      this.curP = ms.p;
      this.curG = ms.g;
    }
    this.newG = this.curG;
    this.newP = this.curP;
    const result = this.dispatch(ev);
    if (result != 1) return result;
    if (this.putFailed) return -1;
    if (ms !== null) {
      ms.p = this.newP;
      ms.g = this.newG;
    }
    return result;
  }

  @inline private dispatch(ev: Ev): i32 {
    switch (ev.typ) {
      case S.EV_PROCS_CHANGE:
      case S.EV_GO_LABEL:
      case S.EV_USER_LOG:
        return this.annotation(ev);
      case S.EV_PROC_START: return this.procStart(ev);
      case S.EV_PROC_STOP: return this.procStop(ev);
      case S.EV_PROC_STEAL: return this.procSteal(ev);
      case S.EV_PROC_STATUS: return this.procStatus(ev);
      case S.EV_GO_CREATE:
      case S.EV_GO_CREATE_BLOCKED:
        return this.goCreate(ev);
      case S.EV_GO_CREATE_SYSCALL: return this.goCreateSyscall(ev);
      case S.EV_GO_START: return this.goStart(ev);
      case S.EV_GO_DESTROY:
      case S.EV_GO_STOP:
      case S.EV_GO_BLOCK:
        return this.goStopExec(ev);
      case S.EV_GO_DESTROY_SYSCALL: return this.goDestroySyscall(ev);
      case S.EV_GO_UNBLOCK: return this.goUnblock(ev);
      case S.EV_GO_SYSCALL_BEGIN: return this.goSyscallBegin(ev);
      case S.EV_GO_SYSCALL_END: return this.goSyscallEnd(ev);
      case S.EV_GO_SYSCALL_END_BLOCKED: return this.goSyscallEndBlocked(ev);
      case S.EV_GO_STATUS:
      case S.EV_GO_STATUS_STACK:
        return this.goStatus(ev);
      case S.EV_STW_BEGIN:
      case S.EV_GC_MARK_ASSIST_BEGIN:
        return this.goRangeBegin(ev);
      case S.EV_STW_END:
      case S.EV_GC_MARK_ASSIST_END:
        return this.goRangeEnd(ev);
      case S.EV_GC_MARK_ASSIST_ACTIVE: return this.goRangeActive(ev);
      case S.EV_GC_ACTIVE: return this.gcActive(ev);
      case S.EV_GC_BEGIN: return this.gcBegin(ev);
      case S.EV_GC_END: return this.gcEnd(ev);
      case S.EV_GC_SWEEP_ACTIVE: return this.gcSweepActive(ev);
      case S.EV_GC_SWEEP_BEGIN: return this.gcSweepBegin(ev);
      case S.EV_GC_SWEEP_END: return this.gcSweepEnd(ev);
      case S.EV_HEAP_ALLOC:
      case S.EV_HEAP_GOAL:
        return this.heapMetric(ev);
      case S.EV_USER_TASK_BEGIN: return this.userTaskBegin(ev);
      case S.EV_USER_TASK_END: return this.userTaskEnd(ev);
      case S.EV_USER_REGION_BEGIN: return this.userRegion(ev, true);
      case S.EV_USER_REGION_END: return this.userRegion(ev, false);
      case S.EV_GO_SWITCH:
      case S.EV_GO_SWITCH_DESTROY:
        return this.goSwitch(ev);
      default:
        if (ev.typ >= S.EV_FIRST_EXPERIMENTAL && ev.typ <= S.EV_LAST_EXPERIMENTAL) return this.allocFree(ev);
        return this.error('bad event type found while ordering: ' + ev.typ.toString());
    }
  }

  private putFailed: bool = false;

  private name(typ: u8): string {
    return S.eventName(typ, this.version);
  }

  private error(message: string): i32 {
    fail(ERR_ORDERING, message, this.offset);
    return -1;
  }

  @inline private validate(m: u8, p: u8, g: u8): bool {
    if (m == MUST && this.curM == -1) return fail(ERR_ORDERING, "expected a thread but didn't have one", this.offset);
    if (m == NOT && this.curM != -1) return fail(ERR_ORDERING, 'expected no thread but had one', this.offset);
    if (p == MUST && this.curP == -1) return fail(ERR_ORDERING, "expected a proc but didn't have one", this.offset);
    if (p == NOT && this.curP != -1) return fail(ERR_ORDERING, 'expected no proc but had one', this.offset);
    if (g == MUST && this.curG == -1) return fail(ERR_ORDERING, "expected a goroutine but didn't have one", this.offset);
    if (g == NOT && this.curG != -1) return fail(ERR_ORDERING, 'expected no goroutine but had one', this.offset);
    return true;
  }

  @inline private validateUser(): bool {
    return this.validate(MUST, MUST, MUST);
  }

  /** Hands ev out with the current context (Go queues it; we write it straight to the output). */
  private emit(ev: Ev): void {
    if (this.putFailed) return;
    if (!put(ev, this.curG, this.curP, this.curM)) this.putFailed = true;
  }

  /** Hands out a made-up event (Go's makeEvent) with the given goroutine and the current P and M. */
  private synth(src: Ev, typ: u8, g: i64, a0: u64, a1: u64, a3: u64): void {
    const out = this.scratch;
    out.typ = typ;
    out.time = src.time;
    out.a0 = a0;
    out.a1 = a1;
    out.a2 = 0;
    out.a3 = a3;
    out.size = 0;
    out.offset = src.offset;
    if (this.putFailed) return;
    if (!put(out, g, this.curP, this.curM)) this.putFailed = true;
  }

  @inline private seqSucceeds(gen: u64, seq: u64, prevGen: u64, prevSeq: u64): bool {
    return gen == prevGen && seq == prevSeq + 1;
  }

  @inline private getG(id: i64): GState | null {
    const ms = this.ms;
    return ms !== null ? this.threadG(ms, id) : this.gStates.get(id);
  }

  @inline private getP(id: i64): PState | null {
    const ms = this.ms;
    return ms !== null ? this.threadP(ms, id) : this.pStates.get(id);
  }

  /** Goroutine id's state, through thread ms's cache. */
  @inline private threadG(ms: MState, id: i64): GState | null {
    // Nested ifs rather than one && chain: each test then compiles to a compare and a branch,
    // where the chain materialises booleans.
    const last = ms.lastG;
    if (last !== null) {
      if (last.id == id) {
        if (last.live) return last;
      }
    }
    const gs = this.gStates.get(id);
    if (gs !== null) ms.lastG = gs;
    return gs;
  }

  /** Proc id's state, through thread ms's cache. */
  @inline private threadP(ms: MState, id: i64): PState | null {
    const last = ms.lastP;
    if (last !== null) {
      if (last.id == id) return last;
    }
    const ps = this.pStates.get(id);
    if (ps !== null) ms.lastP = ps;
    return ps;
  }

  /**
   * The events that make up most of a busy trace (syscalls, goroutine start/block/unblock, heap
   * metrics). When such an event is valid and can advance, the common case, this applies exactly
   * what advance() would, with the context in locals instead of the per-call fields. Otherwise it
   * changes nothing and returns NOT_FAST, and advance() takes the event: "cannot advance yet"
   * and every error come from there, as always. `into`: how the batch is written (writingColumns()).
   */
  @inline advanceFast(ev: Ev, ms: MState, m: i64, gen: u64, into: bool): i32 {
    // Every case needs a thread, and initialGen set by a first advance(): the caller checks both.
    // Each check is its own if (see threadG). A stack or string id missing from the generation's
    // tables also leaves the event to advance(), which reports it (emit, validateTableIds). The
    // caller guarantees room in the output for the one event a case hands out (putRoom).
    const gid = ms.g;
    const pid = ms.p;
    // The thread's goroutine after the event (its proc never changes here).
    let newG = gid;
    switch (ev.typ) {
      case S.EV_GO_SYSCALL_BEGIN: {
        // validateUser, then goSyscallBegin's checks.
        if (gid == -1) return NOT_FAST;
        if (pid == -1) return NOT_FAST;
        const st = this.threadG(ms, gid);
        if (st === null) return NOT_FAST;
        if (st.status != GO_RUNNING) return NOT_FAST;
        const ps = this.threadP(ms, pid);
        if (ps === null) return NOT_FAST;
        if (ps.seqGen != gen) return NOT_FAST;
        if (ev.a0 != ps.seq + 1) return NOT_FAST;
        if (!changetype<Generation>(tables).hasStack(ev.a1)) return NOT_FAST;
        st.status = GO_SYSCALL;
        ps.status = PROC_SYSCALL;
        ps.seq = ev.a0;
        const stack = stackColumn(ev.a1);
        putRoom(into, ev, gid, pid, m, S.KIND_STATE_TRANSITION, stack, 1, <f64>gid, G_RUNNING, G_SYSCALL, 0, stack);
        break;
      }
      case S.EV_GO_SYSCALL_END: {
        if (gid == -1) return NOT_FAST;
        if (pid == -1) return NOT_FAST;
        const st = this.threadG(ms, gid);
        if (st === null) return NOT_FAST;
        if (st.status != GO_SYSCALL) return NOT_FAST;
        const ps = this.threadP(ms, pid);
        if (ps === null) return NOT_FAST;
        if (ps.status != PROC_SYSCALL) return NOT_FAST;
        st.status = GO_RUNNING;
        ps.status = PROC_RUNNING;
        putRoom(into, ev, gid, pid, m, S.KIND_STATE_TRANSITION, -1, 1, <f64>gid, G_SYSCALL, G_RUNNING, 0, -1);
        break;
      }
      case S.EV_GC_SWEEP_BEGIN:
      case S.EV_GC_SWEEP_END: {
        // gcSweepBegin / gcSweepEnd: validate(MUST, MUST, MAY), the proc known, the range
        // not yet / still in flight.
        if (pid == -1) return NOT_FAST;
        const ps = this.threadP(ms, pid);
        if (ps === null) return NOT_FAST;
        if (ev.typ == S.EV_GC_SWEEP_BEGIN) {
          if (!changetype<Generation>(tables).hasStack(ev.a0)) return NOT_FAST;
          if (!ps.ranges.tryBegin(S.EV_GC_SWEEP_BEGIN, 0)) return NOT_FAST;
          putRoom(into, ev, gid, pid, m, S.KIND_RANGE_BEGIN, stackColumn(ev.a0), 2, <f64>pid, 0, 0, 0, -1);
        } else {
          if (!ps.ranges.tryEnd(ev.typ)) return NOT_FAST;
          putRoom(into, ev, gid, pid, m, S.KIND_RANGE_END, -1, 2, <f64>pid, 0, 0, 0, -1);
        }
        break;
      }
      case S.EV_HEAP_ALLOC: {
        // heapMetric: validate(MUST, MUST, MAY).
        if (pid == -1) return NOT_FAST;
        putRoom(into, ev, gid, pid, m, S.KIND_METRIC, -1, 0, 0, 0, 0, 0, -1);
        break;
      }
      case S.EV_GO_UNBLOCK: {
        // goUnblock checks no context. The goroutine is another thread's: looked up without
        // replacing this thread's cached one.
        const st = this.gStates.get(<i64>ev.a0);
        if (st === null) return NOT_FAST;
        if (st.status != GO_WAITING) return NOT_FAST;
        if (st.seqGen != gen) return NOT_FAST;
        if (ev.a1 != st.seq + 1) return NOT_FAST;
        if (!changetype<Generation>(tables).hasStack(ev.a2)) return NOT_FAST;
        st.status = GO_RUNNABLE;
        st.seq = ev.a1;
        putRoom(into, ev, gid, pid, m, S.KIND_STATE_TRANSITION, stackColumn(ev.a2), 1, <f64>(<i64>ev.a0), G_WAITING, G_RUNNABLE, 0, -1);
        break;
      }
      case S.EV_GO_START: {
        // goStart: the goroutine must be ready, then validate(MUST, MUST, NOT).
        const next = <i64>ev.a0;
        const st = this.threadG(ms, next);
        if (st === null) return NOT_FAST;
        if (st.status != GO_RUNNABLE) return NOT_FAST;
        if (st.seqGen != gen) return NOT_FAST;
        if (ev.a1 != st.seq + 1) return NOT_FAST;
        if (pid == -1) return NOT_FAST;
        if (gid != -1) return NOT_FAST;
        st.status = GO_RUNNING;
        st.seq = ev.a1;
        newG = next;
        putRoom(into, ev, gid, pid, m, S.KIND_STATE_TRANSITION, -1, 1, <f64>next, G_RUNNABLE, G_RUNNING, 0, -1);
        break;
      }
      case S.EV_GO_CREATE:
      case S.EV_GO_CREATE_BLOCKED:
        // Rarer, and they allocate: out of line, still far cheaper than advance().
        return this.goCreateFast(ev, ms, m, gen, into);
      case S.EV_GO_DESTROY:
        return this.goDestroyFast(ev, ms, m, into);
      case S.EV_GO_BLOCK:
      case S.EV_GO_STOP: {
        // goStopExec without the destroy case: validateUser, the goroutine Running.
        if (gid == -1) return NOT_FAST;
        if (pid == -1) return NOT_FAST;
        const st = this.threadG(ms, gid);
        if (st === null) return NOT_FAST;
        if (st.status != GO_RUNNING) return NOT_FAST;
        const table = changetype<Generation>(tables);
        if (!table.hasStack(ev.a1)) return NOT_FAST;
        if (!table.hasString(ev.a0)) return NOT_FAST;
        const stop = ev.typ == S.EV_GO_STOP;
        st.status = stop ? GO_RUNNABLE : GO_WAITING;
        newG = -1;
        const stack = stackColumn(ev.a1);
        putRoom(into, ev, gid, pid, m, S.KIND_STATE_TRANSITION, stack, 1, <f64>gid, G_RUNNING, stop ? G_RUNNABLE : G_WAITING, <f64>ev.a0, stack);
        break;
      }
      default:
        return NOT_FAST;
    }
    // Each case has handed out the event in the context before it, as advance()'s emit does.
    ms.g = newG;
    return 1;
  }

  /** advanceFast's GoCreate and GoCreateBlocked: goCreate's checks and changes, or NOT_FAST. */
  private goCreateFast(ev: Ev, ms: MState, m: i64, gen: u64, into: bool): i32 {
    const gid = ms.g;
    const pid = ms.p;
    // validate(MUST, MUST, MAY); the creator, if any, Running; the new goroutine unknown.
    if (pid == -1) return NOT_FAST;
    const cur = this.threadG(ms, gid);
    if (cur !== null) {
      if (cur.status != GO_RUNNING) return NOT_FAST;
    }
    const newgid = <i64>ev.a0;
    if (this.gStates.get(newgid) !== null) return NOT_FAST;
    // validateTableIds: the own stack (a2), then the new goroutine's start stack (a1).
    const table = changetype<Generation>(tables);
    if (!table.hasStack(ev.a2)) return NOT_FAST;
    if (!table.hasStack(ev.a1)) return NOT_FAST;
    const blocked = ev.typ == S.EV_GO_CREATE_BLOCKED;
    const gs = newGState(newgid);
    gs.status = blocked ? GO_WAITING : GO_RUNNABLE;
    gs.seqGen = gen;
    this.gStates.set(newgid, gs);
    putRoom(into, ev, gid, pid, m, S.KIND_STATE_TRANSITION, stackColumn(ev.a2), 1, <f64>newgid, G_NOT_EXIST, blocked ? G_WAITING : G_RUNNABLE, 0, <f64>ev.a1);
    return 1;
  }

  /** advanceFast's GoDestroy: goStopExec's checks and changes, or NOT_FAST. */
  private goDestroyFast(ev: Ev, ms: MState, m: i64, into: bool): i32 {
    const gid = ms.g;
    const pid = ms.p;
    if (gid == -1) return NOT_FAST;
    if (pid == -1) return NOT_FAST;
    const st = this.threadG(ms, gid);
    if (st === null) return NOT_FAST;
    if (st.status != GO_RUNNING) return NOT_FAST;
    this.deleteG(gid, st);
    freeGStates.push(st);
    ms.g = -1;
    putRoom(into, ev, gid, pid, m, S.KIND_STATE_TRANSITION, -1, 1, <f64>gid, G_RUNNING, G_NOT_EXIST, 0, -1);
    return 1;
  }

  /** Removes goroutine `id`'s state (st, its entry), so that no cached reference still finds it. */
  private deleteG(id: i64, st: GState): void {
    st.live = false;
    this.gStates.delete(id);
  }

  private procStatus(ev: Ev): i32 {
    const pid = <i64>ev.a0;
    const status = ev.a1;
    if (status >= 5) return this.error('invalid status for proc ' + pid.toString() + ': ' + status.toString());
    let oldState = procStatusToState(status);
    const s = this.getP(pid);
    if (s !== null) {
      if (status == PROC_SYSCALL_ABANDONED && s.status == PROC_SYSCALL) {
        oldState = P_RUNNING;
        ev.a1 = PROC_SYSCALL;
      } else if (status == PROC_SYSCALL_ABANDONED && s.status == PROC_SYSCALL_ABANDONED) {
        oldState = P_IDLE;
        ev.a1 = PROC_SYSCALL_ABANDONED;
      } else if (<u64>s.status != status) {
        return this.error('inconsistent status for proc ' + pid.toString() + ': old ' + procStatusName(s.status) + ' vs. new ' + procStatusName(<u8>status));
      }
      s.seqGen = this.gen;
      s.seq = 0;
    } else {
      const ps = new PState(pid);
      ps.status = <u8>status;
      ps.seqGen = this.gen;
      this.pStates.set(pid, ps);
      oldState = this.gen == this.initialGen ? P_UNDETERMINED : P_NOT_EXIST;
    }
    ev.a2 = oldState; // smuggled old state (Go's extra slot)
    if (status == PROC_RUNNING || status == PROC_SYSCALL) this.newP = pid;
    if (status == PROC_SYSCALL_ABANDONED && oldState == P_RUNNING) {
      // The status is being emitted from a thread other than the one the P is bound to; report it
      // in the context it belongs to.
      let found = false;
      const keys = this.mStates.keys();
      for (let i = 0; i < keys.length; i++) {
        const mid = unchecked(keys[i]);
        const ms = this.mStates.get(mid);
        if (ms.p == pid) {
          this.curM = mid;
          this.curP = pid;
          this.curG = ms.g;
          found = true;
        }
      }
      if (!found) return this.error('failed to find sched context for proc ' + pid.toString() + " that's about to be stolen");
    }
    this.emit(ev);
    return 1;
  }

  private procStart(ev: Ev): i32 {
    const pid = <i64>ev.a0;
    const st = this.getP(pid);
    if (st === null || st.status != PROC_IDLE || !this.seqSucceeds(this.gen, ev.a1, st.seqGen, st.seq) || this.curP != -1) return 0;
    if (!this.validate(MUST, NOT, MAY)) return -1;
    st.status = PROC_RUNNING;
    st.seqGen = this.gen;
    st.seq = ev.a1;
    this.newP = pid;
    this.emit(ev);
    return 1;
  }

  private procStop(ev: Ev): i32 {
    const st = this.getP(this.curP);
    if (st === null) return this.error('event ProcStop for proc (' + this.curP.toString() + ") that doesn't exist");
    if (st.status != PROC_RUNNING && st.status != PROC_SYSCALL) return this.error("ProcStop event for proc that's not Running or Syscall");
    if (!this.validate(MUST, MUST, MAY)) return -1;
    st.status = PROC_IDLE;
    this.newP = -1;
    this.emit(ev);
    return 1;
  }

  private procSteal(ev: Ev): i32 {
    const pid = <i64>ev.a0;
    const st = this.getP(pid);
    if (st === null || (st.status != PROC_SYSCALL && st.status != PROC_SYSCALL_ABANDONED) || !this.seqSucceeds(this.gen, ev.a1, st.seqGen, st.seq)) return 0;
    if (!this.validate(MUST, MAY, MAY)) return -1;
    const oldStatus = st.status;
    ev.a3 = oldStatus; // smuggled (Go's extra slot)
    st.status = PROC_IDLE;
    st.seqGen = this.gen;
    st.seq = ev.a1;
    if (oldStatus == PROC_SYSCALL_ABANDONED) {
      this.emit(ev);
      return 1;
    }
    const mid = <i64>ev.a2;
    if (mid == this.curM) {
      if (this.curP != pid) {
        return this.error('tried to self-steal proc ' + pid.toString() + ' (thread ' + mid.toString() + '), but got proc ' + this.curP.toString() + ' instead');
      }
      this.newP = -1;
      this.emit(ev);
      return 1;
    }
    if (!this.mStates.has(mid)) return this.error('stole proc from non-existent thread ' + mid.toString());
    const other = this.mStates.get(mid);
    if (other.p != pid) {
      return this.error('tried to steal proc ' + pid.toString() + ' from thread ' + mid.toString() + ', but got proc ' + other.p.toString() + ' instead');
    }
    other.p = -1;
    this.emit(ev);
    return 1;
  }

  private goStatus(ev: Ev): i32 {
    const gid = <i64>ev.a0;
    const mid = <i64>ev.a1;
    const status = ev.a2;
    if (status >= 5) return this.error('invalid status for goroutine ' + gid.toString() + ': ' + status.toString());
    let oldState = goStatusToState(status);
    const s = this.getG(gid);
    if (s !== null) {
      if (<u64>s.status != status) {
        return this.error('inconsistent status for goroutine ' + gid.toString() + ': old ' + goStatusName(s.status) + ' vs. new ' + goStatusName(<u8>status));
      }
      s.seqGen = this.gen;
      s.seq = 0;
    } else if (this.gen == this.initialGen) {
      const gs = newGState(gid);
      gs.status = <u8>status;
      gs.seqGen = this.gen;
      this.gStates.set(gid, gs);
      oldState = G_UNDETERMINED;
    } else {
      return this.error('found goroutine status for new goroutine after the first generation: id=' + gid.toString() + ' status=' + goStatusName(<u8>status));
    }
    ev.a2 = (<u64>oldState << 32) | status;
    if (status == GO_RUNNING) {
      this.newG = gid;
    } else if (status == GO_SYSCALL) {
      if (mid == -1) return this.error('found goroutine ' + gid.toString() + ' in syscall without a thread');
      if (mid == this.curM) {
        if (this.gen != this.initialGen && this.curG != gid) {
          return this.error('inconsistent thread for syscalling goroutine ' + gid.toString() + ': thread has goroutine ' + this.curG.toString());
        }
        this.newG = gid;
      } else {
        if (this.mStates.has(mid)) {
          const ms = this.mStates.get(mid);
          if (ms.g != gid) {
            return this.error('inconsistent thread for syscalling goroutine ' + gid.toString() + ': thread has goroutine ' + ms.g.toString());
          }
          this.curG = ms.g;
        } else {
          const ms = new MState();
          ms.g = gid;
          this.mStates.set(mid, ms);
        }
        this.curM = mid;
      }
    }
    this.emit(ev);
    return 1;
  }

  private goCreate(ev: Ev): i32 {
    if (!this.validate(MUST, MUST, MAY)) return -1;
    const cur = this.getG(this.curG);
    if (cur !== null && cur.status != GO_RUNNING) return this.error(this.name(ev.typ) + " event for goroutine that's not Running");
    const newgid = <i64>ev.a0;
    if (this.gStates.get(newgid) !== null) return this.error('tried to create goroutine (' + newgid.toString() + ') that already exists');
    const gs = newGState(newgid);
    gs.status = ev.typ == S.EV_GO_CREATE_BLOCKED ? GO_WAITING : GO_RUNNABLE;
    gs.seqGen = this.gen;
    this.gStates.set(newgid, gs);
    this.emit(ev);
    return 1;
  }

  @inline private goStopExec(ev: Ev): i32 {
    if (!this.validateUser()) return -1;
    const st = this.getG(this.curG);
    if (st === null) return this.error('event ' + this.name(ev.typ) + ' for goroutine (' + this.curG.toString() + ") that doesn't exist");
    if (st.status != GO_RUNNING) return this.error(this.name(ev.typ) + " event for goroutine that's not Running");
    if (ev.typ == S.EV_GO_DESTROY) {
      this.deleteG(this.curG, st);
      freeGStates.push(st);
    } else if (ev.typ == S.EV_GO_STOP) {
      st.status = GO_RUNNABLE;
    } else {
      st.status = GO_WAITING;
    }
    this.newG = -1;
    this.emit(ev);
    return 1;
  }

  @inline private goStart(ev: Ev): i32 {
    const gid = <i64>ev.a0;
    const st = this.getG(gid);
    if (st === null || st.status != GO_RUNNABLE || !this.seqSucceeds(this.gen, ev.a1, st.seqGen, st.seq)) return 0;
    if (!this.validate(MUST, MUST, NOT)) return -1;
    st.status = GO_RUNNING;
    st.seqGen = this.gen;
    st.seq = ev.a1;
    this.newG = gid;
    this.emit(ev);
    return 1;
  }

  @inline private goUnblock(ev: Ev): i32 {
    const gid = <i64>ev.a0;
    const st = this.getG(gid);
    if (st === null || st.status != GO_WAITING || !this.seqSucceeds(this.gen, ev.a1, st.seqGen, st.seq)) return 0;
    st.status = GO_RUNNABLE;
    st.seqGen = this.gen;
    st.seq = ev.a1;
    this.emit(ev);
    return 1;
  }

  private goSwitch(ev: Ev): i32 {
    if (!this.validateUser()) return -1;
    const cur = this.getG(this.curG);
    if (cur === null) return this.error('event ' + this.name(ev.typ) + ' for goroutine (' + this.curG.toString() + ") that doesn't exist");
    if (cur.status != GO_RUNNING) return this.error(this.name(ev.typ) + " event for goroutine that's not Running");
    const nextg = <i64>ev.a0;
    const next = this.getG(nextg);
    if (next === null || next.status != GO_WAITING || !this.seqSucceeds(this.gen, ev.a1, next.seqGen, next.seq)) return 0;
    this.emit(ev);
    if (ev.typ == S.EV_GO_SWITCH) {
      cur.status = GO_WAITING;
      this.synth(ev, S.EV_GO_BLOCK, this.curG, 0, 0, 0);
    } else {
      this.deleteG(this.curG, cur);
      this.synth(ev, S.EV_GO_DESTROY, this.curG, 0, 0, 0);
    }
    next.status = GO_RUNNING;
    next.seqGen = this.gen;
    next.seq = ev.a1;
    this.newG = nextg;
    this.synth(ev, S.EV_GO_START, -1, <u64>nextg, ev.a1, 0);
    return 1;
  }

  @inline private goSyscallBegin(ev: Ev): i32 {
    if (!this.validateUser()) return -1;
    const st = this.getG(this.curG);
    if (st === null) return this.error('event GoSyscallBegin for goroutine (' + this.curG.toString() + ") that doesn't exist");
    if (st.status != GO_RUNNING) return this.error("GoSyscallBegin event for goroutine that's not Running");
    st.status = GO_SYSCALL;
    const ps = this.getP(this.curP);
    if (ps === null) return this.error('uninitialized proc ' + this.curP.toString() + ' found during GoSyscallBegin');
    ps.status = PROC_SYSCALL;
    if (!this.seqSucceeds(this.gen, ev.a0, ps.seqGen, ps.seq)) {
      return this.error('failed to advance GoSyscallBegin: can\'t make sequence: ' + ps.seq.toString() + ' (gen=' + ps.seqGen.toString() + ') -> ' + ev.a0.toString() + ' (gen=' + this.gen.toString() + ')');
    }
    ps.seqGen = this.gen;
    ps.seq = ev.a0;
    this.emit(ev);
    return 1;
  }

  @inline private goSyscallEnd(ev: Ev): i32 {
    if (!this.validateUser()) return -1;
    const st = this.getG(this.curG);
    if (st === null) return this.error('event GoSyscallEnd for goroutine (' + this.curG.toString() + ") that doesn't exist");
    if (st.status != GO_SYSCALL) return this.error("GoSyscallEnd event for goroutine that's not Running");
    st.status = GO_RUNNING;
    const ps = this.getP(this.curP);
    if (ps === null) return this.error('uninitialized proc ' + this.curP.toString() + ' found during GoSyscallEnd');
    if (ps.status != PROC_SYSCALL) {
      return this.error('expected proc ' + this.curP.toString() + ' in state Syscall, but got ' + procStatusName(ps.status) + ' instead');
    }
    ps.status = PROC_RUNNING;
    this.emit(ev);
    return 1;
  }

  private goSyscallEndBlocked(ev: Ev): i32 {
    if (this.curP != -1) {
      const ps = this.getP(this.curP);
      if (ps === null) return this.error('uninitialized proc ' + this.curP.toString() + ' found during GoSyscallEndBlocked');
      if (ps.status == PROC_SYSCALL) return 0;
    }
    if (!this.validate(MUST, MAY, MUST)) return -1;
    const st = this.getG(this.curG);
    if (st === null) return this.error('event GoSyscallEndBlocked for goroutine (' + this.curG.toString() + ") that doesn't exist");
    if (st.status != GO_SYSCALL) return this.error("GoSyscallEndBlocked event for goroutine that's not Running");
    this.newG = -1;
    st.status = GO_RUNNABLE;
    this.emit(ev);
    return 1;
  }

  private goCreateSyscall(ev: Ev): i32 {
    if (!this.validate(MUST, MAY, NOT)) return -1;
    const newgid = <i64>ev.a0;
    if (this.gStates.get(newgid) !== null) return this.error('tried to create goroutine (' + newgid.toString() + ') in syscall that already exists');
    const gs = newGState(newgid);
    gs.status = GO_SYSCALL;
    gs.seqGen = this.gen;
    this.gStates.set(newgid, gs);
    this.newG = newgid;
    this.emit(ev);
    return 1;
  }

  private goDestroySyscall(ev: Ev): i32 {
    if (!this.validate(MUST, MAY, MUST)) return -1;
    const st = this.getG(this.curG);
    if (st === null) return this.error('event GoDestroySyscall for goroutine (' + this.curG.toString() + ") that doesn't exist");
    if (st.status != GO_SYSCALL) return this.error("GoDestroySyscall event for goroutine that's not Syscall");
    this.deleteG(this.curG, st);
    this.newG = -1;
    if (this.curP != -1) {
      const ps = this.getP(this.curP);
      if (ps === null) return this.error('found invalid proc ' + this.curP.toString() + ' during GoDestroySyscall');
      if (ps.status != PROC_SYSCALL) {
        return this.error('proc ' + this.curP.toString() + ' in unexpected state ' + procStatusName(ps.status) + ' during GoDestroySyscall');
      }
      ps.status = PROC_SYSCALL_ABANDONED;
      this.newP = -1;
      this.synth(ev, S.EV_PROC_STEAL, this.curG, <u64>this.curP, 0, PROC_SYSCALL);
    }
    this.emit(ev);
    return 1;
  }

  private userTaskBegin(ev: Ev): i32 {
    const id = ev.a0;
    if (this.activeTasks.has(id)) return this.error('task ID conflict: ' + id.toString());
    let parent = ev.a1;
    if (parent == 0) {
      parent = NO_TASK;
      ev.a1 = NO_TASK;
    }
    const table = this.table!;
    const nameIndex = table.stringIndex(ev.a2);
    let name: ArrayBuffer;
    if (ev.a2 == 0) name = new ArrayBuffer(0);
    else if (nameIndex < 0) return this.error('invalid string ID ' + ev.a2.toString() + ' for ' + ev.typ.toString() + ' event');
    else name = copyBytes(unchecked(table.stringData[nameIndex]), unchecked(table.stringLength[nameIndex]));
    this.activeTasks.set(id, new TaskState(name, parent));
    if (!this.validateUser()) return -1;
    this.emit(ev);
    return 1;
  }

  private userTaskEnd(ev: Ev): i32 {
    const id = ev.a0;
    const table = this.table!;
    if (this.activeTasks.has(id)) {
      const ts = this.activeTasks.get(id);
      ev.a2 = ts.parent;
      ev.a3 = table.addExtraString(ts.name);
      this.activeTasks.delete(id);
    } else {
      ev.a2 = NO_TASK;
      ev.a3 = 0;
    }
    if (!this.validateUser()) return -1;
    this.emit(ev);
    return 1;
  }

  private userRegion(ev: Ev, begin: bool): i32 {
    if (!this.validateUser()) return -1;
    const table = this.table!;
    const task = ev.a0;
    let name: ArrayBuffer;
    if (ev.a1 == 0) {
      name = new ArrayBuffer(0);
    } else {
      const idx = table.stringIndex(ev.a1);
      if (idx < 0) return this.error('invalid string ID ' + ev.a1.toString() + ' for ' + ev.typ.toString() + ' event');
      name = copyBytes(unchecked(table.stringData[idx]), unchecked(table.stringLength[idx]));
    }
    const gs = this.getG(this.curG);
    if (gs === null) {
      return this.error('encountered ' + (begin ? 'EvUserRegionBegin' : 'EvUserRegionEnd') + ' without known state for current goroutine ' + this.curG.toString());
    }
    if (begin) {
      gs.regions.push(new UserRegion(task, name));
    } else if (gs.regions.length > 0) {
      const top = gs.regions[gs.regions.length - 1];
      if (top.task != task || !bytesEqual(top.name, name)) {
        return this.error('misuse of region in goroutine ' + this.curG.toString() + ': region end ' + regionString(task, name) + ' when the inner-most active region start event is ' + regionString(top.task, top.name));
      }
      gs.regions.pop();
    }
    this.emit(ev);
    return 1;
  }

  private gcActive(ev: Ev): i32 {
    const seq = ev.a0;
    if (this.gen == this.initialGen) {
      if (this.gcState != GC_UNDETERMINED) return this.error("GCActive in the first generation isn't first GC event");
      this.gcSeq = seq;
      this.gcState = GC_RUNNING;
      this.emit(ev);
      return 1;
    }
    if (seq != this.gcSeq + 1) return 0;
    if (this.gcState != GC_RUNNING) return this.error('encountered GCActive while GC was not in progress');
    this.gcSeq = seq;
    if (!this.validateUser()) return -1;
    this.emit(ev);
    return 1;
  }

  private gcBegin(ev: Ev): i32 {
    const seq = ev.a0;
    if (this.gcState == GC_UNDETERMINED) {
      this.gcSeq = seq;
      this.gcState = GC_RUNNING;
      this.emit(ev);
      return 1;
    }
    if (seq != this.gcSeq + 1) return 0;
    if (this.gcState == GC_RUNNING) return this.error('encountered GCBegin while GC was already in progress');
    this.gcSeq = seq;
    this.gcState = GC_RUNNING;
    if (!this.validateUser()) return -1;
    this.emit(ev);
    return 1;
  }

  private gcEnd(ev: Ev): i32 {
    const seq = ev.a0;
    if (seq != this.gcSeq + 1) return 0;
    if (this.gcState == GC_NOT_RUNNING) return this.error('encountered GCEnd when GC was not in progress');
    if (this.gcState == GC_UNDETERMINED) return this.error('encountered GCEnd when GC was in an undetermined state');
    this.gcSeq = seq;
    this.gcState = GC_NOT_RUNNING;
    if (!this.validateUser()) return -1;
    this.emit(ev);
    return 1;
  }

  private annotation(ev: Ev): i32 {
    if (!this.validateUser()) return -1;
    this.emit(ev);
    return 1;
  }

  @inline private heapMetric(ev: Ev): i32 {
    if (!this.validate(MUST, MUST, MAY)) return -1;
    this.emit(ev);
    return 1;
  }

  @inline private gcSweepBegin(ev: Ev): i32 {
    if (!this.validate(MUST, MUST, MAY)) return -1;
    const ps = this.getP(this.curP);
    if (ps === null) return this.error('GCSweepBegin on unknown proc ' + this.curP.toString());
    if (!ps.ranges.begin(S.EV_GC_SWEEP_BEGIN, 0, this.offset)) return -1;
    this.emit(ev);
    return 1;
  }

  private gcSweepActive(ev: Ev): i32 {
    const pid = <i64>ev.a0;
    const ps = this.getP(pid);
    if (ps === null) return this.error('encountered GCSweepActive for unknown proc ' + pid.toString());
    if (!ps.ranges.active(S.EV_GC_SWEEP_BEGIN, 0, this.gen == this.initialGen, this.offset)) return -1;
    this.emit(ev);
    return 1;
  }

  @inline private gcSweepEnd(ev: Ev): i32 {
    if (!this.validate(MUST, MUST, MAY)) return -1;
    const ps = this.getP(this.curP);
    if (ps === null) return this.error('GCSweepEnd on unknown proc ' + this.curP.toString());
    if (!ps.ranges.end(ev.typ, this.offset)) return -1;
    this.emit(ev);
    return 1;
  }

  private goRangeBegin(ev: Ev): i32 {
    if (!this.validateUser()) return -1;
    const desc: u64 = ev.typ == S.EV_STW_BEGIN ? ev.a0 : 0;
    const gs = this.getG(this.curG);
    if (gs === null) {
      return this.error('encountered event of type ' + ev.typ.toString() + ' without known state for current goroutine ' + this.curG.toString());
    }
    if (!gs.ranges.begin(ev.typ, desc, this.offset)) return -1;
    this.emit(ev);
    return 1;
  }

  private goRangeActive(ev: Ev): i32 {
    const gid = <i64>ev.a0;
    const gs = this.getG(gid);
    if (gs === null) return this.error('uninitialized goroutine ' + gid.toString() + ' found during GCMarkAssistActive');
    if (!gs.ranges.active(S.EV_GC_MARK_ASSIST_BEGIN, 0, this.gen == this.initialGen, this.offset)) return -1;
    this.emit(ev);
    return 1;
  }

  private goRangeEnd(ev: Ev): i32 {
    if (!this.validateUser()) return -1;
    const gs = this.getG(this.curG);
    if (gs === null) {
      return this.error('encountered event of type ' + ev.typ.toString() + ' without known state for current goroutine ' + this.curG.toString());
    }
    if (!gs.ranges.end(ev.typ, this.offset)) return -1;
    if (ev.typ == S.EV_STW_END) ev.a0 = gs.ranges.endedDesc;
    this.emit(ev);
    return 1;
  }

  private allocFree(ev: Ev): i32 {
    if (!this.validate(MUST, MAY, MAY)) return -1;
    this.emit(ev);
    return 1;
  }
}
