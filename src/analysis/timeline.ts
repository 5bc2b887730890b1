// Time buckets that coarsen as the trace grows, so a series over any trace length stays within a
// fixed number of points. Bucket widths are 1 ms × 2^k and bucket indices are absolute (time /
// width), so timelines of adjacent parts line up and merge exactly.

export const BASE_BUCKET_NS = 1_000_000;

export interface Timeline<B> {
  widthNs: number;
  /** Absolute bucket index → bucket. */
  buckets: Record<string, B>;
  /** Number of buckets (kept so adding one does not have to count them). */
  count: number;
}

export function emptyTimeline<B>(): Timeline<B> {
  return { widthNs: BASE_BUCKET_NS, buckets: {}, count: 0 };
}

/** The bucket holding time t, created with `make` if missing; coarsens when over `maxBuckets`. */
export function bucketAt<B>(tl: Timeline<B>, t: number, make: () => B, combine: (earlier: B, later: B) => B, maxBuckets: number): B {
  const key = String(Math.floor(t / tl.widthNs));
  let bucket = tl.buckets[key];
  if (bucket === undefined) {
    bucket = make();
    tl.buckets[key] = bucket;
    if (++tl.count > maxBuckets) {
      coarsen(tl, tl.widthNs * 2, combine);
      return bucketAt(tl, t, make, combine, maxBuckets);
    }
  }
  return bucket;
}

/** Re-buckets to a wider width (a power-of-two multiple of the current one). */
export function coarsen<B>(tl: Timeline<B>, widthNs: number, combine: (earlier: B, later: B) => B): void {
  if (widthNs <= tl.widthNs) return;
  const ratio = widthNs / tl.widthNs;
  const out: Record<string, B> = {};
  const keys = Object.keys(tl.buckets)
    .map(Number)
    .sort((x, y) => x - y);
  for (const k of keys) {
    const nk = String(Math.floor(k / ratio));
    const existing = out[nk];
    out[nk] = existing === undefined ? tl.buckets[String(k)]! : combine(existing, tl.buckets[String(k)]!);
  }
  tl.buckets = out;
  tl.count = Object.keys(out).length;
  tl.widthNs = widthNs;
}

/** Buckets in time order with their start time. */
export function orderedBuckets<B>(tl: Timeline<B>): { startNs: number; bucket: B }[] {
  return Object.keys(tl.buckets)
    .map(Number)
    .sort((x, y) => x - y)
    .map((k) => ({ startNs: k * tl.widthNs, bucket: tl.buckets[String(k)]! }));
}

/**
 * Two adjacent parts' timelines as one pass over both would have built them: a pass ends at the
 * narrowest width (widths only double) that holds every occupied bucket within maxBuckets, and
 * bucket contents combine associatively, so coarsening both to the wider width, combining shared
 * buckets and coarsening again while over the limit gives that same timeline.
 */
export function mergeTimelines<B>(a: Timeline<B>, b: Timeline<B>, combineBuckets: (earlier: B, later: B) => B, maxBuckets: number): Timeline<B> {
  const width = Math.max(a.widthNs, b.widthNs);
  const left = structuredClone(a);
  const right = structuredClone(b);
  coarsen(left, width, combineBuckets);
  coarsen(right, width, combineBuckets);
  for (const [key, bucket] of Object.entries(right.buckets)) {
    const existing = left.buckets[key];
    left.buckets[key] = existing === undefined ? bucket : combineBuckets(existing, bucket);
  }
  left.count = Object.keys(left.buckets).length;
  while (left.count > maxBuckets) coarsen(left, left.widthNs * 2, combineBuckets);
  return left;
}
