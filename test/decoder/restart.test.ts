// GenerationDecoder.restart(): a pool worker reuses its decoder for every run it is given, so a
// restarted decoder must be indistinguishable from a new one, whatever it decoded before.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GenerationDecoder } from '../../src/decoder/index.js';
import { ByteReader } from '../../src/format/byte-reader.js';
import { GenerationFramer, type RawGeneration } from '../../src/format/framer.js';
import { parseHeader, type SupportedVersion } from '../../src/format/header.js';
import type { EventBatch } from '../../src/model/index.js';
import { openChunkSource } from '../../src/source/chunk-source.js';

const traces = join(import.meta.dirname, '..', 'fixtures', 'traces');

async function generationsOf(name: string): Promise<{ version: SupportedVersion; generations: RawGeneration[] }> {
  const reader = new ByteReader(await openChunkSource(readFileSync(join(traces, name))));
  const head = new Uint8Array(16);
  await reader.readInto(head, 0, 16);
  const version = parseHeader(head);
  const framer = new GenerationFramer(reader, version, 1 << 30);
  const generations: RawGeneration[] = [];
  // The parts alias the framer's buffer until its next call: kept as copies.
  for (let g = await framer.next(); g !== null; g = await framer.next()) generations.push({ ...g.generation, parts: g.generation.parts.map((part) => part.slice()) });
  return { version, generations };
}

/** Every event of the batches as text (all fields, bigints included): what a consumer could see. */
function describeBatch(batch: EventBatch, into: string[]): void {
  for (const event of batch) into.push(JSON.stringify(event, (_key, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value)));
}

/** Decodes generations [from, to) of `generations`, numbering Syncs as if `from` had been read. */
function decode(decoder: GenerationDecoder, generations: RawGeneration[], from: number, to = generations.length): string[] {
  const events: string[] = [];
  decoder.setSyncCount(from);
  for (let k = from; k < to; k++) {
    decoder.load(generations[k]!);
    for (let batch = decoder.next(); batch !== null; batch = decoder.next()) describeBatch(batch, events);
  }
  return events;
}

describe('GenerationDecoder.restart()', () => {
  it('decodes another trace as a new decoder does', async () => {
    const first = await generationsOf('syscall-gens.trace');
    const second = await generationsOf('generations.trace');
    expect(second.version).toBe(first.version);
    const reused = await GenerationDecoder.create(first.version);
    decode(reused, first.generations, 0);
    reused.restart();
    const fresh = await GenerationDecoder.create(second.version);
    const expected = decode(fresh, second.generations, 0);
    expect(expected.length).toBeGreaterThan(100);
    expect(decode(reused, second.generations, 0)).toEqual(expected);
  });

  it('starts mid-trace without the state of the generations it decoded before', async () => {
    const { version, generations } = await generationsOf('generations.trace');
    expect(generations.length).toBeGreaterThan(2);
    const start = generations.length - 1;
    // Decoded after the generation before it, the last generation's goroutines carry their real
    // from-states; decoded alone, they are Undetermined: the two differ, so a restart that kept
    // state would show.
    const continued = await GenerationDecoder.create(version);
    const afterPrevious = decode(continued, generations, 0).length;
    expect(afterPrevious).toBeGreaterThan(0);
    const fresh = await GenerationDecoder.create(version);
    const alone = decode(fresh, generations, start);
    const reused = await GenerationDecoder.create(version);
    decode(reused, generations, 0, start);
    const carried = decode(reused, generations, start);
    expect(carried).not.toEqual(alone);
    reused.restart();
    expect(decode(reused, generations, start)).toEqual(alone);
  });
});
