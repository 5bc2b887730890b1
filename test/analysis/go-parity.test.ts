// The analyses agree with Go's own tooling on the same traces: `go tool trace -pprof=<kind>`
// (same stacks, same count and total per stack), its /mmu data endpoint (every window it reports,
// within 0.005) and its /goroutines page (same groups, counts and execution time). The analyzers
// read Go's own decoding of each trace (goevents), so these tests check the analysis semantics
// independently of schedscope's decoder; end-to-end.test.ts repeats them through the decoder.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeViews } from '../../src/analysis/analyze.js';
import { parseUtilFlags } from '../../src/analysis/mmu.js';
import { PROFILE_KINDS, type ProfilesReport } from '../../src/analysis/profiles.js';
import { requireGo } from '../support/go.js';
import { FIXTURES, goGenerations, tracePath, type FixtureName } from './support/fixtures.js';
import { decodeProfile, goGoroutineGroups, goMmu, goPprof, startGoTraceServer, type GoTraceServer } from './support/go-tool-trace.js';

const MMU_FLAGS = ['stw|background|assist', 'stw|background|assist|sweep', 'stw|background|assist|perProc', 'stw|background|assist|sweep|perProc'];

function stackKey(stack: { pc: number }[]): string {
  return stack.map((f) => f.pc.toString(16)).join(';');
}

describe.each(FIXTURES)('%s: agreement with go tool trace', (name: FixtureName) => {
  let server: GoTraceServer | undefined;
  beforeAll(async () => {
    if (requireGo()) server = await startGoTraceServer(tracePath(name));
  });
  afterAll(async () => {
    await server?.close();
  });

  it('pprof profiles (goCompatible) match go tool trace -pprof stack by stack', async () => {
    if (!requireGo()) return;
    const views = goGenerations(name).flat();
    const report = await analyzeViews(views, { analyses: ['profiles'], profiles: { goCompatible: true } });
    const profiles = report.profiles as ProfilesReport;
    let compared = 0;
    for (const kind of PROFILE_KINDS) {
      const go = goPprof(kind, tracePath(name));
      const ours = new Map(profiles[kind].entries.map((e) => [stackKey(e.stack), { count: e.count, ns: e.totalNs }]));
      expect([...ours.keys()].sort(), `${kind}: same stacks`).toEqual([...go.keys()].sort());
      for (const [key, rec] of go) expect(ours.get(key), `${kind} ${key}`).toEqual({ count: rec.count, ns: rec.ns });
      compared += go.size;
    }
    expect(compared).toBeGreaterThan(0);
  });

  it('MMU curve matches /mmu within 0.005 at every window Go reports', async () => {
    if (!requireGo()) return;
    const views = goGenerations(name).flat();
    for (const flags of MMU_FLAGS) {
      const plot = await goMmu(server!, flags);
      expect(plot.curve.length).toBe(100);
      const report = await analyzeViews(views, { analyses: ['mmu'], mmu: { flags: parseUtilFlags(flags), windows: plot.curve.map((p) => p[0]), goCompatible: true } });
      const deviations = report.mmu!.curve.map((p, k) => Math.abs(p.mmu - plot.curve[k]![1]));
      expect(Math.max(...deviations), flags).toBeLessThanOrEqual(0.005);
    }
  });

  it('goroutine groups match /goroutines (count and total execution time)', async () => {
    if (!requireGo()) return;
    const go = await goGoroutineGroups(server!);
    expect(go.length).toBeGreaterThan(1);
    const report = await analyzeViews(goGenerations(name).flat(), { analyses: ['goroutines'] });
    const ours = report.goroutines!.groups.map((g) => ({ name: g.name, count: g.count, execNs: g.execNs }));
    expect(ours.sort((a, b) => a.name.localeCompare(b.name))).toEqual(go.sort((a, b) => a.name.localeCompare(b.name)));
  });
});

describe('restricted profiles agree with go tool trace (mixed fixture)', () => {
  let server: GoTraceServer | undefined;
  beforeAll(async () => {
    if (requireGo()) server = await startGoTraceServer(tracePath('mixed'));
  });
  afterAll(async () => {
    await server?.close();
  });

  const cases = [
    { path: '/block?name=main.receiver', kind: 'sync', options: { group: 'main.receiver' } },
    { path: '/sched?name=main.sleeper', kind: 'sched', options: { group: 'main.sleeper' } },
    { path: '/syscall?name=main.syscaller', kind: 'syscall', options: { group: 'main.syscaller' } },
    { path: '/io?name=main.netReader', kind: 'net', options: { group: 'main.netReader' } },
    { path: '/regionsched?type=step', kind: 'sched', options: { regionType: 'step' } },
    { path: '/regionblock?type=step', kind: 'sync', options: { regionType: 'step' } },
  ] as const;

  it.each(cases)('$path', async ({ path, kind, options }) => {
    if (!requireGo()) return;
    const response = await fetch(`${server!.url}${path}&raw=1`);
    expect(response.ok).toBe(true);
    const go = decodeProfile(new Uint8Array(await response.arrayBuffer()));
    if (path.includes('name=')) expect(go.size).toBeGreaterThan(0);
    const report = await analyzeViews(goGenerations('mixed').flat(), { analyses: ['profiles'], profiles: { goCompatible: true, ...options } });
    const ours = new Map(report.profiles![kind].entries.map((e) => [stackKey(e.stack), { key: stackKey(e.stack), count: e.count, ns: e.totalNs }]));
    expect(ours).toEqual(go);
  });
});

describe('where Go is wrong: creation-to-first-run latency (schedlat fixture)', () => {
  it('go tool trace -pprof=sched drops it; the default profile keeps it; goCompatible reproduces Go', async () => {
    if (!requireGo()) return;
    const views = goGenerations('schedlat').flat();
    const go = goPprof('sched', tracePath('schedlat'));
    const goTotal = [...go.values()].reduce((sum, r) => sum + r.ns, 0);
    const correct = await analyzeViews(views, { analyses: ['profiles', 'schedLatency'] });
    const compat = await analyzeViews(views, { analyses: ['profiles'], profiles: { goCompatible: true } });
    // Built so: 6 spinners of ~4 ms on one P, created together, waited ~0+4+8+12+16+20 = 60 ms.
    const spinners = correct.schedLatency!.byGroup.find((g) => g.group === 'main.spinner')!;
    expect(spinners.count).toBe(6);
    expect(spinners.totalNs).toBeGreaterThan(50e6);
    expect(spinners.totalNs).toBeLessThan(90e6);
    const fromGoStatement = correct.profiles!.sched.entries.filter((e) => e.stack[0]?.func === 'main.main');
    expect(fromGoStatement.reduce((sum, e) => sum + e.totalNs, 0)).toBeGreaterThan(50e6);
    expect(goTotal).toBeLessThan(1e6); // Go reports well under 1 ms of it
    expect(compat.profiles!.sched.totalNs).toBe(goTotal);
  });
});
