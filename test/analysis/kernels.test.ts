// The WASM kernels (assembly/analysis/) against the JavaScript analyzers they accelerate: the same
// partials, field for field, on real traces, for a pass from the trace start, for parts that begin
// at a generation boundary mid-trace, and for resumed parts (beginPart at generation boundaries
// and inside generations) - every way the sequential and the parallel paths use an analyzer.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANALYSIS_DEFINITIONS, type AnalysisName } from '../../src/analysis/analyze.js';
import { BatchView } from '../../src/analysis/columns.js';
import type { EventView } from '../../src/analysis/events.js';
import { mmuAnalysis, type MmuOptions, type MmuPartial } from '../../src/analysis/mmu.js';
import { startPass, type AnyDefinition, type Pass } from '../../src/analysis/run.js';
import { openTrace } from '../../src/trace.js';
import { generationSlices, SliceView } from './support/slice-view.js';
import { MMU_CASES, MMU_OPTIONS, MMU_TRACES } from './support/mmu-cases.js';

const root = join(import.meta.dirname, '..', '..');
const TRACES = [
  'test/analysis/data/mixed.trace',
  'test/analysis/data/gcheavy.trace',
  'test/analysis/data/schedlat.trace',
  'test/analysis/data/locked.trace',
  'test/fixtures/traces/gc-active.trace',
  'test/fixtures/traces/syscall-gens.trace',
  'test/fixtures/traces/generations.trace',
  'test/fixtures/traces/flight-recorder.trace',
  'test/fixtures/traces/cpu-profile.trace',
  'test/fixtures/traces/sync-primitives.trace',
];

/** Analyses that have a kernel. */
const WITH_KERNEL: AnalysisName[] = ['footprint', 'goroutines', 'schedLatency', 'profiles', 'gc', 'mmu', 'procs', 'metrics'];
/** Analyses with a kernel that keep a timeline (maxPoints option), which the fixtures never fill. */
const WITH_TIMELINE: AnalysisName[] = ['procs', 'metrics'];

function definitionsOf(names: readonly AnalysisName[], options: unknown): Record<string, { definition: AnyDefinition; options: unknown }> {
  return Object.fromEntries(names.map((name) => [name, { definition: ANALYSIS_DEFINITIONS[name], options }]));
}


function passes(names: readonly AnalysisName[], atTraceStart: boolean, options: unknown = {}): { kernel: Pass; script: Pass } {
  const definitions = definitionsOf(names, options);
  return { kernel: startPass(definitions, atTraceStart, { kernels: true }), script: startPass(definitions, atTraceStart, { kernels: false }) };
}

function expectSame(kernel: Pass, script: Pass, where: string): void {
  const k = structuredClone(kernel.partials());
  const s = structuredClone(script.partials());
  for (const name of Object.keys(s)) expect(k[name], `${name} ${where}`).toEqual(s[name]);
}

