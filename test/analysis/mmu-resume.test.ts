// MMU parts begun with beginPart() on the instance that saw everything before them merge into
// exactly the one-pass curve: cut at irregular event counts (so also inside the first generation,
// where Go still lowers utilisation retroactively, and between events at the same time), under
// every flag combination that changes how series are built, merged as a left fold and as a tree,
// and mixed with parts that record their events (began mid-trace without a warm state).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BatchView } from '../../src/analysis/columns.js';
import type { EventView, Kind, ResourceKind } from '../../src/analysis/events.js';
import { mmuAnalysis, parseUtilFlags, type MmuOptions, type MmuPartial, type MmuReport } from '../../src/analysis/mmu.js';
import { openTrace } from '../../src/trace.js';
import { MMU_OPTIONS, MMU_TRACES } from './support/mmu-cases.js';
import { SliceView } from './support/slice-view.js';

const root = join(import.meta.dirname, '..', '..');
// Event kinds (Go's EventKind numbering, as in src/analysis/events.ts).
const [SYNC, METRIC, LABEL, BEGIN, ACTIVE, END, LOG, TRANSITION] = [1, 2, 3, 5, 6, 7, 12, 13];
const TRACES = MMU_TRACES;
// The option sets whose curves these cases compare (oddWindows and noBackground are the kernel and
// replay tests' concern).
const OPTIONS: Record<string, MmuOptions> = Object.fromEntries(
  ['default', 'smallWindows', 'perProc', 'sweep', 'goCompatible'].map((name) => [name, MMU_OPTIONS[name]!]),
);

/** Streams the trace's decoder batches as views (a view is valid only until the next batch). */
async function* viewsOf(relative: string): AsyncGenerator<EventView> {
  const view = new BatchView();
  for await (const batch of (await openTrace(join(root, relative))).batches()) yield view.bind(batch);
}

async function onePass(relative: string, options: MmuOptions): Promise<MmuReport> {
  const whole = mmuAnalysis.create(options, { atTraceStart: true, shared: new Map() });
  for await (const view of viewsOf(relative)) whole.consume(view);
  return mmuAnalysis.finish(whole.partial(), options);
}

/** Irregular part lengths (1 event up to a few thousand), deterministic. */
function* partLengths(): Generator<number> {
  let seed = 12345;
  for (;;) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const scale = [1, 7, 60, 500, 3000][seed % 5]!;
    yield 1 + (Math.floor(seed / 8) % scale);
  }
}

/** Feeds views to `consume` in slices of irregular lengths, calling `cut` between them. */
async function feedInParts(views: AsyncIterable<EventView> | Iterable<EventView>, consume: (view: EventView) => void, cut: () => void): Promise<void> {
  const lengths = partLengths();
  let left = lengths.next().value!;
  for await (const view of views) {
    let start = 0;
    while (start < view.length) {
      const take = Math.min(left, view.length - start);
      consume(new SliceView(view, start, take));
      start += take;
      left -= take;
      if (left === 0) {
        cut();
        left = lengths.next().value!;
      }
    }
  }
}

/** `view` with Sync.N counted as if the trace began `skipped` generations later. */
function renumberSyncs(view: EventView, skipped: number): EventView {
  return Object.assign(Object.create(view) as EventView, { syncN: (i: number) => view.syncN(i) - skipped });
}

// Cloned as a worker's postMessage clones it (the recording of a mid-trace part holds typed arrays).
const cloned = (partial: MmuPartial): MmuPartial => structuredClone(partial);

function mergeTree(parts: readonly MmuPartial[], options: MmuOptions): MmuPartial {
  if (parts.length === 1) return parts[0]!;
  const middle = parts.length >> 1;
  return mmuAnalysis.merge(mergeTree(parts.slice(0, middle), options), mergeTree(parts.slice(middle), options), options);
}

