// Plumbing shared by the analysis kernels: the per-event part of an analysis, compiled into the
// decoder's module so it runs over a batch's columns where the decoder wrote them (no copy out of
// WASM memory, no JavaScript call per event). A kernel reads the columns like any other consumer
// (layout in ../columns.ts); the ordering code never calls a kernel and does not know they exist.
//
// Kernels ask JavaScript, through the imports below, for the few things only it holds: strings and
// stacks interned across generations (the trace's ids are per generation). The answers are cached
// per generation here, so a callback runs once per distinct id and generation, not per event.
//
// Instances: every kernel instance gets a handle from `newHandle()`; JavaScript passes it back on
// every call and the imports receive it as `owner`, so one module can serve several analyses (and
// several passes) at once.
import { COL_KIND } from '../columns';
import { columns } from '../output';

/** Global string id of a generation-local string id (the columns' f64 form). */
@external('kernel', 'internString')
export declare function hostString(owner: i32, id: f64): i32;
/** Index in the owner's stack table of a generation-local stack id (0 = the empty stack). */
@external('kernel', 'internStack')
export declare function hostStack(owner: i32, id: f64): i32;
/** Global string id of the outermost frame's function of a stack, -1 for an empty stack. */
@external('kernel', 'stackRoot')
export declare function hostStackRoot(owner: i32, id: f64): i32;
/** PC of the outermost frame of a stack (0 for an empty stack). */
@external('kernel', 'stackRootPc')
export declare function hostStackRootPc(owner: i32, id: f64): f64;
/** Global string id of the range name of event `event` of the current batch. */
@external('kernel', 'rangeName')
export declare function hostRangeName(owner: i32, event: i32): i32;
/** Global string id of the label of event `event` of the current batch (a Label event). */
@external('kernel', 'label')
export declare function hostLabel(owner: i32, event: i32): i32;
/**
 * Global string id of the reason of state transition `event` of the current batch (JavaScript
 * resolves a reason through the view by event; cache the answer by the reason column's id).
 */
@external('kernel', 'reason')
export declare function hostReason(owner: i32, event: i32): i32;

let handles: i32 = 0;

/** A handle no other kernel instance of this module has. */
export function newHandle(): i32 {
  return ++handles;
}

/** Kernel instances by handle, for one kernel type. */
export class Registry<T> {
  private readonly byHandle: Map<i32, T> = new Map<i32, T>();

  add(instance: T): i32 {
    const handle = newHandle();
    this.byHandle.set(handle, instance);
    return handle;
  }

  /** The instance, or null for a released or unknown handle (JavaScript checks before calling). */
  get(handle: i32): T | null {
    return this.byHandle.has(handle) ? this.byHandle.get(handle) : null;
  }

  has(handle: i32): bool {
    return this.byHandle.has(handle);
  }

  release(handle: i32): void {
    this.byHandle.delete(handle);
  }
}

/**
 * Rows [from, from + count) of the columns, clamped to the batch in them: what a kernel call
 * consumes (JavaScript may hand a kernel part of a batch, e.g. up to a generation boundary).
 */
@inline export function rowsEnd(from: i32, count: i32): i32 {
  return min(from + count, columns.length);
}

/** Address of column `c` (COL_* in ../columns.ts) of the current batch. */
@inline export function column(c: i32): usize {
  return columns.ptr(c);
}

/** Value cached per generation-local id; ABSENT when not cached. */
export const ABSENT: i32 = i32.MIN_VALUE;

/** Ids below this are cached in arrays; larger ones (never seen in real traces) in a Map. */
const DENSE_IDS: f64 = 4194304; // 1 << 22

/**
 * A cache from generation-local ids (strings, stacks) to i32 values, emptied in O(1) at every
 * generation: an entry counts only if its stamp is the current one.
 */
export class IdCache {
  private values: StaticArray<i32> = new StaticArray<i32>(256);
  private stamps: StaticArray<u32> = new StaticArray<u32>(256);
  private stamp: u32 = 1;
  private large: Map<f64, i32> = new Map<f64, i32>();

  /** Forgets every entry (call at each Sync). */
  reset(): void {
    this.stamp++;
    if (this.large.size > 0) this.large.clear();
  }

