// What an MMU part that starts mid-trace records, to be replayed on its predecessor's state when
// merged (mmu.ts explains why it cannot be resolved alone). Almost all of it is goroutine
// transitions that start or stop execution (about a fifth of all events: which goroutines count
// towards GC depends on state from before the part, so none can be dropped), so those go to
// fixed-width typed columns, 16 bytes each, that copy between threads as flat memory; the few
// other records (Syncs, GOMAXPROCS changes, the GC ranges and labels the flags select) stay in
// small arrays, each remembering how many transitions came before it so the replay interleaves
// both in event order.

/** Record kinds of the small arrays: 5, 6, 7 are the range event kinds (RangeBegin/Active/End). */
export const enum MmuRecordKind {
  Sync = 1,
  Procs = 2,
  Label = 3,
  /** A transition that did not fit the typed columns (an id or proc beyond their range). */
  Transition = 13,
}

/** A mid-trace part's recording, as plain data (typed arrays trimmed to their length). */
export interface MmuRecording {
  /**
   * Transitions: time (ns), goroutine id, and (proc + 1) << 8 | from << 4 | to; packed TICK marks
   * an event that only re-evaluates the utilisation at its time (see MmuRecorder.tick).
   */
  transitionTime: Float64Array;
  transitionGoroutine: Uint32Array;
  transitionPacked: Int32Array;
  /** Other records, in event order; `at` = transitions recorded before each. */
  kind: number[];
  at: number[];
  time: number[];
  a: number[];
  b: number[];
  c: number[];
  d: number[];
  e: number[];
  strings: string[];
  /** Time of the last event the part saw (0 = none). */
  lastTime: number;
}

const MAX_PACKED_PROC = (1 << 22) - 2;
/** `transitionPacked` value of a tick. */
export const TICK = -1;
const CHUNK = 1 << 16;

/** One fixed-size block of transition columns. */
interface Chunk {
  time: Float64Array;
  goroutine: Uint32Array;
  packed: Int32Array;
}

function newChunk(): Chunk {
  return { time: new Float64Array(CHUNK), goroutine: new Uint32Array(CHUNK), packed: new Int32Array(CHUNK) };
}

/** Appends records in fixed blocks (growing never copies); `recording()` hands out a trimmed copy. */
export class MmuRecorder {
  private readonly chunks: Chunk[] = [newChunk()];
  private current: Chunk = this.chunks[0]!;
  /** Records in `current`, and in all blocks together. */
  private fill = 0;
  private transitions = 0;
  private readonly others: Omit<MmuRecording, 'transitionTime' | 'transitionGoroutine' | 'transitionPacked' | 'lastTime'> = {
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

  private push(time: number, goroutine: number, packed: number): void {
    if (this.fill === CHUNK) {
      this.current = newChunk();
      this.chunks.push(this.current);
      this.fill = 0;
    }
    const n = this.fill;
    const chunk = this.current;
    chunk.time[n] = time;
    chunk.goroutine[n] = goroutine;
    chunk.packed[n] = packed;
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

  recording(): MmuRecording {
    const n = this.transitions;
    const out: MmuRecording = {
      transitionTime: new Float64Array(n),
      transitionGoroutine: new Uint32Array(n),
      transitionPacked: new Int32Array(n),
      ...structuredClone(this.others),
      lastTime: this.lastTime,
    };
    let at = 0;
    for (const chunk of this.chunks) {
      const length = Math.min(CHUNK, n - at);
      out.transitionTime.set(chunk.time.subarray(0, length), at);
      out.transitionGoroutine.set(chunk.goroutine.subarray(0, length), at);
      out.transitionPacked.set(chunk.packed.subarray(0, length), at);
      at += length;
    }
    return out;
  }
}

/** Whether a record kind's `a` field is an index into the recording's strings. */
function usesString(kind: number): boolean {
  return kind === MmuRecordKind.Label || kind === 5 || kind === 6 || kind === 7;
}

/** `a` followed by `b`, as one recording (both begin mid-trace). */
export function concatRecordings(a: MmuRecording, b: MmuRecording): MmuRecording {
  const joined = <T extends Float64Array | Uint32Array | Int32Array>(x: T, y: T, make: (n: number) => T): T => {
    const out = make(x.length + y.length);
    out.set(x);
    out.set(y, x.length);
    return out;
  };
  const out: MmuRecording = {
    transitionTime: joined(a.transitionTime, b.transitionTime, (n) => new Float64Array(n)),
    transitionGoroutine: joined(a.transitionGoroutine, b.transitionGoroutine, (n) => new Uint32Array(n)),
    transitionPacked: joined(a.transitionPacked, b.transitionPacked, (n) => new Int32Array(n)),
    ...structuredClone({ kind: a.kind, at: a.at, time: a.time, a: a.a, b: a.b, c: a.c, d: a.d, e: a.e, strings: a.strings }),
    lastTime: b.lastTime !== 0 ? b.lastTime : a.lastTime,
  };
  const offset = a.transitionTime.length;
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
  return out;
}