describe('kernels give the JavaScript analyzers\' partials', () => {
  it.each(TRACES)('one pass from the trace start: %s', async (relative) => {
    const { kernel, script } = passes(WITH_KERNEL, true);
    for await (const { view } of generationSlices(relative)) {
      kernel.consume(view);
      script.consume(view);
    }
    expectSame(kernel, script, 'one pass');
  });

  it.each(TRACES)('parts from each generation boundary, and resumed parts: %s', async (relative) => {
    const midTrace: { kernel: Pass; script: Pass; from: number }[] = [];
    const resumable = WITH_KERNEL.filter((name) => ANALYSIS_DEFINITIONS[name].resumes === true);
    const resumed = resumable.length > 0 ? passes(resumable, true) : undefined;
    let generation = 0;
    let slices = 0;
    for await (const { view, startsGeneration } of generationSlices(relative)) {
      if (startsGeneration && generation++ > 0) {
        // A part beginning here mid-trace (as a pool worker's run that is not the first).
        midTrace.push({ ...passes(WITH_KERNEL, false), from: generation });
        if (resumed) {
          expectSame(resumed.kernel, resumed.script, `resumed part before generation ${generation}`);
          resumed.kernel.beginPart();
          resumed.script.beginPart();
        }
      } else if (resumed && ++slices % 5 === 0) {
        expectSame(resumed.kernel, resumed.script, `resumed part inside generation ${generation}`);
        resumed.kernel.beginPart();
        resumed.script.beginPart();
      }
      for (const part of midTrace) {
        part.kernel.consume(view);
        part.script.consume(view);
      }
      resumed?.kernel.consume(view);
      resumed?.script.consume(view);
    }
    for (const part of midTrace) expectSame(part.kernel, part.script, `part from generation ${part.from}`);
    if (resumed) expectSame(resumed.kernel, resumed.script, 'last resumed part');
  });

  it('analyzers read the batch correctly after a call into the module grew its memory', async () => {
    // A stand-in for a kernel that allocates: every batch it takes 4 MiB of the module's heap
    // (memory grows, detaching the batch's views), before the JavaScript footprint reads them.
    const grower: AnyDefinition = {
      name: 'grower',
      create: () => ({
        consume(view: EventView) {
          const exports = view.kernelHost!()!.exports as { __new(size: number, id: number): number; __pin(pointer: number): number };
          exports.__pin(exports.__new(4 << 20, 0));
        },
        partial: () => null,
      }),
      merge: () => null,
      finish: () => null,
    };
    const footprint = { definition: ANALYSIS_DEFINITIONS.footprint, options: {} };
    const growing = startPass({ grower: { definition: grower, options: {} }, footprint }, true, { kernels: false });
    const plain = startPass({ footprint }, true, { kernels: false });
    let grew = 0;
    const view = new BatchView();
    for await (const batch of (await openTrace(join(root, TRACES[0]!))).batches()) {
      const v = view.bind(batch);
      const before = batch.kind.buffer;
      growing.consume(v);
      if (batch.kind.buffer !== before) grew++;
      plain.consume(v);
    }
    expect(grew).toBeGreaterThan(0);
    expect(growing.partials()['footprint']).toEqual(plain.partials()['footprint']);
  });

  it.each(TRACES)('the goroutine tracker with other top sizes and profile options, asked at every generation: %s', async (relative) => {
    // Options the kernel implements (top sizes) and the ones it leaves to JavaScript (profiles).
    const variants: { name: AnalysisName; options: unknown }[] = [
      { name: 'goroutines', options: { top: 0 } },
      { name: 'goroutines', options: { top: 3 } },
      { name: 'profiles', options: { goCompatible: true } },
      { name: 'profiles', options: { regionType: 'work' } },
    ];
    for (const { name, options } of variants) {
      const definitions = { [name]: { definition: ANALYSIS_DEFINITIONS[name], options } };
      const kernel = startPass(definitions, true, { kernels: true });
      const script = startPass(definitions, true, { kernels: false });
      let consumed = false;
      for await (const { view, startsGeneration } of generationSlices(relative)) {
        // (A partial asked before any batch would settle the instance on JavaScript.)
        if (startsGeneration && consumed) expectSame(kernel, script, `${JSON.stringify(options)} before a generation`);
        kernel.consume(view);
        script.consume(view);
        consumed = true;
      }
      expectSame(kernel, script, JSON.stringify(options));
    }
  });

  it.each(TRACES)('resumed parts begun every few events from the trace start (before any heap or goal value): %s', async (relative) => {
    const resumed = passes(WITH_KERNEL.filter((name) => ANALYSIS_DEFINITIONS[name].resumes === true), true);
    let consumed = 0;
    for await (const { view } of generationSlices(relative)) {
      for (let start = 0; start < view.length; ) {
        const length = consumed < 200 ? Math.min(4, view.length - start) : view.length - start;
        const chunk = new SliceView(view, start, length);
        resumed.kernel.consume(chunk);
        resumed.script.consume(chunk);
        consumed += length;
        start += length;
        expectSame(resumed.kernel, resumed.script, `resumed part ending at event ${consumed}`);
        resumed.kernel.beginPart();
        resumed.script.beginPart();
      }
    }
  });

  it.each(TRACES)('timelines that coarsen (maxPoints 3), one pass and resumed parts: %s', async (relative) => {
    const options = { maxPoints: 3 };
    const whole = passes(WITH_TIMELINE, true, options);
    const resumed = passes(WITH_TIMELINE, true, options);
    let slices = 0;
    for await (const { view } of generationSlices(relative)) {
      if (++slices % 3 === 0) {
        expectSame(resumed.kernel, resumed.script, `resumed part before slice ${slices}`);
        resumed.kernel.beginPart();
        resumed.script.beginPart();
      }
      for (const { kernel, script } of [whole, resumed]) {
        kernel.consume(view);
        script.consume(view);
      }
    }
    expectSame(whole.kernel, whole.script, 'one pass');
    expectSame(resumed.kernel, resumed.script, 'last resumed part');
  });

  it('a kernel pass fed batches of another decoder refuses them', async () => {
    const { kernel } = passes(WITH_KERNEL, true);
    const first = new BatchView();
    const other = new BatchView();
    const a = (await openTrace(join(root, TRACES[0]!))).batches()[Symbol.asyncIterator]();
    const b = (await openTrace(join(root, TRACES[0]!))).batches()[Symbol.asyncIterator]();
    kernel.consume(first.bind((await a.next()).value!));
    const foreign = other.bind((await b.next()).value!);
    expect(() => kernel.consume(foreign)).toThrow(/no longer holds/);
  });
});