describe.each(TRACES)('%s', (relative) => {
  it.each(Object.keys(OPTIONS))('resumed parts cut anywhere merge into the one-pass curve (%s)', async (optionName) => {
    const options = OPTIONS[optionName]!;
    const expected = await onePass(relative, options);
    expect(expected.curve.some((point) => point.mmu > 0 && point.mmu < 1), 'the curve has content to compare').toBe(true);

    const parted = mmuAnalysis.create(options, { atTraceStart: true, shared: new Map() });
    const parts: MmuPartial[] = [];
    await feedInParts(
      viewsOf(relative),
      (view) => parted.consume(view),
      () => {
        parts.push(cloned(parted.partial()));
        parted.beginPart!();
      },
    );
    parts.push(cloned(parted.partial()));
    expect(parts.length).toBeGreaterThan(20);
    expect(parts.slice(1).every((part) => part.resumed === true)).toBe(true);
    expect(() => mmuAnalysis.finish(parts[1]!, options)).toThrow(/mid-trace/);

    const folded = parts.reduce((a, b) => mmuAnalysis.merge(a, b, options));
    expect(mmuAnalysis.finish(folded, options)).toEqual(expected);
    expect(mmuAnalysis.finish(mergeTree(parts, options), options)).toEqual(expected);
  });

  it('a part warmed up on a generation before it resumes exactly: from the state, or (later generations) by recording', async () => {
    // A worker warms a fresh instance up on generation k-1 and begins its part at generation k.
    // For k = 1 the warm-up is the trace start and the part resumes from the true state. For a
    // later k, Go's per-P GC counts (and the series' start and running integral) depend on the
    // whole trace before, which one generation cannot rebuild: the instance sees that from Sync.N
    // and records its part's events, replayed at merge.
    const options = OPTIONS.smallWindows!;
    const expected = await onePass(relative, options);
    const run = async (k: number, syncCountsFromWarmUp = false) => {
      const before = mmuAnalysis.create(options, { atTraceStart: true, shared: new Map() });
      const warmed = mmuAnalysis.create(options, { atTraceStart: true, shared: new Map() });
      let generation = -1;
      for await (const view of viewsOf(relative)) {
        let start = 0;
        const feed = (end: number) => {
          if (end <= start) return;
          const slice = new SliceView(view, start, end - start);
          if (generation < k) before.consume(slice);
          // A decoder that numbers Syncs from the warm-up (not from the trace start) would hide
          // that the warm-up began mid-trace.
          if (generation >= k - 1) warmed.consume(syncCountsFromWarmUp ? renumberSyncs(slice, k - 1) : slice);
        };
        for (let i = 0; i < view.length; i++) {
          if (view.kind(i) !== SYNC) continue;
          feed(i);
          start = i;
          generation++;
          if (generation === k) warmed.beginPart!();
        }
        feed(view.length);
      }
      expect(generation).toBeGreaterThan(k);
      const part = cloned(warmed.partial());
      return { part, merged: mmuAnalysis.merge(cloned(before.partial()), part, options) };
    };
    const fromStart = await run(1);
    expect(fromStart.part.resumed).toBe(true);
    expect(mmuAnalysis.finish(fromStart.merged, options)).toEqual(expected);
    const later = await run(3);
    expect(later.part.deferred).not.toBeNull();
    expect(mmuAnalysis.finish(later.merged, options)).toEqual(expected);
    // Never a different curve: a state it cannot continue is refused.
    await expect(run(3, true)).rejects.toThrow(/resume from the exact state/);
  });

  it('resumed parts and recorded (mid-trace) parts merge together', async () => {
    const options = OPTIONS.sweep!;
    const expected = await onePass(relative, options);
    let batches = 0;
    for await (const _view of viewsOf(relative)) batches++;

    // Thirds of the batches: the first resumed-cut on one instance; the second recorded by a
    // mid-trace part that first saw the 3 batches before it and then began its part; the last
    // recorded without warm-up.
    const one = Math.floor(batches / 3);
    const two = Math.floor((2 * batches) / 3);
    expect(one).toBeGreaterThan(3);
    const first = mmuAnalysis.create(options, { atTraceStart: true, shared: new Map() });
    const second = mmuAnalysis.create(options, { atTraceStart: false, shared: new Map() });
    const third = mmuAnalysis.create(options, { atTraceStart: false, shared: new Map() });
    const firstParts: MmuPartial[] = [];
    const cutFirst = () => {
      firstParts.push(cloned(first.partial()));
      first.beginPart!();
    };
    let k = 0;
    for await (const view of viewsOf(relative)) {
      if (k < one) await feedInParts([view], (slice) => first.consume(slice), cutFirst);
      if (k >= one - 3 && k < two) {
        if (k === one) second.beginPart!();
        second.consume(view);
      }
      if (k >= two) third.consume(view);
      k++;
    }
    firstParts.push(cloned(first.partial()));

    const mid = mmuAnalysis.merge(cloned(second.partial()), cloned(third.partial()), options);
    const merged = mmuAnalysis.merge(firstParts.reduce((a, b) => mmuAnalysis.merge(a, b, options)), mid, options);
    expect(mmuAnalysis.finish(merged, options)).toEqual(expected);
  });
});

