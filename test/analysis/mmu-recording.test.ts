// A mid-trace MMU part records only what can change the utilisation (mmu-recording.ts) and is
// replayed on its predecessor's state. These hand-built streams pin down the cases where leaving
// an event out would change Go's utilisation function, which real fixtures hit only by chance.
import { describe, expect, it } from 'vitest';
import type { EventView, Kind, ResourceKind } from '../../src/analysis/events.js';
import { finishMmu, mergeMmu, MmuAnalyzer, parseUtilFlags, type MmuOptions, type MmuPartial } from '../../src/analysis/mmu.js';

interface Ev {
  kind: number;
  time: number;
  g?: number;
  p?: number;
  name?: string;
  scope?: number;
  value?: number;
  from?: number;
  to?: number;
  syncN?: number;
}

const SYNC = 1;
const METRIC = 2;
const LABEL = 3;
const BEGIN = 5;
const ACTIVE = 6;
const END = 7;
const TRANSITION = 13;
const GOROUTINE = 1;
const [RUNNABLE, RUNNING, WAITING] = [2, 3, 4];

function view(events: readonly Ev[]): EventView {
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
    resourceKind: (i) => (at(i).kind === TRANSITION ? GOROUTINE : 0) as ResourceKind,
    resourceId: (i) => at(i).scope ?? -1,
    fromState: (i) => at(i).from ?? 0,
    toState: (i) => at(i).to ?? 0,
    reason: () => '',
    transitionStack: () => 0,
    rangeName: (i) => at(i).name ?? '',
    rangeScopeKind: (i) => (at(i).scope === undefined ? 0 : GOROUTINE) as ResourceKind,
    rangeScopeId: (i) => at(i).scope ?? -1,
    metricName: (i) => at(i).name ?? '',
    metricValue: (i) => at(i).value ?? 0,
    label: (i) => at(i).name ?? '',
    taskId: () => 0,
    taskParent: () => 0,
    annotationType: () => '',
    logMessage: () => '',
    syncN: (i) => at(i).syncN ?? 0,
  };
}

const assist = (kind: number, time: number, g: number, p: number): Ev => ({ kind, time, g, p, name: 'GC mark assist', scope: g });
const sweep = (kind: number, time: number, p: number): Ev => ({ kind, time, g: 1, p, name: 'GC incremental sweep' });

/** Generation 1 (the trace start): two Ps, goroutine 10 assisting on P0 from t=10. */
const first: Ev[] = [
  { kind: SYNC, time: 0, syncN: 1 },
  { kind: METRIC, time: 1, name: '/sched/gomaxprocs:threads', value: 2 },
  assist(BEGIN, 10, 10, 0),
];

/** Generation 2, seen by a part that starts mid-trace. */
const second: Ev[] = [
  { kind: SYNC, time: 100, syncN: 2 },
  // Two changes at one time: Go keeps the lower utilisation (0) and drops the higher (0.5)...
  assist(BEGIN, 200, 11, 1),
  assist(END, 200, 11, 1),
  // ...so this sweep range, which changes nothing under the default flags, still adds (300, 0.5).
  sweep(BEGIN, 300, 1),
  sweep(END, 310, 1),
  // A background mark worker (labelled in this part) and a goroutine that does not count.
  { kind: TRANSITION, time: 400, g: 20, p: 1, scope: 20, from: RUNNABLE, to: RUNNING },
  { kind: LABEL, time: 400, g: 20, p: 1, name: 'GC (dedicated)' },
  { kind: TRANSITION, time: 450, g: 30, p: 0, scope: 30, from: RUNNABLE, to: RUNNING },
  { kind: TRANSITION, time: 500, g: 20, p: 1, scope: 20, from: RUNNING, to: WAITING },
  assist(END, 600, 10, 0),
  { kind: TRANSITION, time: 650, g: 20, p: 0, scope: 20, from: RUNNABLE, to: RUNNING },
  { kind: TRANSITION, time: 700, g: 30, p: 0, scope: 30, from: RUNNING, to: WAITING },
  { kind: TRANSITION, time: 1000, g: 20, p: 0, scope: 20, from: RUNNING, to: WAITING },
];

function onePass(options: MmuOptions): MmuPartial {
  const analyzer = new MmuAnalyzer(options, true);
  analyzer.consume(view(first));
  analyzer.consume(view(second));
  return analyzer.partial();
}

