// What an MMU part that starts mid-trace records, to be replayed on its predecessor's state when
// merged (mmu.ts explains why it cannot be resolved alone). Most of it is goroutine transitions
// that start or stop execution: which goroutines count towards GC depends on state from before the
// part, so without a hint every one is kept (about a fifth of all events), and under a hint from
// the merging thread only those of goroutines that may count (RecordingFilter, checked at the
// merge). They go to fixed-size blocks of typed columns, 16 bytes per record, that move between
// threads without a copy (a full block never changes, so a recording shares them; see
// MmuRecorder.recording); the other records (Syncs, GOMAXPROCS changes, the GC ranges and labels
// the flags select) go to typed columns of their own, each remembering how many transitions came
// before it so the replay interleaves both in event order.
import { Kind } from './events.js';

/** Record kinds of the small arrays: 5, 6, 7 are the range event kinds (RangeBegin/Active/End). */
export const enum MmuRecordKind {
  Sync = 1,
  Procs = 2,
  Label = 3,
  /** A transition that did not fit the typed columns (an id or proc beyond their range). */
  Transition = 13,
}

/** Transition records: time (ns), goroutine id, and (proc + 1) << 8 | from << 4 | to, or TICK. */
export interface TransitionBlock {
  time: Float64Array;
  goroutine: Uint32Array;
  packed: Int32Array;
}

/** A mid-trace part's recording, as plain data. */
export interface MmuRecording {
  /**
   * Transitions in order, in blocks (all but the last full); packed TICK marks an event that only
   * re-evaluates the utilisation at its time (see MmuRecorder.tick).
   */
  blocks: TransitionBlock[];
  /** Records in all blocks together. */
  transitions: number;
  /**
   * Other records, in event order; `at` = transitions recorded before each. Typed columns: a
   * run's assist ranges and labels make a hundred thousand of them, which moved between threads
   * as plain arrays cost more than the records themselves.
   */
  kind: Float64Array;
  at: Float64Array;
  time: Float64Array;
  a: Float64Array;
  b: Float64Array;
  c: Float64Array;
  d: Float64Array;
  e: Float64Array;
  strings: string[];
  /** Time of the last event the part saw (0 = none). */
  lastTime: number;
  /** Present when the part recorded under a hint (see RecordingFilter): what the merge must check. */
  hinted?: HintedRecording;
}

/**
 * What the merging thread tells a part that begins mid-trace: the goroutines it knows to be
 * background mark workers so far (from the partials it holds). Usually complete, since a trace's
 * few workers are labelled in its first GC cycle; when it is not, the merge notices (hintHeld).
 */
export interface MmuHint {
  markWorkers: number[];
  /**
   * Ordinary goroutines (MmuAnalyzer.ordinary) known so far: the runtime labels some of them as
   * workers (docs/analyses.md), and the part takes such a label for what it is instead of recording
   * everything the goroutine does after it; their transitions outside assists are left out.
   */
  ordinary: number[];
  /**
   * How many transitions of each goroutine from before the part that the hint does not call
   * ordinary to keep (RecordingFilter.keeps): UNKNOWN_KEPT for a hint from a state (the merged
   * prefix: every ordinary goroutine created in it is known, so such goroutines are few and their
   * first transitions worth keeping), 0 otherwise.
   */
  keepUnknown: number;
}

/**
 * A recording made under a hint leaves out the transitions of goroutines the part had no reason
 * to think count towards GC, and keeps track of ordinary goroutines (MmuAnalyzer.ordinary) in bulk
 * instead of recording every creation and end. It holds only if none of the transitions left out
 * was counting after all: `dropped` (goroutines from before the part with a transition left out)
 * must miss the predecessor's mark workers, and `droppedUnsettled` (those left out before the part
 * saw an assist range of theirs) its assisting goroutines, and `ordinaryAssumed` must still be
 * ordinary there. The replay then removes `endedBefore` (goroutines from before the part that ended
 * in it) from `ordinary` and adds `ordinaryCreated` (ordinary goroutines the part created, alive at
 * its end). All sorted ascending.
 */