// A hand-written stream that exercises what the fixture traces rarely contain: the first
// generation's retroactive lowering (assist and sweep already active at the trace start), equal
// timestamps with falling utilisation, a STW, background mark workers, and GOMAXPROCS growing
// (new per-P series) and shrinking (series ending) in a later generation.
interface SyntheticEvent {
  kind: number;
  time: number;
  g?: number;
  p?: number;
  /** Range name, label or metric name. */
  text?: string;
  value?: number;
  scopeKind?: number;
  scopeId?: number;
  from?: number;
  to?: number;
}

const GOMAXPROCS = '/sched/gomaxprocs:threads';
const [GOROUTINE, PROC] = [1, 2];
const [UNDETERMINED, NOT_EXIST, RUNNABLE, RUNNING, WAITING] = [0, 1, 2, 3, 4];

const sync = (time: number, n: number): SyntheticEvent => ({ kind: SYNC, time, value: n });
const procs = (time: number, n: number): SyntheticEvent => ({ kind: METRIC, time, text: GOMAXPROCS, value: n, p: 0 });
const go = (time: number, g: number, p: number, from: number, to: number): SyntheticEvent => ({ kind: TRANSITION, time, g, p, scopeKind: GOROUTINE, scopeId: g, from, to });
const assist = (kind: number, time: number, g: number, p: number): SyntheticEvent => ({ kind, time, g, p, text: 'GC mark assist', scopeKind: GOROUTINE, scopeId: g });
const sweep = (kind: number, time: number, p: number): SyntheticEvent => ({ kind, time, p, g: -1, text: 'GC incremental sweep', scopeKind: PROC, scopeId: p });
const stw = (kind: number, time: number, p: number): SyntheticEvent => ({ kind, time, p, g: -1, text: 'stop-the-world (GC mark termination)', scopeKind: 0, scopeId: -1 });
const label = (time: number, g: number, p: number, text: string): SyntheticEvent => ({ kind: LABEL, time, g, p, text });

const SYNTHETIC: SyntheticEvent[] = [
  sync(0, 1), procs(0, 4),
  go(1, 1, 0, UNDETERMINED, RUNNING), go(1, 2, 1, UNDETERMINED, RUNNING), go(1, 3, 2, UNDETERMINED, RUNNABLE),
  assist(BEGIN, 2, 6, 2), assist(END, 5, 6, 2), go(6, 3, 2, RUNNABLE, RUNNING),
  // Already running when the trace started: Go lowers everything so far by 1/GOMAXPROCS.
  assist(ACTIVE, 7, 1, 0), sweep(ACTIVE, 9, 1), go(10, 3, 2, RUNNING, WAITING),
  assist(ACTIVE, 11, 3, 2), // not executing: no lowering
  sweep(END, 12, 1), assist(END, 15, 1, 0), go(15, 4, 3, NOT_EXIST, RUNNABLE),
  sync(20, 2), procs(20, 4), assist(ACTIVE, 21, 2, 1), assist(END, 21, 2, 1),
  label(22, 5, 2, 'GC (dedicated)'), go(22, 5, 2, RUNNING, WAITING), label(23, 7, 3, 'GC (fractional)'), go(24, 7, 3, RUNNING, WAITING),
  stw(BEGIN, 25, 0), sweep(BEGIN, 25, 1), stw(END, 30, 0), sweep(END, 30, 1),
  procs(31, 6), sweep(BEGIN, 33, 5), assist(BEGIN, 34, 2, 4), sweep(END, 40, 5),
  procs(41, 3), go(45, 5, 0, WAITING, RUNNING), go(50, 5, 0, RUNNING, WAITING), assist(END, 52, 2, 4),
  sync(60, 3), procs(60, 3), sweep(BEGIN, 61, 0), sweep(BEGIN, 61, 1), sweep(END, 62, 0), sweep(END, 62, 1),
  go(63, 7, 2, WAITING, RUNNING), label(63, 7, 2, 'GC (idle)'), go(70, 7, 2, RUNNING, WAITING),
  procs(72, 5), sweep(BEGIN, 74, 4), sweep(END, 78, 4), { kind: LOG, time: 80, g: 1, p: 0 },
];

