// Goroutine tracker kernel: the per-event state machine of src/analysis/goroutine-tracker.ts
// (GoroutineTracker.consume and everything it calls) for trackers without profile options, the
// one the goroutines, schedLatency, profiles and gc analyses share in a pass. Merging, finishing
// and the profile options (goCompatible, profileGroup, profileRegionType) stay in JavaScript:
// the binding (src/analysis/kernels/tracker.ts) turns this kernel's state into the same
// TrackerState the JavaScript tracker's state() returns, field for field, and the merge code
// takes it from there.
//
// Every method mirrors the JavaScript one of the same name; keep them in step. The exceptions are
// the fast paths nearly every event takes, steadyTransition() and syscallRoundTrip(): goTransition()
// reduced to the cases they accept (a change to the state machine must reach them too; the
// kernels-vs-JavaScript test compares the partials on real traces). Strings are ids in
// the binding's tables: goroutine names (0 = ""), range names, and block reasons, whose ids carry
// whether the pprof "sync" profile tracks the reason in bit 0 (see REASON_* below). Stacks are
// indices in the binding's StackTable, interned exactly where the JavaScript interns them (the
// table's order is its first-use order).
import { COL_A0, COL_FROM, COL_G, COL_KIND, COL_M, COL_P, COL_REASON, COL_RES_ID, COL_RES_KIND, COL_STACK, COL_TIME_F, COL_TO, COL_TSTACK, COL_TYPE } from '../columns';
import { EV_STW_BEGIN, EV_STW_END } from '../specs';
import { G_NOT_EXIST, G_RUNNABLE, G_RUNNING, G_SYSCALL, G_UNDETERMINED, G_WAITING, P_IDLE } from '../order';
import { Histogram, bucketOf } from './histogram';
import { ABSENT, F64Column, IdCache, Registry, column, hostRangeName, hostStack, hostStackRoot, hostStackRootPc, hostString, rowsEnd } from './kernel';

// Go's EventKind, GoState, ProcState and ResourceKind values (src/analysis/events.ts).
const KIND_SYNC: u8 = 1;
const KIND_RANGE_BEGIN: u8 = 5;
const KIND_RANGE_ACTIVE: u8 = 6;
const KIND_RANGE_END: u8 = 7;
const KIND_TRANSITION: u8 = 13;
/** Continuation state of a goroutine first met through a range, before any transition. */
const UNKNOWN_STATE: i32 = -1;
const RESOURCE_GOROUTINE: u8 = 1;
const RESOURCE_PROC: u8 = 2;

/** Reason ids: index in the binding's reason table × 2, + 1 if the "sync" profile tracks it. */
const REASON_FOREVER: i32 = 2;
const REASON_NETWORK: i32 = 4;
const REASON_SYNC_BIT: i32 = 1;

/** Profile kinds, by index in PROFILE_KINDS. */
const NET: i32 = 0;
const SYNC: i32 = 1;
const SYSCALL: i32 = 2;
const SCHED: i32 = 3;

const ONE_THREAD_MIN_RUNS: f64 = 5;

// ---- Goroutine records ----
//
// One 256-byte record per slot in one block: a transition reads and writes a dozen fields of one
// goroutine, which then share two cache lines. Fields holding objects (per-key sums, histograms)
// are in managed arrays beside it, indexed by slot, so the collector sees them.

const RECORD_SHIFT: usize = 8;
const R_ID: usize = 0;
/** Insertion order in the JavaScript tracker's Map (its `live` order). */
const R_SEQ: usize = 8;
const R_CREATION_TIME: usize = 16;
const R_START_TIME: usize = 24;
const R_END_TIME: usize = 32;
const R_PC: usize = 40;
const R_EXEC: usize = 48;
const R_SCHED_WAIT: usize = 56;
const R_SYSCALL_NS: usize = 64;
const R_SYSCALL_BLOCK_NS: usize = 72;
const R_LAST_START: usize = 80;
const R_LAST_RUNNABLE: usize = 88;
const R_LAST_BLOCK: usize = 96;
const R_LAST_SYSCALL: usize = 104;
const R_LAST_SYSCALL_BLOCK: usize = 112;
const R_SYSCALL_P: usize = 120;
const R_RUNS: usize = 128;
const R_RUN_THREAD: usize = 136;
const R_CONT_UNTIL: usize = 144;
/** Four f64: open profile intervals' start by kind (0 = none). */
const R_TRACK_START: usize = 152;
/** Four i32: the stacks they are keyed by. */
const R_TRACK_STACK: usize = 184;
const R_NAME: usize = 200;
const R_CREATION_STACK: usize = 204;
const R_STATE: usize = 208;
const R_LAST_BLOCK_REASON: usize = 212;
const R_CONT_STATE: usize = 216;
const R_FLAGS: usize = 220;
/** Index + 1 of R_SYSCALL_P in the dense per-P arrays (0: none, or a P not there). */
const R_SYSCALL_SLOT: usize = 224;
/** Index + 1 of its group (0: not looked up yet): the JavaScript's REFS.group. */
const R_GROUP: usize = 228;

const FLAG_ONE_THREAD: i32 = 1;
const FLAG_FINISHED: i32 = 2;
/** `continuation` is set (state R_CONT_STATE, until R_CONT_UNTIL). */
const FLAG_CONTINUATION: i32 = 4;
const FLAG_RANGE_RESTATED: i32 = 8;
const FLAG_PENDING_CONTINUATION: i32 = 16;
const FLAG_PENDING_UNNAMED: i32 = 32;
/** The slot holds a goroutine (free slots do not). */
const FLAG_LIVE: i32 = 64;

@inline function getF(r: usize, field: usize): f64 {
  return load<f64>(r + field);
}
@inline function setF(r: usize, field: usize, v: f64): void {
  store<f64>(r + field, v);
}
@inline function getI(r: usize, field: usize): i32 {
  return load<i32>(r + field);
}
@inline function setI(r: usize, field: usize, v: i32): void {
  store<i32>(r + field, v);
}
@inline function has(r: usize, flag: i32): bool {
  return (load<i32>(r + R_FLAGS) & flag) != 0;
}
@inline function raise(r: usize, flag: i32): void {
  store<i32>(r + R_FLAGS, load<i32>(r + R_FLAGS) | flag);
}
@inline function lower(r: usize, flag: i32): void {
  store<i32>(r + R_FLAGS, load<i32>(r + R_FLAGS) & ~flag);
}

/**
 * Values by key in first-added order, as a JavaScript object's keys (reports list them in that
 * order): a goroutine's or group's per-reason and per-range sums, a goroutine's open ranges. A
 * goroutine meets a few reasons and ranges, so a linear search.
 */
class Sums {
  keys: StaticArray<i32> = new StaticArray<i32>(4);
  values: StaticArray<f64> = new StaticArray<f64>(4);
  length: i32 = 0;

  @inline indexOf(key: i32): i32 {
    for (let k = 0; k < this.length; k++) if (unchecked(this.keys[k]) == key) return k;
    return -1;
  }

  /** The index of `key`, added with value 0 if absent. */
  @inline entry(key: i32): i32 {
    const k = this.indexOf(key);
    return k >= 0 ? k : this.append(key, 0);
  }

  /** Sets the value of `key` at index `k` (indexOf(key), -1: absent). */
  @inline setAt(k: i32, key: i32, v: f64): void {
    if (k >= 0) unchecked((this.values[k] = v));
    else this.append(key, v);
  }

  /** Adds absent `key` with value `v`; returns its index. */
  private append(key: i32, v: f64): i32 {
    if (this.length == this.keys.length) this.grow();
    const n = this.length++;
    unchecked((this.keys[n] = key));
    unchecked((this.values[n] = v));
    return n;
  }

  @inline add(key: i32, v: f64): void {
    const k = this.entry(key);
    unchecked((this.values[k] += v));
  }

  @inline set(key: i32, v: f64): void {
    unchecked((this.values[this.entry(key)] = v));
  }

  @inline valueAt(k: i32): f64 {
    return unchecked(this.values[k]);
  }

  /** JavaScript's `delete`: later keys keep their order. */
  remove(k: i32): void {
    for (let j = k + 1; j < this.length; j++) {
      unchecked((this.keys[j - 1] = this.keys[j]));
      unchecked((this.values[j - 1] = this.values[j]));
    }
    this.length--;
  }

  addAll(from: Sums): void {
    for (let k = 0; k < from.length; k++) this.add(unchecked(from.keys[k]), unchecked(from.values[k]));
  }

  private grow(): void {
    const n = this.keys.length * 2;
    const keys = new StaticArray<i32>(n);
    const values = new StaticArray<f64>(n);
    for (let k = 0; k < this.length; k++) {
      unchecked((keys[k] = this.keys[k]));
      unchecked((values[k] = this.values[k]));
    }
    this.keys = keys;
    this.values = values;
  }
}

/** ExecStats of a goroutine that ended (a top listing's) or of a group. */
class Stats {
  execNs: f64 = 0;
  schedWaitNs: f64 = 0;
  syscallNs: f64 = 0;
  syscallBlockNs: f64 = 0;
  blockNsByReason: Sums = new Sums();
  rangeNs: Sums = new Sums();
  rangeCount: Sums = new Sums();
}

class Group {
  count: f64 = 0;
  oneThread: f64 = 0;
  stats: Stats = new Stats();
  schedLatency: Histogram = new Histogram();
  constructor(readonly name: i32) {}
}

