// Time buckets that coarsen as the trace grows (src/analysis/timeline.ts: bucketAt, coarsen), with
// the same arithmetic, so a kernel's timeline equals the JavaScript analyzer's bucket for bucket.
// A bucket type B has a zero-argument constructor and `absorb(later: B)`, which combines a later
// bucket into this one in place (JavaScript's `combine(earlier, later)`).

export const BASE_BUCKET_NS: f64 = 1_000_000;

export class Timeline<B> {
  widthNs: f64 = BASE_BUCKET_NS;
  /** Absolute bucket indices (floor(time / widthNs)); `buckets[i]` is the bucket of `keys[i]`. */
  keys: Array<f64> = new Array<f64>();
  buckets: Array<B> = new Array<B>();
  private index: Map<f64, i32> = new Map<f64, i32>();

  /** Number of buckets. */
  @inline get count(): i32 {
    return this.keys.length;
  }

  /** The bucket holding time t, or null if it has none yet. */
  find(t: f64): B | null {
    const key = Math.floor(t / this.widthNs);
    return this.index.has(key) ? unchecked(this.buckets[this.index.get(key)]) : null;
  }

  /**
   * Adds `fresh` as the bucket of time t (which find(t) did not have) and, past `maxBuckets`,
   * coarsens once (as bucketAt does); returns the bucket holding t afterwards.
   */
  add(t: f64, fresh: B, maxBuckets: i32): B {
    const key = Math.floor(t / this.widthNs);
    this.index.set(key, this.keys.length);
    this.keys.push(key);
    this.buckets.push(fresh);
    if (this.keys.length <= maxBuckets) return fresh;
    this.coarsen(this.widthNs * 2);
    return changetype<B>(this.find(t));
  }

  /** Re-buckets to a wider width (a power-of-two multiple of the current one), in time order. */
  coarsen(widthNs: f64): void {
    if (widthNs <= this.widthNs) return;
    const ratio = widthNs / this.widthNs;
    const sorted = this.keys.slice(0);
    sorted.sort((x: f64, y: f64): i32 => i32(x > y) - i32(x < y));
    const keys = new Array<f64>();
    const buckets = new Array<B>();
    const index = new Map<f64, i32>();
    for (let i = 0; i < sorted.length; i++) {
      const key = unchecked(sorted[i]);
      const bucket = unchecked(this.buckets[this.index.get(key)]);
      const coarse = Math.floor(key / ratio);
      if (index.has(coarse)) {
        unchecked(buckets[index.get(coarse)]).absorb(bucket);
      } else {
        index.set(coarse, keys.length);
        keys.push(coarse);
        buckets.push(bucket);
      }
    }
    this.keys = keys;
    this.buckets = buckets;
    this.index = index;
    this.widthNs = widthNs;
  }
}