export interface HintedRecording {
  /** The hint the part was given. */
  markWorkers: number[];
  ordinary: number[];
  keepUnknown: number;
  dropped: Float64Array;
  droppedUnsettled: Float64Array;
  endedBefore: Float64Array;
  ordinaryCreated: Float64Array;
  /** Goroutines from the hint's `ordinary` whose labels the part took as an ordinary goroutine's. */
  ordinaryAssumed: Float64Array;
}

/**
 * Decides, for a part recording under a hint, which transitions that start or stop execution to
 * keep: those of a goroutine in the hint, labelled as a mark worker in the part, or inside an
 * assist range the part saw begin or restated, and the first few (up to UNKNOWN_KEPT) of each goroutine from
 * before the part that the hint does not call ordinary (its keepUnknown). What counts towards GC is a handful of
 * goroutines (0.6 % of such transitions on the 200 MB bench trace), so a hinted recording is a
 * small fraction of a full one. Inactive until the part's first Sync: before it, a replay may still be holding the
 * first generation's points, which needs every transition.
 */
export class RecordingFilter {
  private readonly fixed: Set<number>;
  private readonly assisting = new Set<number>();
  private readonly settled = new Set<number>();
  private readonly dropped = new Set<number>();
  private readonly droppedUnsettled = new Set<number>();
  /** Goroutines the part created (since active), alive; those of them that are ordinary. */
  private readonly created = new Set<number>();
  private readonly ordinaryCreated = new Set<number>();
  private readonly endedBefore = new Set<number>();
  private readonly hintedOrdinary: Set<number>;
  private readonly ordinaryAssumed = new Set<number>();
  /** Transitions kept so far of goroutines from before the part the hint does not call ordinary. */
  private readonly unknownKept = new Map<number, number>();
  active = false;

  constructor(private readonly hint: MmuHint) {
    this.fixed = new Set(hint.markWorkers);
    this.hintedOrdinary = new Set(hint.ordinary);
  }

  onSync(): void {
    this.active = true;
  }

  /** A background mark worker's label: its goroutine counts from here on. */
  onLabel(goroutine: number): void {
    this.fixed.add(goroutine);
  }

  /** An assist range event (RangeBegin, RangeActive or RangeEnd) scoped to `goroutine`. */
  onAssist(kind: number, goroutine: number): void {
    this.settled.add(goroutine);
    if (kind === Kind.RangeEnd) this.assisting.delete(goroutine);
    else this.assisting.add(goroutine);
  }

  /** A goroutine created (active only). */
  onCreate(goroutine: number, ordinary: boolean): void {
    this.created.add(goroutine);
    if (ordinary) this.ordinaryCreated.add(goroutine);
  }

  /**
   * Whether a label of `goroutine` (active only) is an ordinary goroutine's, not a worker's: one the
   * part created, or one the hint says is ordinary (which the merge then checks).
   */
  labelsOrdinary(goroutine: number): boolean {
    if (this.ordinaryCreated.size !== 0 && this.ordinaryCreated.has(goroutine)) return true;
    if (this.hintedOrdinary.size === 0 || !this.hintedOrdinary.has(goroutine) || this.created.has(goroutine)) return false;
    this.ordinaryAssumed.add(goroutine);
    return true;
  }

