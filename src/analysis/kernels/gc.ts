// The gc analysis's ranges on their kernel (assembly/analysis/gc.ts): the kernel pairs mark
// assists and sweeps; the mark-phase and stop-the-world ranges it lists go through the analyzer's
// own rareRange() here, in event order.
import type { AnalyzerInstance } from '../analyzer.js';
import type { EventView, Kind } from '../events.js';
import { emptyRangesPartial, rareRange, scopeKeyOf, type GcRangesPartial, type RangeStats } from '../gc.js';
import type { KernelHost } from '../../model/index.js';
import { readHistogram } from './histogram.js';
import { kernelExports, releaseWith } from './kernel.js';

interface GcExports {
  gcRangesCreate(): number;
  gcRangesRelease(handle: number): void;
  gcRangesConsume(handle: number, from: number, count: number): number;
  gcRangesOther(handle: number): number;
  gcRangesScalars(handle: number): number;
  gcRangesHistogram(handle: number, which: number): number;
  gcRangesOpen(handle: number, which: number): number;
  gcRangesListed(handle: number): number;
  gcRangesOrphanCount(handle: number, which: number): number;
  gcRangesOrphans(handle: number, which: number): number;
}

const NAMES: (keyof GcExports)[] = [
  'gcRangesCreate',
  'gcRangesRelease',
  'gcRangesConsume',
  'gcRangesOther',
  'gcRangesScalars',
  'gcRangesHistogram',
  'gcRangesOpen',
  'gcRangesListed',
  'gcRangesOrphanCount',
  'gcRangesOrphans',
];

const ASSISTS = 0;
const SWEEPS = 1;

export function gcRangesKernel(host: KernelHost): AnalyzerInstance<GcRangesPartial> {
  const wasm = kernelExports<GcExports>(host, NAMES);
  const handle = wasm.gcRangesCreate();
  // What JavaScript keeps: the mark-phase and stop-the-world fields (the rest is the kernel's).
  const rare: GcRangesPartial = emptyRangesPartial();

  const open = (which: number): Record<string, number> => {
    const n = wasm.gcRangesOpen(handle, which);
    const pairs = new Float64Array(host.memory(), wasm.gcRangesListed(handle), 2 * n);
    const out: Record<string, number> = {};
    for (let k = 0; k < n; k++) out[scopeKeyOf(pairs[2 * k]!)] = pairs[2 * k + 1]!;
    return out;
  };
  const orphans = (which: number): { key: string; end: number }[] => {
    const n = wasm.gcRangesOrphanCount(handle, which);
    const triples = new Float64Array(host.memory(), wasm.gcRangesOrphans(handle, which), 3 * n);
    return Array.from({ length: n }, (_, k) => ({ key: `${triples[3 * k]}:${triples[3 * k + 1]}`, end: triples[3 * k + 2]! }));
  };
  const stats = (count: number, which: number): RangeStats => ({ count, hist: readHistogram(host, wasm.gcRangesHistogram(handle, which)) });

  const instance: AnalyzerInstance<GcRangesPartial> = {
    consume(view: EventView) {
      const others = wasm.gcRangesConsume(handle, view.kernelOffset?.() ?? 0, view.length);
      if (others === 0) return;
      host.refresh();
      const rows = new Int32Array(host.memory(), wasm.gcRangesOther(handle), others).slice();
      for (let k = 0; k < others; k++) {
        const i = rows[k]!;
        rareRange(rare, view, i, view.kind(i) as Kind, view.time(i), view.rangeName(i));
      }
    },
    partial() {
      const [firstTime, lastTime, assists, sweeps] = new Float64Array(host.memory(), wasm.gcRangesScalars(handle), 4);
      return structuredClone({
        ...rare,
        assists: stats(assists!, ASSISTS),
        sweeps: stats(sweeps!, SWEEPS),
        openAssist: open(ASSISTS),
        openSweep: open(SWEEPS),
        orphanAssistEnds: orphans(ASSISTS),
        orphanSweepEnds: orphans(SWEEPS),
        firstTime: firstTime!,
        lastTime: lastTime!,
      });
    },
  };
  releaseWith(instance, host, handle, (h) => wasm.gcRangesRelease(h));
  return instance;
}
