// A fixed-bucket, log-linear duration histogram that merges by adding counts.
//
// Why hand-written rather than hdr-histogram-js: analyses keep one histogram per goroutine group and
// per creating stack (hundreds of them), partials must be plain JSON and merge associatively with
// an identical bucket layout everywhere. An HDR histogram with useful range (1 ns .. 10^12 ns) costs
// tens of KB each and serialises to compressed base64; this layout is 8 sub-buckets per power of
// two (bucket width ≤ 1/8 of its lower bound), at most ~410 buckets for any duration, stored as a
// dense array only as long as the largest bucket used, and needs ~60 lines.

const SUB_BUCKET_BITS = 3;
const SUB_BUCKETS = 1 << SUB_BUCKET_BITS;

const POW2 = Array.from({ length: 64 }, (_, k) => 2 ** k);

/** floor(log2(v)) for an integer v ≥ 1 below 2^53, without Math.log2 (this runs per interval). */
function log2Floor(v: number): number {
  if (v < 0x100000000) return 31 - Math.clz32(v);
  return 32 + 31 - Math.clz32(Math.floor(v / 0x100000000));
}

/** Bucket index of a non-negative integer duration in nanoseconds. */
export function bucketOf(ns: number): number {
  if (ns < SUB_BUCKETS) return ns > 0 ? Math.floor(ns) : 0;
  const v = Math.floor(ns);
  const exponent = log2Floor(v);
  const mantissa = Math.floor(v / POW2[exponent - SUB_BUCKET_BITS]!) - SUB_BUCKETS; // 0..7
  return (exponent - SUB_BUCKET_BITS + 1) * SUB_BUCKETS + mantissa;
}

/** Lower bound (inclusive) of a bucket, in nanoseconds. */
export function bucketLowerBound(index: number): number {
  if (index < SUB_BUCKETS) return index;
  const exponent = Math.floor(index / SUB_BUCKETS) + SUB_BUCKET_BITS - 1;
  const mantissa = index % SUB_BUCKETS;
  return (SUB_BUCKETS + mantissa) * 2 ** (exponent - SUB_BUCKET_BITS);
}

/** Upper bound (exclusive) of a bucket, in nanoseconds. */
export function bucketUpperBound(index: number): number {
  return bucketLowerBound(index + 1);
}

export interface HistogramData {
  /** Counts by bucket index (dense, as long as the largest bucket used). */
  buckets: number[];
  count: number;
  /** Sum of recorded values, ns. */
  total: number;
  /** Smallest recorded value (0 when count is 0). */
  min: number;
  max: number;
}

export function emptyHistogram(): HistogramData {
  return { buckets: [], count: 0, total: 0, min: 0, max: 0 };
}

export function record(h: HistogramData, ns: number): void {
  const b = bucketOf(ns);
  const buckets = h.buckets;
  while (buckets.length <= b) buckets.push(0);
  buckets[b]!++;
  if (h.count === 0 || ns < h.min) h.min = ns;
  h.count++;
  h.total += ns;
  if (ns > h.max) h.max = ns;
}

export function mergeHistogramInto(into: HistogramData, from: HistogramData): void {
  if (from.count === 0) return;
  const buckets = into.buckets;
  while (buckets.length < from.buckets.length) buckets.push(0);
  for (let b = 0; b < from.buckets.length; b++) buckets[b]! += from.buckets[b]!;
  into.min = into.count === 0 ? from.min : Math.min(into.min, from.min);
  into.count += from.count;
  into.total += from.total;
  into.max = Math.max(into.max, from.max);
}

export function mergeHistograms(a: HistogramData, b: HistogramData): HistogramData {
  const out = emptyHistogram();
  mergeHistogramInto(out, a);
  mergeHistogramInto(out, b);
  return out;
}

/**
 * Value at quantile q (0..1): the upper bound of the bucket holding the q-th value, clamped to the
 * exact max (so p100 is exact and no quantile exceeds the largest recorded value).
 */
export function quantile(h: HistogramData, q: number): number {
  if (h.count === 0) return 0;
  if (q <= 0) return h.min;
  const rank = Math.max(1, Math.ceil(q * h.count));
  let seen = 0;
  for (let index = 0; index < h.buckets.length; index++) {
    seen += h.buckets[index]!;
    if (seen >= rank) return Math.min(h.max, Math.max(h.min, bucketUpperBound(index) - 1));
  }
  return h.max;
}

export interface LatencySummary {
  count: number;
  totalNs: number;
  meanNs: number;
  p50Ns: number;
  p90Ns: number;
  p99Ns: number;
  p999Ns: number;
  maxNs: number;
}

export function summarize(h: HistogramData): LatencySummary {
  return {
    count: h.count,
    totalNs: h.total,
    meanNs: h.count === 0 ? 0 : h.total / h.count,
    p50Ns: quantile(h, 0.5),
    p90Ns: quantile(h, 0.9),
    p99Ns: quantile(h, 0.99),
    p999Ns: quantile(h, 0.999),
    maxNs: h.count === 0 ? 0 : h.max,
  };
}
