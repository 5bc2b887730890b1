// Columnar output: fixed-width columns in linear memory that JavaScript (and the analysis kernels)
// read, filled for up to `capacity` events per call. The layout is mirrored in src/model/columns.ts;
// change both together.
//
// Two ways to write a batch, chosen per batch from what its consumer read in the one before:
// - columns: every event's 19 values stored straight into the columns (a consumer that reads
//   them all, like the analyses' batch view: each value is stored once);
// - rows: each event as one compact row (time, arguments, context, type, size: 10 stores at
//   constant offsets instead of 19 through 19 column addresses), and a column filled from the
//   rows when it is first asked for in the batch (ptr()), by a pass over the rows. A consumer that
//   reads few columns (e.g. only `kind`) pays for those only.
// Every value a column holds is the same either way: filling computes it from the row exactly as
// write() computes it from the event.
import { G_NOT_EXIST, G_RUNNABLE, G_RUNNING, G_SYSCALL, G_WAITING, P_IDLE, P_RUNNING, goStatusToState, procStatusToState } from './order';
import { Ev } from './event';
import * as S from './specs';

export const COL_TIME: i32 = 0; // i64: time in ns (exact)
export const COL_A0: i32 = 1; // u64 ×4: the event's arguments after the timestamp, as the ordering left them
export const COL_A1: i32 = 2;
export const COL_A2: i32 = 3;
export const COL_A3: i32 = 4;
export const COL_TIME_F: i32 = 5; // f64: time in ns as a number
export const COL_G: i32 = 6; // f64: goroutine of the context (-1 none)
export const COL_P: i32 = 7; // f64: proc of the context (-1 none)
export const COL_M: i32 = 8; // f64: thread of the context (-1 none)
export const COL_STACK: i32 = 9; // f64: the event's own stack id (-1 none; CPU samples always have one)
export const COL_TSTACK: i32 = 10; // f64: state transition's stack id (-1 none)
export const COL_RES_ID: i32 = 11; // f64: transition resource / range scope id
export const COL_REASON: i32 = 12; // f64: transition reason string id (0 = "")
export const COL_KIND: i32 = 13; // u8: Go's EventKind
export const COL_TYPE: i32 = 14; // u8: wire event type (255 = reader-made Sync)
export const COL_RES_KIND: i32 = 15; // u8: 0 none, 1 goroutine, 2 proc
export const COL_FROM: i32 = 16; // u8: transition from-state
export const COL_TO: i32 = 17; // u8: transition to-state
export const COL_SIZE: i32 = 18; // u32: encoded size in bytes (0 for made-up events)
export const COLUMN_COUNT: i32 = 19;

// ---- Rows: what the ordering writes per event ----
const ROW_BYTES: usize = 72;
const R_TIME: usize = 0; // i64, after Go's +1 ns fix-up
const R_A0: usize = 8; // u64 ×4
const R_A1: usize = 16;
const R_A2: usize = 24;
const R_A3: usize = 32;
const R_G: usize = 40; // i64
const R_P: usize = 48; // i64
const R_M: usize = 56; // i64
const R_TYPE: usize = 64; // u8
const R_SIZE: usize = 68; // u32

// Column groups, filled together: a group's columns come from the same row fields, and consumers
// that read one of them nearly always read the others.
const G_TIME: u32 = (1 << COL_TIME) | (1 << COL_TIME_F);
const G_ARGS: u32 = (1 << COL_A0) | (1 << COL_A1) | (1 << COL_A2) | (1 << COL_A3);
const G_CONTEXT: u32 = (1 << COL_G) | (1 << COL_P) | (1 << COL_M);
const G_KIND: u32 = 1 << COL_KIND;
const G_TYPE: u32 = (1 << COL_TYPE) | (1 << COL_SIZE);
const G_TRANSITION: u32 =
  (1 << COL_STACK) | (1 << COL_TSTACK) | (1 << COL_RES_ID) | (1 << COL_REASON) | (1 << COL_RES_KIND) | (1 << COL_FROM) | (1 << COL_TO);