class Listing {
  constructor(
    readonly id: f64,
    readonly name: i32,
    readonly creationTime: f64,
    readonly startTime: f64,
    readonly endTime: f64,
    readonly totalNs: f64,
    readonly stats: Stats,
  ) {}
}

/** compareListings(): largest total time first, then lowest id (`||` treats 0 and NaN alike). */
function compareListings(a: Listing, b: Listing): f64 {
  const byTotal = b.totalNs - a.totalNs;
  return byTotal != 0 && !isNaN(byTotal) ? byTotal : a.id - b.id;
}

/** mergeHistogramInto() of src/analysis/histogram.ts. */
function mergeHistogramInto(into: Histogram, from: Histogram): void {
  if (from.count == 0) return;
  if (from.length > into.length) {
    if (from.length > into.buckets.length) {
      const grown = new StaticArray<f64>(from.length);
      for (let b = 0; b < into.length; b++) unchecked((grown[b] = into.buckets[b]));
      into.buckets = grown;
    }
    for (let b = into.length; b < from.length; b++) unchecked((into.buckets[b] = 0));
    into.length = from.length;
  }
  for (let b = 0; b < from.length; b++) unchecked((into.buckets[b] += from.buckets[b]));
  into.min = into.count == 0 ? from.min : Math.min(into.min, from.min);
  into.count += from.count;
  into.total += from.total;
  into.max = Math.max(into.max, from.max);
}

/** Goroutine id → slot: open addressing, backward-shift deletion. */
class SlotIndex {
  private ids: StaticArray<f64> = new StaticArray<f64>(1024);
  /** -1: empty. */
  private slots: StaticArray<i32> = SlotIndex.empty(1024);
  private mask: i32 = 1023;
  /** 64 - log2(capacity): home() keeps the product's top bits. */
  private shift: u64 = 54;
  private size: i32 = 0;

  private static empty(n: i32): StaticArray<i32> {
    const a = new StaticArray<i32>(n);
    for (let k = 0; k < n; k++) unchecked((a[k] = -1));
    return a;
  }

  @inline private home(id: f64): i32 {
    // Fibonacci hashing of the id's bits (no conversion: this runs per transition).
    return <i32>((reinterpret<u64>(id) * 0x9e3779b97f4a7c15) >> this.shift);
  }

  /** The slot of goroutine `id`, -1 if none. */
  @inline find(id: f64): i32 {
    let k = this.home(id);
    let slot = unchecked(this.slots[k]);
    while (slot >= 0 && unchecked(this.ids[k]) != id) {
      k = (k + 1) & this.mask;
      slot = unchecked(this.slots[k]);
    }
    return slot;
  }

  /** `id` must be absent. */
  insert(id: f64, slot: i32): void {
    if ((this.size + 1) * 4 > (this.mask + 1) * 3) this.grow();
    let k = this.home(id);
    while (unchecked(this.slots[k]) >= 0) k = (k + 1) & this.mask;
    unchecked((this.ids[k] = id));
    unchecked((this.slots[k] = slot));
    this.size++;
  }

  remove(id: f64): void {
    let k = this.home(id);
    for (;;) {
      if (unchecked(this.slots[k]) < 0) return;
      if (unchecked(this.ids[k]) == id) break;
      k = (k + 1) & this.mask;
    }
    // Shift later members of the cluster back so lookups never stop early.
    let hole = k;
    let j = k;
    for (;;) {
      j = (j + 1) & this.mask;
      if (unchecked(this.slots[j]) < 0) break;
      const home = this.home(unchecked(this.ids[j]));
      const between = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (!between) {
        unchecked((this.ids[hole] = this.ids[j]));
        unchecked((this.slots[hole] = this.slots[j]));
        hole = j;
      }
    }
    unchecked((this.slots[hole] = -1));
    this.size--;
  }

  private grow(): void {
    const ids = this.ids;
    const slots = this.slots;
    const n = (this.mask + 1) * 2;
    this.ids = new StaticArray<f64>(n);
    this.slots = SlotIndex.empty(n);
    this.mask = n - 1;
    this.shift--;
    this.size = 0;
    for (let k = 0; k < slots.length; k++) if (unchecked(slots[k]) >= 0) this.insert(unchecked(ids[k]), unchecked(slots[k]));
  }
}

/**
 * Entries by f64 key in first-insertion order, never removed (a removed entry is only marked
 * absent and keeps its place, as the JavaScript tracker's SlotMaps, Sets and append-only Maps):
 * per-P and per-(P, range) state.
 */
class OrderedTable {
  readonly keys: F64Column = new F64Column();
  readonly first: F64Column = new F64Column();
  readonly second: F64Column = new F64Column();
  readonly present: F64Column = new F64Column();
  /** Open addressing over entry indices, -1 empty. */
  private index: StaticArray<i32> = OrderedTable.empty(64);
  private mask: i32 = 63;

  private static empty(n: i32): StaticArray<i32> {
    const a = new StaticArray<i32>(n);
    for (let k = 0; k < n; k++) unchecked((a[k] = -1));
    return a;
  }

  @inline private home(key: f64): i32 {
    return <i32>((reinterpret<u64>(key) * 0x9e3779b97f4a7c15) >> 40) & this.mask;
  }

  /** The entry of `key`, -1 if it never had one. */
  @inline find(key: f64): i32 {
    const keys = this.keys.data;
    let k = this.home(key);
    let e = unchecked(this.index[k]);
    while (e >= 0 && unchecked(keys[e]) != key) {
      k = (k + 1) & this.mask;
      e = unchecked(this.index[k]);
    }
    return e;
  }

  /** The entry of `key`, made (absent) at the end if it never had one. */
  @inline entry(key: f64): i32 {
    const found = this.find(key);
    return found >= 0 ? found : this.append(key);
  }

  private append(key: f64): i32 {
    const e = this.keys.length;
    this.keys.ensure(e);
    this.keys.set(e, key);
    this.first.ensure(e);
    this.second.ensure(e);
    this.present.ensure(e);
    if ((e + 1) * 4 > (this.mask + 1) * 3) this.rehash((this.mask + 1) * 2);
    else this.place(e);
    return e;
  }

  @inline isPresent(key: f64): bool {
    const e = this.find(key);
    return e >= 0 && this.present.get(e) != 0;
  }

  /** Makes `key` present with value `value`. */
  @inline put(key: f64, value: f64): void {
    const e = this.entry(key);
    this.first.set(e, value);
    this.present.set(e, 1);
  }

  @inline remove(key: f64): void {
    const e = this.find(key);
    if (e >= 0) this.present.set(e, 0);
  }

  get count(): i32 {
    return this.keys.length;
  }

  private place(e: i32): void {
    let k = this.home(this.keys.get(e));
    while (unchecked(this.index[k]) >= 0) k = (k + 1) & this.mask;
    unchecked((this.index[k] = e));
  }

  private rehash(n: i32): void {
    this.index = OrderedTable.empty(n);
    this.mask = n - 1;
    for (let e = 0; e < this.keys.length; e++) this.place(e);
  }
}

/** Ids below this are cached in HotIds' array. */
const HOT_IDS: f64 = 4194304; // 1 << 22, as IdCache

/**
 * IdCache for the ids looked up per event (stacks, reasons), in front of which the ids below
 * HOT_IDS (all of them in real traces) cost one array load: value + 1, 0 = not cached. The entries
 * a generation set are cleared at its end.
 */
class HotIds {
  private values: StaticArray<i32> = new StaticArray<i32>(1024);
  /** values.length as f64 (one comparison per lookup). */
  private limit: f64 = 1024;
  /** Entries [0, used) may be set. */
  private used: i32 = 0;
  private readonly rest: IdCache = new IdCache();

  /** The cached value, or ABSENT. */
  @inline get(id: f64): i32 {
    if (id >= 0 && id < this.limit) {
      const k = <i32>id;
      if (<f64>k == id) {
        const v = unchecked(this.values[k]);
        return v != 0 ? v - 1 : ABSENT;
      }
    }
    return this.rest.get(id);
  }

  set(id: f64, value: i32): void {
    const k = <i32>id;
    if (id >= 0 && id < HOT_IDS && <f64>k == id) {
      if (k >= this.values.length) this.grow(k);
      unchecked((this.values[k] = value + 1));
      if (k >= this.used) this.used = k + 1;
      return;
    }
    this.rest.set(id, value);
  }

  reset(): void {
    if (this.used > 0) memory.fill(changetype<usize>(this.values), 0, <usize>this.used << 2);
    this.used = 0;
    this.rest.reset();
  }

  private grow(k: i32): void {
    let n = this.values.length;
    while (n <= k) n <<= 1;
    const grown = new StaticArray<i32>(n);
    memory.copy(changetype<usize>(grown), changetype<usize>(this.values), <usize>this.values.length << 2);
    this.values = grown;
    this.limit = <f64>n;
  }
}

/** P ids below this live in arrays (they are below GOMAXPROCS); others in an OrderedTable. */
const DENSE_P: f64 = 65536;

@inline function isDenseP(p: f64): bool {
  return p >= 0 && p < DENSE_P && Math.floor(p) == p;
}

/** One profile kind's records by stack, in first-made order. */
class ProfileRecords {
  /** [count, ns] by stack; count 0: no record (a record is made by its first interval). */
  private records: StaticArray<f64> = new StaticArray<f64>(512);
  readonly order: F64Column = new F64Column();

