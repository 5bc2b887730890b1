// Each analysis against values known from how the fixture programs were built
// (test/analysis/fixtures/*/main.go), on Go's own decoding of the committed traces.
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeViews, type AnalysisReport } from '../../src/analysis/analyze.js';
import type { ProfileEntry } from '../../src/analysis/profiles.js';
import { requireGo } from '../support/go.js';
import { goGenerations, type FixtureName } from './support/fixtures.js';

const reports = new Map<FixtureName, AnalysisReport>();
let haveGo = false;

beforeAll(async () => {
  haveGo = requireGo();
  if (!haveGo) return;
  for (const name of ['mixed', 'gcheavy', 'schedlat', 'locked', 'gcidle'] as const) reports.set(name, await analyzeViews(goGenerations(name).flat()));
});

function report(name: FixtureName): AnalysisReport {
  return reports.get(name)!;
}

/** Profile entries whose first user frame (main.*) is `func`. */
function byFunc(entries: ProfileEntry[], func: string): { count: number; totalNs: number } {
  const mine = entries.filter((e) => e.stack.find((f) => f.func.startsWith('main.'))?.func === func);
  return { count: mine.reduce((s, e) => s + e.count, 0), totalNs: mine.reduce((s, e) => s + e.totalNs, 0) };
}

describe('mixed fixture', () => {
  it('goroutines: 8 main.sleeper blocked ~20 ms each on "sleep"', () => {
    if (!haveGo) return;
    const sleepers = report('mixed').goroutines!.groups.find((g) => g.name === 'main.sleeper')!;
    expect(sleepers.count).toBe(8);
    expect(sleepers.blockNsByReason.sleep).toBeGreaterThanOrEqual(8 * 20e6);
    expect(sleepers.blockNsByReason.sleep).toBeLessThan(8 * 30e6);
    expect(sleepers.blockByCategory.sleepNs).toBe(sleepers.blockNsByReason.sleep);
  });

  it('profiles: 50 channel receives, 20 blocking read(2) syscalls, 10 network waits, mutex contention', () => {
    if (!haveGo) return;
    const p = report('mixed').profiles!;
    expect(byFunc(p.sync.entries, 'main.receiver').count).toBe(50);
    expect(byFunc(p.syscall.entries, 'main.syscaller').count).toBe(20);
    expect(byFunc(p.net.entries, 'main.netReader').count).toBe(10);
    expect(byFunc(p.sync.entries, 'main.locker').count).toBeGreaterThan(10);
    const lockers = report('mixed').goroutines!.groups.find((g) => g.name === 'main.locker')!;
    expect(lockers.count).toBe(4);
    expect(lockers.blockByCategory.syncNs).toBeGreaterThan(0);
  });

  it('annotations: 3 "job" tasks, 15 "step" regions, 6 "progress" logs', () => {
    if (!haveGo) return;
    const a = report('mixed').annotations!;
    expect(a.tasks).toEqual([expect.objectContaining({ type: 'job', total: 3, complete: 3, count: 3 })]);
    expect(a.regions).toEqual([expect.objectContaining({ type: 'step', total: 15, complete: 15 })]);
    expect(a.regions[0]!.p50Ns).toBeGreaterThanOrEqual(150_000); // each step burns 200 µs
    expect(a.logs).toEqual([{ category: 'progress', count: 6 }]);
  });

  it('metrics: GOMAXPROCS changed exactly 3 times, ending at 3; goroutines and threads counted', () => {
    if (!haveGo) return;
    const m = report('mixed').metrics!;
    expect(m.gomaxprocs).toEqual({ last: 3, changes: 3 });
    expect(m.goroutines.created).toBeGreaterThanOrEqual(8 + 1 + 1 + 4 + 2 + 2);
    expect(m.threads.maxInSyscall).toBeGreaterThanOrEqual(1);
    expect(m.points.length).toBeGreaterThan(10);
    expect(m.points.length).toBeLessThanOrEqual(512);
  });

  it('gc: the 2 runtime.GC() calls show as cycles with STW pauses by reason', () => {
    if (!haveGo) return;
    const g = report('mixed').gc!;
    expect(g.cycles.count).toBeGreaterThanOrEqual(2);
    expect(g.stw.byReason.map((r) => r.reason)).toEqual(expect.arrayContaining(['GC sweep termination', 'GC mark termination', 'GOMAXPROCS']));
    expect(g.stw.byReason.find((r) => r.reason === 'GOMAXPROCS')!.count).toBe(3);
  });

  it('cpu samples: main.burn is the top function', () => {
    if (!haveGo) return;
    const c = report('mixed').cpuSamples!;
    expect(c.samples).toBeGreaterThan(0);
    expect(c.topCumulative.map((f) => f.func)).toContain('main.burn');
  });

  it('procs: P busy time equals goroutine execution time', () => {
    if (!haveGo) return;
    const r = report('mixed');
    const busy = r.procs!.procs.reduce((s, p) => s + p.busyNs, 0);
    expect(Math.abs(busy - r.goroutines!.totalExecNs) / r.goroutines!.totalExecNs).toBeLessThan(0.01);
  });
});

