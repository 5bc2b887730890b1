// The MMU merge replays a mid-trace part's recording on its predecessor's state in the MMU kernel
// (assembly/analysis/mmu.ts: Mmu.read, Mmu.replayBlock; binding src/analysis/kernels/mmu.ts,
// replayOnKernel) when kernels are enabled, and in JavaScript (MmuAnalyzer.replay, the reference)
// otherwise. These check that both give the same partial, field for field, on real traces: under
// every option set that changes how series are built, from states that still hold the first
// generation and from later ones, from states the kernel itself made (a left fold, as the pool
// merges), on recordings concatenated first and on recordings of several 64K-record blocks, and
// that the replay changes what it should (the folded curve is the one-pass curve).
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EventView } from '../../src/analysis/events.js';
import { kernelsEnabled } from '../../src/analysis/kernels/kernel.js';
import { mergeMmu, mmuAnalysis, MmuAnalyzer, type MmuOptions, type MmuPartial } from '../../src/analysis/mmu.js';
import { BLOCK } from '../../src/analysis/mmu-recording.js';
import { mergePartials, startPass } from '../../src/analysis/run.js';
import { MMU_CASES, MMU_OPTIONS, MMU_TRACES } from './support/mmu-cases.js';
import { generationSlices, SliceView } from './support/slice-view.js';

const TRACES = MMU_TRACES;
const OPTIONS = MMU_OPTIONS;
const CASES = MMU_CASES;


const cloned = (partial: MmuPartial): MmuPartial => structuredClone(partial);

function mmuPass(options: MmuOptions, atTraceStart: boolean, kernels = true) {
  return startPass({ mmu: { definition: mmuAnalysis, options } }, atTraceStart, { kernels });
}

const partialOf = (pass: ReturnType<typeof mmuPass>): MmuPartial => cloned(pass.partials()['mmu'] as MmuPartial);

/**
 * The trace's parts as the pool makes them: `starts[j]` is the partial of a pass from the trace
 * start over its first j + 1 generations (a state); `recorded[k]` that of a pass that began
 * mid-trace at generation k + 2 and saw only it (a recording).
 */
async function partsOf(relative: string, options: MmuOptions): Promise<{ starts: MmuPartial[]; recorded: MmuPartial[] }> {
  const start = mmuPass(options, true);
  const starts: MmuPartial[] = [];
  const recorded: MmuPartial[] = [];
  let current: ReturnType<typeof mmuPass> | undefined;
  let generation = 0;
  for await (const { view, startsGeneration } of generationSlices(relative)) {
    if (startsGeneration && generation++ > 0) {
      starts.push(partialOf(start));
      if (current !== undefined) recorded.push(partialOf(current));
      current = mmuPass(options, false);
    }
    start.consume(view);
    current?.consume(view);
  }
  starts.push(partialOf(start));
  if (current !== undefined) recorded.push(partialOf(current));
  return { starts, recorded };
}

/** Both merges of `b` after `a`, checked equal; returns the kernel's. */
function mergeBoth(a: MmuPartial, b: MmuPartial, where: string): MmuPartial {
  const script = mergeMmu(cloned(a), cloned(b), { kernels: false });
  const kernel = mergeMmu(cloned(a), cloned(b), { kernels: true });
  expect(cloned(kernel), where).toEqual(cloned(script));
  return kernel;
}

async function onePass(relative: string, options: MmuOptions): Promise<MmuPartial> {
  const pass = mmuPass(options, true, false);
  for await (const { view } of generationSlices(relative)) pass.consume(view);
  return partialOf(pass);
}

