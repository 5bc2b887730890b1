// CPU samples recorded in the trace (when the CPU profiler ran during tracing): the top functions by
// flat samples (the sampled function itself) and cumulative samples (anywhere on the stack).
import type { AnalysisDefinition, AnalyzerInstance } from './analyzer.js';
import type { EventView, Frame } from './events.js';
import { Kind } from './events.js';
import { eventsOfKinds, kindMask } from './kernels/kernel.js';
import { StackTable } from './stacks.js';

const SAMPLE_KINDS = kindMask(Kind.Sync, Kind.StackSample);

export interface CpuSamplesOptions {
  /** How many functions to list (default 20). */
  top?: number;
}

export interface CpuSamplesPartial {
  stacks: Frame[][];
  /** Stack index → samples. */
  counts: Record<string, number>;
  total: number;
}

export interface CpuFunction {
  func: string;
  flat: number;
  cum: number;
  flatFraction: number;
  cumFraction: number;
}

export interface CpuSamplesReport {
  samples: number;
  /** By flat samples, largest first. */
  topFlat: CpuFunction[];
  /** By cumulative samples, largest first. */
  topCumulative: CpuFunction[];
}

class CpuSamplesAnalyzer implements AnalyzerInstance<CpuSamplesPartial> {
  private readonly stacks = new StackTable();
  private readonly counts = new Map<number, number>();
  private total = 0;

  consume(view: EventView): void {
    // Samples and Syncs are rare among events: visit only those.
    const selected = eventsOfKinds(view, SAMPLE_KINDS);
    for (let k = 0; k < selected.length; k++) {
      const i = selected[k]!;
      if (view.kind(i) === Kind.Sync) {
        this.stacks.newGeneration();
        continue;
      }
      const stack = this.stacks.fromView(view, view.stack(i));
      this.counts.set(stack, (this.counts.get(stack) ?? 0) + 1);
      this.total++;
    }
  }

  partial(): CpuSamplesPartial {
    return structuredClone({
      stacks: this.stacks.stacks,
      counts: Object.fromEntries([...this.counts].map(([k, v]) => [String(k), v])),
      total: this.total,
    });
  }
}

export const cpuSamplesAnalysis: AnalysisDefinition<CpuSamplesOptions, CpuSamplesPartial, CpuSamplesReport> = {
  name: 'cpuSamples',
  create() {
    return new CpuSamplesAnalyzer();
  },
  merge(a, b) {
    const table = StackTable.fromJSON(a.stacks);
    const remap = table.absorb(b.stacks);
    const counts = { ...a.counts };
    for (const [k, v] of Object.entries(b.counts)) {
      const key = String(remap[Number(k)] ?? 0);
      counts[key] = (counts[key] ?? 0) + v;
    }
    return { stacks: structuredClone(table.stacks), counts, total: a.total + b.total };
  },
  finish(p, options) {
    const top = options.top ?? 20;
    const flat = new Map<string, number>();
    const cum = new Map<string, number>();
    for (const [k, n] of Object.entries(p.counts)) {
      const frames = p.stacks[Number(k)] ?? [];
      const leaf = frames[0]?.func ?? '(unknown)';
      flat.set(leaf, (flat.get(leaf) ?? 0) + n);
      for (const func of new Set(frames.map((f) => f.func))) cum.set(func, (cum.get(func) ?? 0) + n);
    }
    const entry = (func: string): CpuFunction => ({
      func,
      flat: flat.get(func) ?? 0,
      cum: cum.get(func) ?? 0,
      flatFraction: p.total > 0 ? (flat.get(func) ?? 0) / p.total : 0,
      cumFraction: p.total > 0 ? (cum.get(func) ?? 0) / p.total : 0,
    });
    const funcs = [...new Set([...flat.keys(), ...cum.keys()])].map(entry);
    return {
      samples: p.total,
      topFlat: funcs.filter((f) => f.flat > 0).sort((x, y) => y.flat - x.flat || x.func.localeCompare(y.func)).slice(0, top),
      topCumulative: [...funcs].sort((x, y) => y.cum - x.cum || x.func.localeCompare(y.func)).slice(0, top),
    };
  },
};