  /** Whether to record a transition of `goroutine` that starts or stops execution (active only). */
  keeps(goroutine: number): boolean {
    if (this.fixed.has(goroutine) || (this.assisting.size !== 0 && this.assisting.has(goroutine))) return true;
    // One the part created cannot have counted before it, unless labelled or assisting since.
    if (this.created.has(goroutine)) return false;
    // One from before the part that the hint does not call ordinary may be a mark worker it does
    // not know yet (labelled in a run still out): its first UNKNOWN_KEPT transitions are kept,
    // which covers the rarely running goroutines the runtime mislabels, so that the few busy
    // ones alone risk a rerun.
    if (this.hint.keepUnknown > 0 && !this.hintedOrdinary.has(goroutine)) {
      const kept = this.unknownKept.get(goroutine) ?? 0;
      if (kept < this.hint.keepUnknown) {
        this.unknownKept.set(goroutine, kept + 1);
        return true;
      }
    }
    this.dropped.add(goroutine);
    if (!this.settled.has(goroutine)) this.droppedUnsettled.add(goroutine);
    return false;
  }

  /** A goroutine ended (active only; after keeps() for that transition). */
  onEnd(goroutine: number): void {
    if (this.created.delete(goroutine)) this.ordinaryCreated.delete(goroutine);
    else this.endedBefore.add(goroutine);
  }

  result(): HintedRecording {
    const sorted = (set: Set<number>) => Float64Array.from(set).sort();
    return {
      markWorkers: [...this.hint.markWorkers],
      ordinary: [...this.hint.ordinary],
      keepUnknown: this.hint.keepUnknown,
      dropped: sorted(this.dropped),
      droppedUnsettled: sorted(this.droppedUnsettled),
      endedBefore: sorted(this.endedBefore),
      ordinaryCreated: sorted(this.ordinaryCreated),
      ordinaryAssumed: sorted(this.ordinaryAssumed),
    };
  }
}

/**
 * Transitions kept of each goroutine from before a hinted part that the hint does not call
 * ordinary. A mark worker first labelled in a run still out when this one was handed out costs a
 * rerun if any of its transitions was left out; those the runtime mislabels are runtime helpers
 * that run rarely (goroutine 18 of the 2 GB bench trace: 4476 transitions in a 270 MB run, left
 * out it cost a rerun), while the busy unknown ones are ordinary goroutines the merging thread
 * has not heard of yet. Only under a hint from a state: one learnt from a warm-up generation alone
 * (the runs handed out first) knows too few ordinary goroutines, and kept 11.8 M transitions of a
 * 270 MB run of the 2 GB trace this way.
 */
export const UNKNOWN_KEPT = 8192;


function sortedHas(ids: Float64Array, id: number): boolean {
  let low = 0;
  let high = ids.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const value = ids[middle]!;
    if (value === id) return true;
    if (value < id) low = middle + 1;
    else high = middle - 1;
  }
  return false;
}

/**
 * Whether a recording's hint held on its predecessor's end state (its bgMark, inGC and ordinary
 * sets; `ordinary` ascending): no transition it left out was one of a goroutine counting towards
 * GC, and every goroutine whose label it took as ordinary was.
 */
export function hintHeld(recording: MmuRecording, state: { bgMark: readonly number[]; inGC: readonly number[]; ordinary: readonly number[] }): boolean {
  const hinted = recording.hinted;
  if (hinted === undefined) return true;
  if (state.bgMark.some((g) => sortedHas(hinted.dropped, g)) || state.inGC.some((g) => sortedHas(hinted.droppedUnsettled, g))) return false;
  const ordinary = Float64Array.from(state.ordinary);
  return hinted.ordinaryAssumed.every((g) => sortedHas(ordinary, g));
}

const MAX_PACKED_PROC = (1 << 22) - 2;
/** `transitionPacked` value of a tick. */
export const TICK = -1;
/** Records per block; all blocks of a recording but the last hold exactly this many. */
export const BLOCK = 1 << 16;

function newBlock(): TransitionBlock {
  return { time: new Float64Array(BLOCK), goroutine: new Uint32Array(BLOCK), packed: new Int32Array(BLOCK) };
}

