// Go's slices.SortFunc (pattern-defeating quicksort), reproduced step for step for arrays of
// records ordered by an i64 `time` field. Go sorts the frontier of per-thread cursors and the CPU
// samples with it; it is unstable, so which of two records with equal times ends up first depends
// on the exact sequence of swaps, and matching Go's output event for event needs the same ones.

const MAX_INSERTION: i32 = 12;
const SHORTEST_NINTHER: i32 = 50;
const MAX_SWAPS: i32 = 4 * 3;
const HINT_UNKNOWN: i32 = 0;
const HINT_INCREASING: i32 = 1;
const HINT_DECREASING: i32 = 2;

// choosePivot returns two values; the hint travels through this global.
let pivotHint: i32 = HINT_UNKNOWN;
let swapCount: i32 = 0;

@inline function less<T>(data: Array<T>, i: i32, j: i32): bool {
  return unchecked(data[i]).time < unchecked(data[j]).time;
}

@inline function swap<T>(data: Array<T>, i: i32, j: i32): void {
  const t = unchecked(data[i]);
  unchecked((data[i] = data[j]));
  unchecked((data[j] = t));
}

function bitLength(x: u32): i32 {
  return 32 - <i32>clz<u32>(x);
}

/** Sorts data by time exactly as Go's slices.SortFunc(data, cmp.Compare on time) does. */
export function goSortByTime<T>(data: Array<T>): void {
  const n = data.length;
  pdqsort<T>(data, 0, n, bitLength(<u32>n));
}

function insertionSort<T>(data: Array<T>, a: i32, b: i32): void {
  for (let i = a + 1; i < b; i++) {
    for (let j = i; j > a && less<T>(data, j, j - 1); j--) swap<T>(data, j, j - 1);
  }
}

function siftDown<T>(data: Array<T>, lo: i32, hi: i32, first: i32): void {
  let root = lo;
  for (;;) {
    let child = 2 * root + 1;
    if (child >= hi) break;
    if (child + 1 < hi && less<T>(data, first + child, first + child + 1)) child++;
    if (!less<T>(data, first + root, first + child)) return;
    swap<T>(data, first + root, first + child);
    root = child;
  }
}

function heapSort<T>(data: Array<T>, a: i32, b: i32): void {
  const first = a;
  const hi = b - a;
  for (let i = (hi - 1) / 2; i >= 0; i--) siftDown<T>(data, i, hi, first);
  for (let i = hi - 1; i >= 0; i--) {
    swap<T>(data, first, first + i);
    siftDown<T>(data, 0, i, first);
  }
}

function pdqsort<T>(data: Array<T>, a: i32, b: i32, limit: i32): void {
  let wasBalanced = true;
  let wasPartitioned = true;
  for (;;) {
    const length = b - a;
    if (length <= MAX_INSERTION) {
      insertionSort<T>(data, a, b);
      return;
    }
    if (limit == 0) {
      heapSort<T>(data, a, b);
      return;
    }
    if (!wasBalanced) {
      breakPatterns<T>(data, a, b);
      limit--;
    }
    let pivot = choosePivot<T>(data, a, b);
    let hint = pivotHint;
    if (hint == HINT_DECREASING) {
      reverseRange<T>(data, a, b);
      pivot = b - 1 - (pivot - a);
      hint = HINT_INCREASING;
    }
    if (wasBalanced && wasPartitioned && hint == HINT_INCREASING) {
      if (partialInsertionSort<T>(data, a, b)) return;
    }
    if (a > 0 && !less<T>(data, a - 1, pivot)) {
      a = partitionEqual<T>(data, a, b, pivot);
      continue;
    }
    const mid = partition<T>(data, a, b, pivot);
    wasPartitioned = partitionWasSorted;
    const leftLen = mid - a;
    const rightLen = b - mid;
    const balanceThreshold = length / 8;
    if (leftLen < rightLen) {
      wasBalanced = leftLen >= balanceThreshold;
      pdqsort<T>(data, a, mid, limit);
      a = mid + 1;
    } else {
      wasBalanced = rightLen >= balanceThreshold;
      pdqsort<T>(data, mid + 1, b, limit);
      b = mid;
    }
  }
}

let partitionWasSorted: bool = false;

