// The WASM kernels (assembly/analysis/) against the JavaScript analyzers they accelerate: the same
// partials, field for field, on real traces, for a pass from the trace start, for parts that begin
// at a generation boundary mid-trace, and for resumed parts (beginPart at generation boundaries
// and inside generations) - every way the sequential and the parallel paths use an analyzer.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANALYSIS_DEFINITIONS, type AnalysisName } from '../../src/analysis/analyze.js';
import { BatchView } from '../../src/analysis/columns.js';
import type { EventView } from '../../src/analysis/events.js';
import { startPass, type AnyDefinition, type Pass } from '../../src/analysis/run.js';
import { openTrace } from '../../src/trace.js';
import { SliceView } from './support/slice-view.js';

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
const WITH_KERNEL: AnalysisName[] = ['footprint', 'procs', 'metrics'];
/** Analyses with a kernel that keep a timeline (maxPoints option), which the fixtures never fill. */
const WITH_TIMELINE: AnalysisName[] = ['procs', 'metrics'];
const SYNC = 1;

function definitionsOf(names: readonly AnalysisName[], options: unknown): Record<string, { definition: AnyDefinition; options: unknown }> {
  return Object.fromEntries(names.map((name) => [name, { definition: ANALYSIS_DEFINITIONS[name], options }]));
}

/** Every batch of the trace, split at each Sync after its first event (so parts start at one). */
async function* generationSlices(relative: string): AsyncGenerator<{ view: EventView; startsGeneration: boolean }> {
  const view = new BatchView();
  for await (const batch of (await openTrace(join(root, relative))).batches()) {
    const v = view.bind(batch);
    let start = 0;
    for (let i = 1; i < v.length; i++) {
      if (v.kind(i) !== SYNC) continue;
      yield { view: new SliceView(v, start, i - start), startsGeneration: v.kind(start) === SYNC };
      start = i;
    }
    yield { view: new SliceView(v, start, v.length - start), startsGeneration: v.kind(start) === SYNC };
  }
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
