// A part that begins mid-trace can record under a hint (mmu-recording.ts, RecordingFilter): the mark
// workers and ordinary goroutines the merging thread knows of, so it keeps only the transitions of
// goroutines that may count towards GC. These check, on real traces under every option set, that
// the kernel and the JavaScript record alike under a hint, that a hint from the true predecessor
// state gives the merge the unhinted recording gives (and a far smaller recording), and that the
// merge's check is sound: a wrong hint is either refused (acceptsAfter false, merge throws
// HintMissedError) or, where accepted, changes nothing.
import { describe, expect, it } from 'vitest';
import { HintMissedError } from '../../src/analysis/analyzer.js';
import { mergeMmu, mmuAnalysis, type MmuOptions, type MmuPartial } from '../../src/analysis/mmu.js';
import { UNKNOWN_KEPT, type MmuHint } from '../../src/analysis/mmu-recording.js';
import { startPass } from '../../src/analysis/run.js';
import { MMU_CASES, MMU_OPTIONS } from './support/mmu-cases.js';
import { generationSlices } from './support/slice-view.js';

const cloned = (partial: MmuPartial): MmuPartial => structuredClone(partial);

function mmuPass(options: MmuOptions, atTraceStart: boolean, kernels: boolean, hint?: MmuHint) {
  return startPass({ mmu: { definition: mmuAnalysis, options } }, atTraceStart, { kernels, ...(hint ? { hints: { mmu: hint } } : {}) });
}

const partialOf = (pass: ReturnType<typeof mmuPass>): MmuPartial => cloned(pass.partials()['mmu'] as MmuPartial);

type Pass = ReturnType<typeof mmuPass>;

/**
 * Streams the trace once (a view is only valid while it is consumed): `states[j]` is a pass from
 * the trace start over generations 1..j+1; for each later generation g (0-based), `partsFor(g)`
 * names the parts to record it with (kernel and JavaScript each), whose partials `onParts` gets,
 * checked equal between the two.
 */
async function streamParts(
  relative: string,
  options: MmuOptions,
  partsFor: (g: number, states: MmuPartial[]) => (MmuHint | undefined)[],
  onParts: (g: number, states: MmuPartial[], recorded: MmuPartial[]) => void,
): Promise<MmuPartial[]> {
  const start = mmuPass(options, true, true);
  const states: MmuPartial[] = [];
  let passes: [Pass, Pass][] = [];
  let generation = -1;
  const close = () => {
    if (generation < 1) return;
    const recorded = passes.map(([kernel, script]) => {
      const partial = partialOf(kernel);
      expect(partial, `generation ${generation + 1}: kernel and JavaScript record alike`).toEqual(partialOf(script));
      return partial;
    });
    onParts(generation, states, recorded);
  };
  for await (const { view, startsGeneration } of generationSlices(relative)) {
    if (startsGeneration) {
      close();
      generation++;
      if (generation > 0) states.push(partialOf(start));
      passes = generation > 0 ? partsFor(generation, states).map((hint) => [mmuPass(options, false, true, hint), mmuPass(options, false, false, hint)]) : [];
    }
    start.consume(view);
    for (const [kernel, script] of passes) {
      kernel.consume(view);
      script.consume(view);
    }
  }
  close();
  states.push(partialOf(start));
  return states;
}

/** Both merges, checked equal (the kernel's replay and the JavaScript reference). */
function merged(a: MmuPartial, b: MmuPartial): MmuPartial {
  const kernel = mergeMmu(cloned(a), cloned(b), { kernels: true });
  expect(cloned(kernel)).toEqual(cloned(mergeMmu(cloned(a), cloned(b), { kernels: false })));
  return kernel;
}