  @inline get(id: f64): i32 {
    if (id >= 0 && id < DENSE_IDS) {
      const i = <i32>id;
      if (<f64>i == id && i < this.values.length && unchecked(this.stamps[i]) == this.stamp) return unchecked(this.values[i]);
      if (<f64>i == id) return ABSENT;
    }
    return this.large.has(id) ? this.large.get(id) : ABSENT;
  }

  /**
   * get() for the ids kept in the dense arrays, ABSENT for all others: no call, for hot loops
   * (which fall back to get() on ABSENT, as a call in a loop makes V8 spill the loop's values).
   */
  @inline getDense(id: f64): i32 {
    // An integer id below 2^31 sits in the low bits of id + 1.5 * 2^52: no checked conversion.
    const biased = id + 6755399441055744.0;
    const i = <i32>reinterpret<u64>(biased);
    const dense = (biased - 6755399441055744.0 == id) & (<u32>i < <u32>this.values.length);
    const k = select<i32>(i, 0, dense);
    return select<i32>(unchecked(this.values[k]), ABSENT, dense & (unchecked(this.stamps[k]) == this.stamp));
  }

  set(id: f64, value: i32): void {
    if (id >= 0 && id < DENSE_IDS && <f64>(<i32>id) == id) {
      const i = <i32>id;
      if (i >= this.values.length) this.grow(i);
      unchecked((this.values[i] = value));
      unchecked((this.stamps[i] = this.stamp));
      return;
    }
    this.large.set(id, value);
  }

  private grow(i: i32): void {
    let n = this.values.length;
    while (n <= i) n <<= 1;
    const values = new StaticArray<i32>(n);
    const stamps = new StaticArray<u32>(n);
    for (let k = 0; k < this.values.length; k++) {
      unchecked((values[k] = this.values[k]));
      unchecked((stamps[k] = this.stamps[k]));
    }
    this.values = values;
    this.stamps = stamps;
  }
}

/**
 * A growable f64 array whose data JavaScript reads in place (`dataStart`/`length`): kernels keep
 * their per-id aggregates in these and hand JavaScript one pointer instead of one call per value.
 */
export class F64Column {
  data: StaticArray<f64>;
  length: i32 = 0;

  constructor(capacity: i32 = 16) {
    this.data = new StaticArray<f64>(max(capacity, 1));
  }

  @inline get(i: i32): f64 {
    return unchecked(this.data[i]);
  }

  @inline set(i: i32, v: f64): void {
    unchecked((this.data[i] = v));
  }

  /** Makes index i valid (new entries 0). */
  @inline ensure(i: i32): void {
    if (i >= this.length) this.extend(i);
  }

  private extend(i: i32): void {
    if (i >= this.data.length) {
      let n = this.data.length;
      while (n <= i) n <<= 1;
      const grown = new StaticArray<f64>(n);
      for (let k = 0; k < this.length; k++) unchecked((grown[k] = this.data[k]));
      this.data = grown;
    }
    if (i >= this.length) this.length = i + 1;
  }

  @inline pointer(): usize {
    return changetype<usize>(this.data);
  }
}

// ---- Selection: the events of some kinds in the current batch ----

let selection: StaticArray<i32> = new StaticArray<i32>(0);

/**
 * Writes the indices (relative to `from`) of the events in rows [from, from + count) whose kind is
 * in `kinds` (bit k = EventKind k) to the selection buffer; returns how many. Analyzers that read a few rare kinds (annotations,
 * CPU samples, Syncs) visit those events only instead of testing every event's kind in
 * JavaScript.
 */
export function selectKinds(kinds: u32, from: i32, count: i32): i32 {
  const end = rowsEnd(from, count);
  if (selection.length < columns.capacity) selection = new StaticArray<i32>(columns.capacity);
  const kind = columns.ptr(COL_KIND);
  const out = changetype<usize>(selection);
  let selected = 0;
  let i = from;
  if (kinds < 1 << KIND_LANES) {
    // Sixteen rows at a time: the kinds asked for are rare, so most blocks select none.
    const table = kindTable(kinds);
    for (; i + KIND_LANES <= end; i += KIND_LANES) {
      let rows = kindsIn(table, kind, i);
      while (rows != 0) {
        store<i32>(out + (<usize>selected << 2), i + <i32>ctz(rows) - from);
        selected++;
        rows &= rows - 1;
      }
    }
  }
  for (; i < end; i++) {
    const k = <u32>load<u8>(kind + <usize>i);
    store<i32>(out + (<usize>selected << 2), i - from);
    selected += <i32>((kinds >> k) & 1);
  }
  return selected;
}