/** The groups that `mask`'s columns belong to, as one mask of their columns. */
function groupsOf(mask: u32): u32 {
  let out: u32 = 0;
  if (mask & G_TIME) out |= G_TIME;
  if (mask & G_ARGS) out |= G_ARGS;
  if (mask & G_CONTEXT) out |= G_CONTEXT;
  if (mask & G_KIND) out |= G_KIND;
  if (mask & G_TYPE) out |= G_TYPE;
  if (mask & G_TRANSITION) out |= G_TRANSITION;
  return out;
}

/** Rough instructions per event of filling each group from rows (kind is written with the rows),
 *  against ~50 saved per event by writing rows instead of columns: a batch is written as rows
 *  when the groups its consumer read in the previous batch cost less to fill than that. */
function fillCost(mask: u32): i32 {
  let cost = 0;
  if (mask & G_TIME) cost += 9;
  if (mask & G_ARGS) cost += 13;
  if (mask & G_CONTEXT) cost += 13;
  if (mask & G_TYPE) cost += 6;
  if (mask & G_TRANSITION) cost += 60;
  return cost;
}
const ROWS_PAY_BELOW: i32 = 45;

// The live Columns' column addresses, one global per column, and how the current batch is
// written: the per-event write needs one load for each column's address instead of two (the
// object's array, then the element).
let pTime: usize = 0;
let pA0: usize = 0;
let pA1: usize = 0;
let pA2: usize = 0;
let pA3: usize = 0;
let pTimeF: usize = 0;
let pG: usize = 0;
let pP: usize = 0;
let pM: usize = 0;
let pStack: usize = 0;
let pTStack: usize = 0;
let pResId: usize = 0;
let pReason: usize = 0;
let pKind: usize = 0;
let pType: usize = 0;
let pResKind: usize = 0;
let pFrom: usize = 0;
let pTo: usize = 0;
let pSize: usize = 0;
/** True while the current batch is written straight into the columns. */
let intoColumns: bool = false;

/** How the current batch is written (true: into the columns), for loops that hold it in a local. */
@inline export function writingColumns(): bool {
  return intoColumns;
}

const PAGE: usize = 4096;
/** Three cache lines: 19 columns × 192 bytes still fit in one page, each on its own L1 sets. */
const COLUMN_STAGGER: usize = 192;

@inline function columnWidth(c: i32): usize {
  return c <= COL_REASON ? 8 : c == COL_SIZE ? 4 : 1;
}

export class Columns {
  capacity: i32;
  ptrs: StaticArray<usize> = new StaticArray<usize>(COLUMN_COUNT);
  length: i32 = 0;
  /** The rows of the current batch (ROW_BYTES each). */
  rows: usize;
  /** Columns (bit per COL_*) that hold the values of the current rows. */
  ready: u32 = 0;
  /** Columns asked for (ptr()) in this batch, and in the previous one: a batch fills those at once. */
  asked: u32 = 0;
  private askedBefore: u32 = 0;

