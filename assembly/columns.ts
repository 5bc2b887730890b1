// Columnar output: fixed-width columns in linear memory that JavaScript reads through typed-array
// views, filled for up to `capacity` events per call. The layout is mirrored in
// src/model/columns.ts; change both together.
import { Ev } from './event';
import { G_NOT_EXIST, G_RUNNABLE, G_RUNNING, G_SYSCALL, G_WAITING, P_IDLE, P_RUNNING, goStatusToState, procStatusToState } from './order';
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

// The live Columns' addresses, one global per column: the per-event write then needs one load for
// each column's address instead of two (the object's array, then the element).
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

  /** Only one Columns is live at a time (the output's); creating one makes it the write target. */
  constructor(capacity: i32) {
    this.capacity = capacity;
    const n = <usize>capacity;
    // One block, each column starting at a different offset within a page (COLUMN_STAGGER bytes
    // apart). Columns of a power-of-two size laid end to end start at nearly the same offset
    // within a page, so the 19 stores of one event (the same index in every column) crowd into
    // the same few L1 cache sets, together with the cursors' input; spread out, the decoder's
    // L1 misses fell by a tenth (writes) and a third (reads) under cachegrind.
    let total: usize = PAGE;
    for (let c = 0; c < COLUMN_COUNT; c++) total += n * columnWidth(c) + PAGE;
    let at = heap.alloc(total);
    for (let c = 0; c < COLUMN_COUNT; c++) {
      at = ((at + PAGE - 1) & ~(PAGE - 1)) + <usize>c * COLUMN_STAGGER;
      unchecked((this.ptrs[c] = at));
      at += n * columnWidth(c);
    }
    pTime = this.ptr(COL_TIME);
    pA0 = this.ptr(COL_A0);
    pA1 = this.ptr(COL_A1);
    pA2 = this.ptr(COL_A2);
    pA3 = this.ptr(COL_A3);
    pTimeF = this.ptr(COL_TIME_F);
    pG = this.ptr(COL_G);
    pP = this.ptr(COL_P);
    pM = this.ptr(COL_M);
    pStack = this.ptr(COL_STACK);
    pTStack = this.ptr(COL_TSTACK);
    pResId = this.ptr(COL_RES_ID);
    pReason = this.ptr(COL_REASON);
    pKind = this.ptr(COL_KIND);
    pType = this.ptr(COL_TYPE);
    pResKind = this.ptr(COL_RES_KIND);
    pFrom = this.ptr(COL_FROM);
    pTo = this.ptr(COL_TO);
    pSize = this.ptr(COL_SIZE);
  }

  @inline ptr(c: i32): usize {
    return unchecked(this.ptrs[c]);
  }

  get full(): bool {
    return this.length >= this.capacity;
  }

  @inline write(ev: Ev, time: i64, g: i64, p: i64, m: i64): void {
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
}