/** Appends records in fixed blocks (growing never copies); `recording()` hands out a trimmed copy. */
export class MmuRecorder {
  private readonly blocks: TransitionBlock[] = [newBlock()];
  private current: TransitionBlock = this.blocks[0]!;
  /** Records in `current`, and in all blocks together. */
  private fill = 0;
  private transitions = 0;
  private readonly others: OtherRecords = {
    kind: [],
    at: [],
    time: [],
    a: [],
    b: [],
    c: [],
    d: [],
    e: [],
    strings: [],
  };
  lastTime = 0;
  /** Set for a part recording under a hint. */
  readonly filter: RecordingFilter | null;

  constructor(hint?: MmuHint) {
    this.filter = hint === undefined ? null : new RecordingFilter(hint);
  }

  /** Something was recorded since the last tick (a tick right after another changes nothing). */
  private dirty = false;

  /** A goroutine transition that starts or stops execution (states are GoState codes, < 16). */
  transition(time: number, goroutine: number, from: number, to: number, proc: number): void {
    if (!(goroutine >= 0 && goroutine <= 0xffffffff && Number.isInteger(goroutine)) || proc < -1 || proc > MAX_PACKED_PROC || from > 15 || to > 15) {
      this.record(MmuRecordKind.Transition, time, goroutine, from, to, proc, 0);
      return;
    }
    this.push(time, goroutine, ((proc + 1) << 8) | (from << 4) | to);
  }

  /**
   * An event that changes no GC state but at which Go still evaluates the utilisation (a range or
   * label the flags ignore). That evaluation adds a point only when the state changed since the
   * last one without a point of its own (two changes at one time keep the lower utilisation), so
   * only the first such event after anything recorded needs keeping.
   */
  tick(time: number): void {
    if (!this.dirty) return;
    this.push(time, 0, TICK);
    this.dirty = false;
  }

  /** Appends a record as a recording holds it (for re-blocking in concatRecordings). */
  pushRaw(time: number, goroutine: number, packed: number): void {
    this.push(time, goroutine, packed);
  }

  private push(time: number, goroutine: number, packed: number): void {
    if (this.fill === BLOCK) {
      this.current = newBlock();
      this.blocks.push(this.current);
      this.fill = 0;
    }
    const n = this.fill;
    const block = this.current;
    block.time[n] = time;
    block.goroutine[n] = goroutine;
    block.packed[n] = packed;
    this.fill = n + 1;
    this.transitions++;
    this.dirty = packed !== TICK;
  }

  record(kind: number, time: number, a: number, b: number, c: number, d: number, e: number): void {
    this.dirty = true;
    const o = this.others;
    o.kind.push(kind);
    o.at.push(this.transitions);
    o.time.push(time);
    o.a.push(a);
    o.b.push(b);
    o.c.push(c);
    o.d.push(d);
    o.e.push(e);
  }

  /** Index of `text` in the recording's string list (added if new). */
  intern(text: string): number {
    const strings = this.others.strings;
    let index = strings.indexOf(text);
    if (index < 0) index = strings.push(text) - 1;
    return index;
  }

  /**
   * The recording so far. Full blocks are never written again, so it shares them (a run's
   * recording is tens of MB: no copy in the worker, and transferred to the merging thread); the
   * block being filled is copied.
   */
  recording(): MmuRecording {
    const blocks = this.blocks.map((block, k) => {
      if (k < this.blocks.length - 1) return block;
      return { time: block.time.slice(0, this.fill), goroutine: block.goroutine.slice(0, this.fill), packed: block.packed.slice(0, this.fill) };
    });
    if (this.blocks.some((block, k) => k < this.blocks.length - 1 && block.time.buffer.byteLength === 0)) {
      throw new Error('an MMU recording was transferred to another thread: its recorder cannot hand out another');
    }
    const recording: MmuRecording = { blocks, transitions: this.transitions, ...typedOthers(this.others), lastTime: this.lastTime };
    if (this.filter !== null) recording.hinted = this.filter.result();
    return recording;
  }
}