  @inline add(stack: i32, ns: f64): void {
    if (stack >= this.records.length >> 1) this.grow(stack);
    const at = changetype<usize>(this.records) + (<usize>stack << 4);
    const count = load<f64>(at);
    if (count == 0) this.made(stack);
    store<f64>(at, count + 1);
    store<f64>(at + 8, load<f64>(at + 8) + ns);
  }

  count(stack: i32): f64 {
    return unchecked(this.records[stack << 1]);
  }

  ns(stack: i32): f64 {
    return unchecked(this.records[(stack << 1) + 1]);
  }

  private made(stack: i32): void {
    const n = this.order.length;
    this.order.ensure(n);
    this.order.set(n, <f64>stack);
  }

  private grow(stack: i32): void {
    let n = this.records.length;
    while (n <= (stack << 1) + 1) n <<= 1;
    const grown = new StaticArray<f64>(n);
    memory.copy(changetype<usize>(grown), changetype<usize>(this.records), <usize>this.records.length << 3);
    this.records = grown;
  }
}

/** The column addresses of the current call (set by consume). */
let cKind: usize = 0;
let cTime: usize = 0;
let cResId: usize = 0;
let cResKind: usize = 0;
let cFrom: usize = 0;
let cTo: usize = 0;
let cReason: usize = 0;
let cStack: usize = 0;
let cTStack: usize = 0;
let cG: usize = 0;
let cP: usize = 0;
let cM: usize = 0;
let cType: usize = 0;
let cA0: usize = 0;

@inline function f64At(col: usize, i: i32): f64 {
  return load<f64>(col + (<usize>i << 3));
}

class Tracker {
  handle: i32 = 0;
  firstTime: f64 = 0;
  lastTime: f64 = 0;
  syncTime: f64 = 0;
  syncsSeen: i32 = 0;
  /** firstTime and syncTime are not 0 (from then on no event changes them but Syncs). */
  private timesSet: bool = false;

  // Goroutines.
  private readonly index: SlotIndex = new SlotIndex();
  private block: StaticArray<u8> = new StaticArray<u8>(256 << <i32>RECORD_SHIFT);
  private base: usize = changetype<usize>(this.block);
  private capacity: i32 = 256;
  /** Slots ever used; freed ones below it are on `free`. */
  private used: i32 = 0;
  private free: StaticArray<i32> = new StaticArray<i32>(256);
  private freeCount: i32 = 0;
  private nextSeq: f64 = 0;
  private blockNs: StaticArray<Sums | null> = new StaticArray<Sums | null>(256);
  private rangeNs: StaticArray<Sums | null> = new StaticArray<Sums | null>(256);
  private rangeCount: StaticArray<Sums | null> = new StaticArray<Sums | null>(256);
  private lastRange: StaticArray<Sums | null> = new StaticArray<Sums | null>(256);
  private rangeRestated: StaticArray<Sums | null> = new StaticArray<Sums | null>(256);
  private pendingContinuation: StaticArray<Histogram | null> = new StaticArray<Histogram | null>(256);
  private pendingUnnamed: StaticArray<Histogram | null> = new StaticArray<Histogram | null>(256);

  // Aggregates.
  private readonly groups: Array<Group> = new Array<Group>();
  /** Name id → index in groups, -1 none. */
  private groupOfName: StaticArray<i32> = new StaticArray<i32>(0);
  readonly schedOverall: Histogram = new Histogram();
  private creationHistograms: StaticArray<Histogram | null> = new StaticArray<Histogram | null>(0);
  private readonly creationOrder: F64Column = new F64Column();
  private readonly profiles: StaticArray<ProfileRecords> = [new ProfileRecords(), new ProfileRecords(), new ProfileRecords(), new ProfileRecords()];
  /** Sorted (compareListings), at most topN. */
  private readonly top: Array<Listing> = new Array<Listing>();

  // Per P.
  /** P → goroutine in a syscall on it (-1 none), for dense P ids; others in syscallingOther. */
  private syscallingDense: StaticArray<f64> = new StaticArray<f64>(0);
  private readonly syscallingOther: OrderedTable = new OrderedTable();
  /** Dense P ids in syscallClaimedP (1); others in claimedOther. */
  private claimedDense: StaticArray<u8> = new StaticArray<u8>(0);
  private readonly claimedOther: OrderedTable = new OrderedTable();
  /** syscallClaimedP in insertion order. */
  private readonly claimedOrder: F64Column = new F64Column();
  private readonly unclaimedProcIdle: OrderedTable = new OrderedTable();
  /** Keyed by rangeKey(P, range name): goroutine (first), present. */
  private readonly rangesP: OrderedTable = new OrderedTable();
  private readonly rangesClaimed: OrderedTable = new OrderedTable();
  /** Keyed by rangeKey(P, range name): goroutine (first), time (second). */
  private readonly unclaimedRangeEnds: OrderedTable = new OrderedTable();

  // Generation-local ids → global ones (reset at each Sync).
  private readonly reasons: HotIds = new HotIds();
  private readonly stacks: HotIds = new HotIds();
  /** Stack id → index in rootName/rootPc, -1 for a stack without frames. */
  private readonly roots: IdCache = new IdCache();
  private rootName: StaticArray<i32> = new StaticArray<i32>(64);
  private rootPc: StaticArray<f64> = new StaticArray<f64>(64);
  private rootCount: i32 = 0;
  /** STW kind string id → range name id. */
  private readonly stwNames: IdCache = new IdCache();
  /** Wire type → range name id (-1: ask; stop-the-world ranges always ask stwNames). */
  private readonly rangeNameOfType: StaticArray<i32> = new StaticArray<i32>(256);

  /** The partial, written by dump(). */
  readonly out: F64Column = new F64Column(1024);

  constructor(
    readonly atTraceStart: bool,
    readonly topN: i32,
  ) {
    for (let k = 0; k < 256; k++) unchecked((this.rangeNameOfType[k] = -1));
  }

  consume(from: i32, count: i32): void {
    const end = rowsEnd(from, count);
    cKind = column(COL_KIND);
    cTime = column(COL_TIME_F);
    cResId = column(COL_RES_ID);
    cResKind = column(COL_RES_KIND);
    cFrom = column(COL_FROM);
    cTo = column(COL_TO);
    cReason = column(COL_REASON);
    cStack = column(COL_STACK);
    cTStack = column(COL_TSTACK);
    cG = column(COL_G);
    cP = column(COL_P);
    cM = column(COL_M);
    cType = column(COL_TYPE);
    cA0 = column(COL_A0);
    for (let i = from; i < end; i++) {
      const kind = load<u8>(cKind + <usize>i);
      const t = f64At(cTime, i);
      if (!this.timesSet) this.startTimes(t);
      // Transitions first: they are nearly every event.
      if (kind == KIND_TRANSITION) {
        const rk = load<u8>(cResKind + <usize>i);
        if (rk == RESOURCE_GOROUTINE) {
          const rows = this.steadyTransition(i, t, end);
          if (rows == 0) this.goTransition(i, t);
          else i += rows - 1;
        } else if (rk == RESOURCE_PROC) this.procTransition(i, t);
        continue;
      }
      switch (kind) {
        case KIND_SYNC:
          this.syncTime = t;
          if (t == 0) this.timesSet = false;
          this.syncsSeen++;
          this.newGeneration();
          break;
        case KIND_RANGE_BEGIN:
        case KIND_RANGE_ACTIVE:
          this.rangeBegin(i, t, kind == KIND_RANGE_ACTIVE);
          break;
        case KIND_RANGE_END:
          this.rangeEnd(i, t);
          break;
        default:
          break;
      }
    }
    // Every event sets the last time (nothing above reads it).
    if (end > from) this.lastTime = f64At(cTime, end - 1);
  }

  /** Sets firstTime and syncTime from the first event with a time (they stay set). */
  private startTimes(t: f64): void {
    if (this.firstTime == 0) this.firstTime = t;
    if (this.syncTime == 0) this.syncTime = t;
    this.timesSet = this.firstTime != 0 && this.syncTime != 0;
  }

  private newGeneration(): void {
    this.reasons.reset();
    this.stacks.reset();
    this.roots.reset();
    this.rootCount = 0;
    this.stwNames.reset();
  }

  // ---- Ids ----

  /** Reason id of row i's transition (0 = ""). */
  @inline private reasonAt(i: i32): i32 {
    const local = f64At(cReason, i);
    if (local == 0) return 0;
    const id = this.reasons.get(local);
    return id != ABSENT ? id : this.internReason(local);
  }

  private internReason(local: f64): i32 {
    const id = hostString(this.handle, local);
    this.reasons.set(local, id);
    return id;
  }

  /** StackTable.fromView(): the stack index of a generation-local stack id (≤ 0: none). */
  @inline private stackOf(local: f64): i32 {
    if (local <= 0) return 0;
    const index = this.stacks.get(local);
    return index != ABSENT ? index : this.internStack(local);
  }

  private internStack(local: f64): i32 {
    const index = hostStack(this.handle, local);
    this.stacks.set(local, index);
    return index;
  }

