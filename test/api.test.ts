// The public API over every kind of source, cancellation, and the one-pass contract.
import { createReadStream, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { openTrace, TraceAbortedError } from '../src/index.js';
import { readAll } from './support/read-all.js';

const fixtureDir = join(import.meta.dirname, 'fixtures', 'traces');
const fixture = readdirSync(fixtureDir)
  .filter((f) => f.endsWith('.trace'))
  .map((f) => join(fixtureDir, f))
  .sort((a, b) => readFileSync(a).length - readFileSync(b).length)[0]!;

async function* inPieces(data: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.slice(i, i + size);
}

describe('openTrace sources', () => {
  it('gives the same events from a path, a buffer, odd-sized chunks, a Node stream and a web stream', async () => {
    const bytes = readFileSync(fixture);
    const reference = await readAll(fixture);
    expect(reference.error).toBeNull();
    expect(reference.lines.length).toBeGreaterThan(10);
    const others = [
      await readAll(new Uint8Array(bytes)),
      await readAll(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)),
      await readAll(inPieces(bytes, 1)),
      await readAll(inPieces(bytes, 4093)),
      await readAll(createReadStream(fixture, { highWaterMark: 777 })),
      await readAll(Readable.toWeb(createReadStream(fixture)) as ReadableStream<Uint8Array>),
      await readAll(fixture, { chunkBytes: 3, eventsPerBatch: 7 }),
    ];
    for (const other of others) {
      expect(other.error).toBeNull();
      expect(other.lines).toEqual(reference.lines);
    }
  });

  it('reports the version and size, and reads only once', async () => {
    const trace = await openTrace(fixture);
    expect(trace.version).toBe('1.26');
    expect(trace.size).toBe(readFileSync(fixture).length);
    let n = 0;
    for await (const batch of trace.batches()) n += batch.length;
    expect(n).toBeGreaterThan(0);
    await expect(async () => {
      for await (const _ of trace.events()) void _;
    }).rejects.toThrow(/only once/);
  });

  it('stops with TraceAbortedError when the signal fires, and refuses an already-aborted signal', async () => {
    const controller = new AbortController();
    const trace = await openTrace(fixture, { signal: controller.signal, eventsPerBatch: 16 });
    let seen = 0;
    await expect(async () => {
      for await (const _ of trace.events()) {
        if (++seen === 20) controller.abort(new Error('enough'));
      }
    }).rejects.toBeInstanceOf(TraceAbortedError);
    expect(seen).toBeLessThan(40);
    await expect(openTrace(fixture, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(TraceAbortedError);
  });

  it('reports progress per generation', async () => {
    const progress: number[] = [];
    const trace = await openTrace(fixture, { onProgress: (p) => progress.push(p.bytesRead) });
    for await (const _ of trace.batches()) void _;
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toBe(readFileSync(fixture).length);
  });
});
