// One batch of decoded events packed into a single transferable ArrayBuffer, so a worker can hand
// its columns to the main thread without copying (postMessage transfer). Layout, `n` rows:
//   time i64[n] | arg0..arg3 u64[n] ×4 | timeNs, goroutine, proc, thread, stack, transitionStack,
//   resourceId, reason f64[n] ×8 | size u32[n] | kind, wireType, resourceKind, from, to u8[n] ×5
// (8-byte columns first, so every view is aligned). 113 bytes per event.
import type { ColumnViews, EventBatch } from '../model/index.js';

export const PACKED_BYTES_PER_EVENT = 8 * 13 + 4 + 5;

const F64_COLUMNS = ['timeNs', 'goroutine', 'proc', 'thread', 'stack', 'transitionStack', 'resourceId', 'reason'] as const;
const U8_COLUMNS = ['kind', 'wireType', 'resourceKind', 'from', 'to'] as const;

/** Copies the first `batch.length` rows of every column into one new ArrayBuffer. */
export function packBatch(batch: EventBatch): ArrayBuffer {
  const n = batch.length;
  const buffer = new ArrayBuffer(n * PACKED_BYTES_PER_EVENT);
  const views = viewsOver(buffer, n);
  views.time.set(batch.time.subarray(0, n));
  for (let k = 0; k < 4; k++) views.args[k]!.set(batch.args[k]!.subarray(0, n));
  for (const name of F64_COLUMNS) views[name].set(batch[name].subarray(0, n));
  views.size.set(batch.size.subarray(0, n));
  for (const name of U8_COLUMNS) views[name].set(batch[name].subarray(0, n));
  return buffer;
}

/** Typed-array views over a packed buffer of `n` rows. */
export function viewsOver(buffer: ArrayBuffer, n: number): ColumnViews {
  let at = 0;
  const take8 = () => {
    const from = at;
    at += 8 * n;
    return from;
  };
  const time = new BigInt64Array(buffer, take8(), n);
  const args = [
    new BigUint64Array(buffer, take8(), n),
    new BigUint64Array(buffer, take8(), n),
    new BigUint64Array(buffer, take8(), n),
    new BigUint64Array(buffer, take8(), n),
  ] as const;
  const f64 = () => new Float64Array(buffer, take8(), n);
  const timeNs = f64();
  const goroutine = f64();
  const proc = f64();
  const thread = f64();
  const stack = f64();
  const transitionStack = f64();
  const resourceId = f64();
  const reason = f64();
  const size = new Uint32Array(buffer, at, n);
  at += 4 * n;
  const u8 = () => {
    const view = new Uint8Array(buffer, at, n);
    at += n;
    return view;
  };
  return {
    time, args, timeNs, goroutine, proc, thread, stack, transitionStack, resourceId, reason, size,
    kind: u8(), wireType: u8(), resourceKind: u8(), from: u8(), to: u8(),
  };
}
