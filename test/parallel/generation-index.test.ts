import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidOrderingError, TruncatedTraceError } from '../../src/errors.js';
import { ByteReader } from '../../src/format/byte-reader.js';
import { GenerationFramer } from '../../src/format/framer.js';
import { parseHeader } from '../../src/format/header.js';
import { indexGenerations } from '../../src/parallel/generation-index.js';
import { openChunkSource } from '../../src/source/chunk-source.js';
import { batch, bytes, END_OF_GENERATION, header, uvarint } from '../support/wire.js';

const dir = mkdtempSync(join(tmpdir(), 'schedscope-index-'));
let counter = 0;
function file(data: Uint8Array): string {
  const path = join(dir, `t${counter++}.trace`);
  writeFileSync(path, data);
  return path;
}

const syncPayload = (freq: number) => [0x32, 0x08, ...uvarint(freq), 0x33, 1, 2, 3, 4];

describe('generation index', () => {
  it('finds 1.26 generations, their batches, ticks and frequency from headers alone', async () => {
    const g1 = [batch({ gen: 7, time: 100, payload: syncPayload(15_625_000), paddedSize: true }), batch({ gen: 7, time: 90, payload: [0x0b, 1] })];
    const g2 = [batch({ gen: 8, time: 300, payload: syncPayload(15_625_000) })];
    const path = file(bytes(header(26), ...g1, [END_OF_GENERATION], ...g2, [END_OF_GENERATION]));
    const index = await indexGenerations(path);
    expect(index.formatVersion).toBe(26);
    expect(index.generations.map((g) => [g.gen, g.offset, g.byteLength, g.batchCount, g.minTicks, g.maxTicks, g.ticksPerSecond])).toEqual([
      [7n, 16, g1[0]!.length + g1[1]!.length + 1, 2, 90n, 100n, 15_625_000n],
      [8n, 16 + g1[0]!.length + g1[1]!.length + 1, g2[0]!.length + 1, 1, 300n, 300n, 15_625_000n],
    ]);
    expect(index.generations[0]!.startNs).toBe(90 * 64);
  });

  it('splits pre-1.26 generations at the next generation number and reads the lone frequency batch', async () => {
    const path = file(bytes(header(22), batch({ gen: 1, payload: [0x08, ...uvarint(1e9)] }), batch({ gen: 2, payload: [1] }), batch({ gen: 2, payload: [1] })));
    const index = await indexGenerations(path);
    expect(index.generations.map((g) => [g.gen, g.batchCount, g.ticksPerSecond])).toEqual([
      [1n, 1, 1_000_000_000n],
      [2n, 2, 0n],
    ]);
  });

  it('reports truncation and interleaving with offsets', async () => {
    const truncated = file(bytes(header(26), batch({ gen: 1, payload: [1] })));
    await expect(indexGenerations(truncated)).rejects.toBeInstanceOf(TruncatedTraceError);
    const cut = file(bytes(header(26), batch({ gen: 1, size: 40, payload: [1] })));
    await expect(indexGenerations(cut)).rejects.toMatchObject({ offset: 16 });
    const interleaved = file(bytes(header(26), batch({ gen: 1, payload: [] }), batch({ gen: 2, payload: [] })));
    await expect(indexGenerations(interleaved)).rejects.toBeInstanceOf(InvalidOrderingError);
  });

  it('agrees with the framer on every committed real trace', async () => {
    const fixtureDir = join(import.meta.dirname, '..', 'fixtures', 'traces');
    const traces = readdirSync(fixtureDir).filter((f) => f.endsWith('.trace'));
    expect(traces.length).toBeGreaterThan(0);
    for (const name of traces) {
      const path = join(fixtureDir, name);
      const index = await indexGenerations(path);
      const reader = new ByteReader(await openChunkSource(readFileSync(path)));
      const head = new Uint8Array(16);
      await reader.readInto(head, 0, 16);
      const framer = new GenerationFramer(reader, parseHeader(head), 1 << 30);
      const framed: Array<[bigint, number, number]> = [];
      for (let g = await framer.next(); g !== null; g = await framer.next()) {
        framed.push([g.generation.gen, g.generation.fileOffset, g.generation.batchCount]);
      }
      expect(index.generations.map((g) => [g.gen, g.offset, g.batchCount]), name).toEqual(framed);
      expect(index.generations.every((g) => g.ticksPerSecond > 0n), name).toBe(true);
    }
  });
});
