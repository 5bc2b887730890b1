// The second input: GODEBUG=schedtrace/scheddetail/gctrace text feeds the same rules. These are the
// parser on known lines and the run-queue imbalance boundary. The before/after checks on the
// programs' real logs are in recorded-logs.test.ts (and, live, in before-after.test.ts).
import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, diagnoseLog, parseGodebugLog } from '../../src/analysis/diagnose/index.js';

describe('GODEBUG log parser', () => {
  const LOG = [
    'SCHED 0ms: gomaxprocs=8 idleprocs=0 threads=12 spinningthreads=2 needspinning=0 idlethreads=1 runqueue=3 [ 120 110 5 5 5 5 5 5 ] schedticks=[ 1 2 3 4 5 6 7 8 ]',
    'gc 1 @0.100s 3%: 0.5+30+0.25 ms clock, 1.0+4.0/20/1.0+0.5 ms cpu, 40->44->20 MB, 42 MB goal, 0 MB stacks, 0 MB globals, 8 P',
    'SCHED 10ms: gomaxprocs=8 idleprocs=0 threads=14 spinningthreads=0 needspinning=0 idlethreads=1 runqueue=0 gcwaiting=false nmidlelocked=0 stopwait=0 sysmonwait=false',
    '  P0: status=1 schedtick=10 syscalltick=0 m=0 runqsize=100 gfreecnt=0 timerslen=0',
    '  P1: status=1 schedtick=10 syscalltick=0 m=1 runqsize=1 gfreecnt=0 timerslen=0',
    '  M1: p=1 curg=5 mallocing=0 throwing=0 preemptoff= locks=0 dying=0 spinning=false blocked=false lockedg=5',
    '  M0: p=0 curg=1 mallocing=0 throwing=0 preemptoff= locks=0 dying=0 spinning=false blocked=false lockedg=nil',
    '  G1: status=2(chan receive) m=0 lockedm=nil',
    '  G7: status=3() m=nil lockedm=nil',
    '  G5: status=2() m=1 lockedm=1',
    'gc 2 @0.200s 4%: 0.1+10+0.75 ms clock, 0.2+1.0/5.0/0+1.5 ms cpu, 30->31->10 MB, 40 MB goal, 0 MB stacks, 0 MB globals, 8 P (forced)',
    'unrelated application output',
  ];

  it('reads schedtrace, scheddetail and gctrace lines', async () => {
    const s = await parseGodebugLog(LOG);
    expect(s.lines).toBe(LOG.length);
    expect(s.sched.samples).toBe(2);
    expect(s.sched.gomaxprocs).toBe(8);
    expect(s.sched.maxThreads).toBe(14);
    expect(s.sched.maxSpinningThreads).toBe(2);
    expect(s.sched.maxGlobalRunqueue).toBe(3);
    expect(s.sched.maxLockedThreads).toBe(1);
    expect(s.sched.maxGoroutines).toBe(3);
    expect(s.sched.maxInSyscall).toBe(1);
    expect(s.sched.imbalance.loadedSamples).toBe(2);
    expect(s.sched.imbalance.worstSample!.localRunqueues).toEqual([100, 1, 0, 0, 0, 0, 0, 0]);
    expect(s.sched.imbalance.worst).toBeCloseTo(1 - 101 / 8 / 100);
    expect(s.sched.imbalance.imbalancedSamples).toBe(2);
    expect(s.gc.cycles).toBe(2);
    expect(s.gc.forced).toBe(1);
    expect(s.gc.cpuFraction).toBeCloseTo(0.04);
    expect(s.gc.stwMaxNs).toBeCloseTo(750_000);
    expect(s.gc.stwTotalNs).toBeCloseTo(1_600_000);
    expect(s.gc.assistCpuNs).toBeCloseTo(5_000_000);
    expect(s.gc.heapPeakBytes).toBe(44 * 1024 * 1024);
    expect(s.gc.intervalsNs).toHaveLength(1);
    expect(s.gc.intervalsNs[0]).toBeCloseTo(100_000_000);
  });

  it('reads created threads from scheddetail M ids and heap goals from gctrace: thread-churn and heap-growth decide on them', async () => {
    const sched = (ms: number, threads: number, mIds: number[]) => [
      `SCHED ${ms}ms: gomaxprocs=2 idleprocs=1 threads=${threads} spinningthreads=0 needspinning=0 idlethreads=1 runqueue=0 gcwaiting=false nmidlelocked=0 stopwait=0 sysmonwait=false`,
      ...mIds.map((id) => `  M${id}: p=-1 curg=nil mallocing=0 throwing=0 preemptoff= locks=0 dying=0 spinning=false blocked=true lockedg=nil`),
    ];
    // M ids are never reused: M40 listed means 41 threads were created, while at most 5 were alive.
    const churn = [...sched(0, 5, [0, 1, 2, 3, 4]), ...sched(5, 4, [0, 1, 2, 40])];
    const s = await parseGodebugLog(churn);
    expect(s.sched.maxMId).toBe(40);
    expect(s.sched.maxThreads).toBe(5);
    const churnFindings = (await diagnoseLog(churn)).findings;
    expect(churnFindings.map((f) => f.id)).toEqual(['thread-churn']);
    expect(churnFindings[0]!.evidence.summary).toContain('41 distinct OS threads but at most 5 alive at once (×8.2) (scheddetail M ids)');
    // Without scheddetail the log shows only threads alive: no churn can be seen.
    expect((await diagnoseLog(churn.filter((l) => l.startsWith('SCHED')))).findings).toEqual([]);

    const gc = (n: number, goal: number) => `gc ${n} @${(n * 0.02).toFixed(3)}s 1%: 0.01+1.0+0.01 ms clock, 0.02+0.1/0.5/0+0.02 ms cpu, ${goal - 1}->${goal}->${goal / 2} MB, ${goal} MB goal, 0 MB stacks, 0 MB globals, 2 P`;
    const growing = [4, 8, 16, 32, 64].map((goal, i) => gc(i + 1, goal));
    const g = await parseGodebugLog(growing);
    expect(g.gc).toMatchObject({ goalFirstBytes: 4 * 1024 * 1024, goalLastBytes: 64 * 1024 * 1024, goalChanges: 4, goalRises: 4 });
    expect((await diagnoseLog(growing, { rules: ['heap-growth'] })).findings.map((f) => f.id)).toEqual(['heap-growth']);
    // A sawtooth around a level: the goal changes but does not keep rising.
    const sawtooth = [4, 8, 6, 8, 6, 8, 6].map((goal, i) => gc(i + 1, goal));
    expect((await diagnoseLog(sawtooth, { rules: ['heap-growth'] })).findings).toEqual([]);
  });

  it('runqueue-imbalance at its boundaries (share of loaded samples, minimum queued)', async () => {
    const sample = (ms: number, queues: number[]) =>
      `SCHED ${ms}ms: gomaxprocs=${queues.length} idleprocs=0 threads=9 spinningthreads=0 needspinning=0 idlethreads=0 runqueue=0 [ ${queues.join(' ')} ] schedticks=[ ]`;
    const balanced = [30, 30, 30, 30];
    const skewed = [120, 5, 5, 5]; // 1 − 33.75/120 = 0.72
    const fires = async (lines: string[], overrides = {}) => (await diagnoseLog(lines, { rules: ['runqueue-imbalance'], thresholds: overrides })).findings.length === 1;
    // 2 imbalanced of 8 loaded = 25% = the default share: fires; 2 of 9: quiet.
    const two = [sample(0, skewed), sample(5, skewed)];
    expect(await fires([...two, ...Array.from({ length: 6 }, (_, i) => sample(10 + i, balanced))])).toBe(true);
    expect(await fires([...two, ...Array.from({ length: 7 }, (_, i) => sample(10 + i, balanced))])).toBe(false);
    // A single imbalanced sample never fires.
    expect(await fires([sample(0, skewed)])).toBe(false);
    // Below runqueueMinQueued the samples do not count.
    const small = [sample(0, [DEFAULT_THRESHOLDS.runqueueMinQueued - 4, 1, 1, 1]), sample(5, [DEFAULT_THRESHOLDS.runqueueMinQueued - 4, 1, 1, 1])];
    expect(await fires(small)).toBe(false);
    const atMin = [sample(0, [DEFAULT_THRESHOLDS.runqueueMinQueued - 3, 1, 1, 1]), sample(5, [DEFAULT_THRESHOLDS.runqueueMinQueued - 3, 1, 1, 1])];
    expect(await fires(atMin)).toBe(true);
    // The imbalance threshold itself: [60 0 0 0 0] has 1 − mean/max = 0.8; [48 12 0 0 0] 0.75.
    const five = [sample(0, [48, 12, 0, 0, 0]), sample(5, [48, 12, 0, 0, 0])];
    expect(await fires(five, { runqueueImbalance: 0.75 })).toBe(true);
    expect(await fires(five, { runqueueImbalance: 0.76 })).toBe(false);
    // Two Ps never reach the default (1 − mean/max ≤ 0.5 there): one empty queue of two is ordinary.
    expect(await fires([sample(0, [80, 0]), sample(5, [80, 0])])).toBe(false);
    const f = (await diagnoseLog([...two], { rules: ['runqueue-imbalance'] })).findings[0]!;
    expect(f.evidence.summary).toContain('[120 5 5 5]');
  });
});
