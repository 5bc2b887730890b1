// Raw LEB128 decoding speed in WebAssembly: the ceiling the decoder's byte loop can approach.
// Reads consecutive unsigned varints from [pointer, pointer + length) and returns their sum;
// the count of varints is left in `lastCount`. Built by bench/varint-speed.mjs with the repo's asc.

let count: u64 = 0;

export function decodeAll(pointer: usize, length: usize): u64 {
  const end = pointer + length;
  let position = pointer;
  let sum: u64 = 0;
  let decoded: u64 = 0;
  while (position < end) {
    let value: u64 = 0;
    let shift: u64 = 0;
    let byte: u32;
    do {
      byte = load<u8>(position++);
      value |= (<u64>(byte & 0x7f)) << shift;
      shift += 7;
    } while ((byte & 0x80) != 0 && position < end);
    sum += value;
    decoded++;
  }
  count = decoded;
  return sum;
}

export function lastCount(): u64 {
  return count;
}
