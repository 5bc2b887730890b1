// The fixed-bucket histogram: bucket bounds contain their values, relative error is bounded,
// quantiles are exact at the ends, and merging equals recording everything in one.
import { describe, expect, it } from 'vitest';
import { bucketLowerBound, bucketOf, bucketUpperBound, emptyHistogram, mergeHistograms, quantile, record } from '../../src/analysis/histogram.js';

describe('histogram', () => {
  it('puts every value inside its bucket, with width at most 1/8 of the lower bound', () => {
    const values = [0, 1, 7, 8, 9, 15, 16, 17, 1000, 4095, 4096, 123456789, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 5, 3.6e12, 2 ** 52];
    for (let k = 0; k < 2000; k++) values.push(Math.floor(Math.exp(Math.random() * 36)));
    for (const v of values) {
      const b = bucketOf(v);
      expect(bucketLowerBound(b), String(v)).toBeLessThanOrEqual(v);
      expect(bucketUpperBound(b), String(v)).toBeGreaterThan(v);
      if (v >= 8) expect(bucketUpperBound(b) - bucketLowerBound(b)).toBeLessThanOrEqual(bucketLowerBound(b) / 8);
    }
  });

  it('reports exact min/max and merges associatively', () => {
    const a = emptyHistogram();
    const b = emptyHistogram();
    const all = emptyHistogram();
    for (let k = 1; k <= 1000; k++) {
      record(k % 2 ? a : b, k * 1000);
      record(all, k * 1000);
    }
    const merged = mergeHistograms(a, b);
    expect(merged).toEqual(all);
    expect(quantile(all, 0)).toBe(1000);
    expect(quantile(all, 1)).toBe(1_000_000);
    const p50 = quantile(all, 0.5);
    expect(p50).toBeGreaterThanOrEqual(500_000);
    expect(p50).toBeLessThanOrEqual(500_000 * (1 + 1 / 8));
    expect(JSON.parse(JSON.stringify(all))).toEqual(all);
  });
});
