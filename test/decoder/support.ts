// Drives the decoder on its own, the way the reader does (load → next… → bareSync at the end; on a
// framing or load error, bareSync then throw), and builds small generations by hand.
import { spawnSync } from 'node:child_process';
import { GenerationDecoder, type TraceVersion } from '../../src/decoder/index.js';
import { ByteReader } from '../../src/format/byte-reader.js';
import { GenerationFramer, type RawGeneration } from '../../src/format/framer.js';
import { HEADER_BYTES, parseHeader } from '../../src/format/header.js';
import type { EventBatch } from '../../src/model/index.js';
import { openChunkSource } from '../../src/source/chunk-source.js';
import { batch, uvarint } from '../support/wire.js';

export interface DecodeOutcome {
  /** Every event's String(), in order. */
  lines: string[];
  error: unknown;
  batches: number;
}

/** Decodes a whole trace file or buffer through the framer and one GenerationDecoder. */
export async function decodeTrace(
  source: string | Uint8Array,
  options: { eventsPerBatch?: number; onBatch?: (batch: EventBatch) => void } = {},
): Promise<DecodeOutcome> {
  const lines: string[] = [];
  let batches = 0;
  const take = (b: EventBatch) => {
    batches++;
    options.onBatch?.(b);
    for (let i = 0; i < b.length; i++) lines.push(b.event(i).toString());
  };
  const chunks = await openChunkSource(source);
  try {
    const reader = new ByteReader(chunks);
    const header = new Uint8Array(HEADER_BYTES);
    await reader.readInto(header, 0, HEADER_BYTES);
    const version = parseHeader(header);
    const framer = new GenerationFramer(reader, version, 1 << 30);
    const decoder = await GenerationDecoder.create(version, options.eventsPerBatch === undefined ? {} : { eventsPerBatch: options.eventsPerBatch });
    for (;;) {
      let framed;
      try {
        framed = await framer.next();
      } catch (error) {
        take(decoder.bareSync());
        return { lines, error, batches };
      }
      if (framed === null) {
        take(decoder.bareSync());
        return { lines, error: null, batches };
      }
      try {
        decoder.load(framed.generation);
      } catch (error) {
        // Go emits a Sync for what was read so far before reporting a generation it cannot read.
        take(decoder.bareSync());
        return { lines, error, batches };
      }
      try {
        for (let b = decoder.next(); b !== null; b = decoder.next()) take(b);
      } catch (error) {
        return { lines, error, batches };
      }
      if (framed.deferredError !== null) {
        take(decoder.bareSync());
        return { lines, error: framed.deferredError, batches };
      }
    }
  } finally {
    await chunks.close();
  }
}

/** Loads one hand-built generation and returns its events' strings, or the error. */
export async function decodeGeneration(
  version: TraceVersion,
  items: number[][],
  options: { fileOffset?: number; gen?: bigint; eventsPerBatch?: number } = {},
): Promise<DecodeOutcome & { decoder: GenerationDecoder }> {
  const decoder = await GenerationDecoder.create(version, options.eventsPerBatch === undefined ? {} : { eventsPerBatch: options.eventsPerBatch });
  const bytes = Uint8Array.from(items.flat());
  const raw: RawGeneration = {
    gen: options.gen ?? 1n,
    fileOffset: options.fileOffset ?? 16,
    parts: [bytes],
    byteLength: bytes.length,
    batchCount: items.length,
  };
  const lines: string[] = [];
  let batches = 0;
  try {
    decoder.load(raw);
    for (let b = decoder.next(); b !== null; b = decoder.next()) {
      batches++;
      for (let i = 0; i < b.length; i++) lines.push(b.event(i).toString());
    }
  } catch (error) {
    return { lines, error, batches, decoder };
  }
  return { lines, error: null, batches, decoder };
}

// ---- Hand-built generations ----

export const FREQ_64NS = 15_625_000; // the usual trace clock: nanotime / 64

/** A regular event: type, dt, args (each a uvarint, optionally padded to 10 bytes). */
export function ev(type: number, dt: number | bigint, ...args: Array<number | bigint>): number[] {
  return [type, ...uvarint(dt), ...args.flatMap((a) => uvarint(a))];
}

export function strings(entries: Array<[number, string]>): number[] {
  const out = [0x04];
  for (const [id, text] of entries) {
    const b = [...new TextEncoder().encode(text)];
    out.push(0x05, ...uvarint(id), ...uvarint(b.length), ...b);
  }
  return out;
}

export function stacks(entries: Array<[number, Array<[number, number, number, number]>]>): number[] {
  const out = [0x02];
  for (const [id, frames] of entries) {
    out.push(0x03, ...uvarint(id), ...uvarint(frames.length));
    for (const f of frames) out.push(...f.flatMap((v) => uvarint(v)));
  }
  return out;
}

/** 1.25+ sync batch payload: frequency and clock snapshot. */
export function syncPayload(freq: number, snapshot: { dt: number; mono: number; sec: number; nsec: number }): number[] {
  return [0x32, 0x08, ...uvarint(freq), 0x33, ...uvarint(snapshot.dt), ...uvarint(snapshot.mono), ...uvarint(snapshot.sec), ...uvarint(snapshot.nsec)];
}

export function freqPayload(freq: number): number[] {
  return [0x08, ...uvarint(freq)];
}

export const NO_THREAD = 0xffffffffffffffffn;

export { batch, uvarint };

// ---- Go ----

export function goTool(args: string[], input?: string): { stdout: string; stderr: string; status: number } {
  const result = spawnSync('go', args, { encoding: 'utf8', input, maxBuffer: 1 << 30 });
  if (result.error) throw result.error;
  return { stdout: result.stdout, stderr: result.stderr, status: result.status ?? -1 };
}
