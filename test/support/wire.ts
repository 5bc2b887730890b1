// Hand-built wire bytes for framing tests: just enough to lay out headers and batches, including
// the malformed ones the runtime never writes.
export function uvarint(value: bigint | number, padTo = 0): number[] {
  let v = BigInt(value);
  const out: number[] = [];
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    out.push(low | (v > 0n ? 0x80 : 0));
  } while (v > 0n);
  while (out.length < padTo) {
    out[out.length - 1]! |= 0x80;
    out.push(0);
  }
  return out;
}

export function header(minor: number): number[] {
  const text = `go 1.${minor} trace`;
  const bytes = [...text].map((c) => c.charCodeAt(0));
  while (bytes.length < 16) bytes.push(0);
  return bytes;
}

export interface BatchSpec {
  gen: number | bigint;
  m?: number | bigint;
  time?: number;
  payload: number[];
  /** Write the size as the runtime does: a 10-byte padded uvarint. */
  paddedSize?: boolean;
  /** Override the size field (to lie about the payload length). */
  size?: number;
}

export function batch(spec: BatchSpec): number[] {
  return [
    0x01,
    ...uvarint(spec.gen),
    ...uvarint(spec.m ?? 1),
    ...uvarint(spec.time ?? 1),
    ...uvarint(spec.size ?? spec.payload.length, spec.paddedSize ? 10 : 0),
    ...spec.payload,
  ];
}

export const END_OF_GENERATION = 0x34;

export function bytes(...parts: number[][]): Uint8Array {
  return Uint8Array.from(parts.flat());
}
