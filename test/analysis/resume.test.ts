// Analyses that resume (`resumes: true`): one instance over a whole multi-generation trace, asked
// for a partial and told `beginPart()` at every generation boundary (and at a few batch boundaries
// inside generations), gives partials whose in-order merge equals the one-pass result. This is the
// merge a parallel worker relies on after warming its state up on the previous generation.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANALYSIS_DEFINITIONS, ANALYSIS_NAMES } from '../../src/analysis/analyze.js';
import { BatchView } from '../../src/analysis/columns.js';
import { finishPartials, mergePartials, startPass, type AnyDefinition } from '../../src/analysis/run.js';
import { openTrace } from '../../src/trace.js';
import { SliceView } from './support/slice-view.js';

const root = join(import.meta.dirname, '..', '..');
const TRACES = ['test/fixtures/traces/gc-active.trace', 'test/fixtures/traces/syscall-gens.trace', 'test/fixtures/traces/generations.trace', 'test/analysis/data/gcheavy.trace', 'test/analysis/data/mixed.trace'];
const RESUMING = ANALYSIS_NAMES.filter((name) => ANALYSIS_DEFINITIONS[name].resumes === true);
const SYNC = 1;

function definitionsOf(names: readonly string[]): Record<string, { definition: AnyDefinition; options: unknown }> {
  return Object.fromEntries(names.map((name) => [name, { definition: ANALYSIS_DEFINITIONS[name as keyof typeof ANALYSIS_DEFINITIONS], options: {} }]));
}

describe.runIf(RESUMING.length > 0)('resumed partials merge into the one-pass result', () => {
  it.each(TRACES)('%s', async (relative) => {
    const definitions = definitionsOf(RESUMING);
    const whole = startPass(definitions, true);
    const parted = startPass(definitions, true);
    const partials: Record<string, unknown>[] = [];
    let batches = 0;
    const view = new BatchView();
    const cut = () => {
      // Cloned, as a worker's postMessage does.
      partials.push(structuredClone(parted.partials()));
      parted.beginPart();
    };
    for await (const batch of (await openTrace(join(root, relative))).batches()) {
      const v = view.bind(batch);
      whole.consume(v);
      let start = 0;
      for (let i = 0; i < v.length; i++) {
        if (v.kind(i) !== SYNC || i === 0) continue;
        parted.consume(new SliceView(v, start, i - start));
        cut();
        start = i;
      }
      if (start === 0 && v.kind(0) === SYNC && batches > 0) cut();
      parted.consume(new SliceView(v, start, v.length - start));
      // Also inside generations: a part may end anywhere a worker's run ends... and anywhere else.
      if (++batches % 7 === 0) cut();
    }
    partials.push(parted.partials());
    expect(partials.length).toBeGreaterThan(3);
    const merged = partials.reduce((a, b) => mergePartials(definitions, a, b));
    const fromParts = finishPartials(definitions, merged);
    const onePass = finishPartials(definitions, whole.partials());
    for (const name of RESUMING) expect(fromParts[name], name).toEqual(onePass[name]);
  });
});