describe('schedlat fixture (GOMAXPROCS=1, 6 spinners of 4 ms)', () => {
  it('scheduler latency of main.spinner totals ~60 ms (0+4+…+20); the single P is ~always busy', () => {
    if (!haveGo) return;
    const r = report('schedlat');
    const g = r.schedLatency!.byGroup.find((x) => x.group === 'main.spinner')!;
    expect(g.count).toBe(6);
    expect(g.totalNs).toBeGreaterThan(55e6);
    expect(g.totalNs).toBeLessThan(80e6);
    expect(g.maxNs).toBeGreaterThan(18e6);
    expect(r.procs!.procs).toHaveLength(1);
    expect(r.procs!.procs[0]!.busyFraction).toBeGreaterThan(0.9);
    expect(r.procs!.imbalance).toBe(0);
  });
});

describe('gcheavy fixture', () => {
  it('many GC cycles, mark assists attributed to main.allocator, MMU at 1 ms well below 1', () => {
    if (!haveGo) return;
    const r = report('gcheavy');
    expect(r.gc!.cycles.count).toBeGreaterThanOrEqual(3);
    expect(r.gc!.assists.count).toBeGreaterThan(0);
    expect(r.gc!.assists.byGroup[0]!.group).toBe('main.allocator');
    const at1ms = r.mmu!.curve.find((p) => p.windowNs === 1e6)!;
    expect(at1ms.mmu).toBeLessThan(0.5);
    expect(r.mmu!.curve.find((p) => p.windowNs === 1e9)!.mmu).toBeGreaterThan(at1ms.mmu);
    const allocators = r.goroutines!.groups.find((g) => g.name === 'main.allocator')!;
    expect(allocators.count).toBe(12); // 3 rounds × 4
    expect(allocators.rangeNs['GC mark assist']).toBeGreaterThan(0);
    expect(allocators.rangeCount['GC mark assist']).toBeGreaterThan(0);
    // Every assist range in the trace belongs to some goroutine.
    const assistRanges = r.goroutines!.groups.reduce((sum, g) => sum + (g.rangeCount['GC mark assist'] ?? 0), 0);
    expect(assistRanges).toBe(r.gc!.assists.count);
    expect(r.procs!.procs).toHaveLength(2);
  });
});

describe('locked fixture (2 goroutines with LockOSThread, 2 without, 30 sleeps each)', () => {
  it('flags exactly the locked goroutines as always running on one thread', () => {
    if (!haveGo) return;
    const groups = report('locked').goroutines!.groups;
    expect(groups.find((g) => g.name === 'main.pinned')).toMatchObject({ count: 2, oneThread: 2 });
    expect(groups.find((g) => g.name === 'main.free')).toMatchObject({ count: 2, oneThread: 0 });
    expect(report('locked').metrics!.threads.seen).toBeGreaterThanOrEqual(4);
  });
});

describe('gcidle fixture', () => {
  // 8 forced GC cycles on 4 Ps, then 300 ms with nothing running (fixtures/gcidle/main.go).
  const at = (curve: { windowNs: number; mmu: number }[], windowNs: number): number => curve.find((p) => p.windowNs === windowNs)!.mmu;

  it('MMU: no P is in GC while nothing runs, so 100 ms windows see nearly all of the mutator', () => {
    if (!haveGo) return;
    const mmu = report('gcidle').mmu!;
    expect(at(mmu.curve, 1e6)).toBeLessThan(0.9); // the cycles themselves are visible at 1 ms
    expect(at(mmu.curve, 1e8)).toBeGreaterThan(0.9);
    expect(mmu.meanUtil).toBeGreaterThan(0.9);
  });

  it('MMU goCompatible: Go\'s double count of labelled worker starts keeps Ps "in GC" through the idle stretch', async () => {
    if (!haveGo) return;
    const go = (await analyzeViews(goGenerations('gcidle').flat(), { analyses: ['mmu'], mmu: { goCompatible: true } })).mmu!;
    // A worker that started labelled twice on a P leaves that P counted as in GC for good: at
    // least one of the 4 Ps is lost for the whole idle stretch.
    expect(at(go.curve, 1e8)).toBeLessThanOrEqual(0.75);
    expect(go.meanUtil).toBeLessThan(report('gcidle').mmu!.meanUtil - 0.25);
    expect(go.flags).toBe(report('gcidle').mmu!.flags); // Go's flags only: the rule is not one of them
  });
});