/** The two parts merged, the recording replayed by the MMU kernel (`kernels`) or in JavaScript. */
function fromParts(options: MmuOptions, kernels: boolean, events: { first: Ev[]; second: Ev[] } = { first, second }): MmuPartial {
  const start = new MmuAnalyzer(options, true);
  start.consume(view(events.first));
  const later = new MmuAnalyzer(options, false);
  later.consume(view(events.second));
  const recorded = structuredClone(later.partial());
  expect(recorded.deferred).not.toBeNull();
  return mergeMmu(structuredClone(start.partial()), recorded, { kernels });
}

describe('MMU recordings of mid-trace parts', () => {
  const windows = [1, 50, 100, 150, 300, 500, 900];
  for (const flags of ['stw|background|assist', 'stw|background|assist|sweep', 'stw|background|assist|perProc']) {
    for (const replay of ['kernel', 'JavaScript']) {
      it(`replayed on the predecessor's state equal one pass (${flags}; replayed by the ${replay})`, () => {
        const options = { flags: parseUtilFlags(flags), windows };
        expect(finishMmu(fromParts(options, replay === 'kernel'))).toEqual(finishMmu(onePass(options)));
      });
    }
    it(`the kernel's replay gives the JavaScript's partial (${flags})`, () => {
      const options = { flags: parseUtilFlags(flags), windows };
      expect(structuredClone(fromParts(options, true))).toEqual(structuredClone(fromParts(options, false)));
    });
  }

  it('replayed while the first generation is held: every goroutine\'s state is kept for a RangeActive', () => {
    // The part before the cut and the recorded part both lie in the first generation: the replay
    // keeps every transition's goroutine state (not only GC members'), which a RangeActive of an
    // assist reads; the state after it still holds the generation's points and goroutine states.
    const options = { flags: parseUtilFlags('stw|background|assist|sweep'), windows };
    const head: Ev[] = [
      { kind: SYNC, time: 0, syncN: 1 },
      { kind: METRIC, time: 1, name: '/sched/gomaxprocs:threads', value: 2 },
      { kind: TRANSITION, time: 5, g: 40, p: 0, scope: 40, from: RUNNABLE, to: RUNNING },
    ];
    const tail: Ev[] = [
      { kind: TRANSITION, time: 20, g: 41, p: 1, scope: 41, from: RUNNABLE, to: RUNNING },
      { kind: TRANSITION, time: 30, g: 40, p: 0, scope: 40, from: RUNNING, to: WAITING },
      // Assists already running when the trace began (Go lowers the held points retroactively),
      // of a goroutine running at the cut (41) and of one no longer running (40).
      { kind: ACTIVE, time: 40, g: 41, p: 1, name: 'GC mark assist', scope: 41 },
      { kind: ACTIVE, time: 41, g: 40, p: 0, name: 'GC mark assist', scope: 40 },
      { kind: TRANSITION, time: 50, g: 41, p: 1, scope: 41, from: RUNNING, to: WAITING },
      { kind: TRANSITION, time: 60, g: 42, p: 0, scope: 42, from: RUNNABLE, to: RUNNING },
    ];
    const parts = { first: head, second: tail };
    const viaKernel = fromParts(options, true, parts);
    expect(viaKernel.state!['held']).not.toBeNull();
    expect(structuredClone(viaKernel)).toEqual(structuredClone(fromParts(options, false, parts)));
    const whole = new MmuAnalyzer(options, true);
    whole.consume(view([...head, ...tail]));
    expect(finishMmu(viaKernel)).toEqual(finishMmu(whole.partial()));
  });

  it('keep an ignored range where it re-evaluates the utilisation (the case above matters)', () => {
    const options = { flags: parseUtilFlags('stw|background|assist'), windows };
    const withoutSweep = (events: Ev[]) => events.filter((e) => e.name !== 'GC incremental sweep');
    const analyzer = new MmuAnalyzer(options, true);
    analyzer.consume(view(first));
    analyzer.consume(view(withoutSweep(second)));
    // If the sweep range changed nothing, dropping it would not change the curve.
    expect(finishMmu(analyzer.partial())).not.toEqual(finishMmu(onePass(options)));
  });

  it('merge in either grouping: recorded parts concatenated first give the same curve', () => {
    const options = { flags: parseUtilFlags('stw|background|assist'), windows };
    const start = new MmuAnalyzer(options, true);
    start.consume(view(first));
    const a = new MmuAnalyzer(options, false);
    a.consume(view(second.slice(0, 6)));
    const b = new MmuAnalyzer(options, false);
    b.consume(view(second.slice(6)));
    const joined = mergeMmu(a.partial(), b.partial());
    for (const kernels of [true, false]) expect(finishMmu(mergeMmu(start.partial(), structuredClone(joined), { kernels }))).toEqual(finishMmu(onePass(options)));
  });
});
