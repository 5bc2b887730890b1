// The duration histogram of src/analysis/histogram.ts (8 sub-buckets per power of two), for
// kernels: the same bucket arithmetic, so a histogram recorded here and one recorded in
// JavaScript are equal field for field. JavaScript reads one with histogramHeader() (see
// src/analysis/kernels/histogram.ts).

const SUB_BUCKET_BITS: i32 = 3;
const SUB_BUCKETS: i32 = 1 << SUB_BUCKET_BITS;

/** bucketOf() of histogram.ts: the bucket of a non-negative duration in ns (integers < 2^53). */
@inline export function bucketOf(ns: f64): i32 {
  if (ns < <f64>SUB_BUCKETS) return ns > 0 ? <i32>Math.floor(ns) : 0;
  const v = <u64>Math.floor(ns);
  const exponent = 63 - <i32>clz(v);
  const mantissa = <i32>(v >> <u64>(exponent - SUB_BUCKET_BITS)) - SUB_BUCKETS;
  return (exponent - SUB_BUCKET_BITS + 1) * SUB_BUCKETS + mantissa;
}

export class Histogram {
  /** Counts by bucket; `length` = largest bucket used + 1 (the JS array's length). */
  buckets: StaticArray<f64> = new StaticArray<f64>(0);
  length: i32 = 0;
  count: f64 = 0;
  total: f64 = 0;
  min: f64 = 0;
  max: f64 = 0;

  @inline record(ns: f64): void {
    this.recordIn(bucketOf(ns), ns);
  }

  /** record() with the bucket already computed (one bucketOf for several histograms). */
  @inline recordIn(b: i32, ns: f64): void {
    if (b >= this.length) this.extend(b);
    unchecked((this.buckets[b] += 1));
    if (this.count == 0 || ns < this.min) this.min = ns;
    this.count += 1;
    this.total += ns;
    if (ns > this.max) this.max = ns;
  }

  private extend(b: i32): void {
    if (b >= this.buckets.length) {
      const grown = new StaticArray<f64>(max(max(b + 1, this.buckets.length * 2), 64));
      for (let k = 0; k < this.length; k++) unchecked((grown[k] = this.buckets[k]));
      this.buckets = grown;
    }
    this.length = b + 1;
  }

  /** Empties it (the counts; the bucket storage stays for reuse). */
  clear(): void {
    for (let k = 0; k < this.length; k++) unchecked((this.buckets[k] = 0));
    this.length = 0;
    this.count = 0;
    this.total = 0;
    this.min = 0;
    this.max = 0;
  }
}

const header = new StaticArray<f64>(6);

/**
 * Writes histogram `h` (a Histogram's address) as six f64s: count, total, min, max, number of
 * buckets, address of the bucket counts; returns the address of those six values.
 */
export function histogramHeader(h: usize): usize {
  const histogram = changetype<Histogram>(h);
  unchecked((header[0] = histogram.count));
  unchecked((header[1] = histogram.total));
  unchecked((header[2] = histogram.min));
  unchecked((header[3] = histogram.max));
  unchecked((header[4] = <f64>histogram.length));
  unchecked((header[5] = <f64>changetype<usize>(histogram.buckets)));
  return changetype<usize>(header);
}
