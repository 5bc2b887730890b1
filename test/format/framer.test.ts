import { describe, expect, it } from 'vitest';
import {
  CorruptBatchError,
  GenerationTooLargeError,
  InvalidOrderingError,
  NotATraceError,
  TruncatedTraceError,
  UnsupportedVersionError,
} from '../../src/errors.js';
import { ByteReader } from '../../src/format/byte-reader.js';
import { GenerationFramer, type FramedGeneration } from '../../src/format/framer.js';
import { parseHeader, type SupportedVersion } from '../../src/format/header.js';
import { openChunkSource } from '../../src/source/chunk-source.js';
import { batch, bytes, END_OF_GENERATION, header, uvarint } from '../support/wire.js';

async function frame(data: Uint8Array, opts: { chunkBytes?: number; max?: number } = {}) {
  const source = await openChunkSource(data, opts.chunkBytes ?? 7);
  const reader = new ByteReader(source);
  const head = new Uint8Array(16);
  await reader.readInto(head, 0, 16);
  const version: SupportedVersion = parseHeader(head);
  const framer = new GenerationFramer(reader, version, opts.max ?? 1 << 20);
  const generations: Array<{ gen: bigint; batchCount: number; bytes: number[]; offset: number; deferred: string | null }> = [];
  let error: unknown = null;
  try {
    for (let g: FramedGeneration | null; (g = await framer.next()) !== null; ) {
      const flat = g.generation.parts.flatMap((p) => [...p]);
      expect(flat.length).toBe(g.generation.byteLength);
      generations.push({
        gen: g.generation.gen,
        batchCount: g.generation.batchCount,
        bytes: flat,
        offset: g.generation.fileOffset,
        deferred: g.deferredError?.reason ?? null,
      });
      if (g.deferredError) {
        error = g.deferredError;
        break;
      }
    }
  } catch (e) {
    error = e;
  }
  return { generations, error };
}

describe('header', () => {
  const h = (text: string) => Uint8Array.from([...text.padEnd(16, '\0')].map((c) => c.charCodeAt(0)));
  it('accepts the four generational versions', () => {
    for (const v of [22, 23, 25, 26]) expect(parseHeader(h(`go 1.${v} trace`))).toBe(v);
  });
  it('names the legacy formats as unsupported, with the version', () => {
    for (const v of [11, 19, 21]) {
      expect(() => parseHeader(h(`go 1.${v} trace`))).toThrow(UnsupportedVersionError);
      expect(() => parseHeader(h(`go 1.${v} trace`))).toThrow(/1\.\d+/);
    }
  });
  it('rejects unknown versions, including 1.24 which Go never wrote', () => {
    expect(() => parseHeader(h('go 1.24 trace'))).toThrow(/unknown or unsupported trace version go 1.24/);
    expect(() => parseHeader(h('go 1.27 trace'))).toThrow(UnsupportedVersionError);
  });
  it('rejects things that are not trace headers', () => {
    for (const text of ['', 'go 1.26 trac', 'GO 1.26 trace', 'go 1.x trace', 'go 1.26 tracex', '\x89PNG\r\n\x1a\n']) {
      expect(() => parseHeader(h(text))).toThrow(NotATraceError);
    }
    expect(() => parseHeader(new Uint8Array(3))).toThrow(NotATraceError);
  });
});