  /** Only one Columns is live at a time (the output's). */
  constructor(capacity: i32) {
    this.capacity = capacity;
    const n = <usize>capacity;
    // One block, each column starting at a different offset within a page (COLUMN_STAGGER bytes
    // apart). Columns of a power-of-two size laid end to end start at nearly the same offset
    // within a page, so passes that fill several columns at once would crowd the same few L1
    // cache sets.
    let total: usize = PAGE;
    for (let c = 0; c < COLUMN_COUNT; c++) total += n * columnWidth(c) + PAGE;
    let at = heap.alloc(total);
    for (let c = 0; c < COLUMN_COUNT; c++) {
      at = ((at + PAGE - 1) & ~(PAGE - 1)) + <usize>c * COLUMN_STAGGER;
      unchecked((this.ptrs[c] = at));
      at += n * columnWidth(c);
    }
    this.rows = heap.alloc(n * ROW_BYTES);
    if (changetype<usize>(transitionTable) == 0) initTransitionTable();
    pTime = this.address(COL_TIME);
    pA0 = this.address(COL_A0);
    pA1 = this.address(COL_A1);
    pA2 = this.address(COL_A2);
    pA3 = this.address(COL_A3);
    pTimeF = this.address(COL_TIME_F);
    pG = this.address(COL_G);
    pP = this.address(COL_P);
    pM = this.address(COL_M);
    pStack = this.address(COL_STACK);
    pTStack = this.address(COL_TSTACK);
    pResId = this.address(COL_RES_ID);
    pReason = this.address(COL_REASON);
    pKind = this.address(COL_KIND);
    pType = this.address(COL_TYPE);
    pResKind = this.address(COL_RES_KIND);
    pFrom = this.address(COL_FROM);
    pTo = this.address(COL_TO);
    pSize = this.address(COL_SIZE);
    intoColumns = false;
  }

  /** Address of column c, filled from the current rows if it was not yet. */
  @inline ptr(c: i32): usize {
    const bit = <u32>1 << c;
    this.asked |= bit;
    if ((this.ready & bit) == 0) this.fill(bit);
    return unchecked(this.ptrs[c]);
  }

  /** Address of column c whether or not it holds the current rows' values (for making views). */
  @inline address(c: i32): usize {
    return unchecked(this.ptrs[c]);
  }

  get full(): bool {
    return this.length >= this.capacity;
  }

  /**
   * Empties the batch and chooses how to write it: into the columns if what the consumer read in
   * the batch before costs more to fill from rows than writing every column costs.
   */
  reset(): void {
    this.length = 0;
    this.askedBefore = this.asked;
    this.asked = 0;
    intoColumns = fillCost(groupsOf(this.askedBefore)) >= ROWS_PAY_BELOW;
    // Rows come with the kind column written too: every consumer reads it, and each fast-path
    // case knows its kind as a constant (one store, against a pass over the rows).
    this.ready = intoColumns ? (<u32>1 << COLUMN_COUNT) - 1 : G_KIND;
  }

  /** Writes one event (time after fix-up; arguments and type as the ordering leaves them; context). */
  @inline write(ev: Ev, time: i64, g: i64, p: i64, m: i64): void {
    if (intoColumns) this.writeColumns(ev, time, g, p, m);
    else this.writeRow(ev, time, g, p, m, S.kindOf(ev.typ));
  }

  /**
   * write() for the ordering's fast path, which knows the event's type and passes the values
   * that depend on it (what writeColumns() would derive for it: mostly constants), and how the
   * batch is written (`into`: writingColumns(), which the loop holds in a local).
   */
  @inline writeKnown(into: bool, ev: Ev, time: i64, g: i64, p: i64, m: i64, kind: u8, stack: f64, resKind: u8, resId: f64, from: u8, to: u8, reason: f64, tstack: f64): void {
    if (into) this.writeWith(ev, time, g, p, m, kind, stack, resKind, resId, from, to, reason, tstack);
    else this.writeRow(ev, time, g, p, m, kind);
  }

  /** The event as a row, and its kind into the kind column. */
  @inline writeRow(ev: Ev, time: i64, g: i64, p: i64, m: i64, kind: u8): void {
    const i = this.length;
    this.length = i + 1;
    store<u8>(pKind + <usize>i, kind);
    const r = this.rows + <usize>i * ROW_BYTES;
    store<i64>(r, time, R_TIME);
    store<u64>(r, ev.a0, R_A0);
    store<u64>(r, ev.a1, R_A1);
    store<u64>(r, ev.a2, R_A2);
    store<u64>(r, ev.a3, R_A3);
    store<i64>(r, g, R_G);
    store<i64>(r, p, R_P);
    store<i64>(r, m, R_M);
    store<u8>(r, ev.typ, R_TYPE);
    store<u32>(r, ev.size, R_SIZE);
  }