function partition<T>(data: Array<T>, a: i32, b: i32, pivot: i32): i32 {
  swap<T>(data, a, pivot);
  let i = a + 1;
  let j = b - 1;
  while (i <= j && less<T>(data, i, a)) i++;
  while (i <= j && !less<T>(data, j, a)) j--;
  if (i > j) {
    swap<T>(data, j, a);
    partitionWasSorted = true;
    return j;
  }
  swap<T>(data, i, j);
  i++;
  j--;
  for (;;) {
    while (i <= j && less<T>(data, i, a)) i++;
    while (i <= j && !less<T>(data, j, a)) j--;
    if (i > j) break;
    swap<T>(data, i, j);
    i++;
    j--;
  }
  swap<T>(data, j, a);
  partitionWasSorted = false;
  return j;
}

function partitionEqual<T>(data: Array<T>, a: i32, b: i32, pivot: i32): i32 {
  swap<T>(data, a, pivot);
  let i = a + 1;
  let j = b - 1;
  for (;;) {
    while (i <= j && !less<T>(data, a, i)) i++;
    while (i <= j && less<T>(data, a, j)) j--;
    if (i > j) break;
    swap<T>(data, i, j);
    i++;
    j--;
  }
  return i;
}

function partialInsertionSort<T>(data: Array<T>, a: i32, b: i32): bool {
  const maxSteps = 5;
  const shortestShifting = 50;
  let i = a + 1;
  for (let step = 0; step < maxSteps; step++) {
    while (i < b && !less<T>(data, i, i - 1)) i++;
    if (i == b) return true;
    if (b - a < shortestShifting) return false;
    swap<T>(data, i, i - 1);
    if (i - a >= 2) {
      for (let j = i - 1; j >= 1; j--) {
        if (!less<T>(data, j, j - 1)) break;
        swap<T>(data, j, j - 1);
      }
    }
    if (b - i >= 2) {
      for (let j = i + 1; j < b; j++) {
        if (!less<T>(data, j, j - 1)) break;
        swap<T>(data, j, j - 1);
      }
    }
  }
  return false;
}

function breakPatterns<T>(data: Array<T>, a: i32, b: i32): void {
  const length = b - a;
  if (length >= 8) {
    let random = <u64>length;
    const modulus: u64 = <u64>1 << <u64>bitLength(<u32>length);
    const from = a + (length / 4) * 2 - 1;
    const to = a + (length / 4) * 2 + 1;
    for (let idx = from; idx <= to; idx++) {
      random ^= random << 13;
      random ^= random >> 7;
      random ^= random << 17;
      let other = <i32>(random & (modulus - 1));
      if (other >= length) other -= length;
      swap<T>(data, idx, a + other);
    }
  }
}

function choosePivot<T>(data: Array<T>, a: i32, b: i32): i32 {
  const l = b - a;
  swapCount = 0;
  let i = a + (l / 4) * 1;
  let j = a + (l / 4) * 2;
  let k = a + (l / 4) * 3;
  if (l >= 8) {
    if (l >= SHORTEST_NINTHER) {
      i = median<T>(data, i - 1, i, i + 1);
      j = median<T>(data, j - 1, j, j + 1);
      k = median<T>(data, k - 1, k, k + 1);
    }
    j = median<T>(data, i, j, k);
  }
  if (swapCount == 0) pivotHint = HINT_INCREASING;
  else if (swapCount == MAX_SWAPS) pivotHint = HINT_DECREASING;
  else pivotHint = HINT_UNKNOWN;
  return j;
}

function median<T>(data: Array<T>, a: i32, b: i32, c: i32): i32 {
  // order2(a, b); order2(b, c); order2(a, b); return b
  if (less<T>(data, b, a)) {
    swapCount++;
    const t = a;
    a = b;
    b = t;
  }
  if (less<T>(data, c, b)) {
    swapCount++;
    const t = b;
    b = c;
    c = t;
  }
  if (less<T>(data, b, a)) {
    swapCount++;
    const t = a;
    a = b;
    b = t;
  }
  return b;
}

function reverseRange<T>(data: Array<T>, a: i32, b: i32): void {
  let i = a;
  let j = b - 1;
  while (i < j) {
    swap<T>(data, i, j);
    i++;
    j--;
  }
}