describe('the MMU kernel replays a recording as MmuAnalyzer.replay does', () => {
  it.each(CASES)('left folds from the first generations, each merge checked: %s (%s)', async (relative, option) => {
    const options = OPTIONS[option]!;
    const { starts, recorded } = await partsOf(relative, options);
    expect(recorded.length).toBeGreaterThan(3);
    expect(recorded.every((part) => part.deferred !== null)).toBe(true);
    expect(recorded.filter((part) => part.deferred!.transitions > 0).length).toBeGreaterThan(3);
    const expected = mmuAnalysis.finish(await onePass(relative, options), options);
    // From the state after generation 1 (still holding its points: the replay keeps every
    // goroutine's state until the Sync that ends it) and after generation 2.
    for (const first of [0, 1]) {
      let kernel = starts[first]!;
      let script = starts[first]!;
      const scriptFolds: MmuPartial[] = [];
      for (let k = first; k < recorded.length; k++) {
        const where = `part ${k + 2} after generations 1-${first + 1}`;
        // The kernel's merge goes on from its own state (restored from what it wrote), the
        // JavaScript from its own; each merge is also checked from the same state.
        const next = mergeBoth(kernel, recorded[k]!, where);
        script = mergeMmu(script, cloned(recorded[k]!), { kernels: false });
        expect(cloned(next), `${where}, folded`).toEqual(cloned(script));
        scriptFolds.push(script);
        // The replay did something: it reached the part's last event.
        expect(next.state!['lastEventTime']).toBe(recorded[k]!.deferred!.lastTime);
        kernel = next;
      }
      // Each merge from the very partial the one before returned, uncloned, as the pool folds:
      // nothing a merge returns may alias what the next one changes.
      let chained = cloned(starts[first]!);
      for (let k = first; k < recorded.length; k++) {
        chained = mergeMmu(chained, cloned(recorded[k]!), { kernels: true });
        expect(cloned(chained), `part ${k + 2} after generations 1-${first + 1}, chained`).toEqual(cloned(scriptFolds[k - first]!));
      }
      expect(mmuAnalysis.finish(kernel, options), `fold after generations 1-${first + 1}`).toEqual(expected);
    }
  });

  it.each(CASES)('recordings concatenated first, and parts cut inside a generation: %s (%s)', async (relative, option) => {
    const options = OPTIONS[option]!;
    const { starts, recorded } = await partsOf(relative, options);
    // Recordings merged among themselves first (concatRecordings re-blocks them), then replayed.
    const middle = recorded.length >> 1;
    const joined = [recorded.slice(0, middle), recorded.slice(middle)].map((parts) => parts.reduce((a, b) => mmuAnalysis.merge(a, b, options)));
    const tree = mergeBoth(mergeBoth(starts[0]!, joined[0]!, 'first half'), joined[1]!, 'second half');
    expect(mmuAnalysis.finish(tree, options)).toEqual(mmuAnalysis.finish(await onePass(relative, options), options));

    // A state cut at an odd event count (inside the first generation, then later), the rest
    // recorded; and a recording of only the next 100 events (from a cut inside the first
    // generation, one that ends there too: the state after the replay still holds it).
    for (const cut of [37, 1501, 20011]) {
      const before = mmuPass(options, true);
      const after = mmuPass(options, false);
      const next = mmuPass(options, false);
      let seen = 0;
      for await (const { view } of generationSlices(relative)) {
        const slice = (from: number, to: number) => {
          const a = Math.max(0, Math.min(view.length, from - seen));
          const b = Math.max(0, Math.min(view.length, to - seen));
          return b > a ? new SliceView(view, a, b - a) : null;
        };
        const head = slice(0, cut);
        const rest = slice(cut, Infinity);
        const hundred = slice(cut, cut + 100);
        if (head !== null) before.consume(head);
        if (rest !== null) after.consume(rest);
        if (hundred !== null) next.consume(hundred);
        seen += view.length;
      }
      if (seen <= cut + 100) continue;
      mergeBoth(partialOf(before), partialOf(after), `cut at event ${cut}`);
      const held = mergeBoth(partialOf(before), partialOf(next), `cut at event ${cut}, 100 events recorded`);
      if (cut === 37) expect(held.state!['held']).not.toBeNull();
    }
  });

  it.each(['default', 'perProc'])('a recording of several blocks (%s)', async (option) => {
    // Generations 2 on, three times over, each round later than the one before (a JavaScript
    // pass: the kernel would read the times from its columns): about 170,000 records, three blocks.
    const options = OPTIONS[option]!;
    const relative = 'test/analysis/data/gcheavy.trace';
    const start = mmuPass(options, true, false);
    const recording = mmuPass(options, false, false);
    for (let round = 0; round < 3; round++) {
      const shift = round * 1e12;
      let generation = 0;
      for await (const { view, startsGeneration } of generationSlices(relative)) {
        if (startsGeneration) generation++;
        if (generation === 1) {
          if (round === 0) start.consume(view);
          continue;
        }
        recording.consume(Object.assign(Object.create(view) as EventView, { time: (i: number) => view.time(i) + shift }));
      }
    }
    const part = partialOf(recording);
    expect(part.deferred!.blocks.length).toBe(3);
    expect(part.deferred!.transitions).toBeGreaterThan(2 * BLOCK);
    const merged = mergeBoth(partialOf(start), part, 'several blocks');
    expect(merged.state!['lastEventTime']).toBe(part.deferred!.lastTime);
  });
});

