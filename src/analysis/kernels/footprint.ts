// The footprint analyzer on its kernel (assembly/analysis/footprint.ts).
import type { AnalyzerInstance } from '../analyzer.js';
import type { FootprintPartial } from '../footprint.js';
import type { KernelHost } from '../../model/index.js';
import { kernelExports, releaseWith } from './kernel.js';

interface FootprintExports {
  footprintCreate(): number;
  footprintRelease(handle: number): void;
  footprintConsume(handle: number, from: number, count: number): number;
  footprintCounts(handle: number): number;
}

const NAMES: (keyof FootprintExports)[] = ['footprintCreate', 'footprintRelease', 'footprintConsume', 'footprintCounts'];

export function footprintKernel(host: KernelHost): AnalyzerInstance<FootprintPartial> {
  const wasm = kernelExports<FootprintExports>(host, NAMES);
  const handle = wasm.footprintCreate();
  const instance: AnalyzerInstance<FootprintPartial> = {
    consume(view) {
      wasm.footprintConsume(handle, view.kernelOffset?.() ?? 0, view.length);
    },
    partial() {
      const counts = new Float64Array(host.memory(), wasm.footprintCounts(handle), 512);
      const byType: Record<string, [number, number]> = {};
      for (let type = 0; type < 256; type++) if (counts[type * 2]! > 0) byType[type] = [counts[type * 2]!, counts[type * 2 + 1]!];
      return { byType };
    },
  };
  releaseWith(instance, host, handle, (h) => wasm.footprintRelease(h));
  return instance;
}