  /** Index in rootName/rootPc of the outermost frame of a stack, -1 if it has no frames. */
  private rootOf(local: f64): i32 {
    if (local <= 0) return -1;
    let root = this.roots.get(local);
    if (root == ABSENT) {
      const name = hostStackRoot(this.handle, local);
      root = -1;
      if (name >= 0) {
        root = this.rootCount++;
        if (root == this.rootName.length) {
          const names = new StaticArray<i32>(root * 2);
          const pcs = new StaticArray<f64>(root * 2);
          for (let k = 0; k < root; k++) {
            unchecked((names[k] = this.rootName[k]));
            unchecked((pcs[k] = this.rootPc[k]));
          }
          this.rootName = names;
          this.rootPc = pcs;
        }
        unchecked((this.rootName[root] = name));
        unchecked((this.rootPc[root] = hostStackRootPc(this.handle, local)));
      }
      this.roots.set(local, root);
    }
    return root;
  }

  @inline private rangeNameAt(i: i32): i32 {
    const type = load<u8>(cType + <usize>i);
    const name = unchecked(this.rangeNameOfType[type]);
    return name >= 0 ? name : this.askRangeName(i, type);
  }

  /** rangeNameAt() for a type not cached: a stop-the-world range's (named by its kind) or a new type. */
  private askRangeName(i: i32, type: u8): i32 {
    if (type == EV_STW_BEGIN || type == EV_STW_END) {
      const kind = <f64>load<u64>(cA0 + (<usize>i << 3));
      let name = this.stwNames.get(kind);
      if (name == ABSENT) {
        name = hostRangeName(this.handle, i);
        this.stwNames.set(kind, name);
      }
      return name;
    }
    const name = hostRangeName(this.handle, i);
    unchecked((this.rangeNameOfType[type] = name));
    return name;
  }


  /** Key of a (P, range name) pair (the JavaScript tracker's "P/name" strings). */
  @inline private rangeKey(p: f64, name: i32): f64 {
    return p * RANGE_NAMES + <f64>name;
  }

  // ---- Records ----

  @inline private rec(slot: i32): usize {
    return this.base + (<usize>slot << RECORD_SHIFT);
  }

  /** A new goroutine record in the table (newRecord() then gs.set()). */
  private insertRecord(id: f64, creationTime: f64): i32 {
    let slot: i32;
    if (this.freeCount > 0) slot = unchecked(this.free[--this.freeCount]);
    else {
      if (this.used == this.capacity) this.grow();
      slot = this.used++;
    }
    this.index.insert(id, slot);
    this.initRecord(slot, id, creationTime);
    setF(this.rec(slot), R_SEQ, this.nextSeq++);
    return slot;
  }

  /** newRecord() stored under `id`: in place of its record `slot` if it has one (same Map position). */
  private freshRecord(slot: i32, id: f64, creationTime: f64): i32 {
    if (slot < 0) return this.insertRecord(id, creationTime);
    this.initRecord(slot, id, creationTime);
    return slot;
  }

  private initRecord(slot: i32, id: f64, creationTime: f64): void {
    const r = this.rec(slot);
    const seq = getF(r, R_SEQ);
    memory.fill(r, 0, 1 << RECORD_SHIFT);
    setF(r, R_ID, id);
    setF(r, R_SEQ, seq);
    setF(r, R_CREATION_TIME, creationTime);
    setI(r, R_STATE, G_NOT_EXIST);
    setF(r, R_SYSCALL_P, -1);
    setF(r, R_RUN_THREAD, -1);
    setI(r, R_FLAGS, FLAG_LIVE | FLAG_ONE_THREAD);
    clearSums(this.blockNs, slot);
    clearSums(this.rangeNs, slot);
    clearSums(this.rangeCount, slot);
    clearSums(this.lastRange, slot);
  }

  /** gs.delete(). */
  private removeRecord(slot: i32): void {
    const r = this.rec(slot);
    this.index.remove(getF(r, R_ID));
    lower(r, FLAG_LIVE);
    if (this.freeCount == this.free.length) this.free = growI32(this.free, this.free.length * 2);
    unchecked((this.free[this.freeCount++] = slot));
  }

  private grow(): void {
    const n = this.capacity * 2;
    const block = new StaticArray<u8>(n << <i32>RECORD_SHIFT);
    memory.copy(changetype<usize>(block), this.base, <usize>this.capacity << RECORD_SHIFT);
    this.block = block;
    this.base = changetype<usize>(block);
    this.capacity = n;
    this.blockNs = growRefs<Sums>(this.blockNs, n);
    this.rangeNs = growRefs<Sums>(this.rangeNs, n);
    this.rangeCount = growRefs<Sums>(this.rangeCount, n);
    this.lastRange = growRefs<Sums>(this.lastRange, n);
    this.rangeRestated = growRefs<Sums>(this.rangeRestated, n);
    this.pendingContinuation = growRefs<Histogram>(this.pendingContinuation, n);
    this.pendingUnnamed = growRefs<Histogram>(this.pendingUnnamed, n);
  }

  /** A goroutine's sums of one kind (blockNs, rangeNs, ...), made on first use. */
  @inline private sums(field: StaticArray<Sums | null>, slot: i32): Sums {
    let s = unchecked(field[slot]);
    if (s === null) unchecked((field[slot] = s = new Sums()));
    return s;
  }

  /** A goroutine's pending histogram (pendingContinuation, pendingUnnamed) after `??= empty`. */
  private pending(field: StaticArray<Histogram | null>, slot: i32, flag: i32): Histogram {
    let h = unchecked(field[slot]);
    if (h === null) unchecked((field[slot] = h = new Histogram()));
    const r = this.rec(slot);
    if (!has(r, flag)) {
      h.clear();
      raise(r, flag);
    }
    return h;
  }

  // ---- Transitions ----

  /**
   * goTransition() for what nearly every transition is: a known, named goroutine going from one
   * real state to another (not ending), whose continuation, if it has one, is closed already (in
   * a part that begins mid-trace nearly every goroutine has one: it closes at its first real
   * transition, which goTransition() handles). Then it reduces to leaveState(),
   * profileTransition() and enterState(), inlined here with the target state a constant in each
   * case (so only its part of them remains; recordSchedLatency() keeps a continuation's
   * latencies pending as in goTransition()). Returns how many rows it consumed (a syscall's entry
   * may take its exit along), 0 (nothing done) for any other transition.
   */
  @inline private steadyTransition(i: i32, t: f64, end: i32): i32 {
    const from = <i32>load<u8>(cFrom + <usize>i);
    const to = <i32>load<u8>(cTo + <usize>i);
    if (from == to || from < <i32>G_RUNNABLE || to < <i32>G_RUNNABLE) return 0;
    const g = this.index.find(f64At(cResId, i));
    if (g < 0) return 0;
    const r = this.rec(g);
    if (((getI(r, R_FLAGS) & FLAG_CONTINUATION) != 0 && getF(r, R_CONT_UNTIL) == 0) || getI(r, R_NAME) == 0) return 0;
    // One dispatch on the (from, to) pair: each case is straight-line code.
    switch (((from - G_RUNNABLE) << 2) | (to - G_RUNNABLE)) {
      case 1:
        this.steadyPair(i, g, r, G_RUNNABLE, G_RUNNING, 0, t);
        break;
      case 2:
        return <i32>this.steadyBlock(i, g, r, G_RUNNABLE, t);
      case 3:
        this.steadyPair(i, g, r, G_RUNNABLE, G_SYSCALL, 0, t);
        break;
      case 4:
        this.steadyPair(i, g, r, G_RUNNING, G_RUNNABLE, 0, t);
        break;
      case 6:
        return <i32>this.steadyBlock(i, g, r, G_RUNNING, t);
      case 7:
        if (this.syscallRoundTrip(i, g, r, t, end)) return 2;
        this.steadyPair(i, g, r, G_RUNNING, G_SYSCALL, 0, t);
        break;
      case 8:
        this.steadyPair(i, g, r, G_WAITING, G_RUNNABLE, 0, t);
        break;
      case 9:
        this.steadyPair(i, g, r, G_WAITING, G_RUNNING, 0, t);
        break;
      case 11:
        this.steadyPair(i, g, r, G_WAITING, G_SYSCALL, 0, t);
        break;
      case 12:
        this.steadyPair(i, g, r, G_SYSCALL, G_RUNNABLE, 0, t);
        break;
      case 13:
        this.steadyPair(i, g, r, G_SYSCALL, G_RUNNING, 0, t);
        break;
      case 14:
        return <i32>this.steadyBlock(i, g, r, G_SYSCALL, t);
      default:
        return 0;
    }
    return 1;
  }

  /** A steady transition to Waiting, unless it is for ever (the goroutine ends: goTransition). */
  @inline private steadyBlock(i: i32, g: i32, r: usize, from: i32, t: f64): bool {
    const reason = this.reasonAt(i);
    if (reason == REASON_FOREVER) return false;
    this.steadyPair(i, g, r, from, G_WAITING, reason, t);
    return true;
  }