  /** The event straight into the columns, its type-dependent values derived here. */
  @inline writeColumns(ev: Ev, time: i64, g: i64, p: i64, m: i64): void {
    const typ = ev.typ;
    let stack: f64 = -1;
    if (typ == S.EV_CPU_SAMPLE) {
      stack = <f64>ev.a0;
    } else if (typ != S.EV_READER_SYNC) {
      const idx = S.ownStackArg(typ);
      if (idx != 0) {
        const id = ev.arg(idx - 1);
        if (id != 0) stack = <f64>id;
      }
    }

    let resKind: u8 = 0;
    let resId: f64 = 0;
    let from: u8 = 0;
    let to: u8 = 0;
    let reason: f64 = 0;
    let tstack: f64 = -1;
    switch (typ) {
      case S.EV_PROC_START: resKind = 2; resId = <f64>(<i64>ev.a0); from = P_IDLE; to = P_RUNNING; break;
      case S.EV_PROC_STOP: resKind = 2; resId = <f64>p; from = P_RUNNING; to = P_IDLE; break;
      case S.EV_PROC_STEAL: resKind = 2; resId = <f64>(<i64>ev.a0); from = ev.a3 == 4 ? P_IDLE : P_RUNNING; to = P_IDLE; break;
      case S.EV_PROC_STATUS: resKind = 2; resId = <f64>(<i64>ev.a0); from = <u8>ev.a2; to = procStatusToState(ev.a1); break;
      case S.EV_GO_CREATE: resKind = 1; resId = <f64>(<i64>ev.a0); from = G_NOT_EXIST; to = G_RUNNABLE; tstack = <f64>ev.a1; break;
      case S.EV_GO_CREATE_BLOCKED: resKind = 1; resId = <f64>(<i64>ev.a0); from = G_NOT_EXIST; to = G_WAITING; tstack = <f64>ev.a1; break;
      case S.EV_GO_CREATE_SYSCALL: resKind = 1; resId = <f64>(<i64>ev.a0); from = G_NOT_EXIST; to = G_SYSCALL; break;
      case S.EV_GO_START: resKind = 1; resId = <f64>(<i64>ev.a0); from = G_RUNNABLE; to = G_RUNNING; break;
      case S.EV_GO_DESTROY: resKind = 1; resId = <f64>g; from = G_RUNNING; to = G_NOT_EXIST; break;
      case S.EV_GO_DESTROY_SYSCALL: resKind = 1; resId = <f64>g; from = G_SYSCALL; to = G_NOT_EXIST; break;
      case S.EV_GO_STOP: resKind = 1; resId = <f64>g; from = G_RUNNING; to = G_RUNNABLE; reason = <f64>ev.a0; tstack = stack; break;
      case S.EV_GO_BLOCK: resKind = 1; resId = <f64>g; from = G_RUNNING; to = G_WAITING; reason = <f64>ev.a0; tstack = stack; break;
      case S.EV_GO_UNBLOCK:
      case S.EV_GO_SWITCH:
      case S.EV_GO_SWITCH_DESTROY:
        resKind = 1; resId = <f64>(<i64>ev.a0); from = G_WAITING; to = G_RUNNABLE; break;
      case S.EV_GO_SYSCALL_BEGIN: resKind = 1; resId = <f64>g; from = G_RUNNING; to = G_SYSCALL; tstack = stack; break;
      case S.EV_GO_SYSCALL_END: resKind = 1; resId = <f64>g; from = G_SYSCALL; to = G_RUNNING; break;
      case S.EV_GO_SYSCALL_END_BLOCKED: resKind = 1; resId = <f64>g; from = G_SYSCALL; to = G_RUNNABLE; break;
      case S.EV_GO_STATUS:
      case S.EV_GO_STATUS_STACK:
        resKind = 1; resId = <f64>(<i64>ev.a0); from = <u8>(ev.a2 >> 32); to = goStatusToState(ev.a2 & 0xffffffff); tstack = stack; break;
      case S.EV_STW_BEGIN:
      case S.EV_STW_END:
        resKind = 1; resId = <f64>g; break;
      case S.EV_GC_SWEEP_ACTIVE: resKind = 2; resId = <f64>(<i64>ev.a0); break;
      case S.EV_GC_SWEEP_BEGIN:
      case S.EV_GC_SWEEP_END:
        resKind = 2; resId = <f64>p; break;
      case S.EV_GC_MARK_ASSIST_ACTIVE: resKind = 1; resId = <f64>(<i64>ev.a0); break;
      case S.EV_GC_MARK_ASSIST_BEGIN:
      case S.EV_GC_MARK_ASSIST_END:
        resKind = 1; resId = <f64>g; break;
      default: break;
    }
    this.writeWith(ev, time, g, p, m, S.kindOf(typ), stack, resKind, resId, from, to, reason, tstack);
  }

