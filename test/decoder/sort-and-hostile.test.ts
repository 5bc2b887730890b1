// Go's unstable frontier/CPU-sample sort reproduced exactly (compared with slices.SortFunc itself on
// arrays full of ties), and hostile generations: whatever the bytes, the decoder ends in events or a
// TraceFormatError, never a trap, a hang or memory out of proportion to the generation.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { instantiateDecoder } from '../../src/decoder/wasm.js';
import { GenerationDecoder } from '../../src/decoder/index.js';
import { TraceFormatError } from '../../src/errors.js';
import { goAvailable, requireGo } from '../support/go.js';
import { FIXTURE_TRACES_DIR } from '../support/fixtures.js';
import { ByteReader } from '../../src/format/byte-reader.js';
import { GenerationFramer, type RawGeneration } from '../../src/format/framer.js';
import { HEADER_BYTES, parseHeader } from '../../src/format/header.js';
import { openChunkSource } from '../../src/source/chunk-source.js';
import { goTool } from './support.js';
import { mulberry32 } from '../support/random.js';

describe.runIf(goAvailable() || process.env.CI === 'true')('the frontier sort matches Go’s slices.SortFunc', () => {
  it('on random arrays with many equal times, lengths 0–300', () => {
    requireGo();
    const random = mulberry32(7);
    const arrays: bigint[][] = [];
    for (let n = 0; n <= 300; n += n < 40 ? 1 : 7) {
      for (const distinct of [1, 3, n + 1]) {
        const kind = arrays.length % 4;
        const a: bigint[] = [];
        for (let i = 0; i < n; i++) {
          // Random, ascending, descending and nearly sorted inputs hit every pdqsort branch.
          const r = BigInt(Math.floor(random() * distinct));
          a.push(kind === 0 ? r : kind === 1 ? BigInt(i) / BigInt(Math.max(1, Math.floor(n / distinct))) : kind === 2 ? BigInt(n - i) : BigInt(i) + (random() < 0.1 ? r : 0n));
        }
        arrays.push(a);
      }
    }
    const go = goTool(['run', join(import.meta.dirname, 'programs', 'gosort', 'main.go')], arrays.map((a) => a.join(' ')).join('\n') + '\n');
    expect(go.status, go.stderr).toBe(0);
    const expected = go.stdout.split('\n');
    const wasm = instantiateDecoder();
    wasm.init(26, 16);
    arrays.forEach((a, k) => {
      const pointer = wasm.inputBuffer(a.length * 12 + 16);
      new BigInt64Array(wasm.memory.buffer, pointer, a.length).set(a);
      expect(wasm.testGoSort(a.length)).toBe(1);
      const order = new Int32Array(wasm.memory.buffer, pointer + a.length * 8, a.length);
      expect([...order].join(' '), `array ${k} (${a.length} elements)`).toBe(expected[k]);
    });
  });
});

async function generationsOf(path: string): Promise<{ version: 22 | 23 | 25 | 26; generations: Uint8Array[]; raw: RawGeneration[] }> {
  const chunks = await openChunkSource(path);
  const reader = new ByteReader(chunks);
  const header = new Uint8Array(HEADER_BYTES);
  await reader.readInto(header, 0, HEADER_BYTES);
  const version = parseHeader(header);
  const framer = new GenerationFramer(reader, version, 1 << 30);
  const raw: RawGeneration[] = [];
  const generations: Uint8Array[] = [];
  for (let f = await framer.next(); f !== null; f = await framer.next()) {
    const g = f.generation;
    const copy = new Uint8Array(g.byteLength);
    let at = 0;
    for (const part of g.parts) {
      copy.set(part, at);
      at += part.length;
    }
    generations.push(copy);
    raw.push({ ...g, parts: [copy] });
  }
  await chunks.close();
  return { version, generations, raw };
}

/** Loads and drains one generation; returns the error (or null) and the event count. */
function drain(decoder: GenerationDecoder, gen: RawGeneration): { error: unknown; events: number } {
  let events = 0;
  try {
    decoder.load(gen);
    for (let b = decoder.next(); b !== null; b = decoder.next()) {
      events += b.length;
      for (let i = 0; i < b.length; i += 97) b.event(i).toString();
    }
  } catch (error) {
    return { error, events };
  }
  return { error: null, events };
}

describe('hostile generations', () => {
  const tracePath = join(FIXTURE_TRACES_DIR, 'sync-primitives.trace');

  it('flipped bytes, truncations and garbage end in events or a TraceFormatError', async () => {
    const { version, raw } = await generationsOf(tracePath);
    const random = mulberry32(11);
    const decoder = await GenerationDecoder.create(version, { eventsPerBatch: 512 });
    const largest = Math.max(...raw.map((g) => g.byteLength));
    let errors = 0;
    for (let round = 0; round < 300; round++) {
      const base = raw[round % raw.length]!;
      const bytes = new Uint8Array(base.parts[0]!);
      const mode = round % 3;
      let length = bytes.length;
      if (mode === 0) {
        for (let k = 0; k < 1 + Math.floor(random() * 8); k++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      } else if (mode === 1) {
        length = Math.floor(random() * bytes.length);
      } else {
        const from = Math.floor(random() * bytes.length);
        for (let k = from; k < Math.min(bytes.length, from + 64); k++) bytes[k] = Math.floor(random() * 256);
      }
      const gen: RawGeneration = { ...base, parts: [bytes.subarray(0, length)], byteLength: length };
      const { error } = drain(decoder, gen);
      if (error !== null) {
        errors++;
        if (!(error instanceof TraceFormatError)) throw new Error(`round ${round}: ${String(error)}`, { cause: error });
        expect(error.generation).toBe(base.gen);
        expect(error.offset).toBeGreaterThanOrEqual(base.fileOffset);
        expect(error.offset).toBeLessThanOrEqual(base.fileOffset + length);
      }
      // Linear memory stays in proportion to the generation, whatever the bytes claimed.
      expect(decoder.memoryBytes).toBeLessThan(64 * 2 ** 20 + 64 * largest);
    }
    expect(errors).toBeGreaterThan(100);
  });

  it('a generation that is pure noise, or empty, fails cleanly', async () => {
    const decoder = await GenerationDecoder.create(26);
    const random = mulberry32(3);
    for (const size of [0, 1, 2, 17, 1000, 70_000]) {
      const bytes = Uint8Array.from({ length: size }, () => Math.floor(random() * 256));
      const { error } = drain(decoder, { gen: 5n, fileOffset: 100, parts: [bytes], byteLength: size, batchCount: 1 });
      expect(error).toBeInstanceOf(TraceFormatError);
    }
  });

  it('keeps working after a failed generation', async () => {
    const { version, raw } = await generationsOf(tracePath);
    const decoder = await GenerationDecoder.create(version);
    const garbage = Uint8Array.from(readFileSync(tracePath).subarray(0, 40));
    expect(drain(decoder, { gen: 1n, fileOffset: 16, parts: [garbage], byteLength: garbage.length, batchCount: 1 }).error).toBeInstanceOf(TraceFormatError);
    const fresh = await GenerationDecoder.create(version);
    const first = drain(fresh, raw[0]!);
    expect(first.error).toBeNull();
    expect(first.events).toBeGreaterThan(10);
  });
});
