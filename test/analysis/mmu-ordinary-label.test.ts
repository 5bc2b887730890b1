// A worker label on a goroutine that is not a mark worker (Go 1.26's runtime writes them: see
// docs/analyses.md, "Where Go's MMU is wrong"). A hand-made trace of one P and two generations:
// goroutines 5 and 7 start in main.notAWorker and run with a "GC (dedicated)" label, goroutine 6
// starts in runtime.gcBgMarkWorker and runs labelled too. By default the MMU equals that of the
// same trace without the labels of 5 and 7 (they change nothing), but not without goroutine 6's;
// with goCompatible, theirs count as Go counts them. Checked on the kernel and on the JavaScript
// analyzer, in one pass and as two parts: the second part records, and its replay learns that 5
// is ordinary from the first part's state and that 7 is from the creation it recorded.
import { describe, expect, it } from 'vitest';
import { BatchView } from '../../src/analysis/columns.js';
import { Kind } from '../../src/analysis/events.js';
import { finishMmu, mergeMmu, mmuAnalysis, type MmuOptions, type MmuPartial, type MmuReport } from '../../src/analysis/mmu.js';
import { startPass } from '../../src/analysis/run.js';
import { openTrace } from '../../src/trace.js';
import { textTraceToBytes } from '../support/text-trace.js';

const NO_THREAD = '18446744073709551615';

/** A batch of text events, its size computed (the text format spells it out). */
function batch(gen: number, m: string, time: number, lines: string[]): string {
  const size = textTraceToBytes(['Trace Go1.22', ...lines].join('\n')).length - 16;
  return [`EventBatch gen=${gen} m=${m} time=${time} size=${size}`, ...lines].join('\n');
}

function tables(gen: number, time: number): string[] {
  return [
    batch(gen, NO_THREAD, time, ['Frequency freq=15625000']),
    batch(gen, NO_THREAD, time, ['Stacks', 'Stack id=1 nframes=1', '\tpc=4096 func=3 file=4 line=10', 'Stack id=2 nframes=1', '\tpc=8192 func=5 file=6 line=20']),
    batch(gen, NO_THREAD, time, [
      'Strings',
      'String id=1', '\tdata="chan receive"',
      'String id=2', '\tdata="GC (dedicated)"',
      'String id=3', '\tdata="main.notAWorker"',
      'String id=4', '\tdata="main.go"',
      'String id=5', '\tdata="runtime.gcBgMarkWorker"',
      'String id=6', '\tdata="mgc.go"',
    ]),
  ];
}

/** The trace; `labelOf(g)` says whether goroutine g's starts carry the worker label. */
function trace(labelOf: (g: number) => boolean): Uint8Array {
  const run = (g: number, seq: number, unblockSeq?: number): string[] => [
    ...(unblockSeq === undefined ? [] : [`GoUnblock dt=10 g=${g} g_seq=${unblockSeq} stack=0`]),
    `GoStart dt=10 g=${g} g_seq=${seq}`,
    // Without the label its tick goes to the block, so every other event keeps its time.
    ...(labelOf(g) ? ['GoLabel dt=1 label_string=2', 'GoBlock dt=1000 reason_string=1 stack=0'] : ['GoBlock dt=1001 reason_string=1 stack=0']),
  ];
  // Goroutine 1 sets GOMAXPROCS, creates 5 and 6, and blocks for good.
  const gen1 = batch(1, '0', 100, [
    'ProcStatus dt=1 p=0 pstatus=1',
    'GoStatus dt=1 g=1 m=0 gstatus=2',
    'ProcsChange dt=1 procs_value=1 stack=0',
    'GoCreate dt=1 new_g=5 new_stack=1 stack=0',
    'GoCreate dt=1 new_g=6 new_stack=2 stack=0',
    'GoBlock dt=1 reason_string=1 stack=0',
    ...run(5, 1),
    ...run(5, 3, 2),
    ...run(6, 1),
    ...run(5, 5, 4),
  ]);
  const gen2 = batch(2, '0', 20000, [
    'ProcStatus dt=1 p=0 pstatus=1',
    `GoStatus dt=1 g=5 m=${NO_THREAD} gstatus=4`,
    `GoStatus dt=1 g=6 m=${NO_THREAD} gstatus=4`,
    // Goroutine 5 creates 7, another ordinary one, which runs labelled in this generation: a part
    // that begins here records its creation.
    'GoUnblock dt=10 g=5 g_seq=1 stack=0',
    'GoStart dt=10 g=5 g_seq=2',
    'GoCreate dt=1 new_g=7 new_stack=1 stack=0',
    'GoBlock dt=1000 reason_string=1 stack=0',
    ...run(7, 1),
    ...run(6, 2, 1),
    ...run(5, 4, 3),
    ...run(5, 6, 5),
  ]);
  return textTraceToBytes(['Trace Go1.22', ...tables(1, 100), gen1, ...tables(2, 20000), gen2].join('\n'));
}

const WINDOWS = [1_000, 10_000, 50_000, 100_000, 200_000];

/** The MMU of `bytes` on the kernel or in JavaScript, in one pass or as two parts (one per generation). */
async function mmuOf(bytes: Uint8Array, options: MmuOptions, kernels: boolean, parts: boolean): Promise<MmuReport> {
  const definitions = { mmu: { definition: mmuAnalysis, options } };
  const first = startPass(definitions, true, { kernels });
  let second: ReturnType<typeof startPass> | undefined;
  const view = new BatchView();
  let syncs = 0;
  for await (const batch of (await openTrace(bytes)).batches()) {
    // The decoder hands out each generation in batches of its own (the first row of the first is its Sync).
    if (batch.length > 0 && batch.kind[0] === Kind.Sync) syncs++;
    if (parts && syncs === 2 && second === undefined) second = startPass(definitions, false, { kernels });
    (second ?? first).consume(view.bind(batch));
  }
  let partial = first.partials()['mmu'] as MmuPartial;
  if (parts) {
    const later = second!.partials()['mmu'] as MmuPartial;
    expect(later.deferred, 'the second part records').not.toBeNull();
    partial = mergeMmu(structuredClone(partial), later, { kernels });
  }
  return finishMmu(partial);
}

describe('MMU and a worker label on a goroutine that is not a mark worker', () => {
  const everyLabel = trace(() => true);
  const withoutOrdinary = trace((g) => g !== 5 && g !== 7);
  const withoutWorker = trace((g) => g !== 6);

  it.each([
    ['kernel, one pass', true, false],
    ['JavaScript, one pass', false, false],
    ['kernel, two parts', true, true],
    ['JavaScript, two parts', false, true],
  ])('%s', async (_name, kernels, parts) => {
    const options = { windows: WINDOWS };
    const labelled = await mmuOf(everyLabel, options, kernels, parts);
    // Goroutine 5's labels change nothing...
    expect(labelled).toEqual(await mmuOf(withoutOrdinary, options, kernels, parts));
    // ...goroutine 6's do (it is a mark worker: its runs are GC time)...
    expect(labelled.meanUtil).toBeLessThan(1);
    expect(labelled.curve).not.toEqual((await mmuOf(withoutWorker, options, kernels, parts)).curve);
    // ...and Go counts goroutine 5's.
    const go = await mmuOf(everyLabel, { ...options, goCompatible: true }, kernels, parts);
    expect(go.meanUtil).toBeLessThan(labelled.meanUtil);
    expect(go).not.toEqual(await mmuOf(withoutOrdinary, { ...options, goCompatible: true }, kernels, parts));
  });
});
