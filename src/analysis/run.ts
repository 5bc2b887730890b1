// Runs analysis definitions over EventViews: one pass, per-part partials, and merging.
import type { AnalysisDefinition, AnalyzerInstance } from './analyzer.js';
import type { EventView } from './events.js';

// Definitions of different option/partial/report types live in one table; the table is typed
// per entry by the caller (analyze.ts), so this helper only needs the shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDefinition = AnalysisDefinition<any, any, any>;

export interface Pass {
  consume(view: EventView): void;
  partials(): Record<string, unknown>;
  /** Starts a new part on the same instances (analyses that resume only; see AnalyzerInstance.beginPart). */
  beginPart(): void;
}

/** Starts one pass over a contiguous run of events for the given analyses. */
export function startPass(definitions: Record<string, { definition: AnyDefinition; options: unknown }>, atTraceStart: boolean): Pass {
  const shared = new Map<string, unknown>();
  const instances: [string, AnalyzerInstance<unknown>][] = Object.entries(definitions).map(([name, { definition, options }]) => [
    name,
    definition.create(options, { atTraceStart, shared }),
  ]);
  return {
    consume(view) {
      for (let k = 0; k < instances.length; k++) instances[k]![1].consume(view);
    },
    partials() {
      return Object.fromEntries(instances.map(([name, instance]) => [name, instance.partial()]));
    },
    beginPart() {
      for (const [name, instance] of instances) {
        if (instance.beginPart === undefined) throw new TypeError(`analysis ${name} cannot begin a part on the same instance (it does not resume)`);
        instance.beginPart();
      }
    },
  };
}

export function mergePartials(
  definitions: Record<string, { definition: AnyDefinition; options: unknown }>,
  a: Record<string, unknown>,
  b: Record<string, unknown>,
): Record<string, unknown> {
  return Object.fromEntries(Object.entries(definitions).map(([name, { definition, options }]) => [name, definition.merge(a[name], b[name], options)]));
}

export function finishPartials(
  definitions: Record<string, { definition: AnyDefinition; options: unknown }>,
  partials: Record<string, unknown>,
): Record<string, unknown> {
  return Object.fromEntries(Object.entries(definitions).map(([name, { definition, options }]) => [name, definition.finish(partials[name], options)]));
}
