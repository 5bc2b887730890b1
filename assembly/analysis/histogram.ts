// The log-linear duration histogram of src/analysis/histogram.ts (8 sub-buckets per power of two,
// dense counts as long as the largest bucket used), recorded in a kernel with the same buckets.
import { F64Column } from './kernel';

const SUB_BUCKET_BITS: i32 = 3;
const SUB_BUCKETS: i32 = 1 << SUB_BUCKET_BITS;

/** Bucket index of a non-negative integer duration in nanoseconds (histogram.ts bucketOf). */
export function bucketOf(ns: f64): i32 {
  if (ns < <f64>SUB_BUCKETS) return ns > 0 ? <i32>Math.floor(ns) : 0;
  const v = <u64>Math.floor(ns);
  const exponent = 63 - <i32>clz(v);
  const mantissa = <i32>(v >> <u64>(exponent - SUB_BUCKET_BITS)) - SUB_BUCKETS;
  return (exponent - SUB_BUCKET_BITS + 1) * SUB_BUCKETS + mantissa;
}

export class Histogram {
  /** Counts by bucket index; JavaScript reads them in place. */
  readonly buckets: F64Column = new F64Column(64);
  count: f64 = 0;
  /** Sum of recorded values, ns. */
  total: f64 = 0;
  /** Smallest recorded value (0 when count is 0). */
  min: f64 = 0;
  max: f64 = 0;

  record(ns: f64): void {
    const b = bucketOf(ns);
    const buckets = this.buckets;
    buckets.ensure(b);
    buckets.set(b, buckets.get(b) + 1);
    if (this.count == 0 || ns < this.min) this.min = ns;
    this.count++;
    this.total += ns;
    if (ns > this.max) this.max = ns;
  }
}