// MMU does not `resume` (a worker warmed up on one generation cannot rebuild its state), so the
// cases above do not call its beginPart; its instances implement it all the same (exact on an
// instance that saw the trace from its start, recording otherwise), and its options change how
// series are built. These mirror mmu-resume.test.ts, comparing partials instead of curves.
describe('the MMU kernel gives the JavaScript analyzer\'s partials in every mode', () => {
  const OPTIONS = MMU_OPTIONS;
  const CASES = MMU_CASES;

  function mmuPasses(options: MmuOptions, atTraceStart: boolean): { kernel: Pass; script: Pass } {
    const definitions = { mmu: { definition: mmuAnalysis, options } };
    return { kernel: startPass(definitions, atTraceStart, { kernels: true }), script: startPass(definitions, atTraceStart, { kernels: false }) };
  }

  /** Irregular slice lengths (1 event up to a few thousand), deterministic. */
  function* sliceLengths(): Generator<number> {
    let seed = 12345;
    for (;;) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      yield 1 + (Math.floor(seed / 8) % [1, 7, 60, 500, 3000][seed % 5]!);
    }
  }

  it.each(CASES)('beginPart cut anywhere on an instance from the trace start: %s (%s)', async (relative, option) => {
    const { kernel, script } = mmuPasses(OPTIONS[option]!, true);
    const lengths = sliceLengths();
    let cuts = 0;
    for await (const { view } of generationSlices(relative)) {
      for (let start = 0; start < view.length; ) {
        const slice = new SliceView(view, start, Math.min(lengths.next().value!, view.length - start));
        kernel.consume(slice);
        script.consume(slice);
        start += slice.length;
        expectSame(kernel, script, `before cut ${++cuts}`);
        kernel.beginPart();
        script.beginPart();
      }
    }
    expect(cuts).toBeGreaterThan(20);
    expect((kernel.partials().mmu as MmuPartial).resumed).toBe(true);
    expectSame(kernel, script, 'last part');
  });

  it.each(MMU_TRACES)('beginPart on an instance warmed up on a later generation records, unless its Syncs count from the warm-up: %s', async (relative) => {
    const options = OPTIONS.sweep!;
    // `view` with Sync.N counted as if the trace began `skipped` generations later.
    const renumbered = (view: EventView, skipped: number): EventView => Object.assign(Object.create(view) as EventView, { syncN: (i: number) => view.syncN(i) - skipped });
    for (const syncsFromWarmUp of [false, true]) {
      const { kernel, script } = mmuPasses(options, true);
      let generation = 0;
      for await (const { view, startsGeneration } of generationSlices(relative)) {
        if (startsGeneration) generation++;
        if (generation < 2) continue;
        if (startsGeneration && generation === 3) {
          expectSame(kernel, script, 'warmed up');
          kernel.beginPart();
          script.beginPart();
        }
        const fed = syncsFromWarmUp ? renumbered(view, 1) : view;
        kernel.consume(fed);
        script.consume(fed);
      }
      expect(generation).toBeGreaterThan(3);
      const part = kernel.partials().mmu as MmuPartial;
      expect(part.deferred === null, `syncs from the warm-up: ${syncsFromWarmUp}`).toBe(syncsFromWarmUp);
      expectSame(kernel, script, `part after the warm-up (syncs from the warm-up: ${syncsFromWarmUp})`);
    }
  });

  it.each(CASES)('parts that begin mid-trace record the same: %s (%s)', async (relative, option) => {
    const { kernel, script } = mmuPasses(OPTIONS[option]!, false);
    let generation = 0;
    for await (const { view, startsGeneration } of generationSlices(relative)) {
      if (startsGeneration) generation++;
      if (generation < 2) continue;
      kernel.consume(view);
      script.consume(view);
    }
    expectSame(kernel, script, 'recorded part');
  });

  it('a recording of many blocks, asked for midway and at the end', async () => {
    // Each slice of the trace three times over (a recording does not care about time order):
    // about 170,000 transitions that start or stop execution, so records cross block boundaries.
    const { kernel, script } = mmuPasses(OPTIONS.default!, false);
    let slices = 0;
    for await (const { view } of generationSlices('test/analysis/data/gcheavy.trace')) {
      for (let round = 0; round < 3; round++) {
        kernel.consume(view);
        script.consume(view);
      }
      if (++slices % 4 === 0) expectSame(kernel, script, `after slice ${slices}`);
    }
    expectSame(kernel, script, 'at the end');
    const recording = (kernel.partials().mmu as MmuPartial).deferred!;
    expect(recording.blocks.length).toBe(3);
    expect(recording.transitions).toBeGreaterThan(2 * 65536);
  });
});