  /**
   * The row itself, with the values that depend on the event's type given: write() derives them
   * from the type; the ordering's fast path, which knows the type, passes what write() would
   * derive for it, mostly constants.
   */
  @inline writeWith(ev: Ev, time: i64, g: i64, p: i64, m: i64, kind: u8, stack: f64, resKind: u8, resId: f64, from: u8, to: u8, reason: f64, tstack: f64): void {
    const i = <usize>this.length;
    this.length++;
    store<i64>(pTime + (i << 3), time);
    store<u64>(pA0 + (i << 3), ev.a0);
    store<u64>(pA1 + (i << 3), ev.a1);
    store<u64>(pA2 + (i << 3), ev.a2);
    store<u64>(pA3 + (i << 3), ev.a3);
    store<f64>(pTimeF + (i << 3), <f64>time);
    store<f64>(pG + (i << 3), <f64>g);
    store<f64>(pP + (i << 3), <f64>p);
    store<f64>(pM + (i << 3), <f64>m);
    store<u8>(pKind + i, kind);
    store<u8>(pType + i, ev.typ);
    store<u32>(pSize + (i << 2), ev.size);
    store<f64>(pStack + (i << 3), stack);
    store<u8>(pResKind + i, resKind);
    store<f64>(pResId + (i << 3), resId);
    store<u8>(pFrom + i, from);
    store<u8>(pTo + i, to);
    store<f64>(pReason + (i << 3), reason);
    store<f64>(pTStack + (i << 3), tstack);
  }

  /**
   * Fills column c's group, together with the groups asked for in the previous batch that are not
   * filled yet: a consumer reads the same columns batch after batch, so its first request of a
   * batch fills them all in one pass over the rows.
   */
  private fill(bit: u32): void {
    const want = groupsOf(bit | this.askedBefore) & ~this.ready;
    const n = this.length;
    if (want & (G_TIME | G_ARGS)) fillTimeArgs(this, n, want);
    if (want & (G_CONTEXT | G_KIND | G_TYPE)) fillContextKindType(this, n, want);
    if (want & G_TRANSITION) fillTransitions(this, n);
    this.ready |= want;
  }
}

// ---- Filling columns from rows ----
//
// Every value below is what the decoder wrote per event before rows existed (its write()), from
// the same inputs: the row's type, arguments and context.

// Per wire type, how a row's transition columns follow from it (write()'s switch as a table, so
// that filling them takes no branch on the type): packed in a u32.
const T_RES_KIND_SHIFT: u32 = 0; // 2 bits: resourceKind
const T_FROM_SHIFT: u32 = 2; // 3 bits: from (constant for the type)
const T_TO_SHIFT: u32 = 5; // 3 bits: to
const T_RES_ID_SHIFT: u32 = 8; // 2 bits: resourceId from: 0 none (0), 1 a0 (signed), 2 g, 3 p
const T_REASON: u32 = 1 << 10; // reason = a0 (else 0)
const T_TSTACK_SHIFT: u32 = 11; // 2 bits: transitionStack from: 0 none (-1), 1 the stack column, 2 a1
const T_SPECIAL: u32 = 1 << 13; // from/to depend on the arguments: computed by transitionSpecial
const T_STACK_SHIFT: u32 = 14; // 3 bits: the own-stack argument (ownStackArg: 1-based, 0 none)
const T_CPU_SAMPLE: u32 = 1 << 17; // stack = a0 whatever its value

