// Reading a kernel's Histogram (assembly/analysis/histogram.ts) as the analyzers' HistogramData.
import type { KernelHost } from '../../model/index.js';
import type { HistogramData } from '../histogram.js';
import { kernelExports } from './kernel.js';

interface HistogramExports {
  histogramHeader(histogram: number): number;
}

/** The histogram at address `histogram` in the host's module, as plain data. */
export function readHistogram(host: KernelHost, histogram: number): HistogramData {
  const wasm = kernelExports<HistogramExports>(host, ['histogramHeader']);
  const [count, total, min, max, length, buckets] = new Float64Array(host.memory(), wasm.histogramHeader(histogram), 6);
  return { buckets: Array.from(new Float64Array(host.memory(), buckets!, length!)), count: count!, total: total!, min: min!, max: max! };
}
