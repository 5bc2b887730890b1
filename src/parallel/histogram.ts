// Fixed-bucket histogram of queue waits: O(1) to record, O(buckets) for a percentile, no sorting.
const BOUNDS_MS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, Infinity];

export class WaitHistogram {
  private readonly counts = new Array<number>(BOUNDS_MS.length).fill(0);
  count = 0;

  record(ms: number): void {
    let i = 0;
    while (ms > BOUNDS_MS[i]!) i++;
    this.counts[i]!++;
    this.count++;
  }

  /** Upper bound (ms) of the bucket holding quantile q; 0 when empty. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const target = Math.max(1, Math.ceil(this.count * q));
    let seen = 0;
    for (let i = 0; i < BOUNDS_MS.length; i++) {
      seen += this.counts[i]!;
      if (seen >= target) return BOUNDS_MS[i]!;
    }
    return Infinity;
  }
}
