// Hostile input: whatever the bytes, reading ends with the events of the intact generations and
// either the end of the stream or a TraceFormatError that says where and why. Never a crash
// (a WASM trap, a RangeError), never a hang, never an allocation sized by a number from the file.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TraceFormatError, NotATraceError, UnsupportedVersionError } from '../src/errors.js';
import { readAll, type ReadOutcome } from './support/read-all.js';
import { batch, bytes, header, uvarint, END_OF_GENERATION } from './support/wire.js';
import { mulberry32 } from './support/random.js';

const fixtureDir = join(import.meta.dirname, 'fixtures', 'traces');

function smallestFixtures(count: number): string[] {
  const traces = readdirSync(fixtureDir)
    .filter((f) => f.endsWith('.trace'))
    .map((f) => join(fixtureDir, f))
    .sort((a, b) => readFileSync(a).length - readFileSync(b).length);
  return traces.slice(0, count);
}

function expectCleanOutcome(outcome: ReadOutcome, inputLength: number, what: string): void {
  if (outcome.error === null) return;
  if (!(outcome.error instanceof TraceFormatError)) {
    throw new Error(`${what}: expected a TraceFormatError, got ${String(outcome.error)}`, { cause: outcome.error });
  }
  const error = outcome.error;
  expect(Number.isInteger(error.offset), `${what}: offset`).toBe(true);
  expect(error.offset, `${what}: offset within input`).toBeGreaterThanOrEqual(0);
  expect(error.offset, `${what}: offset within input`).toBeLessThanOrEqual(inputLength);
  expect(error.reason.length, `${what}: reason`).toBeGreaterThan(0);
}

/** Sync lines start a generation; events up to the last Sync before the error belong to intact generations. */
function linesBeforeLastSync(lines: string[]): number {
  for (let i = lines.length - 1; i >= 0; i--) if (/^M=-1 P=-1 G=-1 Sync /.test(lines[i]!)) return i;
  return 0;
}

describe('bad input', () => {
  it('rejects an empty input and a non-trace file with NotATraceError at offset 0', async () => {
    for (const input of [new Uint8Array(0), readFileSync(join(import.meta.dirname, '..', 'package.json'))]) {
      const { error } = await readAll(input);
      expect(error).toBeInstanceOf(NotATraceError);
      expect((error as NotATraceError).offset).toBe(0);
    }
  });

  it('rejects a legacy or unknown header with UnsupportedVersionError', async () => {
    for (const minor of [11, 21, 24, 99]) {
      const { error } = await readAll(bytes(header(minor)));
      expect(error).toBeInstanceOf(UnsupportedVersionError);
    }
  });

  it('refuses absurd lengths in tables without allocating them', async () => {
    // A strings batch announcing a 2^40-byte string, and a stack with 2^32 frames.
    const strings = [0x04, 0x05, ...uvarint(1), ...uvarint(2n ** 40n), 0x41];
    const stacks = [0x02, 0x03, ...uvarint(1), ...uvarint(2n ** 32n), 1, 2, 3, 4];
    for (const payload of [strings, stacks]) {
      for (const minor of [22, 26]) {
        const input = bytes(header(minor), batch({ gen: 1, m: 2n ** 64n - 1n, payload }), minor >= 26 ? [END_OF_GENERATION] : []);
        const outcome = await readAll(input);
        expect(outcome.error).toBeInstanceOf(TraceFormatError);
        expectCleanOutcome(outcome, input.length, `payload ${payload.slice(0, 2)}`);
      }
    }
  });

  it('survives truncation at many offsets, keeping the intact generations', async () => {
    for (const path of smallestFixtures(2)) {
      const full = readFileSync(path);
      const reference = await readAll(full);
      expect(reference.error, `${path} must read cleanly`).toBeNull();
      const offsets = new Set<number>();
      for (let i = 0; i <= 60; i++) offsets.add(Math.floor((full.length * i) / 61));
      for (let cut = 0; cut < 40; cut++) offsets.add(16 + cut);
      for (const end of offsets) {
        const outcome = await readAll(full.subarray(0, end));
        expectCleanOutcome(outcome, end, `${path} cut at ${end}`);
        // What was delivered is a prefix of the full stream, up to the last generation boundary.
        const intact = linesBeforeLastSync(outcome.lines);
        expect(outcome.lines.slice(0, intact)).toEqual(reference.lines.slice(0, intact));
      }
    }
  });

  it('survives flipped bytes and random garbage without crashing', async () => {
    const random = mulberry32(20261122);
    for (const path of smallestFixtures(2)) {
      const full = readFileSync(path);
      for (let trial = 0; trial < 150; trial++) {
        const damaged = Uint8Array.from(full);
        const flips = 1 + Math.floor(random() * 4);
        for (let f = 0; f < flips; f++) {
          const at = 16 + Math.floor(random() * (damaged.length - 16));
          damaged[at] = damaged[at]! ^ (1 << Math.floor(random() * 8));
        }
        expectCleanOutcome(await readAll(damaged), damaged.length, `${path} trial ${trial}`);
      }
      for (let trial = 0; trial < 30; trial++) {
        const garbage = Uint8Array.from(full.subarray(0, 16 + Math.floor(random() * 4096)));
        for (let i = 16; i < garbage.length; i++) garbage[i] = Math.floor(random() * 256);
        expectCleanOutcome(await readAll(garbage), garbage.length, `${path} garbage ${trial}`);
      }
    }
  });
});