/** An EventView over synthetic events. */
function syntheticView(events: readonly SyntheticEvent[]): EventView {
  const at = (i: number) => events[i]!;
  return {
    length: events.length,
    kind: (i) => at(i).kind as Kind,
    wireType: () => 0,
    encodedSize: () => 0,
    time: (i) => at(i).time,
    goroutine: (i) => at(i).g ?? -1,
    proc: (i) => at(i).p ?? -1,
    thread: () => 1,
    stack: () => 0,
    frames: () => [],
    resourceKind: (i) => (at(i).scopeKind ?? 0) as ResourceKind,
    resourceId: (i) => at(i).scopeId ?? -1,
    fromState: (i) => at(i).from ?? 0,
    toState: (i) => at(i).to ?? 0,
    reason: () => '',
    transitionStack: () => 0,
    rangeName: (i) => at(i).text ?? '',
    rangeScopeKind: (i) => (at(i).scopeKind ?? 0) as ResourceKind,
    rangeScopeId: (i) => at(i).scopeId ?? -1,
    metricName: (i) => at(i).text ?? '',
    metricValue: (i) => at(i).value ?? 0,
    label: (i) => at(i).text ?? '',
    taskId: () => 0,
    taskParent: () => 0,
    annotationType: () => '',
    logMessage: () => '',
    syncN: (i) => at(i).value ?? 0,
  };
}

const SYNTHETIC_WINDOWS = [1, 2, 3, 5, 8, 13, 21, 34, 55, 1000];
const SYNTHETIC_OPTIONS: Record<string, MmuOptions> = {
  default: { windows: SYNTHETIC_WINDOWS },
  sweep: { flags: parseUtilFlags('stw|background|assist|sweep'), windows: SYNTHETIC_WINDOWS },
  perProc: { flags: parseUtilFlags('stw|background|assist|sweep|perProc'), windows: SYNTHETIC_WINDOWS },
};

/** Runs the stream as parts ending before each index in `cuts`, merged as a left fold and as a tree. */
function resumedAt(options: MmuOptions, cuts: readonly number[]): MmuReport[] {
  const instance = mmuAnalysis.create(options, { atTraceStart: true, shared: new Map() });
  const parts: MmuPartial[] = [];
  let start = 0;
  for (const cut of [...cuts, SYNTHETIC.length]) {
    instance.consume(syntheticView(SYNTHETIC.slice(start, cut)));
    parts.push(cloned(instance.partial()));
    if (cut < SYNTHETIC.length) instance.beginPart!();
    start = cut;
  }
  return [mmuAnalysis.finish(parts.reduce((a, b) => mmuAnalysis.merge(a, b, options)), options), mmuAnalysis.finish(mergeTree(parts, options), options)];
}

describe('a synthetic stream with first-generation lowering, STW and GOMAXPROCS changes', () => {
  it.each(Object.keys(SYNTHETIC_OPTIONS))('cut before any event, or before every event, merges into the one-pass curve (%s)', (optionName) => {
    const options = SYNTHETIC_OPTIONS[optionName]!;
    const whole = mmuAnalysis.create(options, { atTraceStart: true, shared: new Map() });
    whole.consume(syntheticView(SYNTHETIC));
    const expected = mmuAnalysis.finish(whole.partial(), options);
    expect(expected.curve.some((point) => point.mmu > 0 && point.mmu < 1)).toBe(true);
    for (let cut = 1; cut < SYNTHETIC.length; cut++) for (const report of resumedAt(options, [cut])) expect(report, `cut before event ${cut}`).toEqual(expected);
    const everyEvent = Array.from({ length: SYNTHETIC.length - 1 }, (_, k) => k + 1);
    for (const report of resumedAt(options, everyEvent)) expect(report).toEqual(expected);
  });

  it('the first generation is lowered retroactively (so the cuts above are tested where it matters)', () => {
    // Without the events that reveal an assist and a sweep running since the trace start, the
    // first generation's utilisation stays higher: the lowering changes the curve.
    const options = SYNTHETIC_OPTIONS.sweep!;
    const report = (events: SyntheticEvent[]) => {
      const instance = mmuAnalysis.create(options, { atTraceStart: true, shared: new Map() });
      instance.consume(syntheticView(events));
      return mmuAnalysis.finish(instance.partial(), options);
    };
    const withoutActive = SYNTHETIC.filter((event, k) => !(event.kind === ACTIVE && k < 16));
    expect(report(SYNTHETIC).meanUtil).toBeLessThan(report(withoutActive).meanUtil);
  });
});