  /**
   * A running goroutine entering a syscall whose exit (back to running) is the next row, the
   * commonest pair of events: both steadyPair()s in one, with nothing in between to observe the
   * syscall (no profile interval but the syscall's, no P idle, so no blocking). False (nothing
   * done) if it is not such a pair.
   */
  @inline private syscallRoundTrip(i: i32, g: i32, r: usize, t: f64, end: i32): bool {
    const j = i + 1;
    if (j >= end || load<u8>(cKind + <usize>j) != KIND_TRANSITION || load<u8>(cResKind + <usize>j) != RESOURCE_GOROUTINE) return false;
    if (<i32>load<u8>(cFrom + <usize>j) != G_SYSCALL || <i32>load<u8>(cTo + <usize>j) != G_RUNNING || f64At(cResId, j) != getF(r, R_ID)) return false;
    if (trackStart(r, NET) != 0 || trackStart(r, SYNC) != 0 || trackStart(r, SYSCALL) != 0 || trackStart(r, SCHED) != 0) return false;
    const proc = f64At(cP, i);
    const k = <i32>proc;
    if (t == 0 || getF(r, R_LAST_SYSCALL_BLOCK) != 0 || <f64>k != proc || k < 0 || <f64>k >= DENSE_P) return false;
    const exit = f64At(cTime, j);
    // Running → Syscall.
    this.leaveStateAt(g, r, G_RUNNING, t);
    const stack = this.stackOf(f64At(cStack, i));
    store<i32>(r + R_TRACK_STACK + (<usize>SYSCALL << 2), stack);
    if (k >= this.syscallingDense.length) this.growDenseP(k);
    if (unchecked(this.claimedDense[k]) == 0) this.claim(proc);
    // Syscall → Running: syscallingP[proc] was set and is deleted again.
    unchecked((this.syscallingDense[k] = -1));
    const ns = exit - t;
    setF(r, R_SYSCALL_NS, getF(r, R_SYSCALL_NS) + ns);
    setF(r, R_LAST_SYSCALL, 0);
    setF(r, R_SYSCALL_P, -1);
    setI(r, R_SYSCALL_SLOT, 0);
    if (ns > 0) unchecked(this.profiles[SYSCALL]).add(stack, ns);
    this.enterStateAt(g, r, G_RUNNING, 0, exit, 0);
    this.countRun(r, f64At(cM, j));
    return true;
  }

  /** goTransition() of a steady transition `from` → `to` (constants once inlined). */
  @inline private steadyPair(i: i32, g: i32, r: usize, from: i32, to: i32, reason: i32, t: f64): void {
    this.leaveStateAt(g, r, from, t);
    this.profileTransitionAt(i, g, r, to, reason, t);
    this.enterStateAt(g, r, to, reason, t, to == G_SYSCALL ? f64At(cP, i) : 0);
    if (to == G_RUNNING) this.countRun(r, f64At(cM, i));
  }

  private goTransition(i: i32, t: f64): void {
    const id = f64At(cResId, i);
    const from = <i32>load<u8>(cFrom + <usize>i);
    const to = <i32>load<u8>(cTo + <usize>i);
    // Only blocking reasons are used (Go's profiles and summaries read the reason of Waiting only).
    const reason = to == G_WAITING ? this.reasonAt(i) : 0;
    let g = this.index.find(id);
    if (g >= 0) {
      const r = this.rec(g);
      if (has(r, FLAG_CONTINUATION) && getI(r, R_CONT_STATE) == UNKNOWN_STATE && from != G_UNDETERMINED) {
        setI(r, R_CONT_STATE, from);
        setI(r, R_STATE, from);
      }
    } else if (from != G_UNDETERMINED && from != G_NOT_EXIST) {
      // A partial meeting a goroutine already in `from`: the time before now belongs to the
      // preceding partial and is stitched in at merge time.
      g = this.insertRecord(id, 0);
      const r = this.rec(g);
      setI(r, R_STATE, from);
      raise(r, FLAG_CONTINUATION);
      setI(r, R_CONT_STATE, from);
      setF(r, R_CONT_UNTIL, from == to ? 0 : t);
    }

    if (from == to) {
      // A restatement of a state entered in an earlier part is that part's interval, not a new one.
      if (g >= 0) {
        const r = this.rec(g);
        const restatedFromEarlier = has(r, FLAG_CONTINUATION) && getF(r, R_CONT_UNTIL) == 0;
        if (!restatedFromEarlier) this.profileTransition(i, g, to, reason, t);
      }
      return;
    }

    if (from == G_UNDETERMINED) {
      g = this.freshRecord(g, id, this.syncTime);
      const r = this.rec(g);
      const stateTime = t - this.syncTime;
      switch (to) {
        case G_RUNNING:
          setF(r, R_EXEC, getF(r, R_EXEC) + stateTime);
          break;
        case G_WAITING:
          this.sums(this.blockNs, g).add(reason, stateTime);
          break;
        case G_RUNNABLE:
          setF(r, R_SCHED_WAIT, getF(r, R_SCHED_WAIT) + stateTime);
          break;
        case G_SYSCALL:
          if (f64At(cP, i) == -1) setF(r, R_SYSCALL_BLOCK_NS, getF(r, R_SYSCALL_BLOCK_NS) + stateTime);
          else setF(r, R_SYSCALL_NS, getF(r, R_SYSCALL_NS) + stateTime);
          break;
        default:
          break;
      }
      if (!this.atTraceStart || this.syncsSeen > 1) {
        // An independently decoded later generation announces goroutines as Undetermined: the
        // preceding partial owns the time before this Sync.
        raise(r, FLAG_CONTINUATION);
        setI(r, R_CONT_STATE, to);
        setF(r, R_CONT_UNTIL, 0);
        setF(r, R_CREATION_TIME, 0);
      }
    } else if (from == G_NOT_EXIST) {
      g = this.freshRecord(g, id, t);
      setI(this.rec(g), R_CREATION_STACK, this.stackOf(f64At(cStack, i)));
    } else {
      if (g < 0) return;
      this.leaveState(g, from, t);
    }
    const r = this.rec(g);
    if (has(r, FLAG_CONTINUATION) && getF(r, R_CONT_UNTIL) == 0 && from != G_UNDETERMINED) {
      setF(r, R_CONT_UNTIL, t);
      setI(r, R_CONT_STATE, from);
    }

    if (getI(r, R_NAME) == 0) {
      const root = this.rootOf(f64At(cTStack, i));
      if (root >= 0) {
        setI(r, R_NAME, unchecked(this.rootName[root]));
        setF(r, R_PC, unchecked(this.rootPc[root]));
        this.flushUnnamed(g);
      }
    }

    this.profileTransition(i, g, to, reason, t);
    this.enterState(g, to, reason, t, f64At(cP, i));
    if (to == G_RUNNING) this.countRun(r, f64At(cM, i));
  }

  /** A run on thread m: whether it always ran on one thread. */
  @inline private countRun(r: usize, m: f64): void {
    // Without branches: whether a goroutine changed threads is as unpredictable as the scheduler.
    const runs = getF(r, R_RUNS);
    const thread = getF(r, R_RUN_THREAD);
    const first = runs == 0;
    setF(r, R_RUN_THREAD, select<f64>(m, thread, first));
    const moved = <i32>(!first && m != thread);
    setI(r, R_FLAGS, getI(r, R_FLAGS) & ~(moved * FLAG_ONE_THREAD));
    setF(r, R_RUNS, runs + 1);
  }

  private leaveState(g: i32, from: i32, t: f64): void {
    this.leaveStateAt(g, this.rec(g), from, t);
  }

  /** leaveState() of record r (slot g). */
  @inline private leaveStateAt(g: i32, r: usize, from: i32, t: f64): void {
    switch (from) {
      case G_RUNNING: {
        const lastStart = getF(r, R_LAST_START);
        if (lastStart != 0) setF(r, R_EXEC, getF(r, R_EXEC) + (t - lastStart));
        setF(r, R_LAST_START, 0);
        break;
      }
      case G_WAITING: {
        const lastBlock = getF(r, R_LAST_BLOCK);
        if (lastBlock != 0) {
          this.sums(this.blockNs, g).add(getI(r, R_LAST_BLOCK_REASON), t - lastBlock);
          setF(r, R_LAST_BLOCK, 0);
        }
        break;
      }
      case G_RUNNABLE: {
        const lastRunnable = getF(r, R_LAST_RUNNABLE);
        if (lastRunnable != 0) {
          setF(r, R_SCHED_WAIT, getF(r, R_SCHED_WAIT) + (t - lastRunnable));
          setF(r, R_LAST_RUNNABLE, 0);
        }
        break;
      }
      case G_SYSCALL: {
        const lastSyscall = getF(r, R_LAST_SYSCALL);
        if (lastSyscall != 0) {
          const lastSyscallBlock = getF(r, R_LAST_SYSCALL_BLOCK);
          if (lastSyscallBlock != 0) {
            setF(r, R_SYSCALL_BLOCK_NS, getF(r, R_SYSCALL_BLOCK_NS) + (t - lastSyscallBlock));
            setF(r, R_SYSCALL_NS, getF(r, R_SYSCALL_NS) + (lastSyscallBlock - lastSyscall));
          } else {
            setF(r, R_SYSCALL_NS, getF(r, R_SYSCALL_NS) + (t - lastSyscall));
          }
          setF(r, R_LAST_SYSCALL, 0);
          setF(r, R_LAST_SYSCALL_BLOCK, 0);
          // As Go: forget the P it entered the syscall on, whoever holds that entry now.
          const slot = getI(r, R_SYSCALL_SLOT);
          if (slot > 0) unchecked((this.syscallingDense[slot - 1] = -1));
          else this.syscallingDelete(getF(r, R_SYSCALL_P));
          setF(r, R_SYSCALL_P, -1);
          setI(r, R_SYSCALL_SLOT, 0);
        }
        break;
      }
      default:
        break;
    }
  }

