// Hand-built generations: varints (padded to 10 bytes), tables, timestamp conversion, the fallback
// path of the ordering, CPU samples, and the errors of broken tables and events. Where Go is at hand
// each case is also written as a trace file and read by `go tool trace -d=parsed`, and the decoder
// must print the same events and, for a broken input, give Go's reason.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CorruptBatchError, CorruptTableError, InvalidOrderingError, TraceFormatError } from '../../src/errors.js';
import { goAvailable, requireGo } from '../support/go.js';
import { header, END_OF_GENERATION } from '../support/wire.js';
import { NO_THREAD, batch, decodeGeneration, decodeTrace, ev, freqPayload, goTool, stacks, strings, syncPayload, uvarint } from './support.js';

// Wire types used below.
const ProcStatus = 13, GoStatus = 25, GoBlock = 20, GoUnblock = 21, GoStart = 16, GoStop = 19, HeapAlloc = 37,
  GoSyscallBegin = 22, GoSyscallEnd = 23, ProcsChange = 9, GoCreate = 14, GoDestroy = 17;
const RUNNING = 2, PROC_RUNNING = 1;

const dir = mkdtempSync(join(tmpdir(), 'schedscope-decoder-gen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileCounter = 0;

/** Go's reader on the same bytes: its stdout (events) and error text (stderr). */
function goParsed(bytes: Uint8Array): { stdout: string; error: string | null } {
  const path = join(dir, `case-${fileCounter++}.trace`);
  writeFileSync(path, bytes);
  const result = goTool(['tool', 'trace', '-d=parsed', path]);
  return { stdout: result.stdout, error: result.status === 0 ? null : result.stderr.trim() };
}

function traceFile(version: 25 | 26, ...generations: number[][][]): Uint8Array {
  const parts: number[] = [...header(version)];
  for (const items of generations) {
    for (const item of items) parts.push(...item);
    if (version >= 26) parts.push(END_OF_GENERATION);
  }
  return Uint8Array.from(parts);
}

const withGo = goAvailable() || process.env.CI === 'true';

/** Decodes with schedscope and, with Go available, checks against Go's reader. */
async function agreeWithGo(bytes: Uint8Array): Promise<{ lines: string[]; error: unknown }> {
  const ours = await decodeTrace(bytes);
  if (withGo) {
    requireGo();
    const go = goParsed(bytes);
    expect(ours.lines.map((l) => `${l}\n`).join('')).toBe(go.stdout);
    if (go.error === null) expect(ours.error).toBeNull();
    else {
      expect(ours.error).toBeInstanceOf(TraceFormatError);
      expect((ours.error as TraceFormatError).reason.trimEnd()).toBe(go.error);
    }
  }
  return ours;
}

const syncBatch = (time: number, freq = 15_625_000) =>
  batch({ gen: 1, m: NO_THREAD, time, payload: syncPayload(freq, { dt: 2, mono: 123456789, sec: 1_700_000_000, nsec: 5 }), paddedSize: true });
const tables = () => [
  batch({ gen: 1, m: NO_THREAD, time: 50, payload: strings([[1, 'chan receive'], [2, 'preempted'], [3, 'main.f'], [4, '/src/x.go'], [5, 'main.g']]) }),
  batch({ gen: 1, m: NO_THREAD, time: 50, payload: stacks([[1, [[0x1000, 3, 4, 10], [0x2000, 5, 4, 20]]], [2, [[0x2000, 5, 4, 20]]]]) }),
];

describe('a generation with padded varints, odd clock frequency and cross-thread waits', () => {
  // 7 MHz: 142.857… ns per tick, so per-delta truncation and per-batch rebasing both show.
  const freq = 7_000_000;
  const pad = (v: number | bigint) => uvarint(v, 10);
  const m1a = [
    ProcStatus, ...pad(0), ...pad(0), ...pad(PROC_RUNNING),
    ...ev(GoStatus, 3, 1, NO_THREAD, RUNNING),
    ...ev(HeapAlloc, 1, 0x8000_0000_0000_0005n),
    ...ev(GoBlock, 2, 1, 1),
  ];
  const m2 = [
    ...ev(ProcStatus, 0, 1, PROC_RUNNING),
    ...ev(GoStatus, 1, 2, NO_THREAD, RUNNING),
    // Needs G1 waiting: M1's GoBlock (later in time) must come first.
    ...ev(GoUnblock, 1, 1, 1, 2),
    ...ev(GoStop, 1, 2, 0),
  ];
  // An earlier header time than M1's events so far: times go backwards and get bumped by the reader.
  const m1b = [...ev(GoStart, 1, 2, 1), ...ev(GoSyscallBegin, 1, 1, 2), ...ev(GoSyscallEnd, 1), ...ev(ProcsChange, 1, 4, 0)];
  const cpu = [0x06, 0x07, ...uvarint(1040), ...uvarint(1), ...uvarint(0), ...uvarint(1), ...uvarint(1), 0x07, ...uvarint(1000), ...uvarint(2), ...uvarint(NO_THREAD), ...uvarint(0), ...uvarint(2)];
  const items = [
    syncBatch(990, freq),
    ...tables(),
    batch({ gen: 1, m: 1, time: 1003, payload: m1a, paddedSize: true }),
    batch({ gen: 1, m: 2, time: 1001, payload: m2 }),
    batch({ gen: 1, m: 1, time: 1002, payload: m1b }),
    batch({ gen: 1, m: NO_THREAD, time: 60, payload: cpu }),
  ];

  it('decodes and orders like Go', async () => {
    const { lines, error } = await agreeWithGo(traceFile(26, items));
    expect(error).toBeNull();
    expect(lines.length).toBe(16);
    // Strictly increasing times, Sync first and last.
    const times = lines.map((l) => BigInt(/Time=(-?\d+)/.exec(l)![1]!));
    for (let i = 1; i < times.length; i++) expect(times[i]! > times[i - 1]!).toBe(true);
    expect(lines[0]).toMatch(/^M=-1 P=-1 G=-1 Sync Time=\d+ N=1 Trace=\d+ Mono=123456789 Wall=/);
    expect(lines.at(-1)).toMatch(/Sync Time=\d+ N=2$/);
    // Sync time = earliest batch header (the tables' 50 ticks) at 142.857… ns per tick.
    expect(lines[0]).toContain(`Time=${Math.trunc(50 * (1 / (freq / 1e9)))} `);
    expect(lines.join('\n')).toContain('Name="/memory/classes/heap/objects:bytes" Value=Value{Uint64(9223372036854775813)}');
  });

  it('gives the same events in batches of one', async () => {
    const all = await decodeTrace(traceFile(26, items));
    const ones = await decodeTrace(traceFile(26, items), { eventsPerBatch: 1 });
    expect(ones.lines).toEqual(all.lines);
  });

  it('resolves stacks, strings and the clock snapshot through the batch', async () => {
    const { decoder } = await decodeGeneration(26, items);
    expect(decoder.stack(1).frames).toEqual([
      { pc: 0x1000n, func: 'main.f', file: '/src/x.go', line: 10 },
      { pc: 0x2000n, func: 'main.g', file: '/src/x.go', line: 20 },
    ]);
    expect(decoder.string(1n)).toBe('chan receive');
    expect(decoder.stringAt(2)).toBe('preempted');
    expect(decoder.string(0n)).toBe('');
    expect(decoder.syncDetails().clockSnapshot).toEqual({
      trace: BigInt(Math.trunc(992 * (1 / (freq / 1e9)))),
      mono: 123456789n,
      wallSeconds: 1_700_000_000n,
      wallNanoseconds: 5n,
    });
  });
});

describe('1.25 generations without a marker, and a lone frequency batch before 1.25', () => {
  it('reads two 1.25 generations with a goroutine carried across', async () => {
    const gen = (g: number, t: number, first: boolean) => [
      batch({ gen: g, m: NO_THREAD, time: t, payload: syncPayload(15_625_000, { dt: 1, mono: 1, sec: 2, nsec: 3 }) }),
      batch({
        gen: g,
        m: 1,
        time: t + 1,
        payload: [
          ...ev(ProcStatus, 1, 0, PROC_RUNNING),
          ...ev(GoStatus, 1, 1, NO_THREAD, RUNNING),
          ...(first ? ev(GoCreate, 1, 7, 0, 0) : ev(GoStart, 1, 7, 1)),
          ...(first ? [] : ev(GoDestroy, 1)),
        ],
      }),
      ...(first ? [] : [batch({ gen: g, m: 2, time: t + 1, payload: [...ev(ProcStatus, 1, 1, PROC_RUNNING), ...ev(GoStatus, 1, 7, NO_THREAD, 1)] })]),
    ];
    const bytes = Uint8Array.from([...header(25), ...gen(1, 100, true).flat(), ...gen(2, 200, false).flat()]);
    const { error } = await agreeWithGo(bytes);
    expect(error).toBeInstanceOf(InvalidOrderingError);
  });

  it('1.23: a frequency batch anywhere in the generation', async () => {
    const bytes = Uint8Array.from([
      ...header(23),
      ...batch({ gen: 1, m: 1, time: 10, payload: [...ev(ProcStatus, 1, 0, PROC_RUNNING), ...ev(GoStatus, 1, 1, NO_THREAD, RUNNING), ...ev(GoBlock, 1, 0, 0)] }),
      ...batch({ gen: 1, m: NO_THREAD, time: 5, payload: freqPayload(15_625_000) }),
    ]);
    const ours = await decodeTrace(bytes);
    expect(ours.error).toBeNull();
    if (withGo) {
      requireGo();
      const go = goParsed(bytes);
      expect(go.error).toBeNull();
      expect(ours.lines.map((l) => `${l}\n`).join('')).toBe(go.stdout);
    }
  });
});

describe('broken tables and events give Go’s reason, the batch offset and the generation', () => {
  const okEvents = () => batch({ gen: 1, m: 1, time: 1002, payload: [...ev(ProcStatus, 1, 0, PROC_RUNNING), ...ev(GoStatus, 1, 1, NO_THREAD, RUNNING)] });
  const cases: Array<[string, () => number[][], new (...args: never[]) => TraceFormatError]> = [
    ['duplicate string id', () => [syncBatch(990), batch({ gen: 1, m: NO_THREAD, time: 5, payload: strings([[1, 'a'], [1, 'b']]) }), okEvents()], CorruptTableError],
    ['string id 0', () => [syncBatch(990), batch({ gen: 1, m: NO_THREAD, time: 5, payload: strings([[0, 'a']]) }), okEvents()], CorruptTableError],
    ['string longer than 1024 bytes', () => [syncBatch(990), batch({ gen: 1, m: NO_THREAD, time: 5, payload: strings([[1, 'x'.repeat(1025)]]) }), okEvents()], CorruptTableError],
    ['truncated string', () => [syncBatch(990), batch({ gen: 1, m: NO_THREAD, time: 5, payload: [0x04, 0x05, 1, 10, 65, 66] }), okEvents()], CorruptTableError],
    ['stack with 129 frames', () => [syncBatch(990), batch({ gen: 1, m: NO_THREAD, time: 5, payload: [0x02, 0x03, 1, ...uvarint(129)] }), okEvents()], CorruptTableError],
    ['duplicate stack id', () => [syncBatch(990), ...tables(), batch({ gen: 1, m: NO_THREAD, time: 5, payload: stacks([[1, [[0x3000, 3, 4, 1]]]]) }), okEvents()], CorruptTableError],
    ['stack frame naming a missing string', () => [syncBatch(990), batch({ gen: 1, m: NO_THREAD, time: 5, payload: stacks([[1, [[0x1000, 9, 0, 1]]]]) }), okEvents()], CorruptTableError],
    ['no clock snapshot (1.25+)', () => [batch({ gen: 1, m: NO_THREAD, time: 5, payload: [0x32, 0x08, ...uvarint(1000)] }), okEvents()], CorruptTableError],
    ['two frequencies', () => [batch({ gen: 1, m: NO_THREAD, time: 5, payload: [0x32, 0x08, 1, 0x08, 1] }), okEvents()], CorruptTableError],
    ['unknown event type in a batch', () => [syncBatch(990), batch({ gen: 1, m: 1, time: 5, payload: [60, 1] })], CorruptBatchError],
    ['untimed event type in a batch', () => [syncBatch(990), batch({ gen: 1, m: 1, time: 5, payload: [0x03, 1, 1] })], CorruptBatchError],
    ['varint whose 10th byte is 2', () => [syncBatch(990), batch({ gen: 1, m: 1, time: 5, payload: [ProcStatus, 1, ...[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02], 1] })], CorruptBatchError],
    ['truncated event', () => [syncBatch(990), batch({ gen: 1, m: 1, time: 5, payload: [ProcStatus, 1, 0] })], CorruptBatchError],
    ['stack id that does not exist', () => [syncBatch(990), ...tables(), batch({ gen: 1, m: 1, time: 1002, payload: [...ev(ProcStatus, 1, 0, PROC_RUNNING), ...ev(GoStatus, 1, 1, NO_THREAD, RUNNING), ...ev(GoBlock, 1, 1, 99)] })], InvalidOrderingError],
    ['string id that does not exist', () => [syncBatch(990), ...tables(), batch({ gen: 1, m: 1, time: 1002, payload: [...ev(ProcStatus, 1, 0, PROC_RUNNING), ...ev(GoStatus, 1, 1, NO_THREAD, RUNNING), ...ev(GoBlock, 1, 42, 0)] })], InvalidOrderingError],
    ['inconsistent proc status', () => [syncBatch(990), batch({ gen: 1, m: 1, time: 1002, payload: [...ev(ProcStatus, 1, 0, PROC_RUNNING), ...ev(ProcStatus, 1, 0, 4)] })], InvalidOrderingError],
    ['clock snapshot inside a regular batch', () => [syncBatch(990), batch({ gen: 1, m: 1, time: 1002, payload: ev(51, 1, 1, 1, 1) })], InvalidOrderingError],
  ];

  it.each(cases)('%s', async (_name, items, errorType) => {
    const built = items();
    const bytes = traceFile(26, built);
    const ours = await agreeWithGo(bytes);
    expect(ours.error).toBeInstanceOf(errorType);
    const error = ours.error as TraceFormatError;
    expect(error.generation).toBe(1n);
    // The offset points at an item of the generation: inside the file, at or after the first batch.
    expect(error.offset).toBeGreaterThanOrEqual(16);
    expect(error.offset).toBeLessThan(bytes.length);
    expect([0x01, 0x31]).toContain(bytes[error.offset]);
  });
});