describe('MMU parts recorded under a hint', () => {
  it.each(MMU_CASES)('a hint from the predecessor: same merge, smaller recording: %s (%s)', async (relative, option) => {
    const options = MMU_OPTIONS[option]!;
    let hintedTransitions = 0;
    let fullTransitions = 0;
    let cappedDrops = 0;
    let fold: MmuPartial | null = null;
    let generations = 0;
    const states = await streamParts(
      relative,
      options,
      (g, states) => {
        fold ??= states[0]!;
        const hint = mmuAnalysis.hintFrom!([states[g - 1]!]) as MmuHint;
        return [hint, undefined, mmuAnalysis.hintFrom!([fold]) as MmuHint, { ...hint, keepUnknown: 2 }];
      },
      (g, states, [hinted, full, folding, capped]) => {
        generations++;
        const before = states[g - 1]!;
        expect(hinted!.deferred!.hinted, 'the hint reached the recorder').toBeDefined();
        expect(full!.deferred!.hinted).toBeUndefined();
        hintedTransitions += hinted!.deferred!.transitions;
        fullTransitions += full!.deferred!.transitions;
        expect(mmuAnalysis.acceptsAfter!(before, hinted!), `generation ${g + 1}`).toBe(true);
        expect(merged(before, hinted!).state, `generation ${g + 1}`).toEqual(merged(before, full!).state);
        // The true predecessor's workers are all in the hint: what the bound leaves out never counted.
        expect(mmuAnalysis.acceptsAfter!(before, capped!), `generation ${g + 1}, capped`).toBe(true);
        expect(merged(before, capped!).state, `generation ${g + 1}, capped`).toEqual(merged(before, full!).state);
        cappedDrops += capped!.deferred!.hinted!.dropped.length - hinted!.deferred!.hinted!.dropped.length;
        fold = merged(fold!, folding!);
      },
    );
    expect(generations).toBeGreaterThan(4);
    expect(mmuAnalysis.finish(fold!, options)).toEqual(mmuAnalysis.finish(states[states.length - 1]!, options));
    // gc-active's busy goroutines predate its trace: not known ordinary, kept (RecordingFilter).
    expect(hintedTransitions).toBeLessThanOrEqual(fullTransitions);
    // The bound was reached: goroutines from before the part had transitions left out past it.
    expect(cappedDrops).toBeGreaterThan(0);
    if (option === 'default' && !relative.includes('gc-active')) expect(hintedTransitions * 3).toBeLessThan(fullTransitions);
  });

  it.each(MMU_CASES)('a wrong hint is refused, or changes nothing: %s (%s)', async (relative, option) => {
    const options = MMU_OPTIONS[option]!;
    let refused = 0;
    await streamParts(
      relative,
      options,
      // No workers known (goroutines from before the part left out, or kept up to keepUnknown
      // a bound), and the known workers called ordinary (their transitions left out).
      (g, states) => [
        undefined,
        { markWorkers: [], ordinary: [], keepUnknown: 0 },
        { markWorkers: [], ordinary: [], keepUnknown: UNKNOWN_KEPT },
        // Few enough kept that a goroutine from before the part passes the bound in a generation.
        { markWorkers: [], ordinary: [], keepUnknown: 2 },
        { markWorkers: [], ordinary: (mmuAnalysis.hintFrom!([states[g - 1]!]) as MmuHint).markWorkers, keepUnknown: UNKNOWN_KEPT },
      ],
      (g, states, [full, ...wrong]) => {
        const before = states[g - 1]!;
        const truth = merged(before, full!).state;
        for (const hinted of wrong) {
          if (mmuAnalysis.acceptsAfter!(before, hinted!)) {
            expect(merged(before, hinted!).state, `generation ${g + 1}, accepted`).toEqual(truth);
          } else {
            refused++;
            for (const kernels of [true, false]) expect(() => mergeMmu(cloned(before), cloned(hinted!), { kernels })).toThrow(HintMissedError);
          }
        }
      },
    );
    // Traces whose GC runs mark workers catch some: the check is not idle.
    if (option !== 'noBackground') expect(refused).toBeGreaterThan(0);
  });
});