  private enterState(g: i32, to: i32, reason: i32, t: f64, proc: f64): void {
    this.enterStateAt(g, this.rec(g), to, reason, t, proc);
  }

  /** enterState() of record r (slot g). */
  @inline private enterStateAt(g: i32, r: usize, to: i32, reason: i32, t: f64, proc: f64): void {
    setI(r, R_STATE, to);
    switch (to) {
      case G_RUNNING:
        setF(r, R_LAST_START, t);
        if (getF(r, R_START_TIME) == 0) setF(r, R_START_TIME, t);
        break;
      case G_RUNNABLE:
        setF(r, R_LAST_RUNNABLE, t);
        break;
      case G_WAITING:
        if (reason != REASON_FOREVER) {
          setF(r, R_LAST_BLOCK, t);
          setI(r, R_LAST_BLOCK_REASON, reason);
          break;
        }
        this.finish(g, t, true);
        break;
      case G_NOT_EXIST:
        this.finish(g, t, true);
        break;
      case G_SYSCALL: {
        const id = getF(r, R_ID);
        let slot = 0;
        const k = <i32>proc;
        if (<f64>k == proc && k >= 0 && <f64>k < DENSE_P) {
          if (k >= this.syscallingDense.length) this.growDenseP(k);
          unchecked((this.syscallingDense[k] = id));
          if (unchecked(this.claimedDense[k]) == 0) this.claim(proc);
          slot = k + 1;
        } else {
          this.syscallingOther.put(proc, id);
          if (!this.claimedOther.isPresent(proc)) this.claim(proc);
        }
        setF(r, R_SYSCALL_P, proc);
        setI(r, R_SYSCALL_SLOT, slot);
        setF(r, R_LAST_SYSCALL, t);
        break;
      }
      default:
        break;
    }
  }

  private profileTransition(i: i32, g: i32, to: i32, reason: i32, t: f64): void {
    this.profileTransitionAt(i, g, this.rec(g), to, reason, t);
  }

  /** profileTransition() of record r (slot g). */
  @inline private profileTransitionAt(i: i32, g: i32, r: usize, to: i32, reason: i32, t: f64): void {
    // Close the intervals of states being left. (Without profile options whether the interval
    // ends at the goroutine's first run does not matter.)
    if (to != G_WAITING) {
      if (trackStart(r, NET) != 0) this.closeProfile(NET, r, t);
      if (trackStart(r, SYNC) != 0) this.closeProfile(SYNC, r, t);
    }
    if (to != G_SYSCALL && trackStart(r, SYSCALL) != 0) this.closeProfile(SYSCALL, r, t);
    if (to != G_RUNNABLE && trackStart(r, SCHED) != 0) {
      // Go's sched-latency interval ends here too; the histogram uses the same boundaries.
      this.recordSchedLatency(g, t - trackStart(r, SCHED));
      this.closeProfile(SCHED, r, t);
    }
    // Open the interval of the state entered, if its reason is one the profile tracks.
    if (to == G_WAITING) {
      if (trackStart(r, NET) == 0 && reason == REASON_NETWORK) this.track(r, NET, i, t);
      if (trackStart(r, SYNC) == 0 && (reason & REASON_SYNC_BIT) != 0) this.track(r, SYNC, i, t);
    } else if (to == G_SYSCALL) {
      if (trackStart(r, SYSCALL) == 0) this.track(r, SYSCALL, i, t);
    } else if (to == G_RUNNABLE) {
      if (trackStart(r, SCHED) == 0) this.track(r, SCHED, i, t);
    }
  }

  @inline private track(r: usize, k: i32, i: i32, t: f64): void {
    store<f64>(r + R_TRACK_START + (<usize>k << 3), t);
    store<i32>(r + R_TRACK_STACK + (<usize>k << 2), this.stackOf(f64At(cStack, i)));
  }

  /** closeProfile() and recordProfile() without profile options: every interval counts in full. */
  @inline private closeProfile(k: i32, r: usize, t: f64): void {
    const at = r + R_TRACK_START + (<usize>k << 3);
    const ns = t - load<f64>(at);
    store<f64>(at, 0);
    if (ns > 0) unchecked(this.profiles[k]).add(load<i32>(r + R_TRACK_STACK + (<usize>k << 2)), ns);
  }

  private recordSchedLatency(g: i32, ns: f64): void {
    const bucket = bucketOf(ns);
    this.schedOverall.recordIn(bucket, ns);
    const r = this.rec(g);
    if (has(r, FLAG_CONTINUATION)) {
      // Its creation stack (and maybe its name) is known to an earlier part: attribute at merge.
      this.pending(this.pendingContinuation, g, FLAG_PENDING_CONTINUATION).recordIn(bucket, ns);
      return;
    }
    const creationStack = getI(r, R_CREATION_STACK);
    if (creationStack != 0) this.creationHistogram(creationStack).recordIn(bucket, ns);
    const name = getI(r, R_NAME);
    if (name == 0) {
      this.pending(this.pendingUnnamed, g, FLAG_PENDING_UNNAMED).recordIn(bucket, ns);
      return;
    }
    let group = getI(r, R_GROUP) - 1;
    if (group < 0) {
      this.group(name);
      group = unchecked(this.groupOfName[name]);
      setI(r, R_GROUP, group + 1);
    }
    unchecked(this.groups[group]).schedLatency.recordIn(bucket, ns);
  }

  private creationHistogram(stack: i32): Histogram {
    if (stack >= this.creationHistograms.length) this.creationHistograms = growRefs<Histogram>(this.creationHistograms, max(stack + 1, this.creationHistograms.length * 2));
    let h = unchecked(this.creationHistograms[stack]);
    if (h === null) {
      unchecked((this.creationHistograms[stack] = h = new Histogram()));
      const n = this.creationOrder.length;
      this.creationOrder.ensure(n);
      this.creationOrder.set(n, <f64>stack);
    }
    return h;
  }

  private flushUnnamed(g: i32): void {
    const r = this.rec(g);
    if (!has(r, FLAG_PENDING_UNNAMED)) return;
    mergeHistogramInto(this.group(getI(r, R_NAME)).schedLatency, unchecked(this.pendingUnnamed[g])!);
    lower(r, FLAG_PENDING_UNNAMED);
  }

  private group(name: i32): Group {
    if (name < this.groupOfName.length) {
      const k = unchecked(this.groupOfName[name]);
      if (k >= 0) return unchecked(this.groups[k]);
    } else {
      const n = max(name + 1, this.groupOfName.length * 2);
      const grown = new StaticArray<i32>(n);
      for (let k = 0; k < n; k++) unchecked((grown[k] = k < this.groupOfName.length ? this.groupOfName[k] : -1));
      this.groupOfName = grown;
    }
    const group = new Group(name);
    unchecked((this.groupOfName[name] = this.groups.length));
    this.groups.push(group);
    return group;
  }

  private procTransition(i: i32, t: f64): void {
    const from = <i32>load<u8>(cFrom + <usize>i);
    const to = <i32>load<u8>(cTo + <usize>i);
    if (from == to || to != P_IDLE) return;
    const p = f64At(cResId, i);
    const goid = this.syscallingGet(p);
    if (goid < 0) {
      if (!this.atTraceStart && !this.claimed(p) && !this.unclaimedProcIdle.isPresent(p)) this.unclaimedProcIdle.put(p, t);
      return;
    }
    const g = this.index.find(goid);
    if (g >= 0) setF(this.rec(g), R_LAST_SYSCALL_BLOCK, t);
    this.syscallingDelete(p);
  }

  private rangeBegin(i: i32, t: f64, active: bool): void {
    const name = this.rangeNameAt(i);
    let g = -1;
    const scope = load<u8>(cResKind + <usize>i);
    if (scope == RESOURCE_GOROUTINE) g = this.index.find(f64At(cResId, i));
    else if (scope == RESOURCE_PROC) {
      g = this.index.find(f64At(cG, i));
      if (g >= 0) {
        const key = this.rangeKey(f64At(cResId, i), name);
        this.rangesP.put(key, getF(this.rec(g), R_ID));
        if (!this.atTraceStart) this.rangesClaimed.put(key, 0);
      }
    }
    if (g < 0 && active && !this.atTraceStart && scope == RESOURCE_GOROUTINE) {
      g = this.insertRecord(f64At(cResId, i), 0);
      const r = this.rec(g);
      setI(r, R_STATE, UNKNOWN_STATE);
      raise(r, FLAG_CONTINUATION);
      setI(r, R_CONT_STATE, UNKNOWN_STATE);
      setF(r, R_CONT_UNTIL, 0);
    }
    if (g < 0) return;
    const r = this.rec(g);
    if (has(r, FLAG_FINISHED)) return;
    const lastRange = this.sums(this.lastRange, g);
    const open = lastRange.indexOf(name);
    if (active && has(r, FLAG_CONTINUATION) && open < 0) {
      // Restated by a part starting mid-range: the earlier part's open range closes here at merge.
      if (!has(r, FLAG_RANGE_RESTATED)) {
        this.sums(this.rangeRestated, g).length = 0;
        raise(r, FLAG_RANGE_RESTATED);
      }
      unchecked(this.rangeRestated[g])!.set(name, this.syncTime);
    }
    // A range restated as active counts once: when first seen in the part that saw it begin, or
    // (for a range already running at the trace start) in the first part.
    if (!active || (this.atTraceStart && open < 0 && !(has(r, FLAG_RANGE_RESTATED) && unchecked(this.rangeRestated[g])!.indexOf(name) >= 0))) {
      this.sums(this.rangeCount, g).add(name, 1);
    }
    if (active) {
      if (open >= 0) {
        const ts = lastRange.valueAt(open);
        if (ts != 0) this.sums(this.rangeNs, g).add(name, this.syncTime - ts);
      }
      lastRange.setAt(open, name, this.syncTime);
    } else {
      lastRange.setAt(open, name, t);
    }
  }

