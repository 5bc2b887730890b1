// Analysis definitions by name, for workers: the same table analyze() uses.
import { ANALYSIS_DEFINITIONS } from '../analysis/analyze.js';
import type { AnyDefinition } from '../analysis/run.js';

/** name → { definition, options } as run.ts wants it; throws on an unknown name. */
export function analysisDefinitions(options: Record<string, unknown>): Record<string, { definition: AnyDefinition; options: unknown }> {
  const out: Record<string, { definition: AnyDefinition; options: unknown }> = {};
  for (const [name, analysisOptions] of Object.entries(options)) {
    const definition = (ANALYSIS_DEFINITIONS as Record<string, AnyDefinition | undefined>)[name];
    if (definition === undefined) throw new RangeError(`unknown analysis: ${name}`);
    out[name] = { definition, options: analysisOptions ?? {} };
  }
  return out;
}
