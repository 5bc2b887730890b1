// Footprint kernel: events and encoded bytes per wire type (src/analysis/footprint.ts).
import { COL_SIZE, COL_TYPE } from '../columns';
import { Registry, column, rowsEnd } from './kernel';

class Footprint {
  /** Per wire type: [events, bytes] pairs, 256 types. */
  readonly counts: StaticArray<f64> = new StaticArray<f64>(512);
}

const footprints = new Registry<Footprint>();

export function footprintCreate(): i32 {
  return footprints.add(new Footprint());
}

export function footprintRelease(handle: i32): void {
  footprints.release(handle);
}

/** Adds rows [from, from + count) of the columns; false for an unknown handle. */
export function footprintConsume(handle: i32, from: i32, count: i32): bool {
  const f = footprints.get(handle);
  if (f === null) return false;
  const counts = changetype<usize>(f.counts);
  const types = column(COL_TYPE);
  const sizes = column(COL_SIZE);
  const end = rowsEnd(from, count);
  for (let i = from; i < end; i++) {
    const at = counts + (<usize>load<u8>(types + <usize>i) << 4);
    store<f64>(at, load<f64>(at) + 1);
    store<f64>(at + 8, load<f64>(at + 8) + <f64>load<u32>(sizes + (<usize>i << 2)));
  }
  return true;
}

/** Address of the 256 [events, bytes] f64 pairs. */
export function footprintCounts(handle: i32): usize {
  const f = footprints.get(handle);
  return f === null ? 0 : changetype<usize>(f.counts);
}