  private rangeEnd(i: i32, t: f64): void {
    const name = this.rangeNameAt(i);
    let g = -1;
    const scope = load<u8>(cResKind + <usize>i);
    if (scope == RESOURCE_GOROUTINE) g = this.index.find(f64At(cResId, i));
    else if (scope == RESOURCE_PROC) {
      const key = this.rangeKey(f64At(cResId, i), name);
      const e = this.rangesP.find(key);
      if (e >= 0 && this.rangesP.present.get(e) != 0) {
        const goid = this.rangesP.first.get(e);
        if (goid == f64At(cG, i)) g = this.index.find(goid);
        this.rangesP.present.set(e, 0);
      } else if (!this.atTraceStart && !this.rangesClaimed.isPresent(key) && !this.unclaimedRangeEnds.isPresent(key)) {
        // Begun in an earlier part: which goroutine it was attributed to is known there.
        this.unclaimedRangeEnds.put(key, f64At(cG, i));
        this.unclaimedRangeEnds.second.set(this.unclaimedRangeEnds.find(key), t);
      }
    }
    if (g < 0) return;
    const r = this.rec(g);
    if (has(r, FLAG_FINISHED)) return;
    const lastRange = unchecked(this.lastRange[g]);
    if (lastRange === null) return;
    const open = lastRange.indexOf(name);
    if (open < 0) return;
    const ts = lastRange.valueAt(open);
    if (ts == 0) return;
    this.sums(this.rangeNs, g).add(name, t - ts);
    lastRange.remove(open);
  }

  /** Go's snapshotStat applied to the record's own stats (see the JavaScript). */
  private closePendingIntervals(g: i32, t: f64): void {
    const r = this.rec(g);
    if (has(r, FLAG_FINISHED)) return;
    if (getF(r, R_LAST_START) != 0) setF(r, R_EXEC, getF(r, R_EXEC) + (t - getF(r, R_LAST_START)));
    if (getF(r, R_LAST_RUNNABLE) != 0) setF(r, R_SCHED_WAIT, getF(r, R_SCHED_WAIT) + (t - getF(r, R_LAST_RUNNABLE)));
    if (getF(r, R_LAST_BLOCK) != 0) this.sums(this.blockNs, g).add(getI(r, R_LAST_BLOCK_REASON), t - getF(r, R_LAST_BLOCK));
    if (getF(r, R_LAST_SYSCALL) != 0) setF(r, R_SYSCALL_NS, getF(r, R_SYSCALL_NS) + (t - getF(r, R_LAST_SYSCALL)));
    // Go adds a pending syscall-block interval to the scheduler wait (a quirk kept for parity).
    if (getF(r, R_LAST_SYSCALL_BLOCK) != 0) setF(r, R_SCHED_WAIT, getF(r, R_SCHED_WAIT) + (t - getF(r, R_LAST_SYSCALL_BLOCK)));
    const lastRange = unchecked(this.lastRange[g]);
    if (lastRange === null) return;
    for (let k = 0; k < lastRange.length; k++) {
      const ts = lastRange.valueAt(k);
      if (ts != 0) this.sums(this.rangeNs, g).add(unchecked(lastRange.keys[k]), t - ts);
    }
  }

  /** Ends a goroutine (death) and folds it into its group. */
  private finish(g: i32, t: f64, died: bool): void {
    const r = this.rec(g);
    if (has(r, FLAG_FINISHED)) return;
    if (died) setF(r, R_END_TIME, t);
    this.closePendingIntervals(g, t);
    raise(r, FLAG_FINISHED);
    if (has(r, FLAG_CONTINUATION)) return; // its group is decided at merge time
    this.fold(g, t);
  }

  private fold(g: i32, t: f64): void {
    const r = this.rec(g);
    const group = this.group(getI(r, R_NAME));
    group.count += 1;
    if (getF(r, R_RUNS) >= ONE_THREAD_MIN_RUNS && has(r, FLAG_ONE_THREAD)) group.oneThread += 1;
    const into = group.stats;
    into.execNs += getF(r, R_EXEC);
    into.schedWaitNs += getF(r, R_SCHED_WAIT);
    into.syscallNs += getF(r, R_SYSCALL_NS);
    into.syscallBlockNs += getF(r, R_SYSCALL_BLOCK_NS);
    const blockNs = unchecked(this.blockNs[g]);
    if (blockNs !== null) into.blockNsByReason.addAll(blockNs);
    const rangeNs = unchecked(this.rangeNs[g]);
    if (rangeNs !== null) into.rangeNs.addAll(rangeNs);
    const rangeCount = unchecked(this.rangeCount[g]);
    if (rangeCount !== null) into.rangeCount.addAll(rangeCount);
    if (has(r, FLAG_PENDING_UNNAMED)) mergeHistogramInto(group.schedLatency, unchecked(this.pendingUnnamed[g])!);
    const end = getF(r, R_END_TIME);
    this.offerTop(g, (end != 0 && !isNaN(end) ? end : t) - getF(r, R_CREATION_TIME));
    this.removeRecord(g);
  }

  /** offerTop(): keeps the topN listings of ended goroutines, sorted. */
  private offerTop(g: i32, totalNs: f64): void {
    if (this.topN <= 0) return;
    const r = this.rec(g);
    const top = this.top;
    const full = top.length >= this.topN;
    if (full) {
      const last = unchecked(top[top.length - 1]);
      const byTotal = last.totalNs - totalNs;
      if ((byTotal != 0 && !isNaN(byTotal) ? byTotal : getF(r, R_ID) - last.id) >= 0) return;
    }
    // The listing takes the goroutine's sums (its slot gets new ones when reused).
    const stats = new Stats();
    stats.execNs = getF(r, R_EXEC);
    stats.schedWaitNs = getF(r, R_SCHED_WAIT);
    stats.syscallNs = getF(r, R_SYSCALL_NS);
    stats.syscallBlockNs = getF(r, R_SYSCALL_BLOCK_NS);
    stats.blockNsByReason = this.sums(this.blockNs, g);
    stats.rangeNs = this.sums(this.rangeNs, g);
    stats.rangeCount = this.sums(this.rangeCount, g);
    unchecked((this.blockNs[g] = null));
    unchecked((this.rangeNs[g] = null));
    unchecked((this.rangeCount[g] = null));
    const listing = new Listing(getF(r, R_ID), getI(r, R_NAME), getF(r, R_CREATION_TIME), getF(r, R_START_TIME), getF(r, R_END_TIME), totalNs, stats);
    // After the listings it ties with (the JavaScript sort is stable).
    let at = top.length;
    while (at > 0 && compareListings(listing, unchecked(top[at - 1])) < 0) at--;
    top.push(listing);
    for (let k = top.length - 1; k > at; k--) unchecked((top[k] = top[k - 1]));
    unchecked((top[at] = listing));
    if (top.length > this.topN) top.pop();
  }

  // ---- Per P ----

  private syscallingGet(p: f64): f64 {
    if (isDenseP(p)) {
      const k = <i32>p;
      return k < this.syscallingDense.length ? unchecked(this.syscallingDense[k]) : -1;
    }
    const e = this.syscallingOther.find(p);
    return e >= 0 && this.syscallingOther.present.get(e) != 0 ? this.syscallingOther.first.get(e) : -1;
  }

  private syscallingDelete(p: f64): void {
    if (!isDenseP(p)) this.syscallingOther.remove(p);
    else if (<i32>p < this.syscallingDense.length) unchecked((this.syscallingDense[<i32>p] = -1));
  }

  /** Makes dense P k valid in syscallingDense and claimedDense. */
  private growDenseP(k: i32): void {
    const n = max(k + 1, this.syscallingDense.length * 2);
    const syscalling = new StaticArray<f64>(n);
    const claimed = new StaticArray<u8>(n);
    for (let j = 0; j < n; j++) {
      const old = j < this.syscallingDense.length;
      unchecked((syscalling[j] = old ? this.syscallingDense[j] : -1));
      unchecked((claimed[j] = old ? this.claimedDense[j] : 0));
    }
    this.syscallingDense = syscalling;
    this.claimedDense = claimed;
  }

  private claimed(p: f64): bool {
    if (!isDenseP(p)) return this.claimedOther.isPresent(p);
    const k = <i32>p;
    return k < this.claimedDense.length && unchecked(this.claimedDense[k]) != 0;
  }

  /** syscallClaimedP.add(p) for a P not in it. */
  private claim(p: f64): void {
    if (isDenseP(p)) unchecked((this.claimedDense[<i32>p] = 1));
    else this.claimedOther.put(p, 1);
    const n = this.claimedOrder.length;
    this.claimedOrder.ensure(n);
    this.claimedOrder.set(n, p);
  }

