// A decoded (base) event: wire type, time in ns, up to four arguments after the timestamp, and the
// scheduling context the ordering assigns. Records are reused, never allocated per event.

export class Ev {
  typ: u8 = 0;
  time: i64 = 0;
  a0: u64 = 0;
  a1: u64 = 0;
  a2: u64 = 0;
  a3: u64 = 0;
  g: i64 = -1;
  p: i64 = -1;
  m: i64 = -1;
  /** Encoded size in bytes (0 for events the reader makes up). */
  size: u32 = 0;
  /** Offset of the batch this event came from, within the generation buffer (-1 if none). */
  offset: i32 = -1;

  copyFrom(o: Ev): void {
    this.typ = o.typ;
    this.time = o.time;
    this.a0 = o.a0;
    this.a1 = o.a1;
    this.a2 = o.a2;
    this.a3 = o.a3;
    this.g = o.g;
    this.p = o.p;
    this.m = o.m;
    this.size = o.size;
    this.offset = o.offset;
  }

  arg(i: i32): u64 {
    switch (i) {
      case 0: return this.a0;
      case 1: return this.a1;
      case 2: return this.a2;
      default: return this.a3;
    }
  }

  setArg(i: i32, v: u64): void {
    switch (i) {
      case 0: this.a0 = v; break;
      case 1: this.a1 = v; break;
      case 2: this.a2 = v; break;
      default: this.a3 = v;
    }
  }
}

/** A small FIFO of events produced by one ordering step (at most three at a time). */
export class EventQueue {
  private slots: StaticArray<Ev> = new StaticArray<Ev>(16);
  private start: i32 = 0;
  private end: i32 = 0;

  constructor() {
    for (let i = 0; i < 16; i++) unchecked((this.slots[i] = new Ev()));
  }

  get length(): i32 {
    return this.end - this.start;
  }

  /** A slot at the back to fill in; it becomes part of the queue immediately. */
  push(): Ev {
    if (this.end - this.start == 16) {
      // Cannot happen: the queue is drained after every ordering step. Drop the oldest rather
      // than write out of bounds.
      this.start++;
    }
    const ev = unchecked(this.slots[this.end & 15]);
    this.end++;
    return ev;
  }

  pop(): Ev {
    const ev = unchecked(this.slots[this.start & 15]);
    this.start++;
    return ev;
  }

  clear(): void {
    this.start = 0;
    this.end = 0;
  }
}