const RES_NONE: u32 = 0;
const RES_A0: u32 = 1;
const RES_G: u32 = 2;
const RES_P: u32 = 3;
const TS_NONE: u32 = 0;
const TS_STACK: u32 = 1;
const TS_A1: u32 = 2;

let transitionTable: StaticArray<u32> = changetype<StaticArray<u32>>(<usize>0);

function tr(typ: u8, resKind: u32, resId: u32, from: u8 = 0, to: u8 = 0, tstack: u32 = TS_NONE, reason: bool = false): void {
  unchecked((transitionTable[typ] |= (resKind << T_RES_KIND_SHIFT) | (<u32>from << T_FROM_SHIFT) | (<u32>to << T_TO_SHIFT) |
    (resId << T_RES_ID_SHIFT) | (tstack << T_TSTACK_SHIFT) | (reason ? T_REASON : 0)));
}

/** Builds the table from write()'s switch, case by case (specs must be initialised). */
function initTransitionTable(): void {
  transitionTable = new StaticArray<u32>(256);
  for (let t = 0; t < 256; t++) unchecked((transitionTable[t] = <u32>S.ownStackArg(<u8>t) << T_STACK_SHIFT));
  unchecked((transitionTable[S.EV_CPU_SAMPLE] = T_CPU_SAMPLE));
  unchecked((transitionTable[S.EV_READER_SYNC] = 0));
  tr(S.EV_PROC_START, 2, RES_A0, P_IDLE, P_RUNNING);
  tr(S.EV_PROC_STOP, 2, RES_P, P_RUNNING, P_IDLE);
  tr(S.EV_PROC_STEAL, 2, RES_A0);
  tr(S.EV_PROC_STATUS, 2, RES_A0);
  tr(S.EV_GO_CREATE, 1, RES_A0, G_NOT_EXIST, G_RUNNABLE, TS_A1);
  tr(S.EV_GO_CREATE_BLOCKED, 1, RES_A0, G_NOT_EXIST, G_WAITING, TS_A1);
  tr(S.EV_GO_CREATE_SYSCALL, 1, RES_A0, G_NOT_EXIST, G_SYSCALL);
  tr(S.EV_GO_START, 1, RES_A0, G_RUNNABLE, G_RUNNING);
  tr(S.EV_GO_DESTROY, 1, RES_G, G_RUNNING, G_NOT_EXIST);
  tr(S.EV_GO_DESTROY_SYSCALL, 1, RES_G, G_SYSCALL, G_NOT_EXIST);
  tr(S.EV_GO_STOP, 1, RES_G, G_RUNNING, G_RUNNABLE, TS_STACK, true);
  tr(S.EV_GO_BLOCK, 1, RES_G, G_RUNNING, G_WAITING, TS_STACK, true);
  tr(S.EV_GO_UNBLOCK, 1, RES_A0, G_WAITING, G_RUNNABLE);
  tr(S.EV_GO_SWITCH, 1, RES_A0, G_WAITING, G_RUNNABLE);
  tr(S.EV_GO_SWITCH_DESTROY, 1, RES_A0, G_WAITING, G_RUNNABLE);
  tr(S.EV_GO_SYSCALL_BEGIN, 1, RES_G, G_RUNNING, G_SYSCALL, TS_STACK);
  tr(S.EV_GO_SYSCALL_END, 1, RES_G, G_SYSCALL, G_RUNNING);
  tr(S.EV_GO_SYSCALL_END_BLOCKED, 1, RES_G, G_SYSCALL, G_RUNNABLE);
  tr(S.EV_GO_STATUS, 1, RES_A0, 0, 0, TS_STACK);
  tr(S.EV_GO_STATUS_STACK, 1, RES_A0, 0, 0, TS_STACK);
  tr(S.EV_STW_BEGIN, 1, RES_G);
  tr(S.EV_STW_END, 1, RES_G);
  tr(S.EV_GC_SWEEP_ACTIVE, 2, RES_A0);
  tr(S.EV_GC_SWEEP_BEGIN, 2, RES_P);
  tr(S.EV_GC_SWEEP_END, 2, RES_P);
  tr(S.EV_GC_MARK_ASSIST_ACTIVE, 1, RES_A0);
  tr(S.EV_GC_MARK_ASSIST_BEGIN, 1, RES_G);
  tr(S.EV_GC_MARK_ASSIST_END, 1, RES_G);
  unchecked((transitionTable[S.EV_PROC_STEAL] |= T_SPECIAL));
  unchecked((transitionTable[S.EV_PROC_STATUS] |= T_SPECIAL));
  unchecked((transitionTable[S.EV_GO_STATUS] |= T_SPECIAL));
  unchecked((transitionTable[S.EV_GO_STATUS_STACK] |= T_SPECIAL));
}