/** Whether a record kind's `a` field is an index into the recording's strings. */
export function usesString(kind: number): boolean {
  return kind === MmuRecordKind.Label || kind === 5 || kind === 6 || kind === 7;
}

/** Calls `each(time, goroutine, packed)` for the transitions [from, to) of `r`, in order. */
function forEachTransition(r: MmuRecording, from: number, to: number, each: (time: number, goroutine: number, packed: number) => void): void {
  let block = Math.floor(from / BLOCK);
  let index = from - block * BLOCK;
  for (let k = from; k < to; ) {
    const { time, goroutine, packed } = r.blocks[block]!;
    const end = Math.min(time.length, index + (to - k));
    for (let i = index; i < end; i++) each(time[i]!, goroutine[i]!, packed[i]!);
    k += end - index;
    block++;
    index = 0;
  }
}

/** `a` followed by `b`, as one recording (both begin mid-trace); shares their blocks. */
export function concatRecordings(a: MmuRecording, b: MmuRecording): MmuRecording {
  // b's hint would have to be checked against the state at a's end, which no one has yet.
  if (b.hinted !== undefined) throw new Error('an MMU recording made under a hint merges only after a partial that carries its state');
  // Blocks are addressed as full BLOCK-sized ones before the last: re-block if `a` ends short.
  const blocks: TransitionBlock[] = [...a.blocks];
  if (a.transitions % BLOCK !== 0 && b.transitions > 0) {
    const recorder = new MmuRecorder();
    forEachTransition(a, 0, a.transitions, (time, goroutine, packed) => recorder.pushRaw(time, goroutine, packed));
    forEachTransition(b, 0, b.transitions, (time, goroutine, packed) => recorder.pushRaw(time, goroutine, packed));
    blocks.length = 0;
    blocks.push(...recorder.recording().blocks);
  } else {
    blocks.push(...b.blocks);
  }
  const out: OtherRecords = {
    kind: [...a.kind],
    at: [...a.at],
    time: [...a.time],
    a: [...a.a],
    b: [...a.b],
    c: [...a.c],
    d: [...a.d],
    e: [...a.e],
    strings: [...a.strings],
  };
  const offset = a.transitions;
  for (let k = 0; k < b.kind.length; k++) {
    const kind = b.kind[k]!;
    let first = b.a[k]!;
    if (usesString(kind)) {
      const text = b.strings[first]!;
      first = out.strings.indexOf(text);
      if (first < 0) first = out.strings.push(text) - 1;
    }
    out.kind.push(kind);
    out.at.push(b.at[k]! + offset);
    out.time.push(b.time[k]!);
    out.a.push(first);
    out.b.push(b.b[k]!);
    out.c.push(b.c[k]!);
    out.d.push(b.d[k]!);
    out.e.push(b.e[k]!);
  }
  const joined: MmuRecording = { blocks, transitions: a.transitions + b.transitions, ...typedOthers(out), lastTime: b.lastTime !== 0 ? b.lastTime : a.lastTime };
  if (a.hinted !== undefined) joined.hinted = a.hinted; // b recorded everything: only a's start is in question
  return joined;
}

/** The other records as a recorder collects them (MmuRecording's columns as plain arrays). */
interface OtherRecords {
  kind: number[];
  at: number[];
  time: number[];
  a: number[];
  b: number[];
  c: number[];
  d: number[];
  e: number[];
  strings: string[];
}

function typedOthers(o: OtherRecords): Pick<MmuRecording, 'kind' | 'at' | 'time' | 'a' | 'b' | 'c' | 'd' | 'e' | 'strings'> {
  const typed = (column: number[]) => Float64Array.from(column);
  return { kind: typed(o.kind), at: typed(o.at), time: typed(o.time), a: typed(o.a), b: typed(o.b), c: typed(o.c), d: typed(o.d), e: typed(o.e), strings: [...o.strings] };
}
