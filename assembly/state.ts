// Error state shared by every stage: AssemblyScript has no exceptions, so a stage records the first
// error and returns false, and the driver reports it to JavaScript.

export const ERR_NONE: i32 = 0;
export const ERR_CORRUPT_BATCH: i32 = 1;
export const ERR_CORRUPT_TABLE: i32 = 2;
export const ERR_ORDERING: i32 = 3;

export let errorCode: i32 = ERR_NONE;
export let errorMessage: string = '';
/** Offset within the generation buffer of the batch the error belongs to (-1 if none). */
export let errorOffset: i32 = -1;

export function fail(code: i32, message: string, offset: i32): bool {
  if (errorCode == ERR_NONE) {
    errorCode = code;
    errorMessage = message;
    errorOffset = offset;
  }
  return false;
}

export function clearError(): void {
  errorCode = ERR_NONE;
  errorMessage = '';
  errorOffset = -1;
}

/** Cursor over raw bytes [pos, end) with Go's uvarint rules; never reads outside the range. */
export class Reader {
  pos: usize;
  end: usize;
  ok: bool = true;

  constructor(pos: usize, end: usize) {
    this.pos = pos;
    this.end = end;
  }

  get remaining(): usize {
    return this.end - this.pos;
  }

  byte(): i32 {
    if (this.pos >= this.end) {
      this.ok = false;
      return -1;
    }
    const b = <i32>load<u8>(this.pos);
    this.pos++;
    return b;
  }

  /** Unsigned LEB128; sets ok = false on truncation or overflow (11 bytes, or 10th byte > 1). */
  uvarint(): u64 {
    let x: u64 = 0;
    let s: u64 = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) {
        this.ok = false;
        return 0;
      }
      const b = <u64>load<u8>(this.pos);
      this.pos++;
      if (b < 0x80) {
        if (i == 9 && b > 1) {
          this.ok = false;
          return 0;
        }
        return x | (b << s);
      }
      x |= (b & 0x7f) << s;
      s += 7;
    }
    this.ok = false;
    return 0;
  }
}

/** Go's frequency.mul: float64(t) * nsPerTick, converted to int64 the way amd64 does (out of range → MinInt64). */
@inline export function ticksToNs(ticks: u64, nsPerTick: f64): i64 {
  // Per event, so the common case avoids the saturating f64→i64 conversion, which V8 compiles to
  // a round trip and a compare: below 2^53 ticks convert to f64 exactly (the signed conversion
  // is the cheap one), and a product x with |x| < 2^51 truncates exactly by adding 1.5·2^52,
  // which puts trunc(x) in the low bits of the sum's mantissa.
  if (ticks < TWO_TO_53) {
    const x = <f64><i64>ticks * nsPerTick;
    if (abs(x) < TWO_TO_51) return reinterpret<i64>(trunc(x) + ROUNDING_BIAS) - ROUNDING_BIAS_BITS;
  }
  return ticksToNsSlow(ticks, nsPerTick);
}

/**
 * ticksToNs when the clock makes a tick a whole number of nanoseconds (Go on Linux: a tick is 64
 * ns, nsPerTick exactly 64.0): `mul` is that number and `limit` = 2^53 / mul, so below it
 * ticks × mul < 2^53, which float64(ticks) × nsPerTick computes exactly: the same int64 as Go's.
 * mul = limit = 0 for any other clock (every call takes ticksToNs).
 */
@inline export function ticksToNsExact(ticks: u64, mul: u64, limit: u64, nsPerTick: f64): i64 {
  if (ticks < limit) return <i64>(ticks * mul);
  return ticksToNs(ticks, nsPerTick);
}

/** The `mul` of ticksToNsExact for nsPerTick: the integer itself, or 0 if it is not one (or too large). */
export function exactTickMultiplier(nsPerTick: f64): u64 {
  return nsPerTick >= 1 && nsPerTick <= 1048576 && floor(nsPerTick) == nsPerTick ? <u64>nsPerTick : 0;
}

/** The `limit` of ticksToNsExact for `mul` (0 for 0). */
export function exactTickLimit(mul: u64): u64 {
  return mul == 0 ? 0 : TWO_TO_53 / mul;
}

const TWO_TO_53: u64 = <u64>1 << 53;
const TWO_TO_51: f64 = 2251799813685248.0;
const ROUNDING_BIAS: f64 = 6755399441055744.0; // 1.5 · 2^52
const ROUNDING_BIAS_BITS: i64 = 0x4338000000000000;

function ticksToNsSlow(ticks: u64, nsPerTick: f64): i64 {
  const x = <f64>ticks * nsPerTick;
  // One comparison pair also rejects NaN (every comparison with NaN is false).
  if (x < 9223372036854775807.0 && x >= -9223372036854775808.0) return <i64>x;
  return i64.MIN_VALUE;
}

export function u64str(v: u64): string {
  return v.toString();
}
