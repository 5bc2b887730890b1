// Where ordered events go: Go's Reader.ReadEvent epilogue (table-id validation, then the strictly
// increasing time fix-up) applied as each event is produced, straight into the columns. An ordering
// step can produce up to three events; when the columns fill up in the middle of one, the rest wait
// in a small queue and open the next batch.
import { Columns } from './columns';
import { Ev, EventQueue } from './event';
import { Generation } from './generation';
import * as S from './specs';
import { ERR_ORDERING, fail } from './state';

// Set by resetOutput() from init(); allocating here would run before columns.ts has initialised.
export let columns: Columns = changetype<Columns>(<usize>0);
/** Time of the last event handed out (Go's Reader.lastTs). */
export let lastTs: i64 = 0;
/** The loaded generation, whose tables every event is checked against. */
export let tables: Generation | null = null;
const overflow = new EventQueue();

export function resetOutput(capacity: i32): void {
  columns = new Columns(capacity);
  lastTs = 0;
  tables = null;
  overflow.clear();
}

export function setTables(g: Generation | null): void {
  tables = g;
  overflow.clear();
}

/** Starts a new batch with whatever did not fit into the previous one. */
export function startBatch(): void {
  columns.reset();
  while (overflow.length > 0 && !columns.full) {
    const ev = overflow.pop();
    columns.write(ev, ev.time, ev.g, ev.p, ev.m);
  }
}

// Events wait in the overflow queue only while the columns are full (startBatch drains it until
// they are, put() queues only then): so `overflow.length > 0` implies `columns.full`, and a loop
// that has started a batch may test columns.full alone.
@inline export function outputFull(): bool {
  return columns.full || overflow.length > 0;
}

/** Go's validateTableIDs: every stack and string an event refers to exists in its generation. */
@inline function validateTableIds(g: Generation, ev: Ev): bool {
  const typ = ev.typ;
  const own = S.ownStackArg(typ);
  if (own != 0 && !g.hasStack(ev.arg(own - 1))) return invalidId('stack', ev.arg(own - 1), ev);
  const second = S.secondStackArg(typ);
  if (second != 0 && !g.hasStack(ev.arg(second - 1))) return invalidId('stack', ev.arg(second - 1), ev);
  const s1 = S.stringArg1(typ);
  if (s1 != 0 && !g.hasString(ev.arg(s1 - 1))) return invalidId('string', ev.arg(s1 - 1), ev);
  const s2 = S.stringArg2(typ);
  if (s2 != 0 && !g.hasString(ev.arg(s2 - 1))) return invalidId('string', ev.arg(s2 - 1), ev);
  return true;
}

function invalidId(what: string, id: u64, ev: Ev): bool {
  return fail(ERR_ORDERING, 'found invalid ' + what + ' ID ' + id.toString() + ' for event ' + S.specName(ev.typ), ev.offset);
}

/** Hands out one event with context (g, p, m); false if it refers to a missing stack or string.
 *  Inlined, with putUnchecked and the column write, into its few callers (the ordering's emit,
 *  synth and fast path, the reader's Syncs and CPU samples): no call per event for these. */
@inline export function put(ev: Ev, g: i64, p: i64, m: i64): bool {
  if (S.hasTableRefs(ev.typ) && !validateTableIds(changetype<Generation>(tables), ev)) return false;
  putUnchecked(ev, g, p, m);
  return true;
}

/** Reader-made events (Sync, CPU samples) skip the table check, as in Go. */
@inline export function putUnchecked(ev: Ev, g: i64, p: i64, m: i64): void {
  let t = ev.time;
  if (t <= lastTs) t = lastTs + 1;
  lastTs = t;
  if (overflow.length == 0 && !columns.full) {
    columns.write(ev, t, g, p, m);
  } else {
    const slot = overflow.push();
    slot.copyFrom(ev);
    slot.time = t;
    slot.g = g;
    slot.p = p;
    slot.m = m;
  }
}

/**
 * put() for the ordering's fast path, which has checked the event's table ids itself and knows
 * its type-dependent column values (see Columns.writeKnown): the time fix-up and the write. Only
 * where the output has room for this event: the columns are not full and nothing waits in the
 * overflow queue. runRoot and tryAdvance guarantee it: nextBatch calls them only while the output
 * is not full, runRoot stops as soon as it is, and a step that hands out nothing leaves it as it was.
 */
@inline export function putRoom(into: bool, ev: Ev, g: i64, p: i64, m: i64, kind: u8, stack: f64, resKind: u8, resId: f64, from: u8, to: u8, reason: f64, tstack: f64): void {
  let t = ev.time;
  if (t <= lastTs) t = lastTs + 1;
  lastTs = t;
  columns.writeKnown(into, ev, t, g, p, m, kind, stack, resKind, resId, from, to, reason, tstack);
}