describe('framing Go 1.26 traces (explicit end of generation)', () => {
  it('splits generations at the marker and keeps raw batch bytes', async () => {
    const b1 = batch({ gen: 1, payload: [0x08, 0x40], paddedSize: true });
    const b2 = batch({ gen: 1, m: 7, payload: [0x0b, 0x01] });
    const b3 = batch({ gen: 2, payload: [0x08, 0x40] });
    const data = bytes(header(26), b1, b2, [END_OF_GENERATION], b3, [END_OF_GENERATION]);
    const { generations, error } = await frame(data);
    expect(error).toBeNull();
    expect(generations.map((g) => [g.gen, g.batchCount])).toEqual([
      [1n, 2],
      [2n, 1],
    ]);
    expect(generations[0]!.bytes).toEqual([...b1, ...b2]);
    expect(generations[0]!.offset).toBe(16);
    expect(generations[1]!.offset).toBe(16 + b1.length + b2.length + 1);
  });

  it('reports a missing end marker as truncation', async () => {
    const data = bytes(header(26), batch({ gen: 1, payload: [1] }), [END_OF_GENERATION], batch({ gen: 2, payload: [1] }));
    const { generations, error } = await frame(data);
    expect(generations).toHaveLength(1);
    expect(error).toBeInstanceOf(TruncatedTraceError);
    expect((error as TruncatedTraceError).reason).toMatch(/incomplete generation/);
    expect((error as TruncatedTraceError).generation).toBe(2n);
  });

  it('rejects interleaved generations', async () => {
    const data = bytes(header(26), batch({ gen: 1, payload: [] }), batch({ gen: 2, payload: [] }), [END_OF_GENERATION]);
    const { error } = await frame(data);
    expect(error).toBeInstanceOf(InvalidOrderingError);
    expect((error as InvalidOrderingError).reason).toMatch(/interleaved/);
  });

  it('rejects generation 0, oversize batches, bad item types and truncated payloads with offsets', async () => {
    const zero = await frame(bytes(header(26), batch({ gen: 0, payload: [] })));
    expect(zero.error).toBeInstanceOf(CorruptBatchError);
    expect((zero.error as CorruptBatchError).offset).toBe(16);

    const huge = await frame(bytes(header(26), [0x01, ...uvarint(1), ...uvarint(1), ...uvarint(1), ...uvarint(65537)]));
    expect((huge.error as CorruptBatchError).reason).toBe('invalid batch size 65537, maximum is 65536');

    const badType = await frame(bytes(header(26), [0x07]));
    expect((badType.error as CorruptBatchError).reason).toBe('expected batch event, got event 7');

    const short = await frame(bytes(header(26), batch({ gen: 1, size: 50, payload: [1, 2, 3] })));
    expect(short.error).toBeInstanceOf(TruncatedTraceError);
    expect((short.error as TruncatedTraceError).reason).toBe('failed to read full batch: read 3 but wanted 50');

    const overflow = await frame(bytes(header(26), [0x01, ...Array(10).fill(0xff), 0x01]));
    expect(overflow.error).toBeInstanceOf(CorruptBatchError);
    expect((overflow.error as CorruptBatchError).reason).toMatch(/overflows/);
  });

  it('refuses a generation larger than maxGenerationBytes before buffering it', async () => {
    const payload = Array(1000).fill(0);
    const data = bytes(header(26), batch({ gen: 1, payload }), batch({ gen: 1, payload }), [END_OF_GENERATION]);
    const { error } = await frame(data, { max: 1500 });
    expect(error).toBeInstanceOf(GenerationTooLargeError);
    expect((error as GenerationTooLargeError).generation).toBe(1n);
  });

  it('ends cleanly right after a marker and yields nothing for a header-only file', async () => {
    expect(await frame(bytes(header(26)))).toEqual({ generations: [], error: null });
  });
});

describe('framing Go 1.22–1.25 traces (spilled batch)', () => {
  it('ends a generation at the first batch of the next one and starts the next with it', async () => {
    const a = batch({ gen: 5, payload: [1] });
    const b = batch({ gen: 5, m: 2, payload: [2] });
    const c = batch({ gen: 6, payload: [3] });
    const d = batch({ gen: 6, m: 2, payload: [4] });
    const { generations, error } = await frame(bytes(header(23), a, b, c, d));
    expect(error).toBeNull();
    expect(generations.map((g) => [g.gen, g.batchCount, g.bytes])).toEqual([
      [5n, 2, [...a, ...b]],
      [6n, 2, [...c, ...d]],
    ]);
    expect(generations[1]!.offset).toBe(16 + a.length + b.length);
  });

  it('delivers the generation read so far before a read error (Go defers it)', async () => {
    const a = batch({ gen: 1, payload: [1] });
    const { generations, error } = await frame(bytes(header(22), a, [0x01, 0x02]));
    expect(generations.map((g) => g.gen)).toEqual([1n]);
    expect(generations[0]!.deferred).toMatch(/unexpected EOF/);
    expect(error).toBeInstanceOf(TruncatedTraceError);
  });

  it('fails fast on generations out of order', async () => {
    const { error } = await frame(bytes(header(25), batch({ gen: 2, payload: [] }), batch({ gen: 4, payload: [] })));
    expect(error).toBeInstanceOf(InvalidOrderingError);
    expect((error as InvalidOrderingError).reason).toBe('generations out of order');
  });

  it('yields one empty generation for a header-only file (Go then reports the missing frequency)', async () => {
    const { generations, error } = await frame(bytes(header(22)));
    expect(error).toBeNull();
    expect(generations).toEqual([{ gen: 0n, batchCount: 0, bytes: [], offset: 16, deferred: null }]);
  });

  it('does not count the spilled batch against the generation size limit', async () => {
    const payload = Array(600).fill(0);
    const data = bytes(header(23), batch({ gen: 1, payload }), batch({ gen: 2, payload }), batch({ gen: 2, payload: [] }));
    const { generations, error } = await frame(data, { max: 700 });
    expect(error).toBeNull();
    expect(generations.map((g) => g.batchCount)).toEqual([1, 2]);
  });
});