/** from << 8 | to of the types whose states come from their arguments (T_SPECIAL). */
function transitionSpecial(r: usize, typ: u8): u32 {
  let from: u8 = 0;
  let to: u8 = 0;
  switch (typ) {
    case S.EV_PROC_STEAL: from = load<u64>(r, R_A3) == 4 ? P_IDLE : P_RUNNING; to = P_IDLE; break;
    case S.EV_PROC_STATUS: from = <u8>load<u64>(r, R_A2); to = procStatusToState(load<u64>(r, R_A1)); break;
    default: {
      // GoStatus, GoStatusStack
      const a2 = load<u64>(r, R_A2);
      from = <u8>(a2 >> 32);
      to = goStatusToState(a2 & 0xffffffff);
    }
  }
  return (<u32>from << 8) | <u32>to;
}

/** Time, timeNs and the four arguments of rows [0, n). */
function fillTimeArgs(cols: Columns, n: i32, want: u32): void {
  const rows = cols.rows;
  const end = rows + <usize>n * ROW_BYTES;
  if (want & G_TIME) {
    const t = cols.address(COL_TIME);
    const f = cols.address(COL_TIME_F);
    let o: usize = 0;
    for (let r = rows; r < end; r += ROW_BYTES, o += 8) {
      const time = load<i64>(r, R_TIME);
      store<i64>(t + o, time);
      store<f64>(f + o, <f64>time);
    }
  }
  if (want & G_ARGS) {
    const a0 = cols.address(COL_A0);
    const a1 = cols.address(COL_A1);
    const a2 = cols.address(COL_A2);
    const a3 = cols.address(COL_A3);
    let o: usize = 0;
    for (let r = rows; r < end; r += ROW_BYTES, o += 8) {
      store<u64>(a0 + o, load<u64>(r, R_A0));
      store<u64>(a1 + o, load<u64>(r, R_A1));
      store<u64>(a2 + o, load<u64>(r, R_A2));
      store<u64>(a3 + o, load<u64>(r, R_A3));
    }
  }
}

