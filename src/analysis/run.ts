// Runs analysis definitions over EventViews: one pass, per-part partials, and merging.
import type { AnalysisDefinition, AnalyzerInstance, MergeContext } from './analyzer.js';
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
export function startPass(
  definitions: Record<string, { definition: AnyDefinition; options: unknown }>,
  atTraceStart: boolean,
  /** `hints`: per analysis, its CreateContext.hint (for a part that begins mid-trace). */
  passOptions: { kernels?: boolean; hints?: Record<string, unknown> } = {},
): Pass {
  const shared = new Map<string, unknown>();
  const context = { atTraceStart, shared, ...(passOptions.kernels !== undefined ? { kernels: passOptions.kernels } : {}) };
  const instances: [string, AnalyzerInstance<unknown>][] = Object.entries(definitions).map(([name, { definition, options }]) => {
    const hint = passOptions.hints?.[name];
    return [name, definition.create(options, hint === undefined ? context : { ...context, hint })];
  });
  // A kernel (or anything else calling into the decoder's module) may grow WASM memory, which
  // detaches the views over the batch: refresh them before anyone reads the view again (the host
  // tells the adapters bound to the batch; refreshColumns covers any other view).
  let lastView: EventView | undefined;
  const refresh = () => {
    const host = lastView?.kernelHost?.();
    if (host !== undefined && host.refresh()) lastView!.refreshColumns?.();
  };
  return {
    consume(view) {
      lastView = view;
      const host = view.kernelHost?.();
      let memory = host?.memory();
      for (let k = 0; k < instances.length; k++) {
        instances[k]![1].consume(view);
        if (host !== undefined && host.memory() !== memory) {
          refresh();
          memory = host.memory();
        }
      }
    },
    partials() {
      const partials = Object.fromEntries(instances.map(([name, instance]) => [name, instance.partial()]));
      refresh();
      return partials;
    },
    beginPart() {
      for (const [name, instance] of instances) {
        if (instance.beginPart === undefined) throw new TypeError(`analysis ${name} cannot begin a part on the same instance (it does not resume)`);
        instance.beginPart();
      }
      refresh();
    },
  };
}

/** Whether every analysis accepts `b` after `a` (AnalysisDefinition.acceptsAfter); the names of those that do not. */
export function refusedAfter(definitions: Record<string, { definition: AnyDefinition; options: unknown }>, a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return Object.entries(definitions)
    .filter(([name, { definition }]) => definition.acceptsAfter !== undefined && !definition.acceptsAfter(a[name], b[name]))
    .map(([name]) => name);
}

/** Per analysis that gives hints (AnalysisDefinition.hintFrom), its hint from the partials known. */
export function hintsFrom(definitions: Record<string, { definition: AnyDefinition; options: unknown }>, known: readonly Record<string, unknown>[]): Record<string, unknown> {
  const hints: Record<string, unknown> = {};
  for (const [name, { definition }] of Object.entries(definitions)) {
    if (definition.hintFrom === undefined) continue;
    const hint: unknown = definition.hintFrom(known.map((partials) => partials[name]).filter((partial) => partial !== undefined));
    if (hint !== undefined) hints[name] = hint;
  }
  return hints;
}

export function mergePartials(
  definitions: Record<string, { definition: AnyDefinition; options: unknown }>,
  a: Record<string, unknown>,
  b: Record<string, unknown>,
  context: MergeContext = {},
  /** If given, each analysis's merge time (ms) is added to its entry. */
  timings?: Record<string, number>,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(definitions).map(([name, { definition, options }]) => {
      const start = timings === undefined ? 0 : performance.now();
      const merged = definition.merge(a[name], b[name], options, context);
      if (timings !== undefined) timings[name] = (timings[name] ?? 0) + performance.now() - start;
      return [name, merged];
    }),
  );
}

export function finishPartials(
  definitions: Record<string, { definition: AnyDefinition; options: unknown }>,
  partials: Record<string, unknown>,
): Record<string, unknown> {
  return Object.fromEntries(Object.entries(definitions).map(([name, { definition, options }]) => [name, definition.finish(partials[name], options)]));
}