  // ---- The partial ----

  /**
   * Writes the state as f64s to `out`, in the order src/analysis/kernels/tracker.ts reads it.
   * Returns how many.
   */
  dump(): i32 {
    const out = this.out;
    out.length = 0;
    put(out, this.firstTime);
    put(out, this.lastTime);
    put(out, this.syncTime);
    putHistogram(out, this.schedOverall);
    put(out, this.groups.length);
    for (let k = 0; k < this.groups.length; k++) {
      const group = unchecked(this.groups[k]);
      put(out, group.name);
      put(out, group.count);
      put(out, group.oneThread);
      putStats(out, group.stats);
      putHistogram(out, group.schedLatency);
    }
    put(out, this.creationOrder.length);
    for (let k = 0; k < this.creationOrder.length; k++) {
      const stack = <i32>this.creationOrder.get(k);
      put(out, stack);
      putHistogram(out, unchecked(this.creationHistograms[stack])!);
    }
    for (let kind = 0; kind < 4; kind++) {
      const records = unchecked(this.profiles[kind]);
      put(out, records.order.length);
      for (let k = 0; k < records.order.length; k++) {
        const stack = <i32>records.order.get(k);
        put(out, stack);
        put(out, records.count(stack));
        put(out, records.ns(stack));
      }
    }
    put(out, this.top.length);
    for (let k = 0; k < this.top.length; k++) {
      const listing = unchecked(this.top[k]);
      put(out, listing.id);
      put(out, listing.name);
      put(out, listing.creationTime);
      put(out, listing.startTime);
      put(out, listing.endTime);
      put(out, listing.totalNs);
      putStats(out, listing.stats);
    }
    // syscallingP: dense Ps in order, then the others (NumberSlotMap's iteration order).
    const syscalling = reserve(out);
    for (let p = 0; p < this.syscallingDense.length; p++) {
      if (unchecked(this.syscallingDense[p]) < 0) continue;
      put(out, p);
      put(out, unchecked(this.syscallingDense[p]));
      out.set(syscalling, out.get(syscalling) + 1);
    }
    for (let e = 0; e < this.syscallingOther.count; e++) {
      if (this.syscallingOther.present.get(e) == 0) continue;
      put(out, this.syscallingOther.keys.get(e));
      put(out, this.syscallingOther.first.get(e));
      out.set(syscalling, out.get(syscalling) + 1);
    }
    const idle = this.unclaimedProcIdle;
    put(out, idle.count);
    for (let e = 0; e < idle.count; e++) {
      put(out, idle.keys.get(e));
      put(out, idle.first.get(e));
    }
    put(out, this.claimedOrder.length);
    for (let k = 0; k < this.claimedOrder.length; k++) put(out, this.claimedOrder.get(k));
    const ends = this.unclaimedRangeEnds;
    put(out, ends.count);
    for (let e = 0; e < ends.count; e++) {
      putRangeKey(out, ends.keys.get(e));
      put(out, ends.first.get(e));
      put(out, ends.second.get(e));
    }
    put(out, this.rangesClaimed.count);
    for (let e = 0; e < this.rangesClaimed.count; e++) putRangeKey(out, this.rangesClaimed.keys.get(e));
    const rangesP = reserve(out);
    for (let e = 0; e < this.rangesP.count; e++) {
      if (this.rangesP.present.get(e) == 0) continue;
      putRangeKey(out, this.rangesP.keys.get(e));
      put(out, this.rangesP.first.get(e));
      out.set(rangesP, out.get(rangesP) + 1);
    }
    // Live records in slot order, each with its Map position (R_SEQ): the binding sorts them.
    const live = reserve(out);
    for (let g = 0; g < this.used; g++) {
      const r = this.rec(g);
      if (!has(r, FLAG_LIVE)) continue;
      out.set(live, out.get(live) + 1);
      put(out, getF(r, R_SEQ));
      put(out, getF(r, R_ID));
      put(out, getI(r, R_NAME));
      put(out, getF(r, R_PC));
      put(out, getF(r, R_CREATION_TIME));
      put(out, getF(r, R_START_TIME));
      put(out, getF(r, R_END_TIME));
      put(out, getI(r, R_CREATION_STACK));
      put(out, getI(r, R_STATE));
      put(out, getF(r, R_EXEC));
      put(out, getF(r, R_SCHED_WAIT));
      put(out, getF(r, R_SYSCALL_NS));
      put(out, getF(r, R_SYSCALL_BLOCK_NS));
      putSums(out, unchecked(this.blockNs[g]));
      putSums(out, unchecked(this.rangeNs[g]));
      putSums(out, unchecked(this.rangeCount[g]));
      put(out, getF(r, R_LAST_START));
      put(out, getF(r, R_LAST_RUNNABLE));
      put(out, getF(r, R_LAST_BLOCK));
      put(out, getI(r, R_LAST_BLOCK_REASON));
      put(out, getF(r, R_LAST_SYSCALL));
      put(out, getF(r, R_LAST_SYSCALL_BLOCK));
      putSums(out, unchecked(this.lastRange[g]));
      put(out, getF(r, R_SYSCALL_P));
      for (let k = 0; k < 4; k++) put(out, trackStart(r, k));
      for (let k = 0; k < 4; k++) put(out, load<i32>(r + R_TRACK_STACK + (<usize>k << 2)));
      put(out, getF(r, R_RUNS));
      put(out, getF(r, R_RUN_THREAD));
      put(out, getI(r, R_FLAGS));
      put(out, getI(r, R_CONT_STATE));
      put(out, getF(r, R_CONT_UNTIL));
      if (has(r, FLAG_RANGE_RESTATED)) putSums(out, unchecked(this.rangeRestated[g]));
      if (has(r, FLAG_PENDING_CONTINUATION)) putHistogram(out, unchecked(this.pendingContinuation[g])!);
      if (has(r, FLAG_PENDING_UNNAMED)) putHistogram(out, unchecked(this.pendingUnnamed[g])!);
    }
    return out.length;
  }
}

/** Range names ids are below this (rangeKey's encoding). */
const RANGE_NAMES: f64 = 1048576;

@inline function trackStart(r: usize, k: i32): f64 {
  return load<f64>(r + R_TRACK_START + (<usize>k << 3));
}

function clearSums(field: StaticArray<Sums | null>, slot: i32): void {
  const s = unchecked(field[slot]);
  if (s !== null) s.length = 0;
}

function growRefs<T>(a: StaticArray<T | null>, n: i32): StaticArray<T | null> {
  const grown = new StaticArray<T | null>(n);
  for (let k = 0; k < a.length; k++) unchecked((grown[k] = a[k]));
  return grown;
}

function growI32(a: StaticArray<i32>, n: i32): StaticArray<i32> {
  const grown = new StaticArray<i32>(n);
  for (let k = 0; k < a.length; k++) unchecked((grown[k] = a[k]));
  return grown;
}

@inline function put(out: F64Column, v: f64): void {
  const n = out.length;
  out.ensure(n);
  out.set(n, v);
}

/** A count to fill in later: its index. */
function reserve(out: F64Column): i32 {
  put(out, 0);
  return out.length - 1;
}

function putRangeKey(out: F64Column, key: f64): void {
  const p = Math.floor(key / RANGE_NAMES);
  put(out, p);
  put(out, key - p * RANGE_NAMES);
}

function putSums(out: F64Column, sums: Sums | null): void {
  if (sums === null) {
    put(out, 0);
    return;
  }
  put(out, sums.length);
  for (let k = 0; k < sums.length; k++) {
    put(out, unchecked(sums.keys[k]));
    put(out, unchecked(sums.values[k]));
  }
}

function putStats(out: F64Column, stats: Stats): void {
  put(out, stats.execNs);
  put(out, stats.schedWaitNs);
  put(out, stats.syscallNs);
  put(out, stats.syscallBlockNs);
  putSums(out, stats.blockNsByReason);
  putSums(out, stats.rangeNs);
  putSums(out, stats.rangeCount);
}

function putHistogram(out: F64Column, h: Histogram): void {
  put(out, h.count);
  put(out, h.total);
  put(out, h.min);
  put(out, h.max);
  put(out, h.length);
  for (let b = 0; b < h.length; b++) put(out, unchecked(h.buckets[b]));
}

const trackers = new Registry<Tracker>();

/** A tracker for a part that begins at the trace start (or not), keeping `topN` top listings. */
export function trackerCreate(atTraceStart: bool, topN: i32): i32 {
  const tracker = new Tracker(atTraceStart, topN);
  tracker.handle = trackers.add(tracker);
  return tracker.handle;
}

export function trackerRelease(handle: i32): void {
  trackers.release(handle);
}

/** Consumes rows [from, from + count) of the columns; false for an unknown handle. */
export function trackerConsume(handle: i32, from: i32, count: i32): bool {
  const tracker = trackers.get(handle);
  if (tracker === null) return false;
  tracker.consume(from, count);
  return true;
}

/** Writes the tracker's state (see Tracker.dump); returns how many f64s, -1 for an unknown handle. */
export function trackerDump(handle: i32): i32 {
  const tracker = trackers.get(handle);
  return tracker === null ? -1 : tracker.dump();
}

/** Address of what trackerDump() wrote. */
export function trackerDumpPointer(handle: i32): usize {
  const tracker = trackers.get(handle);
  return tracker === null ? 0 : tracker.out.pointer();
}