/** Goroutine, proc, thread, kind, wire type and size of rows [0, n): the groups in `want`. */
function fillContextKindType(cols: Columns, n: i32, want: u32): void {
  const rows = cols.rows;
  const end = rows + <usize>n * ROW_BYTES;
  if (want & G_CONTEXT) {
    const pg = cols.address(COL_G);
    const pp = cols.address(COL_P);
    const pm = cols.address(COL_M);
    let o: usize = 0;
    for (let r = rows; r < end; r += ROW_BYTES, o += 8) {
      store<f64>(pg + o, <f64>load<i64>(r, R_G));
      store<f64>(pp + o, <f64>load<i64>(r, R_P));
      store<f64>(pm + o, <f64>load<i64>(r, R_M));
    }
  }
  if ((want & (G_KIND | G_TYPE)) == (G_KIND | G_TYPE)) {
    const kinds = S.kindTable();
    const pk = cols.address(COL_KIND);
    const pt = cols.address(COL_TYPE);
    const ps = cols.address(COL_SIZE);
    let i: usize = 0;
    for (let r = rows; r < end; r += ROW_BYTES, i++) {
      const typ = <usize>load<u8>(r, R_TYPE);
      store<u8>(pk + i, load<u8>(kinds + typ));
      store<u8>(pt + i, <u8>typ);
      store<u32>(ps + (i << 2), load<u32>(r, R_SIZE));
    }
  } else if (want & G_KIND) {
    const kinds = S.kindTable();
    let out = cols.address(COL_KIND);
    for (let r = rows; r < end; r += ROW_BYTES, out++) store<u8>(out, load<u8>(kinds + <usize>load<u8>(r, R_TYPE)));
  } else if (want & G_TYPE) {
    let t = cols.address(COL_TYPE);
    let s = cols.address(COL_SIZE);
    for (let r = rows; r < end; r += ROW_BYTES, t++, s += 4) {
      store<u8>(t, load<u8>(r, R_TYPE));
      store<u32>(s, load<u32>(r, R_SIZE));
    }
  }
}

/** The stack and state transition columns of rows [0, n). */
function fillTransitions(cols: Columns, n: i32): void {
  const table = changetype<usize>(transitionTable);
  const pStack = cols.address(COL_STACK);
  const pTStack = cols.address(COL_TSTACK);
  const pResId = cols.address(COL_RES_ID);
  const pReason = cols.address(COL_REASON);
  const pResKind = cols.address(COL_RES_KIND);
  const pFrom = cols.address(COL_FROM);
  const pTo = cols.address(COL_TO);
  const rows = cols.rows;
  const end = rows + <usize>n * ROW_BYTES;
  let i: usize = 0;
  for (let r = rows; r < end; r += ROW_BYTES, i++) {
    const o = i << 3;
    const typ = load<u8>(r, R_TYPE);
    const info = load<u32>(table + (<usize>typ << 2));
    const a0 = load<u64>(r, R_A0);
    // The own stack: argument k (1-based) is at 8k in the row; k = 0 reads the time, unused.
    const k = <usize>((info >> T_STACK_SHIFT) & 7);
    const id = load<u64>(r + (k << 3));
    let stack = select<f64>(<f64>id, -1, k != 0 && id != 0);
    stack = select<f64>(<f64>a0, stack, (info & T_CPU_SAMPLE) != 0);
    const resSource = (info >> T_RES_ID_SHIFT) & 3;
    const resA = select<i64>(<i64>a0, 0, resSource == RES_A0);
    const resG = select<i64>(load<i64>(r, R_G), resA, resSource == RES_G);
    const res = select<i64>(load<i64>(r, R_P), resG, resSource == RES_P);
    const tsSource = (info >> T_TSTACK_SHIFT) & 3;
    const tstack = select<f64>(stack, select<f64>(<f64>load<u64>(r, R_A1), -1, tsSource == TS_A1), tsSource == TS_STACK);
    let states = ((info >> T_FROM_SHIFT) & 7) << 8 | ((info >> T_TO_SHIFT) & 7);
    if (info & T_SPECIAL) states = transitionSpecial(r, typ);
    store<f64>(pStack + o, stack);
    store<f64>(pTStack + o, tstack);
    store<f64>(pResId + o, <f64>res);
    store<f64>(pReason + o, select<f64>(<f64>a0, 0, (info & T_REASON) != 0));
    store<u8>(pResKind + i, <u8>(info & 3));
    store<u8>(pFrom + i, <u8>(states >> 8));
    store<u8>(pTo + i, <u8>states);
  }
}