describe('which replay a merge runs', () => {
  const relative = 'test/analysis/data/gcheavy.trace';
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  async function firstMerge(): Promise<{ a: MmuPartial; b: MmuPartial }> {
    const { starts, recorded } = await partsOf(relative, OPTIONS.default!);
    return { a: starts[0]!, b: recorded[0]! };
  }

  it('the kernel when kernels are enabled, JavaScript when not or with SCHEDSCOPE_KERNELS=0', async () => {
    const { a, b } = await firstMerge();
    const replay = vi.spyOn(MmuAnalyzer.prototype, 'replay');
    const viaKernel = mergeMmu(cloned(a), cloned(b), { kernels: true });
    expect(replay).not.toHaveBeenCalled();
    const viaScript = mergeMmu(cloned(a), cloned(b), { kernels: false });
    expect(replay).toHaveBeenCalledTimes(1);
    expect(cloned(viaKernel)).toEqual(cloned(viaScript));
    // The definition and mergePartials pass the choice on.
    mmuAnalysis.merge(cloned(a), cloned(b), {}, { kernels: false });
    mergePartials({ mmu: { definition: mmuAnalysis, options: {} } }, { mmu: cloned(a) }, { mmu: cloned(b) }, { kernels: false });
    expect(replay).toHaveBeenCalledTimes(3);
    mergePartials({ mmu: { definition: mmuAnalysis, options: {} } }, { mmu: cloned(a) }, { mmu: cloned(b) }, { kernels: true });
    expect(replay).toHaveBeenCalledTimes(3);
    // Unless told, the environment decides.
    vi.stubEnv('SCHEDSCOPE_KERNELS', '0');
    expect(kernelsEnabled({})).toBe(false);
    mmuAnalysis.merge(cloned(a), cloned(b), {});
    expect(replay).toHaveBeenCalledTimes(4);
    vi.stubEnv('SCHEDSCOPE_KERNELS', '1');
    expect(kernelsEnabled({})).toBe(true);
    mmuAnalysis.merge(cloned(a), cloned(b), {});
    expect(replay).toHaveBeenCalledTimes(4);
  });

  it('a replay that leaves records out gives another state (the comparisons above can fail)', async () => {
    const { a, b } = await firstMerge();
    const whole = mergeMmu(cloned(a), cloned(b), { kernels: true });
    expect(cloned(whole)).not.toEqual(cloned(a));
    // The same recording without its last other record (e.g. an assist range's end): if the
    // kernel skipped other records, or the JavaScript did, the two would differ like this.
    const full = cloned(b).deferred!;
    expect(full.kind.length).toBeGreaterThan(0);
    const last = full.kind.length - 1;
    const recording = { ...full, kind: full.kind.slice(0, last), at: full.at.slice(0, last), time: full.time.slice(0, last), a: full.a.slice(0, last), b: full.b.slice(0, last), c: full.c.slice(0, last), d: full.d.slice(0, last), e: full.e.slice(0, last) };
    const shorter = mergeMmu(cloned(a), { ...b, deferred: recording }, { kernels: true });
    expect(cloned(shorter)).not.toEqual(cloned(whole));
    expect(cloned(shorter)).toEqual(cloned(mergeMmu(cloned(a), { ...b, deferred: recording }, { kernels: false })));
  });

  it('a fold whose replays miss the transitions is not the one-pass curve (the folds above can fail)', async () => {
    // (Without background workers, whose labels and ranges alone already set the minima of
    // gcheavy's curve under the default flags, assisting goroutines' transitions set the 10 ms
    // and 1 s windows' minima.)
    const options = OPTIONS.noBackground!;
    const { starts, recorded } = await partsOf(relative, options);
    const expected = mmuAnalysis.finish(await onePass(relative, options), options);
    const fold = (parts: MmuPartial[]) => parts.reduce((a, b) => mergeMmu(a, cloned(b), { kernels: true }), starts[0]!);
    expect(mmuAnalysis.finish(fold(recorded), options)).toEqual(expected);
    // As a replay that skipped the transition blocks would see them: none, only the other records.
    const withoutTransitions = recorded.map((part) => {
      const recording = cloned(part).deferred!;
      return { ...part, deferred: { ...recording, blocks: [], transitions: 0, at: recording.at.map(() => 0) } };
    });
    expect(mmuAnalysis.finish(fold(withoutTransitions), options)).not.toEqual(expected);
  });
});
