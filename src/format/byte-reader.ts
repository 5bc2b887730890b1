// Sequential reads over a ChunkSource with an absolute byte offset, the primitives the framer needs
// (bytes, Go-compatible uvarints, bulk copies). Batch headers are tiny and payloads are copied in
// bulk, so the per-call cost here is negligible next to decoding.
import type { ChunkSource } from '../source/chunk-source.js';

export class VarintError extends Error {
  constructor(readonly kind: 'overflow' | 'eof' | 'unexpected-eof') {
    super(kind === 'overflow' ? 'varint overflows a 64-bit integer' : kind === 'eof' ? 'EOF' : 'unexpected EOF');
  }
}

export class ByteReader {
  private chunk: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private ended = false;
  /** Absolute offset of the next byte to be read. */
  offset = 0;

  constructor(private readonly source: ChunkSource) {}

  private async fill(): Promise<boolean> {
    while (this.pos >= this.chunk.length) {
      if (this.ended) return false;
      const next = await this.source.next();
      if (next === null) {
        this.ended = true;
        return false;
      }
      this.chunk = next;
      this.pos = 0;
    }
    return true;
  }

  /** Next byte, or -1 at end of input. */
  async readByte(): Promise<number> {
    if (this.pos >= this.chunk.length && !(await this.fill())) return -1;
    this.offset++;
    return this.chunk[this.pos++]!;
  }

  /**
   * Reads an unsigned LEB128 value the way Go's binary.ReadUvarint does: padded encodings are
   * accepted, an 11th byte or a 10th byte above 1 is an overflow. `record` sees every byte consumed.
   */
  async readUvarint(record?: (byte: number) => void): Promise<bigint> {
    let low = 0; // first 28 bits, kept as a number so the common short case never touches BigInt
    let result = 0n;
    for (let i = 0; i < 10; i++) {
      const b = await this.readByte();
      if (b < 0) throw new VarintError(i > 0 ? 'unexpected-eof' : 'eof');
      record?.(b);
      if (b < 0x80) {
        if (i === 9 && b > 1) throw new VarintError('overflow');
        if (i < 4) return BigInt(low + b * 2 ** (7 * i));
        return result | (BigInt(b) << BigInt(7 * i));
      }
      if (i < 4) {
        low += (b & 0x7f) * 2 ** (7 * i);
        if (i === 3) result = BigInt(low);
      } else {
        result |= BigInt(b & 0x7f) << BigInt(7 * i);
      }
    }
    throw new VarintError('overflow');
  }

  /** Bytes that can be read without waiting for another chunk. */
  get buffered(): number {
    return this.chunk.length - this.pos;
  }

  /** The i-th buffered byte (i < buffered), without consuming it. */
  peekByte(i: number): number {
    return this.chunk[this.pos + i]!;
  }

  /** Consumes n buffered bytes (n <= buffered); returns them, valid until the next read. */
  takeBuffered(n: number): Uint8Array {
    const bytes = this.chunk.subarray(this.pos, this.pos + n);
    this.pos += n;
    this.offset += n;
    return bytes;
  }

  /**
   * Reads up to n bytes, handing them to `sink` in order, one piece per chunk (each piece valid
   * only during the call); returns how many were available.
   */
  async readTo(n: number, sink: (piece: Uint8Array) => void): Promise<number> {
    let copied = 0;
    while (copied < n) {
      if (this.pos >= this.chunk.length && !(await this.fill())) break;
      const take = Math.min(n - copied, this.chunk.length - this.pos);
      sink(this.chunk.subarray(this.pos, this.pos + take));
      this.pos += take;
      copied += take;
    }
    this.offset += copied;
    return copied;
  }

  /** Copies up to n bytes into dest at destOffset; returns how many were available. */
  async readInto(dest: Uint8Array, destOffset: number, n: number): Promise<number> {
    let copied = 0;
    while (copied < n) {
      if (this.pos >= this.chunk.length && !(await this.fill())) break;
      const take = Math.min(n - copied, this.chunk.length - this.pos);
      dest.set(this.chunk.subarray(this.pos, this.pos + take), destOffset + copied);
      this.pos += take;
      copied += take;
    }
    this.offset += copied;
    return copied;
  }
}