/** Rows a kindsIn() looks at together. */
export const KIND_LANES: i32 = 16;

/**
 * The lookup table kindsIn() takes for `kinds` (bit k = EventKind k, k < KIND_LANES): byte k is
 * 0xff if kind k is asked for.
 */
export function kindTable(kinds: u32): v128 {
  let low: u64 = 0;
  let high: u64 = 0;
  for (let k: u32 = 0; k < 8; k++) {
    if ((kinds >> k) & 1) low |= <u64>0xff << (<u64>k << 3);
    if ((kinds >> (k + 8)) & 1) high |= <u64>0xff << (<u64>k << 3);
  }
  return i64x2(<i64>low, <i64>high);
}

/**
 * Bit j set if row i + j (j < KIND_LANES) has a kind in `table` (kindTable()): one vector load
 * and lookup for sixteen rows. The rows must be in the batch (i + KIND_LANES <= its length).
 */
@inline export function kindsIn(table: v128, kindColumn: usize, i: i32): u32 {
  // swizzle gives 0 for an index >= 16: kinds beyond the table are never selected.
  return <u32>i8x16.bitmask(i8x16.swizzle(table, v128.load(kindColumn + <usize>i)));
}

export function selectionPointer(): usize {
  return changetype<usize>(selection);
}

/**
 * Dense indices 0, 1, 2, ... for sparse ids (OS thread ids, goroutine ids), in the order first
 * added, so per-id values live in arrays (e.g. F64Columns) JavaScript reads in place. Open
 * addressing over the id's bits: a lookup costs a few ns where a Map<f64, i32> costs several times
 * that, which matters for lookups per event.
 */
export class IdIndex {
  /** The ids by dense index. */
  readonly ids: F64Column = new F64Column(32);
  /** Dense index + 1 of the id hashed to each slot (0: empty); at most half full. */
  private slots: StaticArray<i32> = new StaticArray<i32>(64);
  private shift: u64 = 64 - 6;

  @inline get size(): i32 {
    return this.ids.length;
  }

  /** Dense index of `id`, -1 if it was never added. */
  @inline find(id: f64): i32 {
    const mask = this.slots.length - 1;
    let at = this.slotOf(id);
    while (true) {
      const entry = unchecked(this.slots[at]);
      if (entry == 0 || this.ids.get(entry - 1) == id) return entry - 1;
      at = (at + 1) & mask;
    }
  }

  /** Dense index of `id`, added if new. */
  add(id: f64): i32 {
    const mask = this.slots.length - 1;
    let at = this.slotOf(id);
    while (true) {
      const entry = unchecked(this.slots[at]);
      if (entry == 0) break;
      if (this.ids.get(entry - 1) == id) return entry - 1;
      at = (at + 1) & mask;
    }
    const index = this.ids.length;
    this.ids.ensure(index);
    this.ids.set(index, id);
    unchecked((this.slots[at] = index + 1));
    if (this.ids.length * 2 > this.slots.length) this.grow();
    return index;
  }

  /** Fibonacci hashing of the id's bits: the top bits of the product pick the slot. */
  @inline private slotOf(id: f64): i32 {
    return <i32>((reinterpret<u64>(id) * 0x9e3779b97f4a7c15) >> this.shift);
  }

  private grow(): void {
    this.slots = new StaticArray<i32>(this.slots.length << 1);
    this.shift--;
    const mask = this.slots.length - 1;
    for (let index = 0; index < this.ids.length; index++) {
      let at = this.slotOf(this.ids.get(index));
      while (unchecked(this.slots[at]) != 0) at = (at + 1) & mask;
      unchecked((this.slots[at] = index + 1));
    }
  }
}
